"""The closing list of many open estimates on the real page: its rows are made when the
view first asks for them (``LazyRows`` under ``ReportTableModel``), yet what the clerk sees
after unchecking 満期まで, sorting by a header click and scrolling to the bottom is a fresh
read cell for cell, and Excel / PDF of the same list have every row."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from estimate_fixtures import add_union, pdf_text
from openpyxl import load_workbook
from PySide6.QtCore import QPoint, Qt

from kyosai_desktop.services import estimate_reports as er
from kyosai_desktop.services.ops import estimates as est_ops
from kyosai_desktop.services.report_table import LazyRows
from kyosai_desktop.store.tx import transaction
from kyosai_desktop.ui.estimates.estimate_outputs import save_pdf, save_xlsx, table_doc
from kyosai_desktop.ui.estimates.estimates_page import EstimatesPage
from kyosai_desktop.ui.shared.events import DataBus

N = 420  # estimates: far more rows than a screen shows
STATUSES = ["依頼受付", "見積作成", "返却済", "成約", "不成約"]


@pytest.fixture
def page(ctx, qtbot, app_font, prompts):
    unions = [add_union(ctx, "05", f"{n:03d}", f"第{n}職員組合") for n in range(1, 5)]
    camp, _ = est_ops.add_campaign(
        ctx,
        {"name": "秋の強化月間", "kind": "単組執行部見積り強化月間"},
        [u.id for u in unions],
    )
    rng = random.Random(7)
    today = date.today()
    seqs = dict.fromkeys((u.id for u in unions), 0)
    rows = []
    for i in range(N):
        u = rng.choice(unions)
        seqs[u.id] += 1
        maturity = rng.choice(
            [None, "", *((today + timedelta(days=rng.randint(-400, 400))).isoformat(),) * 8]
        )
        rows.append(
            (
                camp.id,
                u.id,
                seqs[u.id],
                rng.choice([None, f"氏名{i:04d}"]),
                f"車{i:04d}",  # each estimate's car is its own: found again in every output
                rng.choice([None, "090-0000-0000"]),
                rng.choice([None, rng.randint(3000, 90000)]),
                rng.choice([None, rng.randint(3000, 90000)]),
                rng.choice(["年", "月"]),
                maturity,
                rng.choice(STATUSES),
            )
        )
    with transaction(ctx.conn):
        ctx.conn.executemany(
            "INSERT INTO estimates (campaign_id, union_id, seq, role, name, car, contact,"
            " other_premium, jichiro_premium, payment, policy_maturity, status)"
            " VALUES (?, ?, ?, '執行部', ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    widget = EstimatesPage(ctx, DataBus())
    qtbot.addWidget(widget)
    widget.resize(1400, 700)
    widget.show()
    qtbot.waitExposed(widget)
    widget.campaign_id_for_test = camp.id
    return widget


def shown(view, rows) -> list[list[str]]:
    """The texts the view shows at ``rows`` (proxy rows, as painted)."""
    proxy = view.proxy
    return [
        [proxy.index(r, c).data() for c in range(proxy.columnCount())]
        for r in rows
        if r < proxy.rowCount()
    ]


def visible_rows(view) -> range:
    table = view.table
    first = table.rowAt(0)
    last = table.rowAt(table.viewport().height() - 1)
    last = view.proxy.rowCount() - 1 if last < 0 else last
    return range(first, last + 1)


def texts(rows) -> list[list[str]]:
    return [[c.text for c in r] for r in rows]


def made(view) -> int:
    """How many data rows the screen's model has asked its report for so far."""
    model = view.model
    return sum(1 for r in model._rows[: model._n_data] if r is not None)


def test_unchecked_sorted_scrolled_closing_list_is_a_fresh_read(
    page, ctx, qtbot, prompts, tmp_path
):
    cid = page.campaign_id_for_test
    view = page.closing_view
    bar = page.tabs.tabBar()
    qtbot.mouseClick(
        bar,
        Qt.MouseButton.LeftButton,
        pos=bar.tabRect(page.tabs.indexOf(page.closing_tab)).center(),
    )
    assert page.tabs.currentWidget() is page.closing_tab
    qtbot.waitExposed(view.table)

    # 満期まで unchecked: every open estimate, with a paint asking only for the rows in view
    qtbot.mouseClick(page.within_check, Qt.MouseButton.LeftButton)
    assert not page.within_check.isChecked()
    view.table.viewport().repaint()
    # a fresh read, every row made; each row's estimate is the one its key names (checked
    # against the repository's whole read, not through the closing list's reading by blocks)
    fresh = er.closing_list(ctx, campaign_id=cid, within_days=None)
    fresh_cells, fresh_keys = list(fresh.rows), fresh.row_keys
    by_id = {o.id: o for o in ctx.estimates.open_estimates(campaign_id=cid)}
    assert sorted(fresh_keys) == sorted(by_id)
    for key, cells in zip(fresh_keys, fresh_cells, strict=True):
        o = by_id[key]
        texts_of = {c.key: cell.text for c, cell in zip(fresh.columns, cells, strict=True)}
        assert (texts_of["seq"], texts_of["car"], texts_of["status"]) == (
            str(o.seq),
            o.car,
            o.status,
        )
        assert texts_of["name"] == (o.name if o.name is not None else "(匿名)")
    n = len(fresh_cells)
    report = view.report
    assert isinstance(report.rows, LazyRows) and len(report.rows) == n > 250
    assert report.row_keys == fresh_keys
    assert view.count_label.text() == f"{n} 行"
    assert 0 < made(view) < n / 4  # a screenful (and the column widths' first rows), not all
    assert shown(view, visible_rows(view)) == texts(fresh_cells[: len(visible_rows(view))])

    # a click on the じちろう掛金 header sorts every row by its value (blank first, stable)
    col = report.index("jichiro")
    header = view.table.horizontalHeader()
    x = header.sectionViewportPosition(col) + header.sectionSize(col) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))
    assert view.model._sort_column == col
    order = sorted(
        range(n),
        key=lambda i: (fresh_cells[i][col].value is not None, fresh_cells[i][col].value or 0),
    )
    expected = texts([fresh_cells[i] for i in order])

    # scrolled to the bottom with Ctrl+End: the last rows shown are the sorted list's last
    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    view.table.viewport().repaint()
    bottom = visible_rows(view)
    assert bottom.stop == n and bottom.start > 0
    assert shown(view, bottom) == expected[bottom.start :]
    assert shown(view, range(n)) == expected  # every row, as the screen would show it
    assert [view.model.row_key(r) for r in range(n)] == [fresh_keys[i] for i in order]

    # Excel and PDF of the same list: every row (the writers iterate the lazy rows)
    prompts.answers["save_file"] = str(tmp_path / "closing.xlsx")
    assert save_xlsx(page, page._closing_table, "クロージング一覧") is not None
    sheet = load_workbook(tmp_path / "closing.xlsx").active
    cars = [
        c.value
        for row in sheet.iter_rows()
        for c in row
        if isinstance(c.value, str) and c.value.startswith("車0")
    ]
    assert cars == [r[report.index("car")].text for r in fresh_cells]
    prompts.answers["save_file"] = str(tmp_path / "closing.pdf")
    task = save_pdf(page, table_doc(page._closing_table), "クロージング一覧")
    with qtbot.waitSignal(task.finished, timeout=60_000):
        pass
    text = pdf_text(tmp_path / "closing.pdf")
    at = [text.find(r[report.index("car")].text) for r in fresh_cells]
    assert -1 not in at and at == sorted(at)  # every row, in the list's order


def test_a_filter_typed_over_every_open_estimate_finds_every_match(page, ctx, qtbot):
    cid = page.campaign_id_for_test
    view = page.closing_view
    page.tabs.setCurrentWidget(page.closing_tab)
    qtbot.mouseClick(page.within_check, Qt.MouseButton.LeftButton)
    assert not page.within_check.isChecked()
    fresh = er.closing_list(ctx, campaign_id=cid, within_days=None)
    n = len(fresh.row_keys)
    assert 0 < made(view) < n / 4
    qtbot.keyClicks(view.filter_edit, "021")  # the rows are read at once, then filtered
    expected = [t for t in ([c.text for c in r] for r in fresh.rows) if any("021" in x for x in t)]
    assert 0 < len(expected) < n
    assert shown(view, range(view.proxy.rowCount())) == expected
    assert view.count_label.text() == f"{len(expected)} / {n} 行"
    # sorted by じちろう掛金 with the filter on, then the filter cleared: the same rows in order
    col = fresh.index("jichiro")
    header = view.table.horizontalHeader()
    x = header.sectionViewportPosition(col) + header.sectionSize(col) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))
    order = sorted(
        range(n),
        key=lambda i: (fresh.rows[i][col].value is not None, fresh.rows[i][col].value or 0),
    )
    everything = [[c.text for c in fresh.rows[i]] for i in order]
    assert shown(view, range(view.proxy.rowCount())) == [
        t for t in everything if any("021" in x for x in t)
    ]
    view.filter_edit.clear()
    assert shown(view, range(view.proxy.rowCount())) == everything
    qtbot.keyClicks(view.filter_edit, "05-003")
    assert shown(view, range(view.proxy.rowCount())) == [t for t in everything if "05-003" in t]
