"""Backups of the branch database with SQLite's online backup API, rotated."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

from kyosai_desktop.paths import backups_dir_for
from kyosai_desktop.services.context import AppContext
from kyosai_desktop.store.connection import backup_to

KEEP_BACKUPS = 30


def make_backup(ctx: AppContext, dest: Path | None = None, *, keep: int = KEEP_BACKUPS) -> Path:
    """Check the live database, copy it, verify the copy, and prune old automatic copies."""
    result = ctx.conn.execute("PRAGMA quick_check").fetchone()[0]
    if result != "ok":
        raise RuntimeError(f"データベースの検査で問題が見つかったため、バックアップを中止しました: {result}")
    folder = backups_dir_for(ctx.path)
    if dest is None:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        dest = folder / f"{ctx.path.stem}-{stamp}.sqlite3"
    backup_to(ctx.conn, Path(dest))
    check = sqlite3.connect(dest)
    try:
        if check.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise RuntimeError("作成したバックアップの検査に失敗しました。")
    finally:
        check.close()
    auto = sorted(folder.glob(f"{ctx.path.stem}-2*.sqlite3"))
    for old in auto[:-keep] if keep else []:
        old.unlink(missing_ok=True)
    return Path(dest)


def list_backups(ctx: AppContext) -> list[Path]:
    return sorted(backups_dir_for(ctx.path).glob("*.sqlite3"), reverse=True)


def backup_if_due(ctx: AppContext, *, max_age_hours: float = 20.0) -> Path | None:
    """The automatic backup taken when the GUI opens: at most one per working day."""
    import time

    folder = backups_dir_for(ctx.path)
    recent = [p for p in folder.glob(f"{ctx.path.stem}-2*.sqlite3")
              if time.time() - p.stat().st_mtime < max_age_hours * 3600]
    if recent or ctx.conn.execute("SELECT count(*) FROM unions").fetchone()[0] == 0:
        return None
    return make_backup(ctx)
