"""Each reason a database cannot be opened has its own Japanese message, and nothing is changed (issue 12, item 3).

A folder, an empty file, another program's SQLite file, a read-only file, a full disk;
a clean close leaves nothing in the WAL.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
from pathlib import Path

import pytest

from kyosai_desktop.cli import main
from kyosai_desktop.services.context import open_context
from kyosai_desktop.store.connection import describe_failure, open_database, wal_path
from kyosai_desktop.store.errors import (
    DiskFullError,
    EmptyDatabaseFileError,
    FolderPathError,
    ForeignDatabaseError,
    ReadOnlyDatabaseError,
)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def foreign_file(path: Path, *, wal: bool = False) -> Path:
    con = sqlite3.connect(path)
    if wal:
        con.execute("PRAGMA journal_mode = WAL")
    con.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
    con.executemany("INSERT INTO customers (name) VALUES (?)", [("山田",), ("佐藤",)])
    con.commit()
    con.close()
    return path


@pytest.mark.parametrize("wal", [False, True])
def test_backup_refuses_another_programs_sqlite_file_and_leaves_it_byte_for_byte(
    tmp_path, capsys, wal
):
    path = foreign_file(tmp_path / "foreign.db", wal=wal)
    before, files = digest(path), listing(tmp_path)
    assert main(["--db", str(path), "backup"]) == 1
    err = capsys.readouterr().err
    assert "別のプログラムの SQLite データベース" in err and "ファイルは変更していません" in err
    assert (
        digest(path) == before and listing(tmp_path) == files
    )  # no -wal, no backups folder, no tables
    with pytest.raises(ForeignDatabaseError):
        open_database(path)
    assert digest(path) == before
    con = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    assert [r[0] for r in con.execute("SELECT name FROM sqlite_master")] == ["customers"]
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == ("wal" if wal else "delete")
    con.close()


def test_an_empty_sqlite_file_without_tables_becomes_ours(tmp_path):
    path = tmp_path / "blank.sqlite3"
    con = sqlite3.connect(path)
    con.execute("PRAGMA user_version = 0")
    con.execute("VACUUM")
    con.close()
    ctx = open_context(path)
    assert ctx.unions.list() == []
    ctx.close()


def test_an_existing_empty_file_is_never_silently_made_a_database(tmp_path, capsys):
    path = tmp_path / "empty.sqlite3"
    path.touch()
    assert main(["--db", str(path), "backup"]) == 1
    err = capsys.readouterr().err
    assert "空のファイル (0 バイト)" in err and "削除するか" in err
    assert path.stat().st_size == 0 and listing(tmp_path) == ["empty.sqlite3"]
    with pytest.raises(EmptyDatabaseFileError):
        open_context(path)
    ctx = open_context(path, allow_empty=True)  # the clerk agreed (the GUI asks)
    assert ctx.prefectures.name_of("05") is not None and path.stat().st_size > 0
    ctx.close()


def test_a_folder_is_refused_as_a_folder(tmp_path, capsys):
    with pytest.raises(FolderPathError, match="フォルダです"):
        open_database(tmp_path)
    assert main(["--db", str(tmp_path), "backup"]) == 1
    assert "フォルダです" in capsys.readouterr().err


@pytest.fixture
def read_only(tmp_path):
    """A real read-only database file: chmod for a normal user, the immutable flag for root."""
    path = tmp_path / "ro.sqlite3"
    open_context(path).close()
    if os.geteuid() != 0:
        path.chmod(0o444)
        yield path
        path.chmod(0o644)
        return
    if subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode != 0:
        pytest.skip("cannot make a file read-only for root here (chattr)")
    try:
        yield path
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


def test_a_read_only_file_is_refused_as_read_only(read_only, capsys):
    before = digest(read_only)
    with pytest.raises(ReadOnlyDatabaseError, match="読み取り専用です"):
        open_database(read_only)
    assert main(["--db", str(read_only), "backup"]) == 1
    assert "読み取り専用です" in capsys.readouterr().err
    assert digest(read_only) == before


@pytest.fixture
def tiny_disk(tmp_path):
    """A real 64 KiB file system (tmpfs), when this machine lets the tests mount one."""
    mnt = tmp_path / "disk"
    mnt.mkdir()
    if (
        os.geteuid() != 0
        or subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mnt)], capture_output=True
        ).returncode
        != 0
    ):
        pytest.skip("cannot mount a small file system here")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", str(mnt)], check=True)


def test_a_full_disk_is_refused_as_a_full_disk(tiny_disk):
    with pytest.raises(DiskFullError, match="ディスクの空き容量が足りない"):
        open_context(tiny_disk / "new.sqlite3")


def test_raw_errors_get_their_own_messages(tmp_path):
    con = sqlite3.connect(":memory:")
    con.execute("CREATE TABLE t (a)")
    con.execute("PRAGMA max_page_count = 2")
    with pytest.raises(sqlite3.Error) as full:
        con.executemany("INSERT INTO t VALUES (?)", [("x" * 1000,)] * 50)
    assert isinstance(describe_failure(full.value, tmp_path / "a"), DiskFullError)
    assert isinstance(
        describe_failure(OSError(28, "No space left on device"), tmp_path / "a"), DiskFullError
    )
    assert isinstance(
        describe_failure(OSError(30, "Read-only file system"), tmp_path / "a"),
        ReadOnlyDatabaseError,
    )
    assert isinstance(
        describe_failure(IsADirectoryError(21, "Is a directory"), tmp_path), FolderPathError
    )
    messages = {
        type(describe_failure(e, tmp_path / "a")).__name__: str(describe_failure(e, tmp_path / "a"))
        for e in (full.value, OSError(30, "x"), IsADirectoryError(21, "x"))
    }
    assert len(set(messages.values())) == 3


def test_a_clean_close_leaves_nothing_in_the_wal(tmp_path):
    path = tmp_path / "branch.sqlite3"
    ctx = open_context(path)
    ctx.settings.set_branch("05")
    union = ctx.unions.add("05", "001", "仙台市職員労働組合")
    reader = sqlite3.connect(
        path
    )  # another program reading: SQLite's own last-close checkpoint does not run
    assert reader.execute("SELECT count(*) FROM unions").fetchone()[0] == 1
    wal = wal_path(path)
    assert wal.stat().st_size > 0
    ctx.close()
    assert wal.stat().st_size == 0  # the app checkpointed (TRUNCATE) on close
    reader.close()
    wal.unlink(missing_ok=True)  # a lost -wal after a clean close loses nothing
    ctx = open_context(path)
    assert ctx.unions.get(union.id).name == "仙台市職員労働組合" and ctx.branch == "05"
    ctx.close()
