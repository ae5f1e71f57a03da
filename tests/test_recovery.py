"""Recovery without the window: a damaged database restored from a backup (issue 12, item 3).

Through the command line (``kyosai restore``) here; through the start-up dialog in
tests/test_startup_recovery.py.  The damaged file sits with a ``-wal`` holding committed
frames of its own, which must not be replayed into the restored file.
"""

from __future__ import annotations

import shutil
import sqlite3

from recovery_fixtures import damaged_database, digest, unions_in

from kyosai_desktop.cli import main
from kyosai_desktop.services.context import open_context
from kyosai_desktop.store.connection import wal_path


def test_cli_restores_a_damaged_database_from_the_newest_good_backup(tmp_path, capsys):
    db, backup = damaged_database(tmp_path)
    damaged, stale_wal, backup_bytes = db.read_bytes(), wal_path(db).read_bytes(), digest(backup)
    (tmp_path / "backups" / "branch-29991231-000000.sqlite3").write_text(
        "壊れたコピー"
    )  # newest, but no good

    assert main(["--db", str(db), "backup"]) == 1
    err = capsys.readouterr().err
    assert "壊れています" in err and "kyosai restore --latest --yes" in err

    assert main(["--db", str(db), "restore"]) == 1  # the list, newest first
    out = capsys.readouterr().out
    assert out.index("branch-29991231-000000.sqlite3") < out.index(backup.name)
    assert "使えません" in out and "検査 OK" in out
    assert not [
        p.name for p in (tmp_path / "backups").iterdir() if p.name.endswith(("-wal", "-shm"))
    ]

    assert main(["--db", str(db), "restore", "--latest"]) == 1  # without --yes nothing happens
    assert "--yes" in capsys.readouterr().out and db.read_bytes() == damaged

    assert main(["--db", str(db), "restore", "--latest", "--yes"]) == 0
    out = capsys.readouterr().out
    assert backup.name in out and "復元しました" in out
    assert unions_in(db) == ["001", "002"]  # the backup, and the old WAL was not replayed
    safety = next((tmp_path / "backups").glob("branch-before-restore-*.sqlite3"))
    assert safety.read_bytes() == damaged and wal_path(safety).read_bytes() == stale_wal
    assert digest(backup) == backup_bytes  # the backup itself is untouched
    ctx = open_context(db)  # and the app opens it and goes on
    assert ctx.branch == "05" and [u.name for u in ctx.unions.list("05")][0] == "仙台市職員労働組合"
    ctx.close()


def test_a_stale_wal_beside_a_restored_file_would_have_been_replayed(tmp_path):
    """Why the -wal is removed: copying the backup over the file by hand lets SQLite replay it."""
    db, backup = damaged_database(tmp_path)
    shutil.copyfile(backup, db)  # what a clerk might do by hand
    con = sqlite3.connect(db)
    try:
        result = con.execute("PRAGMA quick_check").fetchone()[0]
        codes = (
            [r[0] for r in con.execute("SELECT union_code FROM unions")] if result == "ok" else None
        )
    except sqlite3.DatabaseError:
        result, codes = "error", None
    finally:
        con.close()
    assert result != "ok" or codes != ["001", "002"]  # corrupted, or not the backup's content


def test_restore_refuses_a_foreign_file_and_a_file_in_use(tmp_path, capsys):
    db, backup = damaged_database(tmp_path)
    foreign = tmp_path / "other.db"
    con = sqlite3.connect(foreign)
    con.execute("CREATE TABLE notes (t TEXT)")
    con.commit()
    con.close()
    before = digest(foreign)
    assert main(["--db", str(foreign), "restore", str(backup), "--yes"]) == 1
    assert "別のプログラム" in capsys.readouterr().err and digest(foreign) == before

    live = tmp_path / "live" / "branch.sqlite3"
    ctx = open_context(live)  # the window has it open
    ctx.unions.add("05", "009", "使用中")
    try:
        copies = (
            set((live.parent / "backups").glob("*"))
            if (live.parent / "backups").exists()
            else set()
        )
        assert main(["--db", str(live), "restore", str(backup), "--yes"]) == 1
        assert "使用中" in capsys.readouterr().err
        assert set((live.parent / "backups").glob("*")) == copies  # no stray safety copy
        assert [u.union_code for u in ctx.unions.list("05")] == ["009"]
    finally:
        ctx.close()
