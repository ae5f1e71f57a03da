"""Headquarters mode on screen, and the national figures at a branch, driven offscreen.

The HQ window shows 県支部一覧 (F2) and 全国集計 (F3); a package goes through the one import
flow (planned on the runner, the real review dialog, 取り込む pressed); the national
report follows; at a branch the menu item imports the national figures and 県支部実績
gets its 全国到達率 column.
"""

from __future__ import annotations

import pytest
from foundation_fixtures import isolated_settings  # noqa: F401 - fixture
from PySide6.QtCore import Qt

from kyosai_desktop.services.context import open_context
from kyosai_desktop.services.hq_import import init_hq
from kyosai_desktop.services.report_package import build_package
from kyosai_desktop.ui.main_window import MainWindow
from kyosai_desktop.ui.shared import runner
from kyosai_desktop.ui.shared.import_review import ImportReviewDialog
from tests import hq_fixtures as hf

WAIT_MS = 20_000


def click_import(qtbot):
    def answer(dialog):
        assert isinstance(dialog, ImportReviewDialog)
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)

    return answer


@pytest.fixture(scope="module")
def packages(tmp_path_factory):
    """Three branches (秋田, 東京, 佐賀) from the seed-derived figures, as packages."""
    folder = tmp_path_factory.mktemp("hq_ui")
    figures = hf.branch_figures()
    as_of = {line.product: line.as_of for line in hf.seed_lines()}
    out = {}
    for pref in ("06", "14", "43"):
        ctx = hf.build_branch(folder / f"b{pref}.sqlite3", pref, figures, as_of)
        out[pref] = build_package(ctx, hf.FY, folder / f"{pref}.kyosai-report").path
        ctx.close()
    return out


@pytest.fixture
def hq_window(tmp_path, qtbot, isolated_settings):  # noqa: F811
    ctx = open_context(tmp_path / "hq.sqlite3")
    init_hq(ctx)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    window.restore_last_page()
    qtbot.waitExposed(window)
    yield window
    ctx.close()


def import_via_page(qtbot, window, path):
    page = window.show_page("hq_branches")
    flow = page.import_package(path)
    qtbot.waitUntil(lambda: not flow.running, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not runner.busy(), timeout=WAIT_MS)
    return flow


def test_hq_window_lists_branches_and_imports_through_the_review(
    hq_window, packages, prompts, qtbot
):
    window = hq_window
    assert [window.nav.item(i).text() for i in range(window.nav.count())] == [
        "県支部一覧　F2",
        "全国集計　F3",
    ]
    assert "本部" in window.windowTitle()
    page = window.show_page("hq_branches")
    states = page.view.report.column_values("state")
    assert len(states) == 48 and set(states) == {"未送信"}
    prompts.answers["dialog"] = click_import(qtbot)
    flow = import_via_page(qtbot, window, packages["06"])
    assert flow.report is not None
    review = [text for kind, _t, text in prompts if kind == "dialog"][0]
    assert "秋田 (06) 2024年度" in review and "初めての取り込み" in review
    report = page.view.report
    row = report.row_keys.index("06")
    assert report.rows[row][2].text == "報告済み"
    assert ("報告済み", "1 / 47 県支部") in report.summary
    # F3: the national report of what is held; 秋田 reached its 団生 target
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)  # window shortcuts need their window active
    qtbot.keyClick(window, Qt.Key.Key_F3)
    national = window.pages["hq_national"]
    assert window.stack.currentWidget() is national
    assert national.as_of == "2025-02"  # the latest month any branch has a figure for
    national.select(2024, "2025-01")
    texts = national.report.display_rows()
    assert ["団体生命共済", "2025年1月", "全国", "140", "144", "102.85%", "1 県"] in texts
    assert ["団体生命共済", "", "秋田", "140", "144", "102.85%", "○"] in texts


def test_national_page_cuts_products_at_their_months_and_sorts_the_matrix(
    hq_window, packages, prompts, qtbot
):
    window = hq_window
    prompts.answers["dialog"] = click_import(qtbot)
    for pref in ("06", "14", "43"):
        import_via_page(qtbot, window, packages[pref])
    national = window.show_page("hq_national")
    product = window.ctx.products.resolve("交通災害共済").id
    national.select(2024, "2025-01", {product: "2024-12"})
    texts = national.report.display_rows()
    assert ["交通災害共済", "2024年12月", "全国"] == texts[
        [r[0] for r in texts].index("交通災害共済")
    ][:3]
    saga = next(r for r in texts if r[0] == "交通災害共済" and r[2] == "佐賀")
    assert saga[3:6] == ["18", "990", "5500.00%"]

    # the product-month dialog through the keyboard-reachable button
    def choose(dialog):
        combo = dialog.combos[product]
        combo.setCurrentIndex(combo.findData("2025-01"))
        return True

    prompts.answers["dialog"] = choose
    assert national.choose_product_months()
    assert national.product_months[product] == "2025-01"
    # the matrix view: all branches × products, sortable by a product's 到達率
    national.view_combo.setCurrentIndex(national.view_combo.findData("matrix"))
    matrix = national.report
    assert matrix.totals[0][1].text == "全国" and len(matrix.rows) == 47
    col = matrix.index(f"a{window.ctx.products.resolve('団生').id}")
    view = national.view
    view.table.sortByColumn(col, Qt.SortOrder.DescendingOrder)
    figures = hf.branch_figures()["団体生命共済"]
    names = {"06": "秋田", "14": "東京", "43": "佐賀"}
    expected = sorted(names, key=lambda p: -figures[p][1])
    assert [view.proxy.index(i, 1).data() for i in range(3)] == [names[p] for p in expected]
    window.grab().save(str(window.ctx.path.with_name("hq_national.png")))


def test_branch_menu_imports_national_figures_and_progress_shows_them(
    ctx, qtbot, prompts, isolated_settings
):  # noqa: F811
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    assert window.national_action.text() == "全国実績ファイル (本部から)…"
    progress = window.show_page("progress")
    assert "national_reach" not in [c.key for c in progress.report.columns]
    prompts.answers["open_file"] = str(hf.sample_path())
    prompts.answers["dialog"] = click_import(qtbot)
    window.national_action.trigger()
    flow = window.national_flow
    qtbot.waitUntil(lambda: not flow.running, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not runner.busy(), timeout=WAIT_MS)
    assert flow.report is not None
    progress.select(2024, "2025-02")
    keys = [c.key for c in progress.report.columns]
    assert keys[4:6] == ["national_reach", "national_place"]
    rows = {r[0]: r for r in progress.report.display_rows()}
    assert rows["団体生命共済"][4] == "66.81%"


def test_a_headquarters_database_opens_without_the_branch_setup(
    tmp_path, prompts, qtbot, isolated_settings
):  # noqa: F811
    from kyosai_desktop.ui import app as app_module

    path = tmp_path / "hq.sqlite3"
    ctx = open_context(path)
    init_hq(ctx)
    ctx.close()
    window = app_module.open_main_window(path)
    try:
        assert window is not None and [k for k, _t, _x in prompts if k == "dialog"] == []
        assert window.current_page_key() in ("hq_branches", "hq_national")
        assert not hasattr(window, "national_action") and window.package_action.text().startswith(
            "報告パッケージ"
        )
        assert not any(a.isVisible() for a in window.import_actions.values())
        assert not window.checkout_action.isVisible() and window.package_action.isVisible()
    finally:
        window.close()
        window.ctx.close()


def test_national_page_is_usable_from_the_keyboard(hq_window, packages, prompts, qtbot):
    window = hq_window
    prompts.answers["dialog"] = click_import(qtbot)
    import_via_page(qtbot, window, packages["14"])
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_F3)
    page = window.pages["hq_national"]
    page.year_combo.setFocus()
    qtbot.keyClick(page.year_combo, Qt.Key.Key_Tab)
    assert page.focusWidget() is page.month_combo
    qtbot.keyClick(page.month_combo, Qt.Key.Key_Up)  # one month earlier
    assert page.as_of == "2025-01" and page.report.summary[1] == ("集計月", "2025年1月")
    qtbot.keyClick(page.month_combo, Qt.Key.Key_Tab)
    assert page.focusWidget() is page.view_combo
    qtbot.keyClick(page.view_combo, Qt.Key.Key_Down)  # 全県支部 × 商品
    assert page.report.title.endswith("(全県支部 × 商品)")
    assert page.view.report is page.report and page.view.table.frozen_view.isVisible()
    qtbot.keyClick(page.view_combo, Qt.Key.Key_Up)  # back to the §1 form (same view)
    assert "主要共済" in page.report.title and page.view.report is page.report
    assert not page.view.table.frozen_view.isVisible()
    assert page.view.proxy.columnCount() == len(page.report.columns)
    qtbot.keyClick(page.view_combo, Qt.Key.Key_Down)  # and to the matrix again
    assert page.view.table.frozen_view.isVisible() and page.view.proxy.columnCount() == len(
        page.report.columns
    )
