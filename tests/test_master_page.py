"""The マスタ・設定 page driven like a clerk: edits committed at once, audited, undoable."""

from __future__ import annotations

import pytest
from foundation_fixtures import digest, isolated_settings, on_disk  # noqa: F401 - fixture
from PySide6.QtCore import Qt

from kyosai_desktop.ui.master.master_page import MasterPage
from kyosai_desktop.ui.shared.events import DataBus


@pytest.fixture
def page(ctx, qtbot):
    ctx.unions.add(
        "05", "001", "仙台市職員労働組合", members=4210, holdings=2400, effective_month=6
    )
    ctx.unions.add("05", "017", "石巻市職員労働組合", members=1200, holdings=610)
    ctx.unions.add("13", "001", "埼玉の単組")
    bus = DataBus()
    widget = MasterPage(ctx, bus)
    bus.changed.connect(widget.refresh)  # as the main window does
    qtbot.addWidget(widget)
    widget.resize(1200, 700)
    widget.show()
    qtbot.waitExposed(widget)
    widget.emitted = []
    bus.changed.connect(lambda e: widget.emitted.append(",".join(sorted(k.value for k in e.kinds))))
    return widget


def cell(tab, row: int, key: str):
    model = tab.model
    return tab.table.model().index(row, model.column_index(key))


def type_into(qtbot, table, index, text: str) -> None:
    """Select a cell, type over it (the first key opens the editor) and press Enter."""
    table.setFocus()
    table.setCurrentIndex(index)
    qtbot.keyClick(table, text[0]) if text[0].isascii() else qtbot.keyClick(table, Qt.Key.Key_F2)
    editor = table.current_editor()
    assert editor is not None, "typing did not open an editor"
    if text[0].isascii():
        editor.insert(text[1:])
    else:  # QtTest only types ASCII: put Japanese text in as an input method would
        editor.selectAll()
        editor.insert(text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: table.current_editor() is None)  # Qt commits on a queued call


def test_union_edit_is_committed_audited_and_undoable(page, ctx, db_path, qtbot):
    tab = page.show_tab("単組")
    assert [u.union_code for u in tab.model.rows] == ["001", "017"]  # only the branch's unions
    type_into(qtbot, tab.table, cell(tab, 0, "members"), "4,300")
    # Committed: another connection sees it at once.
    assert on_disk(
        db_path, "SELECT members FROM unions WHERE union_code = '001' AND pref_code = '05'"
    ) == [(4300,)]
    history = ctx.audit.history("unions", str(tab.model.rows[0].id))
    assert (history[-1].field, history[-1].old, history[-1].new, history[-1].source) == (
        "members",
        "4210",
        "4300",
        "master",
    )
    assert page.emitted == ["unions"]
    assert tab.table.currentIndex().row() == 1  # Enter moved down
    assert tab.model.data(cell(tab, 0, "rate")) == "55.8%"  # 2,400 ÷ 4,300 recomputed
    page.undo_stack.undo()
    assert on_disk(
        db_path, "SELECT members FROM unions WHERE union_code = '001' AND pref_code = '05'"
    ) == [(4210,)]
    assert ctx.audit.history("unions", str(tab.model.rows[0].id))[-1].source == "undo"
    page.undo_stack.redo()
    assert ctx.unions.find("05", "001").members == 4300


def test_refused_union_edit_shows_the_reason_and_writes_nothing(page, db_path, qtbot):
    tab = page.show_tab("単組")
    before = digest(db_path)
    type_into(qtbot, tab.table, cell(tab, 1, "members"), "千二百")
    assert "数値ではありません" in tab.notice.text() and tab.notice.isVisible()
    type_into(qtbot, tab.table, cell(tab, 1, "effective_month"), "13")
    assert "1〜12" in tab.notice.text()
    assert digest(db_path) == before
    assert page.emitted == []


def test_add_union_keeps_007_and_is_audited(page, ctx, db_path, qtbot, prompts):
    tab = page.show_tab("単組")
    dialog = tab.open_add_dialog()
    dialog.code_edit.setText("7")
    dialog.name_edit.setText("七ヶ浜町職員労働組合")
    dialog.members_edit.setText("１２０")
    dialog.month_edit.setText("10")
    qtbot.mouseClick(dialog.buttons.buttons()[0], Qt.MouseButton.LeftButton)
    assert on_disk(
        db_path,
        "SELECT union_code, name, members, effective_month FROM unions WHERE name LIKE '七ヶ浜%'",
    ) == [("007", "七ヶ浜町職員労働組合", 120, 10)]
    codes = [
        tab.model.data(tab.model.index(r, tab.model.column_index("union_code"))) for r in range(3)
    ]
    assert codes == ["001", "007", "017"]
    union = ctx.unions.find("05", "007")
    assert [e.field for e in ctx.audit.history("unions", str(union.id))][:1] == ["*"]
    assert "unions" in page.emitted
    # A duplicate code keeps the dialog open with the reason.
    again = tab.open_add_dialog()
    again.code_edit.setText("007")
    again.name_edit.setText("別の単組")
    again.try_add()
    assert "既に「七ヶ浜町職員労働組合」" in again.error_label.text() and again.isVisible()
    again.reject()  # typed values: asks before dropping them
    assert [t for _k, t, _x in prompts] == ["入力の破棄"] and not again.isVisible()


def test_deactivate_keeps_the_union_and_its_figures(page, ctx, prompts, qtbot):
    tab = page.show_tab("単組")
    union = ctx.unions.find("05", "017")
    ctx.results.set(union.id, ctx.products.resolve("団生").id, "2025-02", 3)
    tab.table.setCurrentIndex(cell(tab, 1, "name"))
    tab.deactivate_selected()
    assert prompts[-1][0] == "confirm" and "石巻市職員労働組合" in prompts[-1][2]
    assert ctx.unions.find("05", "017").active is False
    assert ctx.results.get(union.id, ctx.products.resolve("団生").id, "2025-02") == 3
    tab.inactive.setChecked(False)
    assert [u.union_code for u in tab.model.rows] == ["001"]
    tab.all_prefs.setChecked(True)
    assert sorted(u.pref_code for u in tab.model.rows) == ["05", "13"]


def test_history_dialog_lists_changes(page, ctx):
    tab = page.show_tab("単組")
    union = ctx.unions.find("05", "001")
    ctx.unions.update(union.id, note="訪問予定 3月")
    tab.refresh()
    tab.table.setCurrentIndex(cell(tab, 0, "note"))
    dialog = tab.show_history()
    texts = [dialog.tree.topLevelItem(i).text(3) for i in range(dialog.tree.topLevelItemCount())]
    assert "メモ" in texts and "登録" in texts
    dialog.reject()


def test_review_org_joined_follows_the_threshold(page, ctx, prompts):
    tab = page.show_tab("単組")
    ctx.unions.update(ctx.unions.find("05", "001").id, holdings=3400)  # 80.8 %
    tab.refresh()
    tab.review_org_joined()
    assert ctx.unions.find("05", "001").org_joined is True
    assert ctx.unions.find("05", "017").org_joined is False
    assert prompts[-1][0] == "confirm"


def test_product_edits(page, ctx, db_path, qtbot):
    tab = page.show_tab("商品")
    model = tab.model
    row = next(i for i, p in enumerate(model.rows) if p.name == "介護保障")
    aliases = model.data(
        model.index(
            next(i for i, p in enumerate(model.rows) if p.name == "団体生命共済"),
            model.column_index("aliases"),
        )
    )
    assert "団生" in aliases
    assert model.setData(model.index(row, model.column_index("active_to")), "2026/3/31")
    assert on_disk(db_path, "SELECT active_to FROM products WHERE name = '介護保障'") == [
        ("2026-03-31",)
    ]
    assert not model.setData(model.index(row, model.column_index("active_from")), "2026-04-01")
    assert "適用開始日より前" in tab.notice.text()
    assert model.setData(
        model.index(row, model.column_index("has_target")),
        Qt.CheckState.Unchecked.value,
        Qt.ItemDataRole.CheckStateRole,
    )
    assert ctx.products.resolve("介護保障").has_target is False
    assert page.emitted == ["products", "products"]


def test_fiscal_year_edits_and_new_year(page, ctx):
    tab = page.show_tab("年度")
    model = tab.model
    row = next(i for i, r in enumerate(model.rows) if r.year == 2025)
    assert model.setData(model.index(row, model.column_index("start_month")), "5月")
    assert ctx.fiscal_years.results_year(2025).start_month == 5
    page.undo_stack.undo()  # the undo is audited as an undo
    assert ctx.fiscal_years.results_year(2025).start_month == 6
    assert [e.source for e in ctx.audit.history("fiscal_years", "2025")][-2:] == ["master", "undo"]
    page.undo_stack.redo()
    assert ctx.audit.history("fiscal_years", "2025")[-1].source == "redo"
    assert ctx.fiscal_years.results_year(2025).start_month == 5
    assert not model.setData(model.index(row, model.column_index("model_start_month")), "0")
    assert "1〜12" in tab.notice.text()
    year = tab.add_next_year()
    assert year == max(ctx.fiscal_years.all_years())


def test_both_start_months_pasted_together_are_both_kept(page, ctx):
    tab = page.show_tab("年度")
    row = next(i for i, r in enumerate(tab.model.rows) if r.year == 2025)
    tab.table.setCurrentIndex(tab.table.model().index(row, tab.model.column_index("start_month")))
    assert tab.table.paste_text("4\t4\n")  # one block over both columns
    assert (
        ctx.fiscal_years.results_year(2025).start_month,
        ctx.fiscal_years.model_year(2025).start_month,
    ) == (4, 4)
    page.undo_stack.undo()
    assert (
        ctx.fiscal_years.results_year(2025).start_month,
        ctx.fiscal_years.model_year(2025).start_month,
    ) == (6, 5)


def test_target_grids_edit_and_paste(page, ctx, db_path, qtbot):
    tab = page.show_tab("目標")
    tab.year_combo.setCurrentIndex(tab.year_combo.findData(2025))
    branch = tab.branch_model
    dansei = ctx.products.resolve("団生")
    row = next(i for i, p in enumerate(branch.rows) if p.id == dansei.id)
    assert branch.setData(branch.index(row, branch.column_index("第1次")), "120")
    assert branch.setData(branch.index(row, branch.column_index("第2次")), "130")
    assert ctx.targets.effective(2025)[dansei.id] == 130
    assert branch.data(branch.index(row, branch.column_index("effective"))) == "第2次"
    unions = tab.union_model
    col = unions.column_index(f"p{dansei.id}")
    view = tab.union_table
    view.setCurrentIndex(view.model().index(0, col))
    assert view.paste_text("70\n50\n")  # a column pasted from Excel: one undo step
    assert on_disk(
        db_path,
        "SELECT count(*), sum(target) FROM targets WHERE fiscal_year = 2025"
        " AND union_id IS NOT NULL",
    ) == [(2, 120)]
    sums = unions.total_rows[0][col]
    assert sums == 120 and unions.total_rows[1][col] == 120  # 単組計 = 県支部目標 (第1次)
    assert branch.data(branch.index(row, branch.column_index("u第1次"))) == "120"
    assert not view.paste_text("10\nabc\n")  # all or nothing
    assert "数値ではありません" in tab.notice.text()
    assert ctx.targets.get(2025, dansei.id, "第1次", ctx.unions.find("05", "001").id) == 70
    page.undo_stack.undo()  # undo the paste: both cells cleared
    assert ctx.targets.get(2025, dansei.id, "第1次", ctx.unions.find("05", "017").id) is None
    view.setCurrentIndex(view.model().index(0, col))
    page.undo_stack.redo()
    view.selectionModel().select(
        view.model().index(0, col), view.selectionModel().SelectionFlag.ClearAndSelect
    )
    view.clear_selection_cells()  # Delete clears = no target ("—")
    assert ctx.targets.get(2025, dansei.id, "第1次", ctx.unions.find("05", "001").id) is None
    assert unions.data(unions.index(0, col)) == "—"


def test_paste_reads_excel_quoting(page, ctx):
    """A memo holding a line break comes from Excel quoted; it lands in one cell, as typed."""
    tab = page.show_tab("単組")
    view = tab.table
    view.setCurrentIndex(cell(tab, 0, "note"))
    assert view.paste_text('"2025年4月 統合\n(旧 石巻)"\n"本庁 ""分会"""\n')
    notes = [ctx.unions.get(u.id).note for u in tab.model.rows]
    assert notes == ["2025年4月 統合\n(旧 石巻)", '本庁 "分会"']


def test_branch_settings(page, ctx, prompts):
    tab = page.show_tab("県支部設定")
    tab.support.setChecked(True)
    assert (
        ctx.conn.execute("SELECT support_branch FROM prefectures WHERE code = '05'").fetchone()[0]
        == 1
    )
    tab.threshold.setValue(75.0)
    tab.apply_threshold()
    assert ctx.settings.org_join_threshold == 75.0
    tab.rider_goal.setValue(62.0)
    tab.apply_rider_goal()
    assert ctx.settings.get("rider_goal:車両損害補償") == "62.0"
    prompts.answers["confirm"] = False
    tab.branch_combo.setCurrentIndex(tab.branch_combo.findData("13"))
    tab.apply_branch()
    assert ctx.branch == "05"
    prompts.answers["confirm"] = True
    tab.branch_combo.setCurrentIndex(tab.branch_combo.findData("13"))
    tab.apply_branch()
    assert ctx.branch == "13"
    assert [u.pref_code for u in page.union_tab.model.rows] == ["13"]  # the page followed
