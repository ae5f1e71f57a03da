"""Opening the branch database safely.

Order matters: every check that can refuse a file (not SQLite, corrupt, newer than the
code, locked) runs on a read-only connection *before* anything writes, so a refused file
is left byte-for-byte as it was.  Then the database is copied with SQLite's backup API
before a migration, and opened in WAL mode with ``synchronous=FULL``.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from kyosai_desktop.paths import backups_dir_for
from kyosai_desktop.store.errors import (
    CorruptDatabaseError,
    LockedDatabaseError,
    NewerDatabaseError,
    NotADatabaseError,
    StoreError,
)
from kyosai_desktop.store.migrations import apply_migrations, current_version, latest_version

if TYPE_CHECKING:
    import sqlite_utils

SQLITE_MAGIC = b"SQLite format 3\x00"
LOCK_TIMEOUT_S = 2.0


@dataclass
class Database:
    """An open branch database: the raw connection plus a sqlite-utils view of it."""

    path: Path
    conn: sqlite3.Connection
    migrated_from: int = 0
    pre_migration_backup: Path | None = None
    _utils: sqlite_utils.Database | None = field(default=None, repr=False)

    @property
    def utils(self) -> sqlite_utils.Database:
        # Imported on first use: sqlite-utils pulls in pandas when it is installed, which
        # would cost about half a second of every start-up (tests/bench_foundation.py).
        import sqlite_utils

        if self._utils is None:
            self._utils = sqlite_utils.Database(self.conn)
        return self._utils

    def close(self) -> None:
        try:
            self.conn.execute("PRAGMA optimize")
        except sqlite3.Error:
            pass
        self.conn.close()

    def transaction(self) -> _Transaction:
        return _Transaction(self.conn)


class _Transaction:
    """``with db.transaction():`` — BEGIN IMMEDIATE … COMMIT, ROLLBACK on any exception."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> sqlite3.Connection:
        self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.conn.execute("COMMIT")
        else:
            self.conn.execute("ROLLBACK")


def _connect(uri: str, *, timeout: float = LOCK_TIMEOUT_S) -> sqlite3.Connection:
    conn = sqlite3.connect(uri, uri=True, timeout=timeout, isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    return conn


def _uri(path: Path, mode: str) -> str:
    return f"{path.resolve().as_uri()}?mode={mode}"


def inspect_existing(path: Path) -> int:
    """Run every refusing check read-only; return the file's schema version."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(16)
    except PermissionError as exc:
        raise LockedDatabaseError(
            f"データベースファイルを開けません (アクセスが拒否されました): {path}"
        ) from exc
    if head and head != SQLITE_MAGIC:
        raise NotADatabaseError(
            f"このファイルはこのアプリのデータベースではありません (SQLite 形式ではありません): {path}"
        )
    if not head:
        return 0
    try:
        conn = _connect(_uri(path, "ro"))
    except sqlite3.Error as exc:
        raise CorruptDatabaseError(f"データベースを開けません: {path}\n詳細: {exc}") from exc
    try:
        version = current_version(conn)
        if version > latest_version():
            raise NewerDatabaseError(
                f"このデータベースは新しいバージョンのアプリで作成されています "
                f"(データ形式 {version}、このアプリは {latest_version()} まで対応)。"
                "アプリを更新してから開いてください。ファイルは変更していません。"
            )
        result = conn.execute("PRAGMA quick_check").fetchone()[0]
        if result != "ok":
            raise CorruptDatabaseError(
                f"データベースが壊れています (quick_check: {result})。"
                "バックアップから復元してください。ファイルは変更していません。"
            )
        return version
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise LockedDatabaseError(
                "データベースは他のプログラム (または別の画面) が使用中です。"
                "閉じてからもう一度開いてください。ファイルは変更していません。"
            ) from exc
        raise CorruptDatabaseError(
            f"データベースが壊れているか読めません: {path}\n詳細: {exc}"
        ) from exc
    except sqlite3.DatabaseError as exc:
        raise CorruptDatabaseError(
            f"データベースが壊れています: {path}\n詳細: {exc}。ファイルは変更していません。"
        ) from exc
    finally:
        conn.close()


def backup_to(conn: sqlite3.Connection, dest: Path) -> Path:
    """Copy a live database with SQLite's online backup API."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_suffix(dest.suffix + ".part")
    target = sqlite3.connect(tmp)
    try:
        conn.backup(target)
    finally:
        target.close()
    tmp.replace(dest)
    return dest


def open_second_connection(path: Path | str, *, timeout: float = 10.0) -> Database:
    """Another connection to a database this process already opened (checked and migrated).

    Background work (imports, batch PDFs) runs on its own connection so it never shares the
    UI thread's transaction state; WAL lets the window keep reading while it writes.
    """
    path = Path(path)
    conn = _connect(_uri(path, "rw"), timeout=timeout)
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    return Database(path=path, conn=conn, migrated_from=current_version(conn))


def open_database(path: Path | str, *, migrate: bool = True) -> Database:
    """Open (creating if missing) and migrate the database at ``path``."""
    path = Path(path)
    existed = path.exists() and path.stat().st_size > 0
    version = inspect_existing(path) if existed else 0
    if not existed:
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        conn = _connect(_uri(path, "rwc"))
        # Take the write lock briefly: a locked file is refused before anything changes.
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
    except sqlite3.OperationalError as exc:
        raise LockedDatabaseError(
            "データベースは他のプログラム (または別の画面) が使用中です。"
            "閉じてからもう一度開いてください。ファイルは変更していません。"
        ) from exc
    db = Database(path=path, conn=conn, migrated_from=version)
    if migrate and version < latest_version():
        if existed and version > 0:
            stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
            dest = backups_dir_for(path) / f"{path.stem}-v{version}-before-migration-{stamp}.sqlite3"
            db.pre_migration_backup = backup_to(conn, dest)
        try:
            apply_migrations(conn)
        except StoreError:
            conn.close()
            raise
    return db
