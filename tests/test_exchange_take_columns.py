"""'Take the laptop's' writes only the table's own columns (services/exchange._take_laptop).

The record in a conflict (``laptop_row``) comes from a package: a name that is not a column
of the table — a newer app's column, or a crafted name — must never reach the SQL text.
Real files made by ``kyosai exchange checkout`` / ``open``, the packages through the CLI.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from exchange_fixtures import CAMPAIGN, build_office

from kyosai_desktop.cli import main
from kyosai_desktop.services.context import open_context


def run(db: Path, *args: str) -> int:
    return main(["--db", str(db), *args])


@pytest.mark.parametrize("extra", ["newer_column", "name) VALUES (1); DROP TABLE unions; --"])
def test_take_laptop_ignores_names_that_are_not_columns(tmp_path, pw, capsys, extra):
    office, laptop = tmp_path / "office.sqlite3", tmp_path / "laptop.sqlite3"
    build_office(office)
    copy, pkg = tmp_path / "c.kyosai", tmp_path / "p.kyosai"
    assert (
        run(office, "exchange", "checkout", "--out", str(copy), "--passphrase-file", str(pw)) == 0
    )
    assert run(laptop, "exchange", "open", str(copy), "--passphrase-file", str(pw)) == 0
    ctx = open_context(laptop)
    try:
        camp = ctx.campaigns.find(CAMPAIGN).id
        eid = ctx.conn.execute(
            "SELECT min(id) FROM estimates WHERE campaign_id = ?", (camp,)
        ).fetchone()[0]
        ctx.estimates.update(eid, notes="ノートPCで追記")
    finally:
        ctx.close()
    ctx = open_context(office)
    try:
        ctx.estimates.delete(eid)  # deleted at the office, changed on the laptop
    finally:
        ctx.close()
    assert run(laptop, "exchange", "export", "--out", str(pkg), "--passphrase-file", str(pw)) == 0
    assert run(office, "exchange", "import", str(pkg), "--passphrase-file", str(pw)) == 0
    con = sqlite3.connect(office)
    with con:
        (cid, row) = con.execute(
            "SELECT id, laptop_row FROM exchange_conflicts WHERE table_name = 'estimates'"
        ).fetchone()
        con.execute(
            "UPDATE exchange_conflicts SET laptop_row = ? WHERE id = ?",
            (json.dumps({**json.loads(row), extra: 1}, ensure_ascii=False), cid),
        )
    con.close()
    capsys.readouterr()
    assert run(office, "exchange", "resolve", "--all", "--keep", "laptop") == 0
    con = sqlite3.connect(office)
    try:
        assert con.execute("SELECT notes FROM estimates WHERE id = ?", (eid,)).fetchall() == [
            ("ノートPCで追記",)
        ]
        assert con.execute("SELECT count(*) FROM unions").fetchone()[0] == 5
    finally:
        con.close()
