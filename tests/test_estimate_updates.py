"""An edit of a few estimates updates what the estimates page has read instead of reading it
all again: the campaign summary union by union (``estimate_reports.summary_with``) and the
closing lists row by row (``ClosingList.with_estimates``), from the change set the operation
returned (``ops.estimates.written_estimates`` / ``unions_written``).  After every kind of
write — an edit, a status step, an estimate added or deleted, the undo of any of them — the
updated summary and lists must be exactly what a whole read gives (cells, order, notes)."""

from __future__ import annotations

import random
from datetime import date, timedelta

from estimate_fixtures import add_union

from kyosai_desktop.domain.estimates import STATUSES, Totals, totals
from kyosai_desktop.services import estimate_reports as er
from kyosai_desktop.services.ops import ChangeKind, OpChanges
from kyosai_desktop.services.ops import estimates as est_ops
from kyosai_desktop.services.ops.replay import replay

TODAY = date(2025, 1, 15)


def _values(rng: random.Random) -> dict[str, object]:
    def maybe(value):
        return None if rng.random() < 0.15 else value

    maturity = TODAY + timedelta(days=rng.randint(-500, 400))
    return {
        "name": rng.choice(["佐藤", "鈴木", "高橋", None]),
        "car": rng.choice(["アクア", "N-BOX", "プリウス"]),
        "other_premium": maybe(rng.randint(3_000, 90_000)),
        "jichiro_premium": maybe(rng.randint(2_000, 90_000)),
        "payment": maybe(rng.choice(["年", "月"])),
        # a few share a date, so the order's later keys (union, No., id) decide
        "policy_maturity": maybe(
            rng.choice([maturity.isoformat(), "2024-02-29", "2023-01-20", "2025-02-01"])
        ),
    }


def _table_of(table):
    return (
        table.rows,
        table.totals,
        table.summary,
        table.notes,
        table.row_keys,
        table.subtitle,
        table.title,
    )


def test_updated_summary_and_closing_lists_are_a_fresh_read(ctx):
    rng = random.Random(14)
    unions = [add_union(ctx, "05", f"{n:03d}", f"第{n}職員組合") for n in range(1, 6)]
    camp, _ = est_ops.add_campaign(
        ctx,
        {
            "name": "秋の強化月間",
            "kind": "単組執行部見積り強化月間",
            "period_from": "2024-10-01",
            "period_to": "2025-03-31",
        },
        [u.id for u in unions],
    )
    other, _ = est_ops.add_campaign(
        ctx, {"name": "別のキャンペーン", "kind": "その他"}, [unions[0].id]
    )
    ids = []
    for _ in range(60):
        added, _ = est_ops.add_estimate(ctx, camp.id, rng.choice(unions).id, _values(rng))
        ids.append(added.id)
    for _ in range(10):
        est_ops.add_estimate(ctx, other.id, unions[0].id, _values(rng))

    summary = er.campaign_summary(ctx, camp.id)
    params = [(camp.id, None), (camp.id, 30), (camp.id, 90), (None, None), (None, 45)]
    closings = {
        p: er.read_closing(ctx, campaign_id=p[0], within_days=p[1], today=TODAY) for p in params
    }
    opened = er.read_open(ctx, campaign_id=camp.id, today=TODAY)  # what the page keeps
    done: list[OpChanges] = []
    seen = set()
    for _step in range(120):
        action = rng.choice(["edit", "edit", "status", "add", "delete", "undo"])
        live = [e.id for e in ctx.estimates.list(camp.id)]
        if action == "edit":
            changes = est_ops.edit_estimate(ctx, rng.choice(live), _values(rng))
        elif action == "status":
            chosen = rng.sample(live, rng.randint(1, 4))
            status = rng.choice(STATUSES)
            on = rng.choice(["2024-11-02", "2025-06-01", None])
            changes = est_ops.set_status(ctx, chosen, status, on)
        elif action == "add":
            _, changes = est_ops.add_estimate(
                ctx, rng.choice([camp.id, other.id]), rng.choice(unions).id, _values(rng)
            )
        elif action == "delete":
            changes = est_ops.delete_estimates(ctx, rng.sample(live, rng.randint(1, 3)))
        else:
            if not done:
                continue
            changes = replay(ctx, done.pop(), undo=True)
        if action != "undo":
            done.append(changes)
        if changes.empty:
            continue
        seen.add(action)

        written = est_ops.written_estimates(ctx, changes)
        assert written is not None
        touched = est_ops.unions_written(changes, written, camp.id)
        assert touched is not None
        updated = er.summary_with(ctx, summary, touched)
        assert updated is not None
        summary = updated
        closings = {p: c.with_estimates(ctx, written) for p, c in closings.items()}
        opened = opened.with_estimates(ctx, written)

        assert _table_of(summary.table()) == _table_of(er.campaign_summary(ctx, camp.id).table())
        assert summary.total == er.campaign_summary(ctx, camp.id).total
        for (campaign_id, days), closing in closings.items():
            fresh = er.closing_list(ctx, campaign_id=campaign_id, within_days=days, today=TODAY)
            assert _table_of(closing.table()) == _table_of(fresh), (action, campaign_id, days)
        for days in (None, 0, 30, 365):  # every "within N days" list filters the same rows
            fresh = er.closing_list(ctx, campaign_id=camp.id, within_days=days, today=TODAY)
            assert _table_of(opened.within(days).table()) == _table_of(fresh), (action, days)
    assert seen == {"edit", "status", "add", "delete", "undo"}
    assert any(len(c.rows) for c in closings.values())


def test_a_union_new_to_the_campaign_asks_for_a_whole_read(ctx):
    """An estimate added for a union not yet in the campaign makes it a participant: the
    summary cannot be updated union by union (it has no row for it) and says so."""
    first, second = add_union(ctx, "05", "001", "第一"), add_union(ctx, "05", "002", "第二")
    camp, _ = est_ops.add_campaign(ctx, {"name": "冬", "kind": "その他"}, [first.id])
    est_ops.add_estimate(ctx, camp.id, first.id, {"name": "A"})
    summary = er.campaign_summary(ctx, camp.id)
    _, changes = est_ops.add_estimate(ctx, camp.id, second.id, {"name": "B"})
    written = est_ops.written_estimates(ctx, changes)
    touched = est_ops.unions_written(changes, written, camp.id)
    assert touched == {second.id}
    assert er.summary_with(ctx, summary, touched) is None
    assert [r.union_id for r in er.campaign_summary(ctx, camp.id).rows] == [first.id, second.id]


def test_changes_beyond_a_few_estimates_are_read_whole(ctx):
    union = add_union(ctx)
    camp, changes = est_ops.add_campaign(ctx, {"name": "春", "kind": "その他"}, [union.id])
    assert est_ops.written_estimates(ctx, changes) is None  # a campaign: read again
    assert est_ops.written_estimates(ctx, OpChanges.everything()) is None
    one, edited = est_ops.add_estimate(ctx, camp.id, union.id, {"name": "一人"})
    assert est_ops.written_estimates(ctx, edited) == {one.id: one}
    # a change known only by its kinds (an import) merged with it, as a hidden page catching
    # up receives them: its rows no longer say everything that changed
    known_by_kinds = OpChanges.of(ChangeKind.ESTIMATES)
    assert est_ops.written_estimates(ctx, edited.merged(known_by_kinds)) is None
    assert est_ops.written_estimates(ctx, known_by_kinds.merged(edited)) is None
    beyond = OpChanges.from_rows(edited.rows, extra=(ChangeKind.ESTIMATES,))
    assert beyond.complete  # its extra kind is the rows' own
    many = OpChanges()
    for n in range(est_ops.FEW_ESTIMATES + 1):
        _, added = est_ops.add_estimate(ctx, camp.id, union.id, {"name": f"人{n}"})
        many = many.merged(added)
    assert est_ops.written_estimates(ctx, many) is None


def test_totals_taken_out_row_by_row_are_exact():
    rows = [(49_690, 23_870, "年"), (5_250, 3_900, "月"), (None, 3_000, "年"), (7_000, 6_999, "月")]
    whole = totals(rows)
    assert whole - totals(rows[1:2]) == totals(rows[:1] + rows[2:])
    assert whole - whole == Totals()
    assert whole - totals(rows[:1]) + totals([(40_000, 20_000, "年")]) == totals(
        [(40_000, 20_000, "年"), *rows[1:]]
    )
