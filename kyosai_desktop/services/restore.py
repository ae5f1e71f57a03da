"""Restoring the branch database from a backup file, with a safety copy taken first.

``inspect_backup`` checks the chosen file read-only (SQLite, not corrupt, not newer than the
code) and describes it for the confirmation; ``restore_backup`` copies the current database
aside, writes the backup's pages into the live database with SQLite's backup API (so the
WAL and lock files stay consistent), checks the result and reopens it (migrating an older
backup like any older file).  Nothing changes when a check fails; when the restored file
cannot be reopened, the safety copy is written back and the caller gets the reopened
database with the error (:class:`RestoreFailed`).

When the database cannot be opened at all (damaged), :func:`restore_file` works on the
files instead (``kyosai restore`` and the start-up dialog): a safety copy of the current
file and its ``-wal``/``-shm`` first, the backup written beside it and renamed over it, the
stale ``-wal``/``-shm`` removed (SQLite would otherwise replay the old WAL into the restored
file), then the result opened and checked — or everything put back.
:func:`backup_candidates` lists the backups newest first with their check result.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from kyosai_desktop.paths import backups_dir_for
from kyosai_desktop.services.backup import make_backup, prune_backups
from kyosai_desktop.services.context import AppContext, open_context
from kyosai_desktop.store.connection import (
    LOCKED_MESSAGE,
    backup_to,
    folder_error,
    inspect_existing,
    read_only_uri,
    shm_path,
    wal_path,
)
from kyosai_desktop.store.errors import (
    CorruptDatabaseError,
    ForeignDatabaseError,
    LockedDatabaseError,
    NotADatabaseError,
    StoreError,
)


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
        return (
            f"ファイル: {self.path.name}\n作成日時: {self.modified:%Y-%m-%d %H:%M}\n"
            f"県支部: {who}\n単組 {self.unions:,} 件・月別実績 {self.results:,} 件\n最後の変更: {last}"
        )


def _table_exists(conn: sqlite3.Connection, name: str) -> bool:
    return (
        conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
        ).fetchone()
        is not None
    )


def inspect_backup(path: Path | str, current: Path | None = None) -> BackupInfo:
    """Check a backup file read-only and describe it; raises StoreError with a Japanese reason."""
    path = Path(path)
    if not path.exists():
        raise StoreError(f"ファイルが見つかりません: {path}")
    if current is not None and path.resolve() == Path(current).resolve():
        raise StoreError(
            "使用中のデータベースそのものは復元元に選べません。backups フォルダのファイルを選んでください。"
        )
    if path.stat().st_size == 0:
        raise NotADatabaseError(f"{path.name} は空のファイルです。")
    version = inspect_existing(path, at_rest=True)
    conn = sqlite3.connect(read_only_uri(path, at_rest=True), uri=True)
    try:
        if not all(
            _table_exists(conn, t) for t in ("settings", "unions", "results", "prefectures")
        ):
            raise NotADatabaseError(f"{path.name} はこのアプリのバックアップではありません。")
        row = conn.execute("SELECT value FROM settings WHERE key = 'branch_pref_code'").fetchone()
        branch = row[0] if row else None
        name = (
            conn.execute("SELECT name FROM prefectures WHERE code = ?", (branch,)).fetchone()
            if branch
            else None
        )
        unions = conn.execute("SELECT count(*) FROM unions").fetchone()[0]
        results = conn.execute("SELECT count(*) FROM results").fetchone()[0]
        last = (
            conn.execute("SELECT max(at) FROM audit").fetchone()[0]
            if _table_exists(conn, "audit")
            else None
        )
    except sqlite3.DatabaseError as exc:
        raise CorruptDatabaseError(f"{path.name} を読めません: {exc}") from exc
    finally:
        conn.close()
    return BackupInfo(
        path,
        datetime.fromtimestamp(path.stat().st_mtime),
        version,
        branch,
        name[0] if name else None,
        unions,
        results,
        last,
    )


def restore_backup(ctx: AppContext, path: Path | str) -> tuple[AppContext, Path]:
    """Replace the live database's content with the backup; returns (reopened context, safety copy).

    ``ctx`` is closed; use the returned context from then on.
    """
    path = Path(path)
    inspect_backup(path, ctx.path)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    safety = make_backup(
        ctx, backups_dir_for(ctx.path) / f"{ctx.path.stem}-before-restore-{stamp}.sqlite3"
    )
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
            _copy_into(safety, live)  # put back the data the restore replaced
        finally:
            live.close()
        raise RestoreFailed(
            f"復元したデータを開けなかったため、復元前のデータに戻しました。\n{exc}\n"
            f"(復元前のデータのコピー: {safety})",
            open_context(db_path),
        ) from exc
    return restored, safety


def _copy_into(source_path: Path, dest: sqlite3.Connection) -> None:
    """Write a database file's pages into ``dest`` with SQLite's backup API."""
    source = sqlite3.connect(read_only_uri(source_path, at_rest=True), uri=True)
    try:
        source.backup(dest)
    finally:
        source.close()


# ---------------------------------------------------------------- restoring the files


@dataclass(frozen=True)
class Candidate:
    """A file of the backups folder and whether it can be restored (``problem`` is Japanese)."""

    path: Path
    modified: datetime
    info: BackupInfo | None
    problem: str | None

    @property
    def ok(self) -> bool:
        return self.info is not None

    def label(self) -> str:
        state = "検査 OK" if self.ok else f"使えません: {self.problem}"
        return f"{self.modified:%Y-%m-%d %H:%M}  {self.path.name}  ({state})"


def backup_candidates(db_path: Path | str) -> list[Candidate]:
    """Every ``*.sqlite3`` of the database's backups folder, newest first, each checked read-only."""
    db_path = Path(db_path)
    folder = db_path.resolve().parent / "backups"
    if not folder.is_dir():
        return []
    out = []
    for path in folder.glob("*.sqlite3"):
        modified = datetime.fromtimestamp(path.stat().st_mtime)
        try:
            out.append(Candidate(path, modified, inspect_backup(path, db_path), None))
        except StoreError as exc:
            out.append(Candidate(path, modified, None, str(exc).splitlines()[0]))
    return sorted(out, key=lambda c: (c.modified, c.path.name), reverse=True)


def newest_good_backup(db_path: Path | str) -> Candidate | None:
    """The newest backup that passes ``quick_check`` and is this app's, or None."""
    return next((c for c in backup_candidates(db_path) if c.ok), None)


def restore_file(db_path: Path | str, backup: Path | str) -> Path:
    """Replace the database file with ``backup`` without opening it first; returns the safety copy.

    For a database that cannot be opened (damaged).  Refuses another program's SQLite file,
    a folder and a file in use; the current file (and its ``-wal``/``-shm``) is copied to
    ``backups/<name>-before-restore-<date>.sqlite3`` first.  When the restored file cannot be
    opened and checked, the previous files are put back and StoreError is raised.
    """
    db_path, backup = Path(db_path), Path(backup)
    if db_path.is_dir():
        raise folder_error(db_path)
    inspect_backup(backup, db_path)
    readable = _check_replaceable(db_path)
    folder = db_path.resolve().parent / "backups"
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    safety = folder / f"{db_path.stem}-before-restore-{stamp}.sqlite3"
    originals = _safety_copy(db_path, safety, readable)  # before anything opens it for writing
    try:
        _refuse_in_use(db_path)
    except LockedDatabaseError:
        for copy_path, _original in originals:
            copy_path.unlink(missing_ok=True)
        raise
    staged = db_path.with_name(f".{db_path.name}.restoring")
    try:
        staged.unlink(missing_ok=True)
        dest = sqlite3.connect(staged, isolation_level=None)
        try:
            _copy_into(backup, dest)
            if dest.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise CorruptDatabaseError("復元用にコピーしたファイルの検査に失敗しました。")
        finally:
            dest.close()
        # The old -wal / -shm belong to the replaced file: SQLite would replay that WAL into
        # the restored one.  They are in the safety copy.
        for side in (wal_path(db_path), shm_path(db_path)):
            side.unlink(missing_ok=True)
        os.replace(staged, db_path)
        ctx = open_context(db_path)
        try:
            if ctx.conn.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise CorruptDatabaseError("復元後の検査に失敗しました。")
        finally:
            ctx.close()
    except (StoreError, sqlite3.Error, OSError) as exc:
        staged.unlink(missing_ok=True)
        _put_back(db_path, originals)
        raise StoreError(
            f"復元できませんでした。元のファイルに戻しました。\n{exc}\n"
            f"(元のファイルのコピー: {safety})"
        ) from exc
    prune_backups(db_path)
    return safety


def _check_replaceable(db_path: Path) -> bool:
    """Refuse what must not be replaced; True when the current file opens (a readable copy can be made)."""
    if not db_path.exists() or db_path.stat().st_size == 0:
        return False
    try:
        inspect_existing(db_path)
    except (ForeignDatabaseError, LockedDatabaseError):
        raise
    except StoreError:
        return False  # damaged / not SQLite / newer: the safety copy keeps it as it is
    return True


def _refuse_in_use(db_path: Path) -> None:
    """Refuse while another program (the app's window, another ``kyosai``) holds the file."""
    if not db_path.exists() or db_path.stat().st_size == 0:
        return
    probe = sqlite3.connect(db_path, timeout=0.5, isolation_level=None)
    try:
        # In WAL mode an idle connection holds no lock; exclusive locking mode still sees it.
        probe.execute("PRAGMA locking_mode = EXCLUSIVE")
        probe.execute("BEGIN EXCLUSIVE")
        probe.execute("SELECT count(*) FROM sqlite_master").fetchone()
        probe.execute("ROLLBACK")
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise LockedDatabaseError(LOCKED_MESSAGE) from exc
    except sqlite3.DatabaseError:
        pass  # damage: nobody can be using it through SQLite
    finally:
        probe.close()


def _safety_copy(db_path: Path, safety: Path, readable: bool) -> list[tuple[Path, Path]]:
    """Copy the current file aside; returns (copy, original) pairs to put back on failure."""
    pairs: list[tuple[Path, Path]] = []
    if not db_path.exists():
        return pairs
    if readable:
        source = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            backup_to(source, safety)  # a consistent copy, WAL content included
        finally:
            source.close()
    else:
        shutil.copy2(db_path, safety)  # damaged: the bytes as they are, with their -wal / -shm
        for side, copy_side in (
            (wal_path(db_path), wal_path(safety)),
            (shm_path(db_path), shm_path(safety)),
        ):
            if side.exists():
                shutil.copy2(side, copy_side)
                pairs.append((copy_side, side))
    pairs.insert(0, (safety, db_path))
    return pairs


def _put_back(db_path: Path, originals: list[tuple[Path, Path]]) -> None:
    for side in (wal_path(db_path), shm_path(db_path)):
        side.unlink(missing_ok=True)
    for copy_path, original in originals:
        shutil.copy2(copy_path, original)
