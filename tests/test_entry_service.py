"""Monthly entry without Qt: grid contents and totals, fiscal-year months, checks of typed
and pasted values, clipboard parsing, and the repository queries behind the grids."""

from __future__ import annotations

import pytest
from entry_fixtures import branch  # noqa: F401 - fixture

from kyosai_desktop.services.entry import (
    LOCKED_REASON,
    EntryRefused,
    EntryService,
    format_block,
    parse_clipboard,
)
from kyosai_desktop.services.ops.entry import write_cells


def test_month_grid_rows_columns_and_totals(ctx, branch):  # noqa: F811
    grid = EntryService(ctx).month_grid("2025-02", "05")
    # the branch's active unions in code order, codes with their leading zeros
    assert [(h.code, h.label) for h in grid.rows] == [
        ("001", "仙台市職員労働組合"),
        ("002", "石巻市職員労働組合"),
        ("010", "宮城県職員労働組合"),
    ]
    # products in display order (DOMAIN §2 list, 16 products incl. the two without target)
    names = [h.label for h in grid.columns]
    assert names[:3] == ["総合共済", "団体生命共済", "退職者団体生命共済"]
    assert len(names) == 16 and names[-1] == "個人賠償責任共済"
    i_sogo, i_dansei, i_car = (
        names.index("総合共済"),
        names.index("団体生命共済"),
        names.index("マイカー共済"),
    )
    assert grid.values[0][i_sogo] == 3 and grid.values[0][i_dansei] == 2
    assert grid.values[1][i_car] == 5 and grid.values[2][i_sogo] == 1
    assert grid.row_totals() == [5, 5, 1]
    totals = grid.column_totals()
    assert (totals[i_sogo], totals[i_dansei], totals[i_car]) == (4, 2, 5)  # 04-001's 8 not counted
    assert grid.grand_total() == 11
    assert grid.fiscal_year is not None and grid.fiscal_year.year == 2024


def test_month_grid_all_unions_when_no_branch(ctx, branch):  # noqa: F811
    grid = EntryService(ctx).month_grid("2025-02", None)
    assert [h.code for h in grid.rows] == ["04-001", "05-001", "05-002", "05-010"]
    assert grid.grand_total() == 19


def test_inactive_union_with_figures_stays_visible(ctx, branch):  # noqa: F811
    ctx.unions.update(branch.unions["002"], active=False)
    grid = EntryService(ctx).month_grid("2025-02", "05")
    assert [h.code for h in grid.rows] == ["001", "002", "010"]
    assert grid.rows[1].note == "(無効)"
    assert grid.grand_total() == 11


def test_default_month_is_latest_of_branch(ctx, branch):  # noqa: F811
    service = EntryService(ctx)
    assert service.default_month("05") == "2025-02"
    assert service.default_month(None) == "2025-03"
    assert ctx.results.latest_month("06") is None


def test_union_grid_follows_fiscal_year_start(ctx, branch):  # noqa: F811
    service = EntryService(ctx)
    sogo = branch.products["総合共済"]
    grid = service.union_grid(branch.unions["001"], 2024)
    assert [h.key for h in grid.columns] == [
        "2024-06",
        "2024-07",
        "2024-08",
        "2024-09",
        "2024-10",
        "2024-11",
        "2024-12",
        "2025-01",
        "2025-02",
        "2025-03",
        "2025-04",
        "2025-05",
    ]
    row = [h.key for h in grid.rows].index(sogo)
    # 2024-05 (7) belongs to FY2023 under 6月開始; 2024-06 (4) and 2025-02 (3) to FY2024
    assert grid.row_totals()[row] == 7
    assert grid.grand_total() == 9
    # a year configured to start in May (as the model-union year does from 2025)
    ctx.fiscal_years.set_start_months(2023, 5, 5)
    grid = service.union_grid(branch.unions["001"], 2023)
    assert grid.columns[0].key == "2023-05" and grid.columns[-1].key == "2024-04"
    assert grid.grand_total() == 0  # 2024-05 now falls outside FY2023


def test_plan_refuses_every_bad_cell_and_names_it(ctx, branch):  # noqa: F811
    service = EntryService(ctx)
    grid = service.month_grid("2025-02", "05")
    with pytest.raises(EntryRefused) as info:
        service.plan(grid, [(0, 0, "abc"), (1, 0, "-1"), (2, 0, "1.5"), (0, 1, "12")])
    problems = info.value.problems
    assert [(p.row, p.col) for p in problems] == [(0, 0), (1, 0), (2, 0)]
    text = str(info.value)
    assert "3か所" in text and "何も保存していません" in text
    assert "001 仙台市職員労働組合 × 総合共済" in text
    assert "数値ではありません" in text and "負の数" in text and "整数ではありません" in text


def test_plan_accepts_clerk_forms_and_blank(ctx, branch):  # noqa: F811
    service = EntryService(ctx)
    grid = service.month_grid("2025-02", "05")
    changes = service.plan(
        grid, [(0, 0, "1,234"), (0, 1, "１２"), (0, 2, "5件"), (1, 0, ""), (1, 1, "0")]
    )
    assert [c.new for c in changes] == [1234, 12, 5, None, 0]
    assert changes[0].old == 3  # what the grid showed


def test_paste_plan_bounds_and_fill(ctx, branch):  # noqa: F811
    service = EntryService(ctx)
    grid = service.month_grid("2025-02", "05")
    changes = service.plan_paste(grid, 1, 2, [["1", "2"], ["3", "4"]])
    assert [(c.union_id, c.new) for c in changes] == [
        (branch.unions["002"], 1),
        (branch.unions["002"], 2),
        (branch.unions["010"], 3),
        (branch.unions["010"], 4),
    ]
    with pytest.raises(EntryRefused) as info:
        service.plan_paste(grid, 2, 0, [["1"], ["2"]])  # one row too many
    assert "はみ出します" in str(info.value)
    filled = service.plan_paste(grid, 0, 0, [["6"]], fill=[(0, 3), (1, 3), (2, 3)])
    assert [c.new for c in filled] == [6, 6, 6]


def test_locked_cell_refused(ctx, branch):  # noqa: F811
    service = EntryService(ctx)
    kaigo = branch.products["介護保障"]
    ctx.products.update(kaigo, active_from="2025-04-01")
    grid = service.union_grid(branch.unions["001"], 2024)
    row = [h.key for h in grid.rows].index(kaigo)
    months = [h.key for h in grid.columns]
    assert grid.is_locked(row, months.index("2025-03"))
    assert not grid.is_locked(row, months.index("2025-04"))
    with pytest.raises(EntryRefused) as info:
        service.plan(grid, [(row, months.index("2025-03"), "1")])
    assert LOCKED_REASON in str(info.value)
    # the month grid of March does not offer the product at all
    assert kaigo not in [h.key for h in service.month_grid("2025-03", "05").columns]


def test_clipboard_round_trip():
    excel = "1\t2\t\r\n3\t4\t5\r\n"
    assert parse_clipboard(excel) == [["1", "2", ""], ["3", "4", "5"]]
    assert parse_clipboard('"1,234"\t5\n') == [["1,234", "5"]]
    assert parse_clipboard("7") == [["7"]]
    assert parse_clipboard("") == []
    assert format_block([[1, None, "x"], [2, 3, 4]]) == "1\t\tx\n2\t3\t4\n"


def test_apply_and_history(ctx, branch):  # noqa: F811
    service = EntryService(ctx)
    grid = service.month_grid("2025-02", "05")
    write_cells(ctx, service.plan(grid, [(0, 0, "5")]), "entry")
    address = grid.address(0, 0)
    history = service.history(address)
    assert [(e.source, e.old, e.new) for e in history] == [
        ("import", None, "3"),
        ("entry", "3", "5"),
    ]
    assert service.describe_cell(address) == "001 仙台市職員労働組合 / 総合共済 / 2025年2月発効"
