"""Each operation against a real SQLite file: the typed changes it returns, the audit rows on
disk, and its undo / redo through ``ops.replay`` with the "still holds what it wrote" check."""

from __future__ import annotations

import sqlite3

import pytest

from kyosai_desktop.domain.estimates import MEMBER, OFFICER, OFFICER_CAMPAIGN, default_role
from kyosai_desktop.services.ops import ChangeKind
from kyosai_desktop.services.ops import entry as entry_ops
from kyosai_desktop.services.ops import estimates as est_ops
from kyosai_desktop.services.ops import master as master_ops
from kyosai_desktop.services.ops.fields import FieldWrite, NotReplayable, target_key
from kyosai_desktop.services.ops.replay import ReplayRefused, conflicts, replay
from kyosai_desktop.store.results import CellChange


def audit_rows(path, since):
    con = sqlite3.connect(path)
    try:
        return con.execute(
            "SELECT source, table_name, record_key, field, old_value, new_value FROM audit"
            " WHERE id > ? ORDER BY id",
            (since,),
        ).fetchall()
    finally:
        con.close()


def last_id(ctx):
    return ctx.conn.execute("SELECT ifnull(max(id), 0) FROM audit").fetchone()[0]


@pytest.fixture
def union(ctx):
    return ctx.unions.add("05", "001", "秋田市職員労働組合")


def test_entry_cells_changes_audit_undo_redo(ctx, db_path, union):
    p = ctx.products.resolve("総合共済").id
    since = last_id(ctx)
    changes = entry_ops.write_cells(
        ctx,
        [CellChange(union.id, p, "2025-06", 4), CellChange(union.id, p, "2025-07", None)],
        "paste",
    )
    assert changes.kinds == {ChangeKind.RESULTS} and changes.source == "paste"
    assert entry_ops.cells(changes) == [
        CellChange(union.id, p, "2025-06", 4, None)
    ]  # the no-op skipped
    assert audit_rows(db_path, since) == [
        ("paste", "results", f"{union.id}:{p}:2025-06", "count", None, "4")
    ]
    undone = replay(ctx, changes, undo=True)
    assert ctx.results.get(union.id, p, "2025-06") is None
    assert (
        entry_ops.cells(undone) == [CellChange(union.id, p, "2025-06", None, 4)]
        and undone.source == "undo"
    )
    replay(ctx, changes, undo=False)
    assert ctx.results.get(union.id, p, "2025-06") == 4
    assert [r[0] for r in audit_rows(db_path, since)] == ["paste", "undo", "redo"]


def test_replay_refuses_a_cell_changed_since_and_writes_nothing(ctx, db_path, union):
    p = ctx.products.resolve("総合共済").id
    changes = entry_ops.write_cells(
        ctx, [CellChange(union.id, p, "2025-06", 4), CellChange(union.id, p, "2025-07", 2)], "entry"
    )
    ctx.results.apply([CellChange(union.id, p, "2025-07", 9)], source="import")  # changed elsewhere
    since = last_id(ctx)
    with pytest.raises(ReplayRefused) as refused:
        replay(ctx, changes, undo=True)
    [conflict] = refused.value.conflicts
    assert (conflict.row.key, conflict.expected, conflict.current) == (
        f"{union.id}:{p}:2025-07",
        2,
        9,
    )
    assert ctx.results.get(union.id, p, "2025-06") == 4  # all or nothing: not even the other cell
    assert audit_rows(db_path, since) == []
    replay(ctx, changes, undo=True, force=True)  # the clerk said overwrite
    assert (ctx.results.get(union.id, p, "2025-06"), ctx.results.get(union.id, p, "2025-07")) == (
        None,
        None,
    )
    assert conflicts(ctx, changes, undo=False) == []


def test_master_edit_of_several_tables_is_one_step(ctx, db_path, union):
    p = ctx.products.resolve("団体生命共済").id
    note = ctx.products.by_id(p).note
    since = last_id(ctx)
    changes = master_ops.edit(
        ctx,
        [
            FieldWrite("unions", str(union.id), "members", 120),
            FieldWrite("unions", str(union.id), "org_joined", True),
            FieldWrite("targets", target_key(2025, p, "第1次", union.id), "target", 30),
            FieldWrite("fiscal_years", "2025", "start_months", "5/5"),
            FieldWrite("products", str(p), "note", "メモ"),
        ],
    )
    assert changes.kinds == {
        ChangeKind.UNIONS,
        ChangeKind.TARGETS,
        ChangeKind.YEARS,
        ChangeKind.PRODUCTS,
    }
    assert [(r.table, r.field, r.old, r.new) for r in changes.rows] == [
        ("unions", "members", None, 120),
        ("unions", "org_joined", False, True),
        ("targets", "target", None, 30),
        ("fiscal_years", "start_months", "6/5", "5/5"),
        ("products", "note", note, "メモ"),
    ]
    assert len(audit_rows(db_path, since)) == 5
    replay(ctx, changes, undo=True)
    assert ctx.unions.get(union.id).members is None and ctx.unions.get(union.id).org_joined is False
    assert ctx.targets.get(2025, p, "第1次", union.id) is None
    assert ctx.fiscal_years.results_year(2025).start_month == 6
    assert ctx.products.by_id(p).note == note
    replay(ctx, changes, undo=False)
    assert (
        ctx.unions.get(union.id).members == 120
        and ctx.fiscal_years.results_year(2025).start_month == 5
    )


def test_a_refused_master_edit_writes_nothing(ctx, db_path, union):
    since = last_id(ctx)
    with pytest.raises(ValueError):
        master_ops.edit(
            ctx,
            [
                FieldWrite("unions", str(union.id), "members", 5),
                FieldWrite("unions", str(union.id), "no_such_field", 1),
            ],
        )
    assert ctx.unions.get(union.id).members is None and audit_rows(db_path, since) == []


def test_settings_operations(ctx, db_path):
    changes = master_ops.set_setting(ctx, "rider_goal:車両損害補償", "55")
    assert changes.kinds == {ChangeKind.SETTINGS}
    assert [(r.table, r.key, r.old, r.new) for r in changes.rows] == [
        ("settings", "rider_goal:車両損害補償", None, "55")
    ]
    assert master_ops.set_support_branch(ctx, "05", True).rows[0].new is True
    threshold, changes = master_ops.set_org_join_threshold(ctx, "75")
    assert str(threshold) == "75" and changes.rows[0].new == "75"
    assert master_ops.set_branch(ctx, "04").rows[0].new == "04" and ctx.branch == "04"
    assert master_ops.set_branch(ctx, "04").empty  # no change, no row
    added, changes = master_ops.add_fiscal_year(ctx, 2030)
    assert added and changes.kinds == {ChangeKind.YEARS}
    with pytest.raises(NotReplayable):
        replay(ctx, changes, undo=True)  # adding a year is not an undo step


def test_estimate_operations_and_their_undo(ctx, db_path, union):
    campaign, changes = est_ops.add_campaign(
        ctx, {"name": "2025 強化月間", "kind": OFFICER_CAMPAIGN}, [union.id]
    )
    assert changes.kinds == {ChangeKind.CAMPAIGNS}
    added, changes = est_ops.add_estimate(
        ctx, campaign.id, union.id, {"name": "山田", "other_premium": 50_000}
    )
    assert added.role == OFFICER and added.seq == 1  # the kind's default role
    assert changes.kinds == {ChangeKind.ESTIMATES}
    assert changes.rows[0].field == "*" and changes.rows[0].new == added
    since = last_id(ctx)
    edit = est_ops.edit_estimate(ctx, added.id, {"name": "山田 太郎", "jichiro_premium": 40_000})
    assert [(r.field, r.old, r.new) for r in edit.rows] == [
        ("name", "山田", "山田 太郎"),
        ("jichiro_premium", None, 40_000),
    ]
    assert audit_rows(db_path, since) == [
        ("estimates", "estimates", str(added.id), "name", "山田", "山田 太郎"),
        ("estimates", "estimates", str(added.id), "jichiro_premium", None, "40000"),
    ]
    status = est_ops.set_status(ctx, [added.id], "返却済", "2025-07-01")
    assert {r.field for r in status.rows} == {"status", "returned_on"}
    replay(ctx, status, undo=True)
    assert ctx.estimates.get(added.id).status == "依頼受付"
    replay(ctx, edit, undo=True)
    assert ctx.estimates.get(added.id).name == "山田"
    deleted = est_ops.delete_estimates(ctx, [added.id])
    assert ctx.estimates.get(added.id) is None
    replay(ctx, deleted, undo=True)
    assert ctx.estimates.get(added.id) == added  # back with its id and fields
    replay(ctx, changes, undo=True)  # undo the add
    assert ctx.estimates.get(added.id) is None
    replay(ctx, changes, undo=False)
    assert ctx.estimates.get(added.id) == added


def test_undo_of_an_add_refuses_when_the_estimate_was_edited_since(ctx, union):
    campaign, _ = est_ops.add_campaign(
        ctx, {"name": "見積りキャンペーン", "kind": "見積りキャンペーン"}, [union.id]
    )
    added, changes = est_ops.add_estimate(ctx, campaign.id, union.id, {"name": "佐藤"})
    assert added.role == MEMBER
    est_ops.edit_estimate(ctx, added.id, {"name": "佐藤 一郎"})
    with pytest.raises(ReplayRefused):
        replay(ctx, changes, undo=True)
    assert ctx.estimates.get(added.id).name == "佐藤 一郎"


def test_campaign_add_edit_delete_are_undoable(ctx, db_path, union):
    other = ctx.unions.add("05", "002", "能代市職員労働組合")
    campaign, added = est_ops.add_campaign(
        ctx,
        {"name": "成約キャンペーン", "kind": "成約キャンペーン", "period_from": "2025-06-01"},
        [union.id],
    )
    edit = est_ops.edit_campaign(
        ctx, campaign.id, {"name": "夏の成約キャンペーン", "period_to": "2025-08-31"}, [other.id]
    )
    assert edit.kinds == {ChangeKind.CAMPAIGNS}
    assert [(r.table, r.field, r.old, r.new) for r in edit.rows] == [
        ("estimate_campaigns", "name", "成約キャンペーン", "夏の成約キャンペーン"),
        ("estimate_campaigns", "period_to", None, "2025-08-31"),
        ("estimate_campaign_unions", "*", None, "参加"),
        ("estimate_campaign_unions", "*", "参加", None),
    ]
    replay(ctx, edit, undo=True)
    assert ctx.campaigns.get(campaign.id) == campaign and ctx.campaigns.union_ids(campaign.id) == [
        union.id
    ]
    replay(ctx, edit, undo=False)
    assert ctx.campaigns.get(campaign.id).name == "夏の成約キャンペーン"
    since = last_id(ctx)
    deleted = est_ops.delete_campaign(ctx, campaign.id)
    assert ctx.campaigns.get(campaign.id) is None
    assert [r[3:] for r in audit_rows(db_path, since)] == [
        ("*", "参加", None),
        ("*", "夏の成約キャンペーン", None),
    ]
    replay(ctx, deleted, undo=True)
    assert ctx.campaigns.get(campaign.id).name == "夏の成約キャンペーン"
    assert ctx.campaigns.union_ids(campaign.id) == [other.id]
    # the add's undo is refused: the campaign was renamed since
    with pytest.raises(ReplayRefused):
        replay(ctx, added, undo=True)


def test_a_campaign_with_estimates_is_not_deleted(ctx, union):
    campaign, _ = est_ops.add_campaign(ctx, {"name": "C", "kind": "その他"}, [union.id])
    est_ops.add_estimate(ctx, campaign.id, union.id, {"name": "X"})
    with pytest.raises(ValueError, match="1 件"):
        est_ops.delete_campaign(ctx, campaign.id)
    assert ctx.campaigns.union_ids(campaign.id) == [union.id]


def test_default_role_is_one_rule():
    assert default_role(OFFICER_CAMPAIGN) == OFFICER
    assert default_role("成約キャンペーン") == MEMBER


def test_anonymise_reports_its_change_and_cannot_be_undone(ctx, union):
    campaign, _ = est_ops.add_campaign(
        ctx, {"name": "済んだ", "kind": "その他", "period_to": "2024-03-31"}, [union.id]
    )
    est_ops.add_estimate(ctx, campaign.id, union.id, {"name": "山田", "status": "成約"})
    n, changes = est_ops.anonymise(ctx, campaign.id)
    assert n == 1 and changes.kinds == {ChangeKind.CAMPAIGNS, ChangeKind.ESTIMATES}
    assert [(r.table, r.field) for r in changes.rows] == [("estimate_campaigns", "anonymised_at")]
    assert ctx.estimates.list(campaign.id)[0].name is None
    with pytest.raises(ValueError):
        replay(ctx, changes, undo=True)


def test_add_union_operation(ctx, db_path):
    since = last_id(ctx)
    union, changes = master_ops.add_union(ctx, "05", "7", "男鹿市職員労働組合", members="1,200")
    assert union.union_code == "007" and union.members == 1200
    assert changes.kinds == {ChangeKind.UNIONS}
    assert audit_rows(db_path, since) == [
        ("master", "unions", str(union.id), "*", None, "05-007 男鹿市職員労働組合"),
        ("master", "unions", str(union.id), "members", None, "1200"),
    ]
    with pytest.raises(NotReplayable):  # adding a union is not an undo step
        replay(ctx, changes, undo=True)


def test_campaign_operations_write_their_audit_rows(ctx, db_path, union):
    since = last_id(ctx)
    campaign, added = est_ops.add_campaign(
        ctx, {"name": "見積りキャンペーン2025", "kind": "見積りキャンペーン"}, [union.id]
    )
    assert audit_rows(db_path, since) == [
        (
            "estimates",
            "estimate_campaigns",
            str(campaign.id),
            "*",
            None,
            "見積りキャンペーン2025 (見積りキャンペーン)",
        ),
        ("estimates", "estimate_campaign_unions", f"{campaign.id}:{union.id}", "*", None, "参加"),
    ]
    assert added.rows[0].new == campaign  # the record itself, for its undo
    since = last_id(ctx)
    replay(ctx, added, undo=True)
    assert audit_rows(db_path, since) == [
        ("undo", "estimate_campaign_unions", f"{campaign.id}:{union.id}", "*", "参加", None),
        ("undo", "estimate_campaigns", str(campaign.id), "*", "見積りキャンペーン2025", None),
    ]
    since = last_id(ctx)
    replay(ctx, added, undo=False)
    assert audit_rows(db_path, since) == [
        (
            "redo",
            "estimate_campaigns",
            str(campaign.id),
            "*",
            None,
            "見積りキャンペーン2025 (見積りキャンペーン) (復元)",
        ),
        ("redo", "estimate_campaign_unions", f"{campaign.id}:{union.id}", "*", None, "参加"),
    ]
    assert ctx.campaigns.get(campaign.id) == campaign
