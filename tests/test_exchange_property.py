"""The exchange's property test (issue 10, "Done when").

Two copies of one database — the office and a laptop copy — take random edits through the
real repositories (cells, unions, targets, estimates, deletions), overlapping on purpose; the
office then may delete an empty campaign (or give it an estimate) and a union (by SQL: the app
has no union deletion) while the laptop adds estimates to that campaign (or deletes it) and
figures for those unions — such orphaned changes, and the laptop's deletion of a campaign the
office has used, must be listed as conflicts, everything else applied.
After the laptop's package is imported, every value equals what the rules say (one side's
value, or a listed conflict that kept the office's), nothing is lost or duplicated, the
integrity checks pass and the audit trail has each taken change with the laptop's time.
Then every conflict is settled (keep / take at random) and checked, the laptop makes more
changes, is refreshed from a newer office copy without losing them, and sends them back:
both databases then hold the same data.  ``EXCHANGE_ITERATIONS`` raises the number of seeds.
"""

from __future__ import annotations

import os
import random
import sqlite3

import pytest
from exchange_fixtures import (
    CAMPAIGN,
    ESTIMATE_FIELDS,
    PASSPHRASE,
    UNION_FIELDS,
    VISIT,
    build_office,
    cells,
    laptop_visits,
    office_deletions,
    random_edits,
)

from kyosai_desktop.services import exchange
from kyosai_desktop.services.context import open_context

ITERATIONS = int(os.environ.get("EXCHANGE_ITERATIONS", "8"))


def orphans(base: dict, office: dict, laptop: dict, gone_campaigns: set) -> tuple[set, set]:
    """(records whose union or campaign the office deleted, the conflicts they must list).

    Such a record's laptop change cannot be applied: a change to it is listed (an edit of the
    union itself as one whole-record conflict), an untouched or cleared one is nothing.
    """
    gone_unions = {k[1] for k in base if k[0] == "unions" and k[2] == "name" and k not in office}
    records: set = set()
    conflicts: set = set()

    def parent_gone(k: tuple) -> bool:
        table, key = k[0], k[1]
        if table == "unions":
            return key in gone_unions
        if table == "results":
            return key.split(":")[0] in gone_unions
        if table == "targets":
            return key.split(":")[3] in gone_unions
        if table == "estimate_campaign_unions":
            c, u = key.split(":")
            return c in gone_campaigns or u in gone_unions
        if table == "estimates":
            row = laptop if ("estimates", key, "*") in laptop else base
            return (
                str(row.get(("estimates", key, "campaign_id"))) in gone_campaigns
                or str(row.get(("estimates", key, "union_id"))) in gone_unions
            )
        return False

    for k in {*base, *laptop}:
        if not parent_gone(k):
            continue
        records.add(k[:2])
        b, lap = base.get(k), laptop.get(k)
        if lap is None or lap == b:
            continue
        conflicts.add((k[0], k[1], "*" if k[0] in ("unions", "estimates") else k[2]))
    return records, conflicts


def expectation(
    base: dict, office: dict, laptop: dict, gone_campaigns: set = frozenset()
) -> tuple[dict, set]:
    """(expected office value per cell, the cells that must be listed as conflicts)."""
    gone, conflicts = orphans(base, office, laptop, set(gone_campaigns))
    expected: dict = {}
    # a campaign the laptop deleted while the office gave it estimates (and so participation):
    # the deletion waits as a conflict, the office's campaign stays
    for k in [k for k in base if k[0] == "estimate_campaigns"]:
        used = any(
            t == "estimate_campaign_unions" and key.split(":")[0] == k[1] for t, key, _f in office
        )
        if k in office and k not in laptop and used:
            conflicts.add(k)
            expected[k] = True
            gone.add(k[:2])
    base, office, laptop = (
        {k: v for k, v in d.items() if k[:2] not in gone} for d in (base, office, laptop)
    )
    est = {k[1] for k in (*base, *office, *laptop) if k[0] == "estimates"}
    for eid in est:
        keys = [("estimates", eid, f) for f in ESTIMATE_FIELDS]
        b, o, lap = (d.get(("estimates", eid, "*")) for d in (base, office, laptop))
        if b and not (o and lap):
            if not o and not lap:
                continue
            if not lap:  # deleted on the laptop
                if any(office.get(k) != base.get(k) for k in keys):
                    conflicts.add(("estimates", eid, "*"))
                    expected.update(
                        {k: office.get(k) for k in keys} | {("estimates", eid, "*"): True}
                    )
            elif any(laptop.get(k) != base.get(k) for k in keys):  # deleted at the office
                conflicts.add(("estimates", eid, "*"))
            continue
        side = office if o else laptop
        if not b:
            expected.update({k: side.get(k) for k in keys} | {("estimates", eid, "*"): True})
            continue
        expected[("estimates", eid, "*")] = True
        for k in keys:
            _cell(k, base, office, laptop, expected, conflicts)
    for k in {k for k in (*base, *office, *laptop) if k[0] != "estimates"}:
        _cell(k, base, office, laptop, expected, conflicts)
    return {k: v for k, v in expected.items() if v is not None}, conflicts


def _cell(k, base, office, laptop, expected, conflicts) -> None:
    b, o, lap = base.get(k), office.get(k), laptop.get(k)
    if o == lap or lap == b:
        expected[k] = o
    elif o == b:
        expected[k] = lap
    else:
        expected[k] = o
        conflicts.add(k)


def names(path) -> set:
    con = sqlite3.connect(path)
    try:
        return {
            ("estimate_campaigns", r[0]) for r in con.execute("SELECT name FROM estimate_campaigns")
        }
    finally:
        con.close()


def listed(path) -> set:
    con = sqlite3.connect(path)
    try:
        return {
            tuple(r)
            for r in con.execute(
                "SELECT table_name, record_key, field FROM exchange_conflicts WHERE settled_at IS NULL"
            )
        }
    finally:
        con.close()


def checks_pass(path) -> None:
    con = sqlite3.connect(path)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert con.execute("PRAGMA foreign_key_check").fetchall() == []
        dup = con.execute(
            "SELECT campaign_id, union_id, seq, count(*) FROM estimates GROUP BY 1, 2, 3"
            " HAVING count(*) > 1"
        ).fetchall()
        assert dup == []
    finally:
        con.close()


def dump(path) -> dict:
    con = sqlite3.connect(path)
    try:
        return {
            t: sorted(map(tuple, con.execute(f"SELECT * FROM {t}")), key=repr)
            for t in (
                "unions",
                "results",
                "targets",
                "estimates",
                "estimate_campaigns",
                "estimate_campaign_unions",
            )
        }
    finally:
        con.close()


def last_audit(path, table: str, key: str) -> tuple | None:
    con = sqlite3.connect(path)
    try:
        return con.execute(
            "SELECT at, actor, source, old_value, new_value FROM audit WHERE table_name = ?"
            " AND record_key = ? ORDER BY id DESC LIMIT 1",
            (table, key),
        ).fetchone()
    finally:
        con.close()


def edit(path, seed: int, n: int, tag: str) -> None:
    ctx = open_context(path)
    try:
        random_edits(ctx, random.Random(seed), n, tag=tag)
    finally:
        ctx.close()


@pytest.mark.parametrize("seed", range(ITERATIONS))
def test_random_overlapping_edits_exchange_both_ways(tmp_path, seed):
    rng = random.Random(seed)
    office, laptop = tmp_path / "office.sqlite3", tmp_path / "laptop.sqlite3"
    build_office(office, seed=seed)
    ctx = open_context(office)
    visit_id = str(ctx.campaigns.add(VISIT, "見積りキャンペーン").id)
    exchange.checkout(ctx.conn, tmp_path / "copy.kyosai", PASSPHRASE)
    ctx.close()
    exchange.open_copy(laptop, tmp_path / "copy.kyosai", PASSPHRASE, label="ノートPC1")
    base = cells(laptop)
    assert base == cells(office)

    edit(office, seed * 7 + 1, 25, "事務所")
    edit(laptop, seed * 7 + 2, 25, "ノートPC")
    # deletions at the office that orphan the laptop's changes to the same records
    office_deletions(office, random.Random(seed * 7 + 4))
    laptop_visits(laptop, random.Random(seed * 7 + 5))
    office_now, laptop_now = cells(office), cells(laptop)
    gone_campaigns = set() if ("estimate_campaigns", VISIT) in names(office) else {visit_id}
    exchange.export_changes(laptop, tmp_path / "changes1.kyosai", PASSPHRASE)

    before = dump(office)
    dry = exchange.import_changes(office, tmp_path / "changes1.kyosai", PASSPHRASE, dry_run=True)
    assert dump(office) == before and listed(office) == set()
    res = exchange.import_changes(office, tmp_path / "changes1.kyosai", PASSPHRASE)
    assert (res["applied"], res["conflicts"]) == (dry["applied"], dry["conflicts"])

    expected, must_conflict = expectation(base, office_now, laptop_now, gone_campaigns)
    got = cells(office)
    assert got == expected
    assert listed(office) == must_conflict
    assert res["conflicts"] == len(must_conflict)
    checks_pass(office)
    # nothing the laptop added is lost or duplicated
    new_est = {k[1] for k in laptop_now if k[0] == "estimates" and k[2] == "*" and k not in base}
    kept = {k[1] for k in must_conflict if k[0] == "estimates"}  # listed, with their values
    assert new_est <= {k[1] for k in got if k[0] == "estimates" and k[2] == "*"} | kept
    # the audit trail has each taken change, from the laptop, at the laptop's time
    for k, v in expected.items():
        if k[0] == "results" and v == laptop_now.get(k) != office_now.get(k):
            at, _actor, source, _old, new = last_audit(office, "results", k[1])
            assert source == "exchange:ノートPC1" and new == str(v)
            assert at == last_audit(laptop, "results", k[1])[0]

    # settle every conflict, some by keeping the office's value, some by taking the laptop's
    conn = sqlite3.connect(office, isolation_level=None)
    try:
        choices = {}
        for c in exchange.list_conflicts(conn):
            choices[c.id] = rng.choice(("office", "laptop"))
            if c.dependants and choices[c.id] == "laptop":  # refused, nothing changed
                before = dump(office)
                with pytest.raises(ValueError, match="何も変更していません"):
                    exchange.resolve(conn, [c.id], "laptop")
                assert dump(office) == before
                choices[c.id] = "office"
            exchange.resolve(conn, [c.id], choices[c.id])
        settled = {
            (r[0], r[1], r[2]): r[3]
            for r in conn.execute(
                "SELECT table_name, record_key, field, settlement FROM exchange_conflicts"
            )
        }
    finally:
        conn.close()
    after = cells(office)
    for (table, key, field), keep in settled.items():
        if field == "*":
            k = (table, key, "*")
            want = (laptop_now if keep == "laptop" else office_now).get(k)
            assert after.get(k) == want
            if want:
                assert all(
                    after.get((table, key, f))
                    == (laptop_now if keep == "laptop" else office_now).get((table, key, f))
                    for f in ESTIMATE_FIELDS
                )
            if table == "unions" and keep == "laptop":  # re-created as the laptop had it
                assert all(
                    after.get((table, key, f)) == laptop_now.get((table, key, f))
                    for f in UNION_FIELDS
                )
        else:
            side = laptop_now if keep == "laptop" else office_now
            assert after.get((table, key, field)) == side.get((table, key, field))
    assert listed(office) == set()
    checks_pass(office)

    # the other way: more laptop changes (not yet sent), a newer office copy refreshes the laptop
    ctx = open_context(laptop)
    p1 = ctx.products.resolve("団生").id
    at_office = {k[1] for k in cells(office) if k[0] == "unions"}
    union_ids = [u.id for u in ctx.unions.list() if str(u.id) in at_office]
    for u in union_ids:
        ctx.results.set(u, p1, "2024-12", u % 7 + 1)
    camp = ctx.campaigns.find(CAMPAIGN)
    unsent_est = ctx.estimates.add(
        camp.id,
        union_ids[0],
        name="訪問先の依頼者",
        other_premium=7000,
        jichiro_premium=5000,
        payment="年",
    ).id
    assert exchange.status(ctx.conn).pending >= len(union_ids) + 1
    ctx.close()
    edit(office, seed * 7 + 3, 10, "事務所2")
    ctx = open_context(office)
    exchange.checkout(ctx.conn, tmp_path / "copy2.kyosai", PASSPHRASE)
    ctx.close()
    refreshed = exchange.open_copy(laptop, tmp_path / "copy2.kyosai", PASSPHRASE)
    assert refreshed["refreshed"] and refreshed["conflicts"] == 0
    lap = cells(laptop)
    assert lap[("estimates", str(unsent_est), "name")] == "訪問先の依頼者"
    office_cells = cells(office)
    unsent = {k for k in lap if k not in office_cells or office_cells[k] != lap[k]}
    assert {k for k in unsent if k[0] == "results"} == {
        ("results", f"{u}:{p1}:2024-12", "count") for u in union_ids
    }
    checks_pass(laptop)
    exchange.export_changes(laptop, tmp_path / "changes2.kyosai", PASSPHRASE)
    res2 = exchange.import_changes(office, tmp_path / "changes2.kyosai", PASSPHRASE)
    assert res2["conflicts"] == 0 and res2["applied"] >= len(union_ids) + 1
    assert dump(office) == dump(laptop)
    checks_pass(office)

    # packages taken already, the newest and the older one, again: nothing changes, nothing refused
    same = dump(office)
    for pkg in ("changes2.kyosai", "changes1.kyosai"):
        again = exchange.import_changes(office, tmp_path / pkg, PASSPHRASE)
        assert (again["applied"], again["conflicts"], again["already_imported"]) == (0, 0, True)
    assert dump(office) == same
