"""The shared renderers of a ReportTable: screen model/view, print-ready xlsx/CSV, paper/PDF.

One small report with a year band over month columns, codes with leading zeros, counts,
signed differences, truncated and rounded rates, tones and a 合計 row is rendered three
ways and read back: the figures must be the same everywhere.
"""

from __future__ import annotations

import csv
import re
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from PySide6.QtCore import Qt

from kyosai_desktop.domain.rates import achievement_rate, reach_rate
from kyosai_desktop.domain.tones import ACHIEVED, BEHIND, LEGEND
from kyosai_desktop.services.report_table import (
    CODE,
    COUNT,
    PERCENT,
    SIGNED,
    TEXT,
    TONE_FILLS,
    Column,
    ReportTable,
    cell,
)
from kyosai_desktop.services.xlsx_report import write_report_csv, write_report_xlsx


def sample(n: int = 3) -> ReportTable:
    cols = [
        Column("pref", "自治労県コード", CODE, width=2, frozen=True),
        Column("name", "単組", TEXT, width=8, frozen=True),
        Column("jun", "6月", COUNT, band="2024年度", width=1.5),
        Column("jul", "7月", COUNT, band="2024年度", width=1.5),
        Column("cum", "累積件数", COUNT, width=3),
        Column("target", "目標件数", COUNT, width=3),
        Column("rest", "残件数", SIGNED, width=3),
        Column("ach", "達成率", PERCENT, width=3, toned=True),
        Column("reach", "到達率", PERCENT, width=3, decimals=2),
    ]
    base = [
        ("01", "苫小牧市立病院職員組合", 0, 0, 20),
        ("42", "公立八女総合病院職員労働組合", 15, 19, 20),
        ("45", "大分県職員連合労働組合", 1000, 1, 116),
    ]
    rows, keys = [], []
    for i in range(n):
        pref, name, jun, jul, target = base[i % 3]
        cum = jun + jul
        rows.append(
            [
                cell(pref, CODE),
                cell(name),
                cell(jun, COUNT),
                cell(jul, COUNT),
                cell(cum, COUNT),
                cell(target, COUNT),
                cell(target - cum, SIGNED),
                cell(
                    achievement_rate(cum, target),
                    PERCENT,
                    tone=ACHIEVED if cum >= target else BEHIND,
                ),
                cell(reach_rate(cum, target), PERCENT, decimals=2),
            ]
        )
        keys.append(i + 1)
    tc = sum(r[4].value for r in rows)
    tt = sum(r[5].value for r in rows)
    totals = [
        [
            cell("合計"),
            cell(None, text=""),
            cell(sum(r[2].value for r in rows), COUNT),
            cell(sum(r[3].value for r in rows), COUNT),
            cell(tc, COUNT),
            cell(tt, COUNT),
            cell(tt - tc, SIGNED),
            cell(achievement_rate(tc, tt), PERCENT),
            cell(reach_rate(tc, tt), PERCENT, decimals=2),
        ]
    ]
    return ReportTable(
        "モデル単組 進捗表",
        cols,
        rows,
        totals,
        subtitle="2025年2月末現在",
        summary=[("取組単組", f"{n} 単組")],
        notes=["※社保労連は全国集計に含まない"],
        row_keys=keys,
        group_by="pref",
        legend=dict(LEGEND),
    )


def test_cells_format_by_kind():
    r = sample()
    assert r.rows[1][4].text == "34"
    assert r.rows[1][6].text == "-14"  # signed 残件数 when exceeded
    assert r.rows[1][7].text == "170.0%"  # 34 / 20
    assert r.rows[2][4].text == "1,001"
    assert r.rows[2][8].text == "862.93%"  # 1001/116 = 862.931… truncated to 2 dp
    assert r.rows[0][0].text == "01"  # code keeps its zero
    assert r.band_spans() == [
        (0, 1, None),
        (1, 1, None),
        (2, 2, "2024年度"),
        (4, 1, None),
        (5, 1, None),
        (6, 1, None),
        (7, 1, None),
        (8, 1, None),
    ]
    with pytest.raises(ValueError):
        ReportTable("x", r.columns, [[cell(1)]])


def test_xlsx_is_print_ready_and_keeps_numbers(tmp_path):
    path = write_report_xlsx(sample(), tmp_path / "table.xlsx", paper="A3")
    ws = load_workbook(path).active
    values = [[c.value for c in row] for row in ws.iter_rows()]
    band_row = next(i for i, r in enumerate(values, start=1) if "2024年度" in r)
    assert values[band_row][2:4] == ["6月", "7月"]  # month titles under the band
    assert any(str(m) == f"C{band_row}:D{band_row}" for m in ws.merged_cells.ranges)
    first = band_row + 2
    assert ws.cell(first, 1).value == "01" and ws.cell(first, 1).number_format == "@"
    assert ws.cell(first + 2, 5).value == 1001 and ws.cell(first + 2, 5).number_format == "#,##0"
    assert ws.cell(first + 1, 7).value == -14
    assert (
        ws.cell(first + 1, 8).value == pytest.approx(1.70)
        and ws.cell(first + 1, 8).number_format == "0.0%"
    )
    assert (
        ws.cell(first + 2, 9).value == pytest.approx(8.6293)
        and ws.cell(first + 2, 9).number_format == "0.00%"
    )
    assert ws.cell(first + 1, 8).fill.fgColor.rgb.endswith(TONE_FILLS[ACHIEVED])
    total_row = first + 3
    assert ws.cell(total_row, 1).value == "合計" and ws.cell(total_row, 1).font.b
    assert ws.cell(total_row, 5).value == 1001 + 34 + 0
    assert ws.print_title_rows.replace("$", "") == f"{band_row}:{band_row + 1}"
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 8
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.freeze_panes == f"C{first}"
    assert len(ws.conditional_formatting) == 1
    assert "※社保労連は全国集計に含まない" in [r[0] for r in values]


def test_csv_prefixes_repeated_month_titles_with_their_band(tmp_path):
    r = sample()
    r.columns[3] = Column("jul", "6月", COUNT, band="2023年度")  # two "6月" columns
    path = write_report_csv(r, tmp_path / "t.csv")
    with path.open(encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][2:4] == ["2024年度6月", "2023年度6月"]
    assert rows[-1][0] == "合計" and rows[2][6] == "-14"


def test_model_sorts_by_raw_values_and_keeps_totals_last(qtbot):
    from kyosai_desktop.ui.shared.report_model import IS_TOTAL_ROLE, ReportTableView

    view = ReportTableView(sample(6))
    qtbot.addWidget(view)
    col = view.report.index("cum")
    for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
        view.table.sortByColumn(col, order)
        shown = [view.proxy.index(r, col).data() for r in range(view.proxy.rowCount())]
        assert view.proxy.index(view.proxy.rowCount() - 1, 0).data(IS_TOTAL_ROLE)
        numbers = [int(s.replace(",", "")) for s in shown[:-1]]
        assert numbers == sorted(
            numbers, reverse=order == Qt.SortOrder.DescendingOrder
        )  # 1,001 > 34
    # row keys follow their rows; a selected row stays selected across a re-sort
    view.table.sortByColumn(col, Qt.SortOrder.DescendingOrder)
    view.table.selectRow(0)
    assert view.current_row_key() in (3, 6) and view.selected_row_keys() in ([3], [6])
    key = view.current_row_key()
    view.table.sortByColumn(col, Qt.SortOrder.AscendingOrder)
    assert view.selected_row_keys() == [key]
    assert view.proxy.mapToSource(view.table.currentIndex()).row() in (3, 4)
    view.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # back to the report's order
    assert [view.model.row_key(r) for r in range(6)] == [1, 2, 3, 4, 5, 6]
    view.filter_edit.setText("大分")
    assert view.proxy.rowCount() == 3  # two 大分 rows and the 合計 row
    assert view.count_label.text() == "2 / 6 行"
    source = view.proxy.mapToSource(view.proxy.index(0, 0))
    assert (
        view.model.data(view.model.index(source.row(), 7), Qt.ItemDataRole.BackgroundRole)
        is not None
    )


def test_frozen_columns_stay_in_view(qtbot):
    from kyosai_desktop.ui.shared.report_model import ReportTableView

    view = ReportTableView(sample(30))
    qtbot.addWidget(view)
    view.resize(500, 300)
    view.show()
    qtbot.waitExposed(view)
    frozen = view.table.frozen_view
    assert frozen.isVisible()
    assert (
        not frozen.isColumnHidden(0) and not frozen.isColumnHidden(1) and frozen.isColumnHidden(2)
    )
    view.table.horizontalScrollBar().setValue(view.table.horizontalScrollBar().maximum())
    assert frozen.horizontalScrollBar().value() == 0
    assert frozen.geometry().width() == view.table.columnWidth(0) + view.table.columnWidth(1)


def test_paper_repeats_the_header_and_ends_with_the_totals(qapp, tmp_path):
    from kyosai_desktop.render.paper import render_pdf
    from kyosai_desktop.render.paper_table import TablePaper

    doc = TablePaper(sample(150), paper="A4", landscape=True)
    pdf = render_pdf(doc, tmp_path / "table.pdf")
    reader = PdfReader(pdf)
    assert len(reader.pages) == doc.page_count() >= 3
    # bold is synthesised by drawing twice and words come split by tabs: compare without spaces
    texts = [re.sub(r"\s", "", p.extract_text()) for p in reader.pages]
    for number, text in enumerate(texts, start=1):
        assert "2024年度" in text and "累積件数" in text, number  # header on every page
        assert f"{number}/{len(texts)}ページ" in text
    assert "合計" in texts[-1] and "※社保労連は全国集計に含まない" in texts[-1]
    assert all("合計" not in t for t in texts[:-1])
    assert sum(doc.col_w) == pytest.approx(doc.width_pt)  # fitted to the page width
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (
        842,
        595,
    )  # A4 landscape in points


def test_paper_shrinks_the_font_to_fit_wide_tables(qapp):
    from kyosai_desktop.render.paper_table import TablePaper, text_em

    wide = sample(3)
    wide.columns[1] = Column("name", "単組", TEXT, width=120)
    doc = TablePaper(wide, paper="A4")
    doc.page_count()
    assert doc.font_pt < 9 and sum(doc.col_w) == pytest.approx(doc.width_pt)
    name_width = doc.col_w[1]
    assert text_em("公立八女総合病院職員労働組合") * doc.font_pt < name_width
    assert Decimal(str(doc.font_pt)) > 0


def test_a_long_text_cell_shows_its_whole_text_on_hover(qapp):
    from PySide6.QtCore import Qt

    from kyosai_desktop.services.report_table import COUNT, TEXT, Column, ReportTable, cell
    from kyosai_desktop.ui.shared.report_model import ReportTableModel

    table = ReportTable(
        title="t",
        columns=[Column("name", "単組名", TEXT), Column("n", "件数", COUNT)],
        rows=[
            [cell("若松地区清掃事業労働組合"), cell(12345678, COUNT)],
            [cell("短い名"), cell(1, COUNT)],
        ],
        totals=[],
    )
    model = ReportTableModel()
    model.set_report(table)
    tip = Qt.ItemDataRole.ToolTipRole
    assert model.index(0, 0).data(tip) == "若松地区清掃事業労働組合"
    assert model.index(1, 0).data(tip) is None and model.index(0, 1).data(tip) is None


def test_xlsx_header_rows_are_tall_enough_for_their_wrapped_titles(tmp_path):
    from openpyxl import load_workbook

    from kyosai_desktop.services.report_table import COUNT, TEXT, Column, ReportTable, cell
    from kyosai_desktop.services.xlsx_report import write_report_xlsx

    table = ReportTable(
        title="t",
        columns=[Column("a", "満期まで (日)", COUNT, width=2), Column("b", "名", TEXT)],
        rows=[[cell(3, COUNT), cell("x")]],
        totals=[],
    )
    out = write_report_xlsx(table, tmp_path / "t.xlsx")
    ws = load_workbook(out).active
    header = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "満期まで (日)")
    width = ws.column_dimensions["A"].width
    assert ws.row_dimensions[header].height >= 15 * 2  # wraps to two lines or more in its width
    assert width < 2.1 * 7  # (it would not fit on one line)


def _plain(n_rows: int) -> ReportTable:
    """A report without frozen columns or bands, narrower than ``sample`` (like the §1 form)."""
    cols = [Column("kind", "区分"), Column("target", "目標", COUNT), Column("done", "実績", COUNT)]
    rows = [[cell(f"行{i}"), cell(i, COUNT), cell(2 * i, COUNT)] for i in range(n_rows)]
    return ReportTable("全国", cols, rows)


@pytest.mark.parametrize("sort_first", [False, True])
def test_one_view_switches_between_frozen_and_plain_reports(qtbot, sort_first):
    """A view showing frozen columns and bands takes a narrower report without them and back.

    The frozen view shares the model; during the reset its header still counted the old
    columns and asked the model for bands that no longer exist (this crashed the process)."""
    from kyosai_desktop.ui.shared.report_model import ReportTableView

    view = ReportTableView(sample(30))
    qtbot.addWidget(view)
    view.resize(500, 300)
    view.show()
    qtbot.waitExposed(view)
    frozen = view.table.frozen_view
    if sort_first:
        view.table.sortByColumn(view.report.index("cum"), Qt.SortOrder.DescendingOrder)
        view.table.selectRow(3)
    for _round in range(2):
        view.set_report(_plain(12))
        qtbot.wait(10)  # let the deferred layout run, as a shown page would
        assert not frozen.isVisible()
        assert view.proxy.columnCount() == 3 and view.proxy.rowCount() == 12
        assert view.table.horizontalHeader().count() == 3 and frozen.horizontalHeader().count() == 3
        assert view.proxy.index(11, 2).data() == "22"
        view.set_report(sample(30))
        qtbot.wait(10)
        assert frozen.isVisible() and frozen.horizontalHeader().count() == 9
        assert not frozen.isColumnHidden(1) and frozen.isColumnHidden(2)
        assert frozen.geometry().width() == view.table.columnWidth(0) + view.table.columnWidth(1)
    view.set_report(None)
    qtbot.wait(10)
    assert view.proxy.columnCount() == 0 and not frozen.isVisible()
