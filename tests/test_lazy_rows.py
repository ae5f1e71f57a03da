"""``LazyRows``: a report's rows made when first asked for — the same rows, in the same
order, by index, slice or iteration, made once each; and a closing list read with only the
unions of its estimates still names the union of an estimate added later."""

from __future__ import annotations

from datetime import date

import pytest
from estimate_fixtures import add_union

from kyosai_desktop.services import estimate_reports as er
from kyosai_desktop.services.ops import estimates as est_ops
from kyosai_desktop.services.report_table import CODE, Column, LazyRows, ReportTable, cell


def _rows(made: list[int]):
    def make(n: int):
        made.append(n)
        return [cell(f"{n:03d}", CODE), cell(n * 2)]

    return make


def test_rows_are_made_once_when_asked_and_equal_the_eager_rows():
    made: list[int] = []
    items = list(range(10))
    lazy = LazyRows(items, _rows(made), 2)
    eager = [_rows([])(n) for n in items]
    assert len(lazy) == 10 and made == []
    assert lazy[3] == eager[3] and lazy[-1] == eager[-1] and made == [3, 9]
    assert lazy[2:5] == eager[2:5] and lazy[::4] == eager[::4]
    with pytest.raises(IndexError):
        lazy[10]
    assert list(lazy) == eager and lazy == eager and eager == lazy
    assert sorted(made) == list(range(10))  # each row made once, however often asked for
    assert lazy != eager[:9] and lazy != [*eager[:9], [cell("x"), cell(1)]]


def test_a_table_of_lazy_rows_is_the_table_of_its_rows():
    columns = [Column("code", "コード", CODE), Column("n", "数")]
    lazy = ReportTable("表", columns, LazyRows(list(range(5)), _rows([]), 2), row_keys=[1] * 5)
    eager = ReportTable("表", columns, [_rows([])(n) for n in range(5)], row_keys=[1] * 5)
    assert lazy == eager
    assert lazy.display_rows() == eager.display_rows()
    assert lazy.column_values("n") == [0, 2, 4, 6, 8]
    assert lazy.select([4, 0]).rows == [eager.rows[4], eager.rows[0]]
    short = LazyRows([1], lambda n: [cell(n)], 2)  # a row of the wrong width: refused when made
    with pytest.raises(ValueError, match="1 cells for 2 columns"):
        short[0]


def test_an_estimate_of_a_union_the_list_did_not_have_is_named(ctx):
    first = add_union(ctx, "05", "001", "第一職員組合")
    second = add_union(ctx, "05", "002", "第二職員組合")
    camp, _ = est_ops.add_campaign(ctx, {"name": "秋", "kind": "その他"}, [first.id, second.id])
    est_ops.add_estimate(ctx, camp.id, first.id, {"car": "アクア"})
    today = date(2025, 1, 15)
    opened = er.read_open(ctx, campaign_id=camp.id, today=today)
    assert set(opened.unions) == {first.id}  # only the unions of its estimates were read
    added, changes = est_ops.add_estimate(ctx, camp.id, second.id, {"car": "N-BOX"})
    written = est_ops.written_estimates(ctx, changes)
    assert written is not None
    updated = opened.with_estimates(ctx, written).within(None).table()
    fresh = er.closing_list(ctx, campaign_id=camp.id, today=today)
    assert updated == fresh
    row = updated.rows[updated.row_keys.index(added.id)]
    assert [c.text for c in row[3:5]] == ["05-002", "第二職員組合"]


def test_a_pass_over_every_row_reads_them_at_once_and_equals_rows_read_by_blocks(ctx):
    from kyosai_desktop.store.tx import transaction

    unions = [add_union(ctx, "05", f"{n:03d}", f"第{n}職員組合") for n in range(1, 4)]
    camp, _ = est_ops.add_campaign(ctx, {"name": "秋", "kind": "その他"}, [u.id for u in unions])
    n = 9 * er.DETAIL_BLOCK + 50  # more than a few blocks
    with transaction(ctx.conn):
        ctx.conn.executemany(
            "INSERT INTO estimates (campaign_id, union_id, seq, name, car, jichiro_premium,"
            " policy_maturity, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    camp.id,
                    unions[i % 3].id,
                    i // 3 + 1,
                    None if i % 7 == 0 else f"氏名{i}",
                    f"車{i:05d}",
                    None if i % 5 == 0 else 1000 + i,
                    None if i % 11 == 0 else f"2025-{i % 12 + 1:02d}-{i % 28 + 1:02d}",
                    "成約" if i % 13 == 0 else "返却済",
                )
                for i in range(n)
            ],
        )
    today = date(2025, 1, 15)
    ran: list[str] = []
    ctx.conn.set_trace_callback(ran.append)
    whole = er.closing_list(ctx, campaign_id=camp.id, today=today)
    every = list(whole.rows)  # one pass: every open estimate read in one query
    reads = [sql for sql in ran if "FROM estimates" in sql]
    assert len(reads) == 2 and "e.id IN" not in reads[1]
    by_blocks = er.closing_list(ctx, campaign_id=camp.id, today=today)
    last_first = [by_blocks.rows[i] for i in reversed(range(len(by_blocks.rows)))][::-1]
    ctx.conn.set_trace_callback(None)
    assert every == last_first and len(every) == len(whole.row_keys) > 8 * er.DETAIL_BLOCK
    cars = {o.id: o.car for o in ctx.estimates.open_estimates(campaign_id=camp.id)}
    car = whole.index("car")
    assert [r[car].text for r in every] == [cars[k] for k in whole.row_keys]
