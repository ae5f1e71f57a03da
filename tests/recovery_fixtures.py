"""A damaged branch database with a good backup beside it, for the recovery tests."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

from kyosai_desktop.cli import main
from kyosai_desktop.services.context import open_context
from kyosai_desktop.store.connection import wal_path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def unions_in(path: Path) -> list[str]:
    con = sqlite3.connect(path)
    try:
        assert con.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        return [r[0] for r in con.execute("SELECT union_code FROM unions ORDER BY union_code")]
    finally:
        con.close()


def damaged_database(folder: Path) -> tuple[Path, Path]:
    """A branch database with a backup (unions 001, 002), then a crash leaving a -wal (003), then damage."""
    db = folder / "branch.sqlite3"
    ctx = open_context(db)
    ctx.settings.set_branch("05")
    ctx.unions.add("05", "001", "仙台市職員労働組合")
    ctx.unions.add("05", "002", "石巻市職員組合")
    ctx.close()
    assert main(["--db", str(db), "backup"]) == 0
    ctx = open_context(db)
    ctx.unions.add("05", "003", "あとから追加した単組")  # committed into the WAL
    crashed = {p: p.read_bytes() for p in (db, wal_path(db))}
    ctx.close()
    for p, data in crashed.items():  # as if the laptop died here
        p.write_bytes(data)
    assert wal_path(db).stat().st_size > 0
    data = bytearray(db.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # the schema page is smashed
    db.write_bytes(bytes(data))
    backup = next((folder / "backups").glob("branch-2*.sqlite3"))
    return db, backup
