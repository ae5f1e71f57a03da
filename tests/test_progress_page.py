"""The 県支部実績 page: seed-rule figures on screen, tones, refresh on entry, Excel and PDF."""

from __future__ import annotations

import pytest
from foundation_fixtures import isolated_settings  # noqa: F401 - fixture
from openpyxl import load_workbook
from PySide6.QtCore import Qt

from kyosai_desktop.services.ops import ChangeKind, OpChanges
from kyosai_desktop.services.report_table import TONE_FILLS
from kyosai_desktop.store.results import CellChange
from kyosai_desktop.ui.progress.progress_page import ProgressPage
from kyosai_desktop.ui.shared.events import DataBus


@pytest.fixture
def page(ctx, qtbot):
    ids = {p.name: p.id for p in ctx.products.all()}
    union = ctx.unions.add("05", "001", "仙台市職員労働組合")
    ctx.targets.set(2024, ids["自賠責共済"], "第1次", 12824)
    ctx.targets.set(2024, ids["交通災害共済"], "第1次", 45)
    ctx.targets.set(2024, ids["団体生命共済"], "第1次", 100)
    ctx.targets.set(2024, ids["火災共済"], "第1次", 0)
    ctx.results.apply(
        [
            CellChange(union.id, ids["自賠責共済"], "2024-06", 5931),
            CellChange(union.id, ids["交通災害共済"], "2024-07", 106),
            CellChange(union.id, ids["団体生命共済"], "2024-12", 60),
            CellChange(union.id, ids["団体生命共済"], "2023-09", 70),
            CellChange(union.id, ids["マイカー共済"], "2024-10", 20),
            CellChange(union.id, ids["車両損害補償"], "2024-10", 12),
        ]
    )
    bus = DataBus()
    widget = ProgressPage(ctx, bus)
    bus.changed.connect(widget.refresh)
    qtbot.addWidget(widget)
    widget.resize(1100, 650)
    widget.show()
    widget.bus_, widget.union_id, widget.ids = bus, union.id, ids
    return widget


def shown(page) -> dict[str, dict[str, str]]:
    """What the table shows: product → column title → text."""
    model = page.view.model
    titles = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    out = {}
    for r in range(model.rowCount()):
        texts = [model.index(r, c).data() for c in range(model.columnCount())]
        out[texts[0]] = dict(zip(titles, texts, strict=True))
    return out


def background(page, product: str, title: str) -> str | None:
    model = page.view.model
    col = next(
        c
        for c in range(model.columnCount())
        if model.headerData(c, Qt.Orientation.Horizontal) == title
    )
    row = next(r for r in range(model.rowCount()) if model.index(r, 0).data() == product)
    brush = model.index(row, col).data(Qt.ItemDataRole.BackgroundRole)
    return None if brush is None else brush.color().name().upper().lstrip("#")


def test_opens_on_the_latest_month_with_the_seed_figures(page):
    assert (page.fiscal_year, page.as_of) == (2024, "2024-12")  # latest figure: December 2024
    assert page.month_combo.currentText() == "2024年12月"
    rows = shown(page)
    assert rows["自賠責共済"]["目標"] == "12,824" and rows["自賠責共済"]["実績"] == "5,931"
    assert rows["自賠責共済"]["到達率"] == "46.24%"
    assert rows["交通災害共済"]["到達率"] == "235.55%"
    assert rows["火災共済"]["到達率"] == "—"  # target 0
    assert rows["親子共済"]["到達率"] == "—"  # no target
    assert (
        rows["団体生命共済"]["前年同期実績"] == "70" and rows["団体生命共済"]["前年同期差"] == "-10"
    )
    assert rows["車両損害補償"]["付帯率"] == "60.0%"
    assert "2024年度 宮城県支部" in page.title_label.text()


def test_colours_follow_progress_against_the_year_elapsed(page):
    # December: 7 of 12 months → 58.3 % of the year.
    assert background(page, "交通災害共済", "到達率") == TONE_FILLS["achieved"]
    assert background(page, "団体生命共済", "到達率") == TONE_FILLS["on_track"]  # 60 %
    assert background(page, "自賠責共済", "到達率") == TONE_FILLS["behind"]  # 46.24 %
    assert background(page, "親子共済", "到達率") is None
    page.select(2024, "2025-05")  # year end
    assert background(page, "団体生命共済", "到達率") == TONE_FILLS["behind"]
    assert background(page, "自賠責共済", "到達率") == TONE_FILLS["far_behind"]


def test_refreshes_at_once_after_an_entry(page, ctx):
    ctx.results.set(page.union_id, page.ids["団体生命共済"], "2024-11", 45)
    page.bus_.announce(OpChanges.of(ChangeKind.RESULTS))  # what the entry page emits after a commit
    rows = shown(page)
    assert rows["団体生命共済"]["実績"] == "105" and rows["団体生命共済"]["到達率"] == "105.00%"
    assert background(page, "団体生命共済", "到達率") == TONE_FILLS["achieved"]
    ctx.targets.set(2024, page.ids["団体生命共済"], "第2次", 210)
    page.bus_.announce(OpChanges.of(ChangeKind.TARGETS))
    assert shown(page)["団体生命共済"]["到達率"] == "50.00%"


def test_selectors_change_the_period(page):
    page.month_combo.setCurrentIndex(page.month_combo.findData("2024-09"))
    assert shown(page)["団体生命共済"]["実績"] == "0"
    page.year_combo.setCurrentIndex(page.year_combo.findData(2023))
    assert page.fiscal_year == 2023
    assert shown(page)["団体生命共済"]["実績"] == "70"


def test_excel_and_pdf_hold_the_same_figures(page, tmp_path, prompts):
    xlsx = tmp_path / "branch.xlsx"
    prompts.answers["save_file"] = str(xlsx)
    page.save_xlsx()
    ws = load_workbook(xlsx).active
    values = [[c.value for c in row] for row in ws.iter_rows()]
    row = next(r for r in values if r and r[0] == "自賠責共済")
    assert row[1:3] == [12824, 5931]
    assert abs(row[3] - 0.4624) < 1e-9  # 46.24 % as a number
    pdf = tmp_path / "branch.pdf"
    prompts.answers["save_file"] = str(pdf)
    page.save_pdf()
    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(pdf).pages)  # not normalised
    text = "".join(text.split())
    for word in ("自賠責共済", "46.24%", "235.55%", "12,824"):
        assert word in text
    dialog = page.print_preview()
    assert dialog.windowTitle().startswith("印刷プレビュー")
    dialog.close()


def test_empty_branch_opens_on_last_month(ctx, qtbot):
    from datetime import date

    from kyosai_desktop.domain.months import add_months, make_month

    page = ProgressPage(ctx, DataBus())
    qtbot.addWidget(page)
    expected = add_months(make_month(date.today().year, date.today().month), -1)
    assert page.as_of == expected
    assert all(r[page.report.index("actual")].value == 0 for r in page.report.rows)
    assert page.report.totals[0][page.report.index("reach")].text == "—"


def test_a_changed_start_month_moves_the_month_list(page, ctx):
    """The months offered always lie inside the year (a report refuses an as-of month outside it)."""
    page.select(2024, "2025-05")
    ctx.fiscal_years.set_start_months(2024, 4, 5)
    page.bus_.announce(OpChanges.of(ChangeKind.YEARS))
    months = [page.month_combo.itemData(i) for i in range(page.month_combo.count())]
    assert months[0] == "2024-04" and months[-1] == "2025-03"
    assert page.as_of in months and "2024年4月〜" in page.report.summary[0][1]


def test_the_chart_draws_each_products_rate_against_the_elapsed_year(page, qtbot):
    from fractions import Fraction

    from kyosai_desktop.domain import tones
    from kyosai_desktop.render.reach_chart import BAR_COLOURS, reach_bars

    bars, without = reach_bars(page.report)
    assert [(b.label, str(b.reach)) for b in bars] == [
        ("団体生命共済", "60.00"),
        ("自賠責共済", "46.24"),
        ("交通災害共済", "235.55"),
    ]
    assert "火災共済" in without and "親子共済" in without  # no rate, named in the note
    assert page.chart.elapsed == Fraction(7, 12)  # June → December
    image = page.chart.grab().toImage()
    colours = {
        image.pixelColor(x, y).name().upper()
        for x in range(image.width())
        for y in range(0, image.height(), 3)
    }
    assert "#C00000" in colours  # the elapsed-share line
    for tone in (tones.ACHIEVED, tones.ON_TRACK, tones.BEHIND):  # 235.55 %, 60 % ≥ 7/12, 46.24 %
        assert BAR_COLOURS[tone].name().upper() in colours
    ctx_month = page.month_combo.findData("2024-06")
    page.month_combo.setCurrentIndex(ctx_month)
    assert page.chart.elapsed == Fraction(1, 12)  # the chart follows the chosen month
