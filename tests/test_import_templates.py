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


def _menu_action(button, text: str):
    """The action of ``button``'s menu whose text is ``text`` (as the clerk sees it)."""
    (action,) = [a for a in button.menu().actions() if a.text() == text]
    return action


def test_the_model_unions_import_menu_saves_the_hq_template_that_imports(
    ctx, qtbot, prompts, tmp_path, app_font
):
    from kyosai_desktop.services.model_union_import import plan_model_unions
    from kyosai_desktop.services.templates import model_union_headers
    from kyosai_desktop.ui.model_unions.model_unions_page import ModelUnionsPage
    from kyosai_desktop.ui.shared.events import DataBus

    page = ModelUnionsPage(ctx, DataBus())
    qtbot.addWidget(page)
    page.resize(1280, 720)
    page.show()
    year = page.fiscal_year
    out = tmp_path / "model_unions_template.xlsx"
    prompts.answers["save_file"] = str(out)
    _menu_action(page.import_button, "空のテンプレートを保存…").trigger()
    assert prompts[-2] == (
        "save_file",
        "モデル単組のテンプレートを保存",
        f"モデル単組_{year}年度_取り込みテンプレート.xlsx",
    )
    assert prompts[-1][0] == "information" and str(out) in prompts[-1][2]
    wb = load_workbook(out)
    ws = wb.active
    assert ws["A1"].value == f"{year}年度 加入拡大モデル単組 (6月開始)"
    headers = [c.value for c in ws[3]]
    assert headers == model_union_headers(6) == list(template("model-unions").headers)
    row = {
        "自治労県コード": "05",
        "県名": "宮城",
        "単組コード": "001",
        "加入拡大モデル単組": "仙台市職員労働組合",
        "組合員数": 4210,
        "団生保有": 2400,
        "発効": 6,
        "6月": 3,
        "目標件数": 40,
    }
    for name, value in row.items():
        ws.cell(row=4, column=headers.index(name) + 1, value=value)
    wb.save(out)
    plan_model_unions(ctx, out, year).commit(ctx)
    union = ctx.unions.find("05", "001")
    assert union is not None
    assert ctx.results.get(union.id, ctx.products.resolve("団生").id, f"{year}-06") == 3


def test_the_estimates_import_menu_saves_the_bessi2_template_that_imports(
    ctx, qtbot, prompts, tmp_path, app_font
):
    from estimate_fixtures import add_union, seed_csv

    from kyosai_desktop.services.estimate_import import import_estimates
    from kyosai_desktop.ui.estimates.estimates_page import EstimatesPage
    from kyosai_desktop.ui.shared.events import DataBus

    union = add_union(ctx)
    import_estimates(ctx, seed_csv(tmp_path), campaign="2024執行部", union="05-001")
    page = EstimatesPage(ctx, DataBus())
    qtbot.addWidget(page)
    page.resize(1280, 720)
    page.show()
    panel = page.list_panel
    page.tabs.setCurrentWidget(panel)
    assert panel.import_button.isEnabled()
    out = tmp_path / "bessi2_template.xlsx"
    prompts.answers["save_file"] = str(out)
    _menu_action(panel.import_button, "空のテンプレートを保存…").trigger()
    assert prompts[-2] == (
        "save_file",
        "別紙2 のテンプレートを保存",
        "別紙2_見積り結果一覧_取り込みテンプレート.xlsx",
    )
    wb = load_workbook(out)
    ws = wb.active
    headers = [c.value for c in ws[1]]
    assert tuple(headers) == template("estimates").headers
    assert headers[:3] == ["No.", "氏名", "年齢"] and headers[-1] == "車検満了日"
    row = {
        "No.": 1,
        "氏名": "テンプレ太郎",
        "年齢": 28,
        "車名": "アクセラ",
        "現在等級": "11",
        "適応等級": "11",
        "他社掛金": 49690,
        "じちろう掛金": 23870,
        "支払": "年",
        "保険(共済)満期日": "2025/2/14",
        "車検満了日": "2026/2/23",
    }
    for name, value in row.items():
        ws.cell(row=2, column=headers.index(name) + 1, value=value)
    wb.save(out)
    import_estimates(ctx, out, campaign="2024執行部", union=union.key)
    (premium,) = ctx.conn.execute(
        "SELECT other_premium FROM estimates WHERE name = 'テンプレ太郎'"
    ).fetchone()
    assert premium == 49690
