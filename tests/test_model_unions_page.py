"""The モデル単組 page driven offscreen: import, scope, layout, sort/filter, live refresh, outputs."""

from __future__ import annotations

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from kyosai_desktop.services.model_union_import import import_model_unions
from kyosai_desktop.services.ops import ChangeKind, OpChanges
from kyosai_desktop.ui.model_unions.model_unions_page import ModelUnionsPage
from kyosai_desktop.ui.shared.events import DataBus, event
from tests.model_union_fixtures import SAMPLE, digest


@pytest.fixture
def page(qtbot, ctx, prompts, app_font):
    ctx.settings.set_branch("41")
    bus = DataBus()
    widget = ModelUnionsPage(ctx, bus)
    qtbot.addWidget(widget)
    widget.resize(1300, 700)
    widget.show()
    return widget


def texts(page: ModelUnionsPage, key: str) -> list[str]:
    """The column's texts in the order shown (after sort and filter)."""
    col = page.view.report.index(key)
    proxy = page.view.proxy
    return [proxy.index(r, col).data() for r in range(proxy.rowCount())]


def test_empty_year_says_what_to_do(page):
    assert page.report is not None and page.report.rows == []
    assert "取り込み" in page.empty_label.text() and page.empty_label.isVisibleTo(page)
    assert not page.pdf_button.isEnabled() and not page.sheet_button.isEnabled()


WAIT_MS = 20_000


def import_through_the_dialogs(qtbot, page, path):
    """Start the import as the 取り込み button does and wait for its end; returns the report."""
    from kyosai_desktop.ui.shared import runner

    assert page.import_sheet(path)  # returns at once: the rest runs by signal
    with qtbot.waitSignal(page.importer.finished, timeout=WAIT_MS) as blocker:
        pass
    qtbot.waitUntil(lambda: not runner.busy(), timeout=WAIT_MS)
    return blocker.args[0]


def press(qtbot, button):
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_import_reads_the_year_from_the_sheet_then_reviews(page, ctx, prompts, qtbot):
    from kyosai_desktop.ui.model_unions.model_union_import_dialog import YearDialog
    from kyosai_desktop.ui.shared.import_review import ImportReviewDialog

    ctx.fiscal_years.ensure(2024)
    ctx.fiscal_years.set_start_months(2024, 6, 5)  # configured 5月開始; the sheet is 6月開始
    seen = {}

    def answer(dialog):
        if isinstance(dialog, YearDialog):
            seen["year"] = (
                dialog.year.currentText(),
                dialog.start.currentText(),
                dialog.setting.text(),
                dialog.read.text(),
            )
            qtbot.keyClick(dialog, Qt.Key.Key_Return)  # OK: the clerk confirms what the sheet says
            return None
        assert isinstance(dialog, ImportReviewDialog)
        seen["review"] = dialog.summary_text()
        press(qtbot, dialog.import_button)
        return None

    prompts.answers["dialog"] = answer
    report = import_through_the_dialogs(qtbot, page, SAMPLE)
    year, start, setting, read = seen["year"]
    assert (year, start) == ("2024年度", "6月開始")
    assert "シートは 2024年度・6月開始 の並びです。" in read
    assert setting == "2024年度の集計は今 5月開始です。取り込むと 6月開始に変わります。"
    assert "--" not in seen["review"] and "9 単組" in seen["review"]
    result = report.result
    assert result is not None and result.rows == 9
    assert ctx.fiscal_years.model_year(2024).start_month == 6
    kinds = [k for k, _t, _x in prompts]
    assert kinds == ["dialog", "dialog", "information"]
    assert page.fiscal_year == 2024 and page.as_of == "2025-02"
    assert page.scope_combo.currentText() == "自県 (高知)"
    assert texts(page, "name") == ["高知市職員労働組合", "1 単組"]
    page.scope_combo.setCurrentIndex(page.scope_combo.findText("全国"))
    assert len(texts(page, "name")) == 10
    summary = page.view.summary_label.text()
    for part in ("9 単組", "476 件", "286 件", "60.1%", "1 単組"):
        assert part in summary
    assert texts(page, "pref_code")[-1] == "合計"
    page.start_combo.setCurrentIndex(page.start_combo.findData(5))
    assert page.report.table.title.endswith("(5月開始)")
    assert page.month_combo.itemData(0) == "2024-05" and page.as_of == "2025-02"
    assert page.report.totals.cumulative == 300
    # The done import's review stays viewable (閉じる only), with its warnings.
    prompts.answers["dialog"] = True
    again = page.show_last_import()
    assert again.import_button is None and "9 単組" in again.summary_text()


def test_a_wrong_year_is_refused_in_words_of_the_screen(page, ctx, db_path, prompts, qtbot):
    from kyosai_desktop.ui.model_unions.model_union_import_dialog import YearDialog

    before = digest(db_path)

    def answer(dialog):
        if isinstance(dialog, YearDialog):
            dialog.year.setCurrentIndex(dialog.year.findData(2025))
            return True
        return False

    prompts.answers["dialog"] = answer
    assert import_through_the_dialogs(qtbot, page, SAMPLE) is None
    refused = prompts[-1][2]
    assert "指定の 2025年度と違います" in refused and "取り込む年度を確かめてください" in refused
    assert "--fy" not in refused
    assert digest(db_path) == before


def test_refused_and_declined_imports_change_nothing(page, ctx, db_path, prompts, tmp_path, qtbot):
    bad = tmp_path / "broken.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really")
    before = digest(db_path)
    assert import_through_the_dialogs(qtbot, page, bad) is None
    assert prompts[-1][0] == "dialog" and "Excel ファイルとして読めません" in prompts[-1][2]
    prompts.answers["dialog"] = lambda dialog: (
        dialog.windowTitle() != "" and not hasattr(dialog, "plan")
    )
    assert import_through_the_dialogs(qtbot, page, SAMPLE) is None
    assert digest(db_path) == before


def test_sort_filter_and_live_refresh(page, ctx):
    import_model_unions(ctx, SAMPLE, 2024)
    page.refresh(event(ChangeKind.MODEL_UNIONS))
    page.select(2024, "2025-02", pref_code=None)
    rate = page.view.report.index("rate")
    page.view.table.sortByColumn(rate, Qt.SortOrder.DescendingOrder)
    shown = texts(page, "rate")
    assert shown[:3] == ["170.0%", "96.0%", "87.9%"] and shown[-1] == "60.1%"  # 合計 stays last
    page.view.table.sortByColumn(rate, Qt.SortOrder.AscendingOrder)
    assert texts(page, "pref_code")[-1] == "合計"
    page.view.filter_edit.setText("高知")
    assert texts(page, "name") == ["高知市職員労働組合", "9 単組"]
    page.view.filter_edit.setText("")
    # an entry in the monthly grid (same 団生 results) shows at once: the main window passes
    # the data bus's "results" to every page's refresh()
    kochi = ctx.unions.find("41", "002")
    ctx.results.set(kochi.id, ctx.model_unions.product_id(), "2025-02", 3)
    page.refresh(event(ChangeKind.RESULTS))
    assert "288 件" in page.view.summary_label.text()
    assert "2 単組" in page.view.summary_label.text()  # 高知 50/50 reached its target


def test_month_columns_can_be_hidden(page, ctx):
    import_model_unions(ctx, SAMPLE, 2024)
    page.select(2024, "2025-02", pref_code=None)
    col = page.view.report.index("month:2024-06")
    assert not page.view.table.isColumnHidden(col)
    page.months_check.setChecked(False)
    assert page.view.table.isColumnHidden(col)
    assert not page.view.table.isColumnHidden(page.view.report.index("rate"))


def test_outputs_pdf_xlsx_and_union_sheets(page, ctx, tmp_path, prompts, qtbot):
    import_model_unions(ctx, SAMPLE, 2024)
    page.select(2024, "2025-02", pref_code=None)
    page.paper_combo.setCurrentText("A3")
    page.save_pdf(tmp_path / "table.pdf")
    box = PdfReader(tmp_path / "table.pdf").pages[0].mediabox
    assert round(float(box.width)) == 1191
    page.save_xlsx(tmp_path / "table.xlsx")
    assert (tmp_path / "table.xlsx").stat().st_size > 0
    dialog = page.print_preview()
    assert dialog.windowTitle().startswith("印刷プレビュー")
    dialog.close()
    task = page.sheets_for_all(tmp_path / "sheets.pdf")
    seen = []
    task.progressed.connect(lambda done, total, label: seen.append((done, total, label)))
    with qtbot.waitSignal(task.finished, timeout=WAIT_MS) as blocker:
        pass
    assert blocker.args == ["done"]
    out = task.result
    assert len(PdfReader(out).pages) == 9
    assert seen[-1] == (18, 18, "PDF 作成")  # 9 sheets collected, then 9 pages painted
    assert {label for *_, label in seen} == {"集計", "PDF 作成"}
    assert prompts[-1][0] == "information" and "9 単組分 (9 ページ)" in prompts[-1][2]
    page.view.table.selectRow(6)  # 高知市職員労働組合
    task = page.sheets_for_selection(tmp_path / "one.pdf")
    with qtbot.waitSignal(task.finished, timeout=WAIT_MS):
        pass
    assert len(PdfReader(task.result).pages) == 1


def test_union_sheets_cancel_leaves_no_file(page, ctx, tmp_path, prompts, monkeypatch, qtbot):
    import threading

    from kyosai_desktop.render.union_sheet_paper import UnionSheetPaper

    import_model_unions(ctx, SAMPLE, 2024)
    page.select(2024, "2025-02", pref_code=None)
    # The worker paints three pages, then waits until キャンセル has been pressed.
    painting, go_on = threading.Event(), threading.Event()
    real = UnionSheetPaper.paint_page

    def paint_page(self, painter, index, rect):
        real(self, painter, index, rect)
        if index == 2:
            painting.set()
            go_on.wait(WAIT_MS / 1000)

    monkeypatch.setattr(UnionSheetPaper, "paint_page", paint_page)
    task = page.sheets_for_all(tmp_path / "cancelled.pdf")
    qtbot.waitUntil(painting.is_set, timeout=WAIT_MS)
    qtbot.waitUntil(
        task.dialog.isVisible, timeout=WAIT_MS
    )  # the progress dialog with its キャンセル
    cancel = next(b for b in task.dialog.findChildren(QPushButton) if b.text() == "キャンセル")
    with qtbot.waitSignal(task.finished, timeout=WAIT_MS) as blocker:
        qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
        go_on.set()
    assert blocker.args == ["cancelled"]
    assert not (tmp_path / "cancelled.pdf").exists()
    assert list(tmp_path.glob("*.pdf")) == []
    assert "キャンセルしました" in prompts[-1][2]


def test_page_is_in_the_main_window(qtbot, ctx, prompts, app_font):
    from kyosai_desktop.ui.main_window import MainWindow

    window = MainWindow(ctx)
    qtbot.addWidget(window)
    page = window.show_page("model_unions")  # on screen: refreshed at once by the data bus
    assert isinstance(page, ModelUnionsPage)
    import_model_unions(ctx, SAMPLE, 2024)
    window.bus.announce(OpChanges.of(ChangeKind.MODEL_UNIONS))
    assert page.year_combo.findData(2024) >= 0
    page.select(2024, "2025-02", pref_code=None)
    kochi = ctx.unions.find("41", "002")
    ctx.results.set(kochi.id, ctx.model_unions.product_id(), "2025-01", 6)
    window.bus.announce(OpChanges.of(ChangeKind.RESULTS))
    assert "287 件" in page.view.summary_label.text()


def test_an_import_in_the_main_window_rebuilds_the_table_once(
    ctx, qtbot, prompts, app_font, monkeypatch, tmp_path_factory
):
    """The page's own announcement of the import does not come back to it as two more rebuilds."""
    from PySide6.QtCore import QSettings

    from kyosai_desktop.ui.main_window import MainWindow

    folder = tmp_path_factory.mktemp("qsettings")
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(folder))
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    ctx.settings.set_branch("41")
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.restore_last_page()  # the entry page is built
    window.page_actions["model_unions"].trigger()
    page = window.pages["model_unions"]
    built = []
    real = page.reload
    monkeypatch.setattr(page, "reload", lambda: (built.append(1), real())[1])
    assert import_through_the_dialogs(qtbot, page, SAMPLE) is not None
    assert len(built) == 1
    assert page.report.totals.count == 1 and page.as_of == "2025-02"  # 自県 (高知), as of the sheet
    assert "entry" in window.pages  # the others still hear of it
    assert window._pending["entry"].kinds == {
        ChangeKind.MODEL_UNIONS,
        ChangeKind.RESULTS,
        ChangeKind.UNIONS,
    }


def test_the_table_is_rebuilt_only_when_its_figures_change(page, ctx):
    """Refreshes and scope changes reuse the report built for the same year, month and scope;
    an edit of a 団生 count (through the entry's operation, announced on the bus) rebuilds
    it, an edit of another product does not."""
    from kyosai_desktop.services.ops.entry import write_cells
    from kyosai_desktop.store.results import CellChange

    import_model_unions(ctx, SAMPLE, 2024)
    page.refresh(event(ChangeKind.MODEL_UNIONS))
    page.select(2024, "2025-02", pref_code=None)
    national = page.report
    page.reload()
    assert page.report is national  # nothing changed: the same report
    page.select(2024, "2025-02", pref_code="41")
    assert page.report is not national and {r.unit.pref_code for r in page.report.rows} == {"41"}
    page.select(2024, "2025-02", pref_code=None)
    assert page.report is national  # back to 全国: cut from the cache

    kochi = ctx.unions.find("41", "002")
    other = next(p.id for p in ctx.products.all() if p.id != ctx.model_unions.product_id())
    page.bus.changed.connect(page.refresh)
    page.bus.announce(write_cells(ctx, [CellChange(kochi.id, other, "2025-02", 7, None)], "entry"))
    assert page.report is national  # another product: not in this table
    dansei = ctx.model_unions.product_id()
    page.bus.announce(write_cells(ctx, [CellChange(kochi.id, dansei, "2025-02", 3, None)], "entry"))
    assert page.report is not national
    assert "288 件" in page.view.summary_label.text()  # the new count is shown

    # The written unions are computed again in the cached reports (both scopes): the same
    # cells, totals and summary as a report built from the database.
    from kyosai_desktop.services import model_union_report as mr

    def texts_of(report):
        t = report.table
        return [[c.text for c in row] for row in [*t.rows, *t.totals]], t.summary

    page.select(2024, "2025-02", pref_code="41")
    elsewhere = next(r.unit.union_id for r in national.rows if r.unit.pref_code != "41")
    writes = [
        CellChange(kochi.id, dansei, "2024-07", 5, None),
        CellChange(kochi.id, dansei, "2025-02", None, 3),
        CellChange(elsewhere, dansei, "2024-12", 6, None),  # cleared, and another prefecture
        CellChange(kochi.id, dansei, "2023-08", 4, None),
    ]  # last year's months too
    page.bus.announce(write_cells(ctx, writes, "entry"))
    assert texts_of(page.report) == texts_of(mr.build_report(ctx, 2024, "2025-02", pref_code="41"))
    page.select(2024, "2025-02", pref_code=None)
    assert texts_of(page.report) == texts_of(mr.build_report(ctx, 2024, "2025-02"))


def test_a_filter_says_what_it_limits_and_what_it_does_not(page, qtbot):
    note = page.filter_note
    assert not note.isVisible()
    page.view.filter_edit.setText("仙台")
    assert note.isVisible() and "合計の行・印刷・PDF・Excel は範囲内のすべての単組" in note.text()
    page.view.filter_edit.clear()
    assert not note.isVisible()


def test_shaho_rouren_rows_stay_after_the_total_when_sorted_and_filtered(page, ctx, qtbot):
    """社保労連 (60) is not in the 合計: on screen its rows come after the 合計 row, as printed,
    whatever the sort; the filter finds them; Enter on one opens that union."""
    from kyosai_desktop.services.model_union_report import OUTSIDE_NOTE
    from kyosai_desktop.store.model_unions import Designation

    import_model_unions(ctx, SAMPLE, 2024)
    shaho = ctx.unions.add("60", "001", "社保労連テスト単組", members=100, holdings=40)
    ctx.model_unions.designate_many([Designation(2024, shaho.id, 5, 100, 40, 10)])
    page.refresh(event(ChangeKind.MODEL_UNIONS))
    page.select(2024, "2025-02", pref_code=None)
    assert texts(page, "pref_code")[-2:] == ["合計", "60"]
    assert OUTSIDE_NOTE in page.notes_label.text()
    rate = page.view.report.index("rate")
    for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
        page.view.table.sortByColumn(rate, order)
        assert texts(page, "name")[-2:] == ["9 単組", "社保労連テスト単組"]
    page.view.filter_edit.setText("社保")
    assert texts(page, "name") == ["9 単組", "社保労連テスト単組"]
    page.view.filter_edit.setText("")
    model = page.view.model
    last = model.rowCount() - 1
    assert model.row_key(last) == shaho.id and not model.is_total(last)
    assert model.index(last, rate).data(Qt.ItemDataRole.FontRole) is None  # not bold like the 合計
