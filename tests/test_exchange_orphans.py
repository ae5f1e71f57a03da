"""A change that refers to a record deleted on the other side (issue: orphaned changes).

Two real database files — an office and its laptop copy made by ``kyosai exchange checkout``
and ``open`` — the real packages written and read back, the CLI.  The office deletes a
campaign (through its repository) and a union (the app has no union deletion: a merger done
outside it, by SQL with the cascade the schema declares) while the laptop, offline, enters
figures and estimates for them.  Importing applies everything else; the orphaned changes are
listed as conflicts with their values; "take the laptop's" re-creates what they need,
audited, or refuses with nothing changed.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from exchange_fixtures import CAMPAIGN, build_office, checkout, rows

from kyosai_desktop.cli import main
from kyosai_desktop.services.context import open_context

VISIT = "2024年度 訪問キャンペーン"


def run(db: Path, *args: str) -> int:
    return main(["--db", str(db), *args])


def snapshot(path: Path) -> str:
    con = sqlite3.connect(path)
    try:
        tables = [
            r[0]
            for r in con.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                " AND name NOT LIKE 'search%' ORDER BY name"
            )
        ]
        return "\n".join(
            f"{t}: {sorted(map(repr, con.execute(f'SELECT * FROM {t}')))}" for t in tables
        )
    finally:
        con.close()


def pair(tmp_path: Path, pw: Path) -> tuple[Path, Path]:
    """An office (with an empty second campaign) and its laptop copy, made by the CLI."""
    office, laptop = tmp_path / "office.sqlite3", tmp_path / "laptop.sqlite3"
    build_office(office)
    ctx = open_context(office)
    try:
        ctx.campaigns.add(VISIT, "見積りキャンペーン")
    finally:
        ctx.close()
    checkout(office, laptop, pw, "copy.kyosai", "ノートPC1")
    return office, laptop


def conflicts_json(db: Path, capsys) -> list[dict]:
    capsys.readouterr()
    assert run(db, "exchange", "conflicts", "--json") == 0
    return json.loads(capsys.readouterr().out)


def test_office_deleted_union_and_campaign_the_laptop_used(tmp_path, pw, capsys):
    office, laptop = pair(tmp_path, pw)
    ctx = open_context(laptop)
    try:
        p1 = ctx.products.resolve("団生").id
        u4 = ctx.unions.find("05", "004").id
        u1 = ctx.unions.find("05", "001").id
        ctx.unions.update(u4, members=432)  # the laptop's own view of the union
        ctx.results.set(u4, p1, "2024-06", 7)  # figures for the union the office deletes
        ctx.results.set(u4, p1, "2024-10", 3)
        ctx.results.set(u1, p1, "2024-10", 5)  # an ordinary figure: it must arrive
        visit = ctx.campaigns.find(VISIT)
        est = ctx.estimates.add(
            visit.id,
            u1,
            name="訪問先の依頼者",
            other_premium=6100,
            jichiro_premium=4100,
            payment="年",
        ).id
        main_camp = ctx.campaigns.find(CAMPAIGN)
        ok_est = ctx.estimates.add(
            main_camp.id,
            u1,
            name="通常の依頼者",
            other_premium=5000,
            jichiro_premium=4000,
            payment="月",
        ).id
    finally:
        ctx.close()
    # the office, meanwhile: the empty campaign is deleted, union 004 merged away (by SQL)
    ctx = open_context(office)
    try:
        ctx.campaigns.delete(ctx.campaigns.find(VISIT).id)
        with ctx.conn:
            ctx.conn.execute("DELETE FROM unions WHERE id = ?", (u4,))
    finally:
        ctx.close()
    pkg = tmp_path / "changes.kyosai"
    assert run(laptop, "exchange", "export", "--out", str(pkg), "--passphrase-file", str(pw)) == 0

    before = snapshot(office)
    capsys.readouterr()
    assert (
        run(
            office,
            "exchange",
            "import",
            str(pkg),
            "--passphrase-file",
            str(pw),
            "--dry-run",
            "--json",
        )
        == 0
    )
    dry = json.loads(capsys.readouterr().out)
    assert snapshot(office) == before
    assert run(office, "exchange", "import", str(pkg), "--passphrase-file", str(pw), "--json") == 0
    res = json.loads(capsys.readouterr().out)
    assert (res["applied"], res["conflicts"]) == (dry["applied"], dry["conflicts"])
    # everything else arrived
    assert rows(
        office,
        "SELECT count FROM results WHERE union_id = ? AND product_id = ? AND month = '2024-10'",
        u1,
        p1,
    ) == [(5,)]
    assert rows(office, "SELECT name FROM estimates WHERE id = ?", ok_est) == [("通常の依頼者",)]
    # the orphaned changes are listed, with what the laptop had and what was deleted
    listed = conflicts_json(office, capsys)
    orphans = [c for c in listed if c["situation"] == "orphaned"]
    assert {
        (c["table"], c["laptop"] if c["table"] == "results" else c["laptop"].get("name"))
        for c in orphans
    } == {
        ("results", 7),
        ("results", 3),
        ("estimates", "訪問先の依頼者"),
        ("estimate_campaign_unions", None),  # the estimate made 05-001 take part
    }
    by_month = {c["key"]: c for c in orphans if c["table"] == "results"}
    assert set(by_month) == {
        "05-004 第4市職員労働組合 (削除済み) 団体生命共済 2024-06",
        "05-004 第4市職員労働組合 (削除済み) 団体生命共済 2024-10",
    }
    assert all(c["deleted"] == "単組 05-004 第4市職員労働組合" for c in by_month.values())
    visit_c = next(c for c in orphans if c["table"] == "estimates")
    assert visit_c["key"].startswith(f"{VISIT} (削除済み) 05-001 No.1")
    assert visit_c["deleted"] == f"キャンペーン「{VISIT}」"
    # the union's own edit met the deletion: the existing deleted-at-office conflict
    (union_c,) = [c for c in listed if c["situation"] == "deleted_office"]
    assert union_c["table"] == "unions" and union_c["key"] == "05-004 第4市職員労働組合 (削除済み)"
    assert any("は事務所で削除されています" in line for line in res["conflict_list"])
    capsys.readouterr()
    assert run(office, "exchange", "conflicts") == 0
    text = capsys.readouterr().out
    assert "05-004 第4市職員労働組合 (削除済み) 団体生命共済 2024-06 件数: ノートPC 7" in text
    assert "単組 05-004 第4市職員労働組合 は事務所で削除されています" in text

    # keep the office's for one month: nothing changes but the settlement
    june = by_month["05-004 第4市職員労働組合 (削除済み) 団体生命共済 2024-06"]["id"]
    assert run(office, "exchange", "resolve", "--id", str(june), "--keep", "office") == 0
    assert rows(office, "SELECT count(*) FROM unions WHERE id = ?", u4) == [(0,)]
    # take the laptop's for the other: the union is re-created from the laptop's row, audited
    october = by_month["05-004 第4市職員労働組合 (削除済み) 団体生命共済 2024-10"]["id"]
    assert run(office, "exchange", "resolve", "--id", str(october), "--keep", "laptop") == 0
    assert rows(
        office, "SELECT pref_code, union_code, name, members FROM unions WHERE id = ?", u4
    ) == [("05", "004", "第4市職員労働組合", 432)]
    assert rows(office, "SELECT month, count FROM results WHERE union_id = ?", u4) == [
        ("2024-10", 3)
    ]
    trail = rows(
        office,
        "SELECT source, table_name, new_value FROM audit WHERE source = 'exchange:ノートPC1' AND table_name = 'unions'",
    )
    assert (
        "exchange:ノートPC1",
        "unions",
        "削除されていた単組 05-004 第4市職員労働組合 をノートPCの内容で復元",
    ) in trail
    # the estimate: its campaign comes back too
    assert run(office, "exchange", "resolve", "--id", str(visit_c["id"]), "--keep", "laptop") == 0
    assert rows(
        office,
        "SELECT c.name, e.name, e.other_premium FROM estimates e JOIN estimate_campaigns c ON c.id = e.campaign_id WHERE e.id = ?",
        est,
    ) == [(VISIT, "訪問先の依頼者", 6100)]
    assert rows(office, "PRAGMA foreign_key_check") == []
    assert rows(office, "PRAGMA integrity_check") == [("ok",)]


def test_union_readded_with_the_same_code_takes_the_laptops_figures(tmp_path, pw, capsys):
    office, laptop = pair(tmp_path, pw)
    ctx = open_context(laptop)
    try:
        p1 = ctx.products.resolve("団生").id
        u4 = ctx.unions.find("05", "004").id
        ctx.results.set(u4, p1, "2024-11", 4)
    finally:
        ctx.close()
    ctx = open_context(office)
    try:
        with ctx.conn:
            ctx.conn.execute("DELETE FROM unions WHERE id = ?", (u4,))
        again = ctx.unions.add("05", "004", "新しい第4市職員労働組合").id
        assert again != u4  # (deleting the highest id would let SQLite give it out again)
    finally:
        ctx.close()
    pkg = tmp_path / "changes.kyosai"
    assert run(laptop, "exchange", "export", "--out", str(pkg), "--passphrase-file", str(pw)) == 0
    assert run(office, "exchange", "import", str(pkg), "--passphrase-file", str(pw)) == 0
    (c,) = conflicts_json(office, capsys)
    assert c["situation"] == "orphaned" and c["laptop"] == 4
    assert run(office, "exchange", "resolve", "--all", "--keep", "laptop") == 0
    # no second union 005: the figure goes to the union that holds the code now
    assert rows(office, "SELECT id FROM unions WHERE union_code = '004'") == [(again,)]
    assert rows(
        office, "SELECT count FROM results WHERE union_id = ? AND month = '2024-11'", again
    ) == [(4,)]


def test_a_deleted_product_cannot_be_restored_and_nothing_changes(tmp_path, pw, capsys):
    office, laptop = pair(tmp_path, pw)
    ctx = open_context(office)
    try:
        rider = ctx.products.resolve("車両損害補償")
        assert rider is not None
    finally:
        ctx.close()
    ctx = open_context(laptop)
    try:
        u1 = ctx.unions.find("05", "001").id
        ctx.results.set(u1, rider.id, "2024-06", 2)
        ctx.results.set(u1, ctx.products.resolve("団生").id, "2024-11", 6)
    finally:
        ctx.close()
    con = sqlite3.connect(office)
    with con:  # a product removed outside the app (it has no figures at the office)
        con.execute("PRAGMA foreign_keys = ON")
        con.execute("DELETE FROM products WHERE id = ?", (rider.id,))
    con.close()
    pkg = tmp_path / "changes.kyosai"
    assert run(laptop, "exchange", "export", "--out", str(pkg), "--passphrase-file", str(pw)) == 0
    assert run(office, "exchange", "import", str(pkg), "--passphrase-file", str(pw)) == 0
    assert rows(office, "SELECT count FROM results WHERE month = '2024-11'") == [(6,)]
    (c,) = conflicts_json(office, capsys)
    assert c["situation"] == "orphaned" and c["deleted"] == "商品 車両損害補償"
    before = snapshot(office)
    assert run(office, "exchange", "resolve", "--id", str(c["id"]), "--keep", "laptop") == 2
    err = capsys.readouterr().err
    assert "商品 車両損害補償 は削除されていて" in err and "何も変更していません" in err
    assert snapshot(office) == before
    assert run(office, "exchange", "resolve", "--id", str(c["id"]), "--keep", "office") == 0
    assert conflicts_json(office, capsys) == []


def test_laptop_deleted_a_campaign_the_office_since_used(tmp_path, pw, capsys):
    office, laptop = pair(tmp_path, pw)
    ctx = open_context(laptop)
    try:
        ctx.campaigns.delete(ctx.campaigns.find(VISIT).id)
        u1 = ctx.unions.find("05", "001").id
        ctx.results.set(u1, ctx.products.resolve("団生").id, "2024-11", 6)
    finally:
        ctx.close()
    ctx = open_context(office)
    try:
        visit = ctx.campaigns.find(VISIT).id
        ctx.estimates.add(
            visit, u1, name="事務所の依頼者", other_premium=5000, jichiro_premium=4000, payment="月"
        )
    finally:
        ctx.close()
    pkg = tmp_path / "changes.kyosai"
    assert run(laptop, "exchange", "export", "--out", str(pkg), "--passphrase-file", str(pw)) == 0
    assert run(office, "exchange", "import", str(pkg), "--passphrase-file", str(pw)) == 0
    assert rows(office, "SELECT count FROM results WHERE month = '2024-11'") == [(6,)]
    (c,) = conflicts_json(office, capsys)
    assert (c["table"], c["situation"], c["key"]) == ("estimate_campaigns", "deleted_laptop", VISIT)
    assert c["dependants"] == "見積り 1 件"
    assert run(office, "exchange", "conflicts") == 0
    assert f"キャンペーン {VISIT}: ノートPCで削除" in capsys.readouterr().out
    before = snapshot(office)
    assert run(office, "exchange", "resolve", "--id", str(c["id"]), "--keep", "laptop") == 2
    err = capsys.readouterr().err
    assert "見積り 1 件" in err and "何も変更していません" in err
    assert snapshot(office) == before
    assert run(office, "exchange", "resolve", "--all", "--keep", "office") == 0
    assert rows(office, "SELECT count(*) FROM estimates WHERE name = '事務所の依頼者'") == [(1,)]


def test_refreshing_a_laptop_after_the_office_deleted_its_campaign(tmp_path, pw, capsys):
    office, laptop = pair(tmp_path, pw)
    ctx = open_context(laptop)
    try:
        u2 = ctx.unions.find("05", "002").id
        est = ctx.estimates.add(
            ctx.campaigns.find(VISIT).id,
            u2,
            name="持ち出し中の依頼者",
            other_premium=7000,
            jichiro_premium=5000,
            payment="年",
        ).id
    finally:
        ctx.close()
    ctx = open_context(office)
    try:
        ctx.campaigns.delete(ctx.campaigns.find(VISIT).id)
    finally:
        ctx.close()
    copy2 = tmp_path / "copy2.kyosai"
    assert (
        run(office, "exchange", "checkout", "--out", str(copy2), "--passphrase-file", str(pw)) == 0
    )
    assert run(laptop, "exchange", "open", str(copy2), "--passphrase-file", str(pw)) == 0
    # the estimate is not in the refreshed copy but kept, with its values, in its conflict list
    assert rows(laptop, "SELECT count(*) FROM estimates WHERE id = ?", est) == [(0,)]
    listed = conflicts_json(laptop, capsys)
    assert {(c["table"], c["situation"]) for c in listed} == {
        ("estimates", "orphaned"),
        ("estimate_campaign_unions", "orphaned"),  # 05-002 joined the campaign with it
    }
    (c,) = [c for c in listed if c["table"] == "estimates"]
    assert c["laptop"]["name"] == "持ち出し中の依頼者"
    assert c["key"] == f"{VISIT} (削除済み) 05-002 No.1"
    # taken back on the laptop: the campaign is re-created under the laptop's own ids
    assert run(laptop, "exchange", "resolve", "--all", "--keep", "laptop") == 0
    (camp_id,) = rows(laptop, "SELECT campaign_id FROM estimates WHERE id = ?", est)[0]
    assert camp_id < 0 and rows(
        laptop, "SELECT name FROM estimate_campaigns WHERE id = ?", camp_id
    ) == [(VISIT,)]
    # and it travels to the office with the next package
    pkg = tmp_path / "changes.kyosai"
    assert run(laptop, "exchange", "export", "--out", str(pkg), "--passphrase-file", str(pw)) == 0
    assert run(office, "exchange", "import", str(pkg), "--passphrase-file", str(pw)) == 0
    assert conflicts_json(office, capsys) == []
    assert rows(
        office,
        "SELECT c.name, e.name FROM estimates e JOIN estimate_campaigns c ON c.id = e.campaign_id WHERE e.id = ?",
        est,
    ) == [(VISIT, "持ち出し中の依頼者")]


def test_taking_a_union_back_merges_onto_the_one_readded_with_its_code(tmp_path, pw, capsys):
    office, laptop = pair(tmp_path, pw)
    ctx = open_context(laptop)
    try:
        p1 = ctx.products.resolve("団生").id
        u4 = ctx.unions.find("05", "004").id
        ctx.unions.update(u4, members=432)  # the laptop changed one field of the union
        ctx.results.set(u4, p1, "2024-11", 4)
    finally:
        ctx.close()
    ctx = open_context(office)
    try:
        was = ctx.unions.get(u4).members
        with ctx.conn:  # merged away, then registered again under the same code
            ctx.conn.execute("DELETE FROM unions WHERE id = ?", (u4,))
        again = ctx.unions.add("05", "004", "新・第4市職員労働組合", members=100, holdings=12).id
    finally:
        ctx.close()
    pkg = tmp_path / "changes.kyosai"
    assert run(laptop, "exchange", "export", "--out", str(pkg), "--passphrase-file", str(pw)) == 0
    assert run(office, "exchange", "import", str(pkg), "--passphrase-file", str(pw)) == 0
    listed = conflicts_json(office, capsys)
    assert {(c["table"], c["situation"]) for c in listed} == {
        ("unions", "deleted_office"),
        ("results", "orphaned"),
    }
    union_c = next(c for c in listed if c["table"] == "unions")
    assert union_c["base"] == {"members": was}  # what the laptop changed, as it was
    assert run(office, "exchange", "resolve", "--id", str(union_c["id"]), "--keep", "laptop") == 0
    # merged: the laptop's changed field onto the re-added union, its other fields kept
    assert rows(
        office, "SELECT id, name, members, holdings FROM unions WHERE union_code = '004'"
    ) == [(again, "新・第4市職員労働組合", 432, 12)]
    assert rows(
        office,
        "SELECT source, field, old_value, new_value FROM audit WHERE table_name = 'unions'"
        " AND record_key = ? ORDER BY id DESC LIMIT 1",
        str(again),
    ) == [("exchange:ノートPC1", "members", "100", "432")]
    assert run(office, "exchange", "resolve", "--all", "--keep", "laptop") == 0
    assert rows(office, "SELECT union_id, count FROM results WHERE month = '2024-11'") == [
        (again, 4)
    ]
    assert rows(office, "SELECT count(*) FROM unions WHERE union_code = '004'") == [(1,)]


def test_the_office_never_gives_a_deleted_unions_id_to_a_new_one(tmp_path, pw, capsys):
    """Deleting the newest union and adding another must not hand the laptop's figures for
    the deleted one to the new one (SQLite alone would reuse max + 1; db/011)."""
    office, laptop = pair(tmp_path, pw)
    ctx = open_context(laptop)
    try:
        p1 = ctx.products.resolve("団生").id
        u5 = ctx.unions.find("05", "005").id
        ctx.results.set(u5, p1, "2024-11", 4)
    finally:
        ctx.close()
    ctx = open_context(office)
    try:
        assert u5 == max(u.id for u in ctx.unions.list())  # the newest
        with ctx.conn:  # merged away
            ctx.conn.execute("DELETE FROM unions WHERE id = ?", (u5,))
        other = ctx.unions.add("05", "006", "第6市職員労働組合").id
    finally:
        ctx.close()
    assert other > u5
    pkg = tmp_path / "changes.kyosai"
    assert run(laptop, "exchange", "export", "--out", str(pkg), "--passphrase-file", str(pw)) == 0
    assert run(office, "exchange", "import", str(pkg), "--passphrase-file", str(pw)) == 0
    assert rows(office, "SELECT count(*) FROM results WHERE union_id = ?", other) == [(0,)]
    (c,) = conflicts_json(office, capsys)
    assert c["situation"] == "orphaned" and c["deleted"] == "単組 05-005 第5市職員労働組合"
    # taken back: union 005 re-created under its own id, beside the new one
    assert run(office, "exchange", "resolve", "--all", "--keep", "laptop") == 0
    assert rows(office, "SELECT union_id, count FROM results WHERE month = '2024-11'") == [(u5, 4)]
    assert rows(
        office, "SELECT id, union_code FROM unions WHERE id IN (?, ?) ORDER BY id", u5, other
    ) == [(u5, "005"), (other, "006")]
    # a bulk insert (model-union import) allocates above the deleted id too
    ctx = open_context(office)
    try:
        with ctx.conn:
            ctx.conn.execute("DELETE FROM unions WHERE id = ?", (other,))
        from kyosai_desktop.store.ids import new_ids

        assert new_ids(ctx.conn, "unions", 2) == [other + 1, other + 2]
    finally:
        ctx.close()


def test_a_target_cleared_and_entered_again_at_the_office_takes_the_laptops_value(
    tmp_path, pw, capsys
):
    office, laptop = pair(tmp_path, pw)
    ctx = open_context(laptop)
    try:
        p1 = ctx.products.resolve("団生").id
        ctx.targets.set(2024, p1, "第1次", 77, None)  # the branch's own target
    finally:
        ctx.close()
    ctx = open_context(office)
    try:
        ctx.targets.set(2024, p1, "第1次", None, None)  # cleared, then entered again
        ctx.targets.set(2024, p1, "第1次", 50, None)
    finally:
        ctx.close()
    pkg = tmp_path / "changes.kyosai"
    assert run(laptop, "exchange", "export", "--out", str(pkg), "--passphrase-file", str(pw)) == 0
    assert run(office, "exchange", "import", str(pkg), "--passphrase-file", str(pw)) == 0
    (c,) = conflicts_json(office, capsys)
    assert (c["table"], c["situation"], c["laptop"]) == ("targets", "deleted_office", 77)
    assert run(office, "exchange", "resolve", "--all", "--keep", "laptop") == 0
    assert rows(
        office,
        "SELECT target FROM targets WHERE fiscal_year = 2024 AND product_id = ? AND version = '第1次'"
        " AND union_id IS NULL",
        p1,
    ) == [(77,)]
