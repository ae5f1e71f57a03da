"""The テンプレート buttons on the master's 取り込み tab (the templates themselves: test_templates)."""

from __future__ import annotations

from openpyxl import load_workbook
from PySide6.QtCore import Qt

from kyosai_desktop.services import master_import
from kyosai_desktop.services.templates import template


def test_the_master_import_tab_saves_a_template_that_imports(ctx, qtbot, prompts, tmp_path):
    from kyosai_desktop.ui.master.master_page import MasterPage
    from kyosai_desktop.ui.shared.events import DataBus

    ctx.unions.add("05", "001", "仙台市職員労働組合")
    page = MasterPage(ctx, DataBus())
    qtbot.addWidget(page)
    tab = page.show_tab("取り込み")
    out = tmp_path / "results_template.xlsx"
    prompts.answers["save_file"] = str(out)
    qtbot.mouseClick(tab.template_buttons["results"], Qt.MouseButton.LeftButton)
    assert prompts[-1][:2] == ("save_file", "実績のテンプレートを保存")
    assert "テンプレートを保存しました" in tab.result.text()
    wb = load_workbook(out)
    ws = wb.active
    headers = [c.value for c in ws[1]]
    assert tuple(headers) == template("results").headers
    row = {
        "自治労県コード": "05",
        "単組コード": "001",
        "商品": "マイカー共済",
        "発効年月": "2025-06",
        "件数": 4,
    }
    for col, header in enumerate(headers, start=1):
        ws.cell(row=2, column=col, value=row[header])
    wb.save(out)
    master_import.import_results(ctx, out)
    union = ctx.unions.find("05", "001")
    assert ctx.results.get(union.id, ctx.products.resolve("マイカー共済").id, "2025-06") == 4
