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
        raise RuntimeError(
            f"データベースの検査で問題が見つかったため、バックアップを中止しました: {result}"
        )
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
    prune_backups(ctx.path, keep=keep)
    return Path(dest)


# The kinds of copy in the backups folder, each rotated on its own (newest ``keep`` kept):
# the daily/manual copies, the safety copies made before a restore, and before a schema upgrade.
BACKUP_KINDS = {
    "daily": "{stem}-2*.sqlite3",
    "before-restore": "{stem}-before-restore-*.sqlite3",
    "before-upgrade": "{stem}-v*-before-migration-*.sqlite3",
}


def prune_backups(db_path: Path, *, keep: int = KEEP_BACKUPS) -> list[Path]:
    """Delete all but the newest ``keep`` copies of each kind; returns the files deleted.

    A copy kept beside a damaged file (its ``-wal``/``-shm``) goes with it.
    """
    folder = backups_dir_for(db_path)
    removed: list[Path] = []
    if not keep:
        return removed
    stem = Path(db_path).stem
    for pattern in BACKUP_KINDS.values():
        copies = sorted(
            folder.glob(pattern.format(stem=stem)), key=lambda p: (p.stat().st_mtime, p.name)
        )
        for old in copies[:-keep]:
            for f in (old, old.with_name(old.name + "-wal"), old.with_name(old.name + "-shm")):
                if f.exists():
                    f.unlink()
                    removed.append(f)
    return removed


def list_backups(ctx: AppContext) -> list[Path]:
    return sorted(backups_dir_for(ctx.path).glob("*.sqlite3"), reverse=True)


def backup_if_due(ctx: AppContext, *, max_age_hours: float = 20.0) -> Path | None:
    """The automatic backup taken when the GUI opens: at most one per working day."""
    import time

    folder = backups_dir_for(ctx.path)
    recent = [
        p
        for p in folder.glob(f"{ctx.path.stem}-2*.sqlite3")
        if time.time() - p.stat().st_mtime < max_age_hours * 3600
    ]
    if recent or ctx.conn.execute("SELECT count(*) FROM unions").fetchone()[0] == 0:
        return None
    return make_backup(ctx)
