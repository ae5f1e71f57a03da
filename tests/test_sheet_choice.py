"""A workbook with several visible sheets: the GUI import asks which one, then reads that one.

Driven through the real flows (the runner, the review dialog, the interaction seam): the
importer refuses with ``SheetChoiceRequired``; the flow asks (the sheet Excel showed is
preselected), and the chosen sheet is planned and imported; cancelling changes nothing.
"""

from __future__ import annotations

import pytest
from foundation_fixtures import digest, isolated_settings  # noqa: F401 - fixture
from openpyxl import Workbook, load_workbook
from PySide6.QtCore import Qt

from kyosai_desktop.services.templates import write_template
from kyosai_desktop.ui.master.master_page import MasterPage
from kyosai_desktop.ui.model_unions.model_unions_page import ModelUnionsPage
from kyosai_desktop.ui.shared import runner
from kyosai_desktop.ui.shared.events import DataBus
from kyosai_desktop.ui.shared.import_review import ImportReviewDialog

WAIT_MS = 20_000


def two_sheets(path):
    wb = Workbook()
    notes = wb.active
    notes.title = "メモ"
    notes.append(["この表は 2 月分です"])
    data = wb.create_sheet("実績")
    for row in [
        ["自治労県コード", "単組コード", "商品", "発効年月", "件数"],
        ["05", "001", "団生", "2025-02", "6"],
    ]:
        data.append(row)
    wb.active = 1  # Excel showed 実績 when it was saved
    wb.save(path)
    return path


def press_import(qtbot):
    def answer(dialog):
        if isinstance(dialog, ImportReviewDialog):
            qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
        return True

    return answer


@pytest.fixture
def master(ctx, qtbot):
    ctx.unions.add("05", "001", "仙台市職員労働組合", members=4210)
    page = MasterPage(ctx, DataBus())
    qtbot.addWidget(page)
    return page


def run(qtbot, signal_of, start):
    assert start()  # returns at once: the rest runs by signal
    with qtbot.waitSignal(signal_of(), timeout=WAIT_MS) as blocker:
        pass
    qtbot.waitUntil(lambda: not runner.busy(), timeout=WAIT_MS)
    return blocker.args


def test_master_import_asks_for_the_sheet_and_imports_it(master, ctx, tmp_path, prompts, qtbot):
    path = two_sheets(tmp_path / "r.xlsx")
    prompts.answers["choose"] = "実績"
    prompts.answers["dialog"] = press_import(qtbot)
    args = run(
        qtbot,
        lambda: master.import_tab.flow.finished,
        lambda: master.import_tab.run("results", path),
    )
    assert args[1] is not None
    assert [k for k, _t, _x in prompts][:2] == ["choose", "dialog"]
    assert "r.xlsx には表示中のシートが 2 枚あります" in prompts[0][2]
    assert prompts.choices == (["メモ", "実績"], "実績")
    product = ctx.products.resolve("団生").id
    assert ctx.results.get(ctx.unions.find("05", "001").id, product, "2025-02") == 6


def test_cancelling_the_sheet_choice_changes_nothing(master, db_path, tmp_path, prompts, qtbot):
    path = two_sheets(tmp_path / "r.xlsx")
    before = digest(db_path)
    prompts.answers["choose"] = None
    args = run(
        qtbot,
        lambda: master.import_tab.flow.finished,
        lambda: master.import_tab.run("results", path),
    )
    assert args[1] is None
    assert prompts[-1][0] == "information" and "データは変更していません" in prompts[-1][2]
    assert digest(db_path) == before


def test_model_union_import_asks_for_the_sheet(ctx, tmp_path, prompts, qtbot):
    path = write_template("model-unions", tmp_path / "m.xlsx", fiscal_year=2024)
    wb = load_workbook(path)
    ws = wb.active
    for col, value in enumerate(
        ["05", "宮城", "001", "仙台市職員労働組合", 4210, 2400, 6, 3], start=1
    ):
        ws.cell(4, col, value)
    ws.cell(4, ws.max_column, 40)
    wb.create_sheet("説明").append(["本部からのお知らせ"])
    wb.save(path)
    page = ModelUnionsPage(ctx, DataBus())
    qtbot.addWidget(page)
    prompts.answers["choose"] = lambda items: items[0]
    prompts.answers["dialog"] = press_import(qtbot)
    args = run(qtbot, lambda: page.importer.finished, lambda: page.import_sheet(path))
    assert args[0] is not None and prompts[0][0] == "choose"
    union = ctx.unions.find("05", "001")
    assert ctx.results.get(union.id, ctx.products.resolve("団生").id, "2024-06") == 3
