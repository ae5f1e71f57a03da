"""Opening the branch database safely.

Order matters: every check that can refuse a file (a folder, an empty file, not SQLite,
another program's SQLite file, corrupt, newer than the code, read-only, locked) runs
*before* anything writes — on a read-only connection — so a refused file is left
byte-for-byte as it was.  Then the database is copied with SQLite's backup API before a
migration, and opened in WAL mode with ``synchronous=FULL``.  Each refusal has its own
Japanese message (:func:`describe_failure` turns a raw SQLite/OS error into one).  Closing
checkpoints the WAL into the main file, so a lost ``-wal`` after a clean close loses nothing.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import threading
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from kyosai_desktop.paths import backups_dir_for
from kyosai_desktop.store.errors import (
    CorruptDatabaseError,
    DiskFullError,
    EmptyDatabaseFileError,
    FolderPathError,
    ForeignDatabaseError,
    LockedDatabaseError,
    MigrationError,
    NewerDatabaseError,
    NotADatabaseError,
    ReadOnlyDatabaseError,
    StoreError,
)
from kyosai_desktop.store.migrations import apply_migrations, current_version, latest_version

if TYPE_CHECKING:
    import sqlite_utils

SQLITE_MAGIC = b"SQLite format 3\x00"
LOCK_TIMEOUT_S = 2.0
# Tables of this app (db/001–005): a SQLite file with tables but none of these is another program's.
OUR_TABLES = frozenset(
    {
        "settings",
        "prefectures",
        "products",
        "product_aliases",
        "fiscal_years",
        "unions",
        "targets",
        "results",
        "audit",
        "model_unions",
        "model_union_years",
        "estimate_campaigns",
        "estimates",
        "estimate_campaign_unions",
    }
)
LOCKED_MESSAGE = (
    "データベースは他のプログラム (または別の画面) が使用中です。"
    "閉じてからもう一度開いてください。ファイルは変更していません。"
)


def wal_path(path: Path) -> Path:
    return path.with_name(path.name + "-wal")


def shm_path(path: Path) -> Path:
    return path.with_name(path.name + "-shm")


def describe_failure(exc: BaseException, path: Path) -> StoreError:
    """The Japanese refusal for a raw SQLite or OS error met while opening ``path``."""
    if isinstance(exc, StoreError):
        return exc
    name = getattr(exc, "sqlite_errorname", "") or ""
    code = getattr(exc, "errno", None)
    text = str(exc).lower()
    if code == errno.ENOSPC or name.startswith("SQLITE_FULL") or "disk is full" in text:
        return DiskFullError(
            f"ディスクの空き容量が足りないため、データベースに書き込めません: {path}\n"
            "不要なファイルを削除して空きを作ってから、もう一度開いてください。ファイルは変更していません。"
        )
    if code == errno.EROFS or name.startswith("SQLITE_READONLY") or "readonly" in text:
        return read_only_error(path)
    if isinstance(exc, IsADirectoryError):
        return folder_error(path)
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in text or "busy" in text:
        return LockedDatabaseError(LOCKED_MESSAGE)
    if isinstance(exc, PermissionError):
        return LockedDatabaseError(
            f"データベースファイルを開けません (アクセスが拒否されました): {path}"
        )
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")):
        return CorruptDatabaseError(
            f"データベースが壊れています: {path}\n詳細: {exc}\nバックアップから復元してください。ファイルは変更していません。"
        )
    return StoreError(f"データベースファイルを開けません: {path}\n詳細: {exc}")


def read_only_error(path: Path) -> ReadOnlyDatabaseError:
    return ReadOnlyDatabaseError(
        f"データベースファイルに書き込めません (読み取り専用です): {path}\n"
        "ファイルとフォルダの読み取り専用の設定を外すか、書き込める場所にコピーしてから開いてください。"
        "ファイルは変更していません。"
    )


def folder_error(path: Path) -> FolderPathError:
    return FolderPathError(
        f"指定された場所はフォルダです (データベースファイルではありません): {path}\n"
        f"ファイル名まで指定してください (例: {path / 'kyosai.sqlite3'})。"
    )


def empty_file_error(path: Path) -> EmptyDatabaseFileError:
    return EmptyDatabaseFileError(
        f"{path} は空のファイル (0 バイト) です。\n"
        "既にあるファイルを黙って新しいデータベースにはしません。新しいデータベースを作るときは、"
        "このファイルを削除するか、別のファイル名を指定してください。ファイルは変更していません。"
    )


def foreign_error(path: Path) -> ForeignDatabaseError:
    return ForeignDatabaseError(
        f"このファイルは別のプログラムの SQLite データベースです (このアプリの表がありません): {path}\n"
        "他のプログラムのデータを壊さないよう、開かずに中止しました。ファイルは変更していません。"
        "このアプリのデータベースファイルを指定してください。"
    )


def checkpoint(conn: sqlite3.Connection, mode: str = "TRUNCATE") -> bool:
    """Copy the WAL into the main file; True when every frame was copied (no reader in the way)."""
    busy, log, done = conn.execute(f"PRAGMA wal_checkpoint({mode})").fetchone()
    return busy == 0 and (log == -1 or log == done)


@dataclass
class Database:
    """An open branch database: the raw connection plus a sqlite-utils view of it."""

    path: Path
    conn: sqlite3.Connection
    migrated_from: int = 0
    pre_migration_backup: Path | None = None
    pending_check: IntegrityCheck | None = field(default=None, repr=False)
    _utils: sqlite_utils.Database | None = field(default=None, repr=False)

    def confirm_intact(self) -> None:
        """Wait for the integrity check still running (``open_database(check_later=True)``).

        Raises its StoreError when the file is damaged; afterwards there is nothing to wait for.
        """
        check, self.pending_check = self.pending_check, None
        if check is not None:
            check.wait()
            # Until now the connection was query-only (``open_database(check_later=True)``).
            self.conn.execute("PRAGMA query_only = OFF")

    @property
    def utils(self) -> sqlite_utils.Database:
        # Imported on first use: sqlite-utils pulls in pandas when it is installed, which
        # would cost about half a second of every start-up (tests/bench_foundation.py).
        import sqlite_utils

        if self._utils is None:
            self._utils = sqlite_utils.Database(self.conn)
        return self._utils

    def checkpoint(self) -> bool:
        """Write the WAL into the main file now (after a large write); True when complete."""
        return checkpoint(self.conn)

    def abandon(self) -> None:
        """Close after a failed check: no optimize, no checkpoint — the file stays as it was."""
        if self.pending_check is not None:
            self.pending_check._thread.join()
            self.pending_check = None
        self.conn.close()

    def close(self) -> None:
        if self.pending_check is not None:  # let its connection close first
            check, self.pending_check = self.pending_check, None
            check._thread.join()
            if check.error is not None:  # damaged: no optimize, no checkpoint
                self.conn.close()
                return
            self.conn.execute("PRAGMA query_only = OFF")
        try:
            # Statistics for the query planner, sampled: a full ANALYZE after a national import
            # reads every row again (results alone: 10 ms per 35,000 rows); a sample of 1,000
            # rows per index gives the same plans (SQLite's own advice for PRAGMA optimize).
            self.conn.execute("PRAGMA analysis_limit = 1000")
            self.conn.execute("PRAGMA optimize")
            # A clean close leaves everything in the main file; a reader in the middle of a
            # query (another window, a worker) is waited for briefly, never for long.
            self.conn.execute("PRAGMA busy_timeout = 300")
            checkpoint(self.conn)
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
    conn = sqlite3.connect(
        uri, uri=True, timeout=timeout, isolation_level=None, check_same_thread=False
    )
    conn.row_factory = sqlite3.Row
    return conn


def _uri(path: Path, mode: str) -> str:
    return f"{path.resolve().as_uri()}?mode={mode}"


def inspect_existing(path: Path, *, quick_check: bool = True, at_rest: bool = False) -> int:
    """Run every refusing check read-only; return the file's schema version.

    ``quick_check=False`` leaves out the page-by-page check (PRAGMA quick_check), which
    :class:`IntegrityCheck` then runs alongside the window's construction.  ``at_rest``: a
    file nobody writes (a backup) with no ``-wal`` beside it is read ``immutable``, so reading
    it leaves no ``-wal``/``-shm`` behind.
    """
    if path.is_dir():
        raise folder_error(path)
    try:
        with open(path, "rb") as fh:
            head = fh.read(16)
    except PermissionError as exc:
        raise LockedDatabaseError(
            f"データベースファイルを開けません (アクセスが拒否されました): {path}"
        ) from exc
    except OSError as exc:
        raise describe_failure(exc, path) from exc
    if head and head != SQLITE_MAGIC:
        raise NotADatabaseError(
            f"このファイルはこのアプリのデータベースではありません (SQLite 形式ではありません): {path}"
        )
    if not head:
        return 0
    _refuse_foreign(path)
    try:
        conn = _connect(read_only_uri(path, at_rest=at_rest))
    except sqlite3.Error as exc:
        raise CorruptDatabaseError(f"データベースを開けません: {path}\n詳細: {exc}") from exc
    try:
        tables = _tables(conn)
        if tables and not tables & OUR_TABLES:
            raise foreign_error(path)
        version = current_version(conn)
        if version > latest_version():
            raise NewerDatabaseError(
                f"このデータベースは新しいバージョンのアプリで作成されています "
                f"(データ形式 {version}、このアプリは {latest_version()} まで対応)。"
                "アプリを更新してから開いてください。ファイルは変更していません。"
            )
        if quick_check:
            _quick_check(conn)
        return version
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise LockedDatabaseError(LOCKED_MESSAGE) from exc
        raise CorruptDatabaseError(
            f"データベースが壊れているか読めません: {path}\n詳細: {exc}"
        ) from exc
    except sqlite3.DatabaseError as exc:
        raise CorruptDatabaseError(
            f"データベースが壊れています: {path}\n詳細: {exc}。ファイルは変更していません。"
        ) from exc
    finally:
        conn.close()


def _clean_wal_file(path: Path) -> bool:
    """In WAL mode (header bytes 18–19 are 2) with no unfinished WAL beside it."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(20)
        wal = wal_path(path)
        return (
            head[:16] == SQLITE_MAGIC
            and head[18:20] == b"\x02\x02"
            and not (wal.exists() and wal.stat().st_size > 0)
        )
    except OSError:
        return False


def _quick_check(conn: sqlite3.Connection) -> None:
    result = conn.execute("PRAGMA quick_check").fetchone()[0]
    if result != "ok":
        raise CorruptDatabaseError(
            f"データベースが壊れています (quick_check: {result})。"
            "バックアップから復元してください。ファイルは変更していません。"
        )


class IntegrityCheck:
    """PRAGMA quick_check of an opened database on its own read-only connection, in a thread.

    It reads every page (about 0.1 s on a national-scale file), and SQLite releases the GIL
    while it does, so it runs while the window is being built.  ``wait`` joins it and
    raises the same Japanese refusal as a check at open would; nothing may write to the
    file before ``wait`` has returned.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.error: StoreError | None = None
        self._thread = threading.Thread(target=self._run, name="quick_check", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            conn = _connect(_uri(self.path, "ro"))
        except sqlite3.Error as exc:
            self.error = CorruptDatabaseError(f"データベースを開けません: {self.path}\n詳細: {exc}")
            return
        try:
            _quick_check(conn)
        except StoreError as exc:
            self.error = exc
        except sqlite3.OperationalError as exc:
            self.error = (
                LockedDatabaseError(LOCKED_MESSAGE)
                if "locked" in str(exc) or "busy" in str(exc)
                else CorruptDatabaseError(
                    f"データベースが壊れているか読めません: {self.path}\n詳細: {exc}"
                )
            )
        except sqlite3.DatabaseError as exc:
            self.error = CorruptDatabaseError(
                f"データベースが壊れています: {self.path}\n詳細: {exc}。ファイルは変更していません。"
            )
        finally:
            conn.close()

    def wait(self) -> None:
        self._thread.join()
        if self.error is not None:
            raise self.error


def read_only_uri(path: Path, *, at_rest: bool = False) -> str:
    """A read-only URI; ``immutable`` for a file at rest without a ``-wal`` (nothing created beside it)."""
    if at_rest and not wal_path(path).exists():
        return f"{_uri(path, 'ro')}&immutable=1"
    return _uri(path, "ro")


def _tables(conn: sqlite3.Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def _refuse_foreign(path: Path) -> None:
    """Refuse another program's SQLite file before a normal connection touches it.

    Read as ``immutable`` (no lock, no ``-wal``/``-shm`` created beside a WAL-mode file), so
    even the files next to it stay as they were.  Tables still only in a WAL are checked
    again on the normal read-only connection.
    """
    try:
        conn = _connect(f"{_uri(path, 'ro')}&immutable=1")
    except sqlite3.Error:
        return  # the normal checks give the reason
    try:
        tables = _tables(conn)
    except sqlite3.Error:
        return
    finally:
        conn.close()
    if tables and not tables & OUR_TABLES:
        raise foreign_error(path)


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


def _check_writable(path: Path) -> None:
    """Refuse a read-only file or folder before SQLite opens it (it would fall back to read-only)."""
    folder = path.parent
    if path.exists():
        try:
            with open(path, "r+b"):
                pass
        except OSError as exc:
            if exc.errno in (errno.EROFS, errno.EPERM) or not os.access(path, os.W_OK):
                raise read_only_error(path) from exc
            raise describe_failure(exc, path) from exc
    if folder.exists() and not os.access(folder, os.W_OK):
        raise read_only_error(path)


def open_database(
    path: Path | str, *, migrate: bool = True, allow_empty: bool = False, check_later: bool = False
) -> Database:
    """Open (creating if missing) and migrate the database at ``path``.

    An existing empty (0-byte) file is refused unless ``allow_empty`` (the clerk agreed to
    make it a new database); everything else that cannot be opened raises a StoreError
    with its own Japanese message and leaves the file as it was.
    """
    path = Path(path)
    if path.is_dir():
        raise folder_error(path)
    wal = wal_path(path)
    if (
        path.exists()
        and path.stat().st_size == 0
        and not allow_empty
        and not (wal.exists() and wal.stat().st_size > 0)
    ):
        raise empty_file_error(path)
    existed = path.exists() and path.stat().st_size > 0
    # The integrity check may run alongside the window only when opening cannot change the
    # file: already in WAL mode, no WAL left by a crash, no migration to write.
    check_later = check_later and existed and _clean_wal_file(path)
    version = inspect_existing(path, quick_check=not check_later) if existed else 0
    migrating = migrate and version < latest_version()
    if check_later and migrating:  # a migration writes: check before it
        inspect_existing(path)
        check_later = False
    if not existed:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise describe_failure(exc, path) from exc
    _check_writable(path)
    try:
        conn = _connect(_uri(path, "rwc"))
    except sqlite3.Error as exc:
        raise describe_failure(exc, path) from exc
    try:
        # Take the write lock briefly: a locked file is refused before anything changes.
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
    except sqlite3.Error as exc:
        conn.close()
        raise describe_failure(exc, path) from exc
    db = Database(path=path, conn=conn, migrated_from=version)
    if check_later:
        # Nothing may write before the check has passed: SQLite refuses every write on this
        # connection until ``confirm_intact`` (the window may be on screen meanwhile).
        conn.execute("PRAGMA query_only = ON")
        db.pending_check = IntegrityCheck(path)
    if migrating:
        try:
            if existed and version > 0:
                stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
                dest = (
                    backups_dir_for(path)
                    / f"{path.stem}-v{version}-before-migration-{stamp}.sqlite3"
                )
                db.pre_migration_backup = backup_to(conn, dest)
            apply_migrations(conn)
        except MigrationError as exc:
            conn.close()
            cause = describe_failure(exc.__cause__, path) if exc.__cause__ is not None else exc
            raise (
                cause if isinstance(cause, (DiskFullError, ReadOnlyDatabaseError)) else exc
            ) from exc
        except (sqlite3.Error, OSError) as exc:
            conn.close()
            raise describe_failure(exc, path) from exc
        except StoreError:
            conn.close()
            raise
    return db
