"""Restoring the branch database from a backup file, with a safety copy taken first.

``inspect_backup`` checks the chosen file read-only (SQLite, not corrupt, not newer than the
code) and describes it for the confirmation; ``restore_backup`` copies the current database
aside, writes the backup's pages into the live database with SQLite's backup API (so the
WAL and lock files stay consistent), checks the result and reopens it (migrating an older
backup like any older file).  Nothing changes when a check fails; when the restored file
cannot be reopened, the safety copy is written back and the caller gets the reopened
database with the error (:class:`RestoreFailed`).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from kyosai_desktop.paths import backups_dir_for
from kyosai_desktop.services.backup import make_backup
from kyosai_desktop.services.context import AppContext, open_context
from kyosai_desktop.store.connection import inspect_existing
from kyosai_desktop.store.errors import CorruptDatabaseError, NotADatabaseError, StoreError


class RestoreFailed(StoreError):
    """The restored data could not be opened; the data from before the restore is back.

    ``ctx`` is the database reopened on that data: continue with it.
    """

    def __init__(self, message: str, ctx: AppContext) -> None:
        super().__init__(message)
        self.ctx = ctx


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    modified: datetime
    schema_version: int
    branch: str | None
    branch_name: str | None
    unions: int
    results: int
    last_change: str | None

    def describe(self) -> str:
        who = f"{self.branch_name} ({self.branch})" if self.branch_name else "県支部未設定"
        last = self.last_change.replace("T", " ") if self.last_change else "記録なし"
        return (f"ファイル: {self.path.name}\n作成日時: {self.modified:%Y-%m-%d %H:%M}\n"
                f"県支部: {who}\n単組 {self.unions:,} 件・月別実績 {self.results:,} 件\n最後の変更: {last}")


def _table_exists(conn: sqlite3.Connection, name: str) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone() is not None


def inspect_backup(path: Path | str, current: Path | None = None) -> BackupInfo:
    """Check a backup file read-only and describe it; raises StoreError with a Japanese reason."""
    path = Path(path)
    if not path.exists():
        raise StoreError(f"ファイルが見つかりません: {path}")
    if current is not None and path.resolve() == Path(current).resolve():
        raise StoreError("使用中のデータベースそのものは復元元に選べません。backups フォルダのファイルを選んでください。")
    if path.stat().st_size == 0:
        raise NotADatabaseError(f"{path.name} は空のファイルです。")
    version = inspect_existing(path)
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        if not all(_table_exists(conn, t) for t in ("settings", "unions", "results", "prefectures")):
            raise NotADatabaseError(f"{path.name} はこのアプリのバックアップではありません。")
        row = conn.execute("SELECT value FROM settings WHERE key = 'branch_pref_code'").fetchone()
        branch = row[0] if row else None
        name = conn.execute("SELECT name FROM prefectures WHERE code = ?", (branch,)).fetchone() if branch else None
        unions = conn.execute("SELECT count(*) FROM unions").fetchone()[0]
        results = conn.execute("SELECT count(*) FROM results").fetchone()[0]
        last = conn.execute("SELECT max(at) FROM audit").fetchone()[0] if _table_exists(conn, "audit") else None
    except sqlite3.DatabaseError as exc:
        raise CorruptDatabaseError(f"{path.name} を読めません: {exc}") from exc
    finally:
        conn.close()
    return BackupInfo(path, datetime.fromtimestamp(path.stat().st_mtime), version, branch,
                      name[0] if name else None, unions, results, last)


def restore_backup(ctx: AppContext, path: Path | str) -> tuple[AppContext, Path]:
    """Replace the live database's content with the backup; returns (reopened context, safety copy).

    ``ctx`` is closed; use the returned context from then on.
    """
    path = Path(path)
    inspect_backup(path, ctx.path)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    safety = make_backup(ctx, backups_dir_for(ctx.path) / f"{ctx.path.stem}-before-restore-{stamp}.sqlite3")
    _copy_into(path, ctx.conn)
    db_path = ctx.path
    ctx.close()
    try:
        restored = open_context(db_path)
        if restored.conn.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            restored.close()
            raise CorruptDatabaseError("復元後の検査に失敗しました。")
    except (StoreError, sqlite3.Error) as exc:
        live = sqlite3.connect(db_path, isolation_level=None)
        try:
            _copy_into(safety, live)   # put back the data the restore replaced
        finally:
            live.close()
        raise RestoreFailed(
            f"復元したデータを開けなかったため、復元前のデータに戻しました。\n{exc}\n"
            f"(復元前のデータのコピー: {safety})", open_context(db_path)) from exc
    return restored, safety


def _copy_into(source_path: Path, dest: sqlite3.Connection) -> None:
    """Write a database file's pages into ``dest`` with SQLite's backup API."""
    source = sqlite3.connect(f"{source_path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        source.backup(dest)
    finally:
        source.close()
