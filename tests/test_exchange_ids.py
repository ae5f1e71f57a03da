"""Ids made on two machines never mean two records (store/ids.py, db/011, db/012).

Real files: an office built like the product builds it, a laptop copy made by ``kyosai exchange
checkout`` and ``open``, the real packages written and read back through the CLI.

- A laptop never gives out again the id of a record of its block it deleted — otherwise the
  base → laptop diff shows the new record as a change of the old one and the office silently
  turns its record (with the office's own later changes) into the new one.  The floor is kept
  across a laptop refresh, and a copy made by an older version starts it from exchange_dirty.
- The office never allocates an id ≤ 0 (inside a laptop's block) when a table holds only
  laptop-made rows.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from exchange_fixtures import CAMPAIGN, build_office, checkout, rows, send

from kyosai_desktop.cli import main
from kyosai_desktop.services.context import open_context
from kyosai_desktop.store.ids import block_range, id_block, new_id, new_ids


def run(db: Path, *args: str) -> int:
    return main(["--db", str(db), *args])


def _setup(tmp_path: Path, pw: Path) -> tuple[Path, Path, int, list[int]]:
    office, laptop = tmp_path / "office.sqlite3", tmp_path / "laptop.sqlite3"
    build_office(office)
    checkout(office, laptop, pw, "c1.kyosai", "PC1")
    ctx = open_context(laptop)
    try:
        camp = ctx.campaigns.find(CAMPAIGN).id
        unions = [r[0] for r in ctx.conn.execute("SELECT id FROM unions ORDER BY id")]
    finally:
        ctx.close()
    return office, laptop, camp, unions


def test_laptop_does_not_reuse_the_id_of_a_record_it_deleted(tmp_path, pw):
    office, laptop, camp, u = _setup(tmp_path, pw)
    ctx = open_context(laptop)
    e1 = ctx.estimates.add(camp, u[3], name="山田", other_premium=5000, jichiro_premium=3000).id
    ctx.close()
    send(laptop, office, pw, "p1.pkg")
    checkout(office, laptop, pw, "c2.kyosai", "PC1")  # the laptop refreshes: 山田 is in its base
    ctx = open_context(office)
    ctx.estimates.update(e1, notes="事務所: 山田さんに電話済み")
    ctx.close()
    ctx = open_context(laptop)
    ctx.estimates.delete(e1)
    e2 = ctx.estimates.add(camp, u[4], name="佐藤", other_premium=9000, jichiro_premium=1000).id
    ctx.close()
    assert e2 != e1 and e2 > e1
    send(laptop, office, pw, "p2.pkg")
    # the office keeps 山田 with its note; the laptop's deletion is a conflict; 佐藤 is new
    assert rows(office, "SELECT union_id, name, notes FROM estimates WHERE id = ?", e1) == [
        (u[3], "山田", "事務所: 山田さんに電話済み")
    ]
    assert rows(office, "SELECT union_id, name FROM estimates WHERE id = ?", e2) == [(u[4], "佐藤")]
    assert rows(
        office,
        "SELECT table_name, situation FROM exchange_conflicts WHERE settled_at IS NULL",
    ) == [("estimates", "deleted_laptop")]


def test_the_deleted_floor_survives_a_laptop_refresh(tmp_path, pw):
    office, laptop, camp, u = _setup(tmp_path, pw)
    ctx = open_context(laptop)
    x = ctx.estimates.add(camp, u[1], name="甲").id
    y = ctx.estimates.add(camp, u[2], name="乙").id
    ctx.close()
    send(laptop, office, pw, "p1.pkg")
    checkout(office, laptop, pw, "c2.kyosai", "PC1")
    ctx = open_context(laptop)
    ctx.estimates.delete(y)
    ctx.close()
    send(laptop, office, pw, "p2.pkg")  # the office deletes 乙 too
    assert rows(office, "SELECT id FROM estimates WHERE id IN (?, ?)", x, y) == [(x,)]
    checkout(office, laptop, pw, "c3.kyosai", "PC1")  # a fresh file from the office: no 乙 in it
    ctx = open_context(laptop)
    try:
        assert new_id(ctx.conn, "estimates") == y + 1
        assert new_ids(ctx.conn, "estimates", 2) == [y + 1, y + 2]
        z = ctx.estimates.add(camp, u[3], name="丙").id
    finally:
        ctx.close()
    assert z == y + 1


def test_a_copy_made_by_an_older_version_starts_its_floor_from_the_changes_it_noted(tmp_path, pw):
    office, laptop, camp, u = _setup(tmp_path, pw)
    ctx = open_context(laptop)
    e1 = ctx.estimates.add(camp, u[3], name="山田").id
    ctx.close()
    send(laptop, office, pw, "p1.pkg")
    checkout(office, laptop, pw, "c2.kyosai", "PC1")
    # the copy as an older version (before db/012) left it, then deleting 山田 there
    con = sqlite3.connect(laptop)
    with con:
        for t in ("unions", "products", "targets", "estimate_campaigns", "estimates"):
            con.execute(f"DROP TRIGGER exchange_laptop_deleted_max_{t}")
        con.execute("DELETE FROM exchange_state WHERE key LIKE 'laptop_deleted_max:%'")
        con.execute("DELETE FROM estimates WHERE id = ?", (e1,))
        con.execute("PRAGMA user_version = 11")
    con.close()
    ctx = open_context(laptop)  # migrates to 012
    try:
        assert new_id(ctx.conn, "estimates") == e1 + 1
        e2 = ctx.estimates.add(camp, u[4], name="佐藤").id
    finally:
        ctx.close()
    assert e2 == e1 + 1


def test_the_floor_only_counts_the_laptops_own_block(tmp_path, pw):
    """A record of another laptop's block (above this one) deleted here after one of this
    block does not hide this block's floor."""
    office, laptop, camp, u = _setup(tmp_path, pw)
    ctx = open_context(laptop)
    try:
        lo, hi = block_range(id_block(ctx.conn) or 0)
        own = ctx.estimates.add(camp, u[0], name="自分").id
        assert own == lo
        ctx.estimates.delete(own)
        other = hi + 5  # another block's id, as a refresh may bring in
        ctx.conn.execute(
            "INSERT INTO estimates (id, campaign_id, union_id, seq, name) VALUES (?, ?, ?, 99, 'x')",
            (other, camp, u[1]),
        )
        ctx.conn.execute("DELETE FROM estimates WHERE id = ?", (other,))
        ctx.conn.commit()
        assert new_id(ctx.conn, "estimates") == own + 1
    finally:
        ctx.close()


def test_office_with_only_laptop_rows_allocates_a_positive_id(tmp_path, pw):
    office, laptop = tmp_path / "office.sqlite3", tmp_path / "laptop.sqlite3"
    ctx = open_context(office)
    ctx.settings.set_branch("05")
    product = ctx.products.resolve("団生").id
    u = [
        ctx.unions.add("05", f"{i:03d}", f"第{i}市職員労働組合", members=100, holdings=10).id
        for i in range(1, 5)
    ]
    ctx.close()
    checkout(office, laptop, pw, "c1.kyosai", "PC1")
    ctx = open_context(laptop)
    ctx.targets.set(2024, product, "第1次", 11, u[0])
    ctx.close()
    send(laptop, office, pw, "p1.pkg")  # the office's targets: one laptop-made row only
    ctx = open_context(office)
    try:
        assert new_id(ctx.conn, "targets") == 1
        assert new_ids(ctx.conn, "targets", 2) == [1, 2]
        ctx.targets.set(2024, product, "第1次", 22, u[1])
    finally:
        ctx.close()
    ctx = open_context(laptop)
    ctx.targets.set(2024, product, "第1次", 33, u[2])
    ctx.close()
    send(laptop, office, pw, "p2.pkg")
    got = rows(office, "SELECT id, union_id, target FROM targets ORDER BY union_id")
    assert [(union, target) for _, union, target in got] == [(u[0], 11), (u[1], 22), (u[2], 33)]
    assert got[1][0] > 0  # the office's own target
    assert len({i for i, _, _ in got}) == 3


def test_office_autoincrement_table_emptied_of_its_own_rows_allocates_above_its_sequence(
    tmp_path, pw
):
    office, laptop, camp, u = _setup(tmp_path, pw)
    ctx = open_context(office)
    own = ctx.estimates.add(camp, u[0], name="事務所").id
    ctx.close()
    ctx = open_context(laptop)
    ctx.estimates.add(camp, u[1], name="ノートPC")
    ctx.close()
    send(laptop, office, pw, "p1.pkg")
    ctx = open_context(office)
    try:
        for (eid,) in ctx.conn.execute("SELECT id FROM estimates WHERE id > 0").fetchall():
            ctx.estimates.delete(eid)  # only the laptop's (negative) estimate is left
        assert max(r[0] for r in ctx.conn.execute("SELECT id FROM estimates")) < 0
        assert new_id(ctx.conn, "estimates") == own + 1
        again = ctx.estimates.add(camp, u[2], name="事務所2").id
    finally:
        ctx.close()
    assert again == own + 1


def test_a_union_taken_back_at_the_office_never_gets_a_deleted_unions_id(tmp_path, pw, capsys):
    """Restoring a deleted union whose old id is taken again (a merger renumbered outside the
    app, by SQL) gives it an id above every id the office deleted, not SQLite's max + 1."""
    office, laptop, camp, u = _setup(tmp_path, pw)
    ctx = open_context(laptop)
    try:
        product = ctx.products.resolve("団生").id
        u4 = ctx.unions.find("05", "004").id
        u5 = ctx.unions.find("05", "005").id
        ctx.results.set(u4, product, "2024-10", 3)
    finally:
        ctx.close()
    ctx = open_context(office)
    try:
        assert u5 == u4 + 1 == max(x.id for x in ctx.unions.list())
        with ctx.conn:  # 004 merged away
            ctx.conn.execute("DELETE FROM unions WHERE id = ?", (u4,))
    finally:
        ctx.close()
    send(laptop, office, pw, "p1.pkg")  # the figure for 004 waits as a conflict
    ctx = open_context(office)
    try:
        with ctx.conn:  # then 004's number given to a new union, and 005 merged away
            ctx.conn.execute(
                "INSERT INTO unions (id, pref_code, union_code, name) VALUES (?, '05', '006', ?)",
                (u4, "第6市職員労働組合"),
            )
            ctx.conn.execute("DELETE FROM unions WHERE id = ?", (u5,))
    finally:
        ctx.close()
    capsys.readouterr()
    assert run(office, "exchange", "resolve", "--all", "--keep", "laptop") == 0
    got = rows(
        office,
        "SELECT u.id, u.union_code, r.count FROM results r JOIN unions u ON u.id = r.union_id"
        " WHERE r.month = '2024-10' AND u.union_code = '004'",
    )
    assert len(got) == 1 and got[0][1:] == ("004", 3)
    assert got[0][0] > u5  # not the id of the deleted union 005
