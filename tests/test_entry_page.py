"""月次入力 driven through the real widgets (pytest-qt, offscreen) on a real SQLite file.

Keys go where focus would send them: to the cell editor while one is open, else to the
grid.  Every stored value is read back through a fresh connection to the database file.
"""

from __future__ import annotations

import pytest
from entry_fixtures import branch  # noqa: F401 - fixture
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from kyosai_desktop.services.ops import ChangeKind, OpChanges
from kyosai_desktop.store.results import CellChange
from kyosai_desktop.ui.entry.entry_models import SORT_ROLE
from kyosai_desktop.ui.entry.entry_page import EntryPage
from kyosai_desktop.ui.shared.events import DataBus, event


@pytest.fixture
def bus():
    return DataBus()


@pytest.fixture
def page(qtbot, ctx, branch, bus, prompts):  # noqa: F811
    widget = EntryPage(ctx, bus)
    bus.changed.connect(widget.refresh)  # as the main window does for every page
    qtbot.addWidget(widget)
    widget.resize(1200, 700)
    widget.show()
    qtbot.waitExposed(widget)
    widget.month_panel.view.setFocus()
    return widget


def target(view):
    return view.current_editor() or view


def type_text(qtbot, view, text: str) -> None:
    for ch in text:
        qtbot.keyClick(target(view), ch)


def press(qtbot, view, key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(target(view), key, modifier)


def col(page, name: str) -> int:
    """Model column of a product in the month grid."""
    grid = page.month_panel.model.grid
    return [h.label for h in grid.columns].index(name) + page.month_panel.model.LABEL_COLUMNS


def go(page, row: int, column: int) -> None:
    view = page.month_panel.view
    view.setCurrentIndex(view.model().index(row, column))


def test_month_grid_shows_branch_with_totals(page):
    model = page.month_panel.model
    assert page.month_panel.month == "2025-02"  # latest month with the branch's figures
    assert page.month_panel.month_edit.text() == "2025年2月"
    assert [model.index(r, model.COL_CODE).data() for r in range(3)] == ["001", "002", "010"]
    assert model.index(3, model.COL_NAME).data() == "合計"
    sogo = col(page, "総合共済")
    assert model.index(0, sogo).data(SORT_ROLE) == 3
    assert model.index(model.total_row, sogo).data() == "4"
    assert model.index(0, model.total_column).data() == "5"
    assert model.index(model.total_row, model.total_column).data() == "11"
    assert model.headerData(model.total_column, Qt.Orientation.Horizontal) == "合計"
    # totals and labels are read-only and drawn differently
    assert not model.flags(model.index(model.total_row, sogo)) & Qt.ItemFlag.ItemIsEditable
    assert not model.flags(model.index(0, model.COL_NAME)) & Qt.ItemFlag.ItemIsEditable
    assert model.flags(model.index(0, sogo)) & Qt.ItemFlag.ItemIsEditable
    assert model.index(model.total_row, sogo).data(Qt.ItemDataRole.BackgroundRole) is not None
    assert model.index(0, sogo).data(Qt.ItemDataRole.BackgroundRole) is None


def test_thousands_shown_raw_kept(qtbot, page, branch):  # noqa: F811
    view = page.month_panel.view
    go(page, 1, col(page, "総合共済"))
    type_text(qtbot, view, "1,234")
    press(qtbot, view, Qt.Key.Key_Return)
    model = page.month_panel.model
    index = model.index(1, col(page, "総合共済"))
    assert index.data() == "1,234" and index.data(SORT_ROLE) == 1234
    assert index.data(Qt.ItemDataRole.EditRole) == "1234"
    assert branch.read("002", "総合共済", "2025-02") == 1234


def test_typing_enter_tab_commit_and_move(qtbot, page, branch, bus):  # noqa: F811
    view = page.month_panel.view
    seen = []
    bus.changed.connect(lambda e: seen.append(",".join(sorted(k.value for k in e.kinds))))
    sogo = col(page, "総合共済")
    go(page, 1, sogo)
    type_text(qtbot, view, "6")
    assert view.is_editing()
    press(qtbot, view, Qt.Key.Key_Tab)  # commit, move right
    assert branch.read("002", "総合共済", "2025-02") == 6
    assert (view.currentIndex().row(), view.currentIndex().column()) == (1, sogo + 1)
    type_text(qtbot, view, "2")
    press(qtbot, view, Qt.Key.Key_Return)  # commit, back to the Tab run's column
    assert branch.read("002", "団体生命共済", "2025-02") == 2
    assert (view.currentIndex().row(), view.currentIndex().column()) == (2, sogo)
    type_text(qtbot, view, "0")  # 0 is a real figure
    press(qtbot, view, Qt.Key.Key_Return)
    assert branch.read("010", "総合共済", "2025-02") == 0
    assert view.currentIndex().row() == 3  # the totals row
    press(qtbot, view, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    assert view.currentIndex().row() == 2  # Shift+Enter goes up
    assert seen == ["results"] * 3
    assert page.undo_stack.count() == 3
    model = page.month_panel.model
    assert model.index(model.total_row, sogo).data() == "9"  # 3 + 6 + 0
    assert model.index(model.total_row, model.total_column).data() == "18"  # 11 + 6 + 2 - 1
    assert [a[0] for a in branch.audit()[-3:]] == ["entry"] * 3


def test_refusal_keeps_text_and_shows_reason(qtbot, page, branch):  # noqa: F811
    view = page.month_panel.view
    model = page.month_panel.model
    before = branch.digest()
    sogo = col(page, "総合共済")
    for text, reason in (
        ("abc", "数値ではありません"),
        ("-1", "負の数"),
        ("1.5", "整数ではありません"),
    ):
        go(page, 0, sogo)
        type_text(qtbot, view, text)
        press(qtbot, view, Qt.Key.Key_Return)
        editor = view.current_editor()
        assert editor is not None and editor.text() == text  # still there to correct
        assert reason in page.message.text and page.message.isVisible()
        assert reason in model.index(0, sogo).data(Qt.ItemDataRole.ToolTipRole)
        assert view.currentIndex().row() == 0  # did not move
        assert branch.digest() == before  # nothing written
        press(qtbot, view, Qt.Key.Key_Escape)
        assert not view.is_editing() and not page.message.isVisible()
    assert page.undo_stack.count() == 0
    # correcting the value in the editor commits it
    type_text(qtbot, view, "x")
    press(qtbot, view, Qt.Key.Key_Return)
    editor = view.current_editor()
    editor.selectAll()
    type_text(qtbot, view, "8")
    press(qtbot, view, Qt.Key.Key_Return)
    assert branch.read("001", "総合共済", "2025-02") == 8
    assert not page.message.isVisible()
    assert model.index(0, sogo).data(Qt.ItemDataRole.BackgroundRole) is None


def test_paste_block_is_one_undo_step(qtbot, page, branch):  # noqa: F811
    view = page.month_panel.view
    sogo = col(page, "総合共済")
    go(page, 0, sogo)
    QGuiApplication.clipboard().setText("10\t11\r\n12\t13\r\n")  # as Excel copies 2×2
    press(qtbot, view, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert branch.read("001", "総合共済", "2025-02") == 10
    assert branch.read("001", "団体生命共済", "2025-02") == 11
    assert branch.read("002", "総合共済", "2025-02") == 12
    assert branch.read("002", "団体生命共済", "2025-02") == 13
    assert page.undo_stack.count() == 1
    assert [a[0] for a in branch.audit()[-4:]] == ["paste"] * 4
    assert len(view.selected_indexes()) == 4
    page.undo_stack.undo()
    assert [
        branch.read(u, p, "2025-02") for u in ("001", "002") for p in ("総合共済", "団体生命共済")
    ] == [3, 2, None, None]
    assert [a[0] for a in branch.audit()[-4:]] == ["undo"] * 4
    model = page.month_panel.model
    assert model.index(model.total_row, model.total_column).data() == "11"
    page.undo_stack.redo()
    assert branch.read("002", "団体生命共済", "2025-02") == 13
    assert [a[0] for a in branch.audit()[-4:]] == ["redo"] * 4
    assert model.index(model.total_row, model.total_column).data() == str(
        11 - 3 - 2 + 10 + 11 + 12 + 13
    )


def test_paste_with_bad_cells_refused_whole(qtbot, page, branch):  # noqa: F811
    view = page.month_panel.view
    before = branch.digest()
    go(page, 0, col(page, "総合共済"))
    QGuiApplication.clipboard().setText("1\tx\n-2\t4\n")
    press(qtbot, view, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert branch.digest() == before
    assert page.undo_stack.count() == 0
    text = page.message.text
    assert "2か所" in text
    assert (
        "001 仙台市職員労働組合 × 団体生命共済" in text
        and "002 石巻市職員労働組合 × 総合共済" in text
    )
    # a block that does not fit is refused too
    go(page, 2, col(page, "総合共済"))
    QGuiApplication.clipboard().setText("1\n2\n")
    press(qtbot, view, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert "はみ出します" in page.message.text
    assert branch.digest() == before


def test_closing_a_refused_paste_message_takes_its_marks_away(qtbot, page, branch):  # noqa: F811
    from kyosai_desktop.ui.entry.entry_models import ERROR_BRUSH

    view, model = page.month_panel.view, page.month_panel.model
    go(page, 0, col(page, "総合共済"))
    QGuiApplication.clipboard().setText("1\tx\n-2\t4\n")
    press(qtbot, view, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    marked = [
        (r, c)
        for r in range(model.rowCount())
        for c in range(model.columnCount())
        if model.index(r, c).data(Qt.ItemDataRole.BackgroundRole) == ERROR_BRUSH
    ]
    assert len(marked) == 2 and page.message.text
    qtbot.mouseClick(
        page.message.close_button, Qt.MouseButton.LeftButton
    )  # the clerk closes the message
    assert not page.message.text and model.errors == {}
    assert not any(
        model.index(r, c).data(Qt.ItemDataRole.BackgroundRole) == ERROR_BRUSH for r, c in marked
    )


def test_delete_clears_selection_one_step(qtbot, page, branch):  # noqa: F811
    view = page.month_panel.view
    sogo = col(page, "総合共済")
    view.select_block(0, sogo, 2, sogo + 1)
    press(qtbot, view, Qt.Key.Key_Delete)
    assert branch.read("001", "総合共済", "2025-02") is None
    assert branch.read("001", "団体生命共済", "2025-02") is None
    assert branch.read("010", "総合共済", "2025-02") is None
    assert branch.read("002", "マイカー共済", "2025-02") == 5  # outside the selection
    assert page.undo_stack.count() == 1
    assert [a[0] for a in branch.audit()[-3:]] == ["clear"] * 3
    model = page.month_panel.model
    assert model.index(model.total_row, model.total_column).data() == "5"
    page.undo_stack.undo()
    assert branch.read("010", "総合共済", "2025-02") == 1


def test_copy_selection_as_tab_separated(qtbot, page):
    view = page.month_panel.view
    sogo = col(page, "総合共済")
    view.select_block(0, sogo, 1, sogo + 1)
    press(qtbot, view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QGuiApplication.clipboard().text() == "3\t2\n\t\n"


def test_history_dialog_shows_old_to_new(qtbot, page, branch):  # noqa: F811
    view = page.month_panel.view
    sogo = col(page, "総合共済")
    go(page, 0, sogo)
    type_text(qtbot, view, "5")
    press(qtbot, view, Qt.Key.Key_Return)
    go(page, 0, sogo)
    type_text(qtbot, view, "7")
    press(qtbot, view, Qt.Key.Key_Return)
    page.undo_stack.undo()
    index = page.month_panel.model.index(0, sogo)
    menu = page.open_menu(
        page.month_panel, index, view.viewport().mapToGlobal(view.visualRect(index).center())
    )
    action = next(a for a in menu.actions() if a.text().startswith("変更履歴"))
    action.trigger()
    dialog = page.history_dialog
    assert dialog is not None and dialog.isVisible()
    m = dialog.model
    rows = [[m.index(r, c).data() for c in range(2, 5)] for r in range(m.rowCount())]
    assert rows == [
        ["取り込み", "(空欄)", "3"],
        ["入力", "3", "5"],
        ["入力", "5", "7"],
        ["元に戻す", "7", "5"],
    ]
    assert m.headerData(3, Qt.Orientation.Horizontal) == "変更前"
    assert "001 仙台市職員労働組合 / 総合共済 / 2025年2月発効" in dialog.heading.text()
    assert "現在の値: 5件" in dialog.heading.text()
    dialog.close()


def test_commit_pending_on_close(qtbot, page, branch):  # noqa: F811
    view = page.month_panel.view
    go(page, 2, col(page, "マイカー共済"))
    type_text(qtbot, view, "42")
    assert view.is_editing()
    assert page.commit_pending() is True
    assert branch.read("010", "マイカー共済", "2025-02") == 42
    assert not view.is_editing()
    # a refused value is not silently dropped: the clerk is told
    go(page, 2, col(page, "総合共済"))
    type_text(qtbot, view, "x1")
    assert page.commit_pending() is False


def test_refresh_after_external_write_keeps_cell(qtbot, page, ctx, branch, bus):  # noqa: F811
    view = page.month_panel.view
    car = col(page, "マイカー共済")
    go(page, 1, car)
    ctx.results.apply(
        [CellChange(branch.unions["002"], branch.products["マイカー共済"], "2025-02", 50)],
        source="import",
    )
    bus.announce(OpChanges.of(ChangeKind.RESULTS))
    model = page.month_panel.model
    assert model.index(1, car).data() == "50"
    assert model.index(model.total_row, model.total_column).data() == "56"
    assert (view.currentIndex().row(), view.currentIndex().column()) == (1, car)
    # a new union appears after a master change
    ctx.unions.add("05", "005", "名取市職員労働組合")
    bus.announce(OpChanges.of(ChangeKind.UNIONS))
    assert [model.index(r, model.COL_CODE).data() for r in range(4)] == ["001", "002", "005", "010"]
    assert (view.currentIndex().row(), view.currentIndex().column()) == (1, car)


def test_undo_of_cell_changed_elsewhere_asks(qtbot, page, ctx, branch, prompts):  # noqa: F811
    view = page.month_panel.view
    go(page, 0, col(page, "総合共済"))
    type_text(qtbot, view, "5")
    press(qtbot, view, Qt.Key.Key_Return)
    ctx.results.apply(
        [CellChange(branch.unions["001"], branch.products["総合共済"], "2025-02", 9)],
        source="import",
    )
    prompts.answers["confirm"] = False
    page.undo_stack.undo()
    assert prompts[-1][0] == "confirm" and "現在 9" in prompts[-1][2]
    assert branch.read("001", "総合共済", "2025-02") == 9  # the import's figure kept
    assert page.undo_stack.count() == 0  # the step was dropped


def test_union_grid_fiscal_year_and_entry(qtbot, page, ctx, branch):  # noqa: F811
    ctx.fiscal_years.set_start_months(2024, 6, 5)
    page.tabs.setCurrentIndex(1)
    panel = page.union_panel
    model = panel.model
    assert panel.union_combo.currentText() == "001 仙台市職員労働組合"
    assert panel.year_combo.currentText() == "2024年度"  # the year holding 2025-02
    assert model.headerData(1, Qt.Orientation.Horizontal) == "2024年\n6月"
    assert model.headerData(12, Qt.Orientation.Horizontal) == "\n5月"
    assert model.headerData(8, Qt.Orientation.Horizontal) == "2025年\n1月"
    sogo_row = [h.label for h in model.grid.rows].index("総合共済")
    assert model.index(sogo_row, model.total_column).data() == "7"  # 4 (2024-06) + 3 (2025-02)
    # enter April 2025 for 総合共済 in the union grid; the month grid follows
    view = panel.view
    view.setCurrentIndex(model.index(sogo_row, 11))
    type_text(qtbot, view, "2")
    press(qtbot, view, Qt.Key.Key_Return)
    assert branch.read("001", "総合共済", "2025-04") == 2
    assert model.index(sogo_row, model.total_column).data() == "9"
    # a different start month moves the columns
    ctx.fiscal_years.set_start_months(2025, 5, 5)
    panel.set_union(branch.unions["001"], 2025)
    assert model.grid.columns[0].key == "2025-05"
    assert model.headerData(1, Qt.Orientation.Horizontal) == "2025年\n5月"


def test_union_selector_search_and_step(qtbot, page, branch):  # noqa: F811
    page.tabs.setCurrentIndex(1)
    panel = page.union_panel
    assert [panel.union_combo.itemText(i) for i in range(panel.union_combo.count())] == [
        "001 仙台市職員労働組合",
        "002 石巻市職員労働組合",
        "003 塩竈市職員労働組合 (無効)",
        "010 宮城県職員労働組合",
    ]
    completer = panel.union_combo.completer()
    completer.setCompletionPrefix("石巻")
    assert completer.currentCompletion() == "002 石巻市職員労働組合"
    completer.setCompletionPrefix("010")
    assert completer.currentCompletion() == "010 宮城県職員労働組合"
    panel.step(1)
    assert panel.union_id == branch.unions["002"]
    assert panel.union_combo.currentText() == "002 石巻市職員労働組合"


def test_whole_month_by_keyboard_alone(qtbot, page, branch):  # noqa: F811
    """Next month by shortcut, then three figures per union with Tab … Enter, as a clerk does."""
    view = page.month_panel.view
    page.activateWindow()
    view.setFocus()
    qtbot.waitUntil(view.hasFocus)
    press(qtbot, view, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    assert page.month_panel.month == "2025-03"
    empty = page.month_panel.model
    assert empty.index(empty.total_row, empty.total_column).data() == "0"
    sogo = col(page, "総合共済")
    go(page, 0, sogo)
    figures = {"001": (1, 2, 3), "002": (4, 0, 6), "010": (7, 8, 9)}
    for values in figures.values():
        for i, value in enumerate(values):
            type_text(qtbot, view, str(value))
            press(qtbot, view, Qt.Key.Key_Return if i == len(values) - 1 else Qt.Key.Key_Tab)
    for code, values in figures.items():
        assert [
            branch.read(code, p, "2025-03")
            for p in ("総合共済", "団体生命共済", "退職者団体生命共済")
        ] == list(values)
    model = page.month_panel.model
    assert model.index(model.total_row, model.total_column).data() == "40"
    assert view.currentIndex().row() == model.total_row and view.currentIndex().column() == sogo
    press(qtbot, view, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert page.month_panel.month == "2025-02"
    # Alt+M jumps to the month selector; typing a month there loads it
    qtbot.keyClick(view, Qt.Key.Key_M, Qt.KeyboardModifier.AltModifier)
    assert page.month_panel.month_edit.hasFocus()


def test_main_window_undo_and_close_commit(qtbot, ctx, branch, prompts):  # noqa: F811
    from kyosai_desktop.ui.main_window import MainWindow

    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    page = window.show_page("entry")
    view = page.month_panel.view
    view.setFocus()
    go(page, 0, col(page, "総合共済"))
    type_text(qtbot, view, "5")
    press(qtbot, view, Qt.Key.Key_Return)
    assert branch.read("001", "総合共済", "2025-02") == 5
    assert window.undo_action.isEnabled()
    press(qtbot, view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # the window's 元に戻す
    assert branch.read("001", "総合共済", "2025-02") == 3
    window.redo_action.trigger()
    assert branch.read("001", "総合共済", "2025-02") == 5
    # F2 edits the cell's value in the grid (the window's F2 page shortcut does not steal it)
    go(page, 0, col(page, "総合共済"))
    press(qtbot, view, Qt.Key.Key_F2)
    assert view.current_editor() is not None and view.current_editor().text() == "5"
    press(qtbot, view, Qt.Key.Key_Escape)
    go(page, 1, col(page, "総合共済"))
    type_text(qtbot, view, "77")  # editor left open …
    window.close()  # … committed on close
    assert branch.read("002", "総合共済", "2025-02") == 77


def test_main_window_stays_open_while_a_refused_value_is_being_corrected(
    qtbot, ctx, branch, prompts
):  # noqa: F811
    from kyosai_desktop.ui.main_window import MainWindow

    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    page = window.show_page("entry")
    view = page.month_panel.view
    view.setFocus()
    go(page, 1, col(page, "総合共済"))
    type_text(qtbot, view, "-3")
    assert window.close() is False  # refused value: the window stays open …
    assert window.isVisible()
    assert view.current_editor() is not None and view.current_editor().text() == "-3"  # … text kept
    assert prompts[-1][0] == "warning"
    press(qtbot, view, Qt.Key.Key_Backspace)  # the clerk corrects it …
    press(qtbot, view, Qt.Key.Key_Backspace)
    type_text(qtbot, view, "4")
    assert window.close() is True  # … and the window saves it and closes
    assert branch.read("002", "総合共済", "2025-02") == 4


def test_full_width_ime_input(qtbot, page, branch):  # noqa: F811
    from PySide6.QtGui import QInputMethodEvent

    view = page.month_panel.view
    go(page, 1, col(page, "団体生命共済"))
    event = QInputMethodEvent()
    event.setCommitString("１２")  # full-width digits from a Japanese IME
    QGuiApplication.sendEvent(view, event)
    assert view.is_editing() and view.current_editor().text() == "１２"
    press(qtbot, view, Qt.Key.Key_Return)
    assert branch.read("002", "団体生命共済", "2025-02") == 12


def test_refused_editor_comes_back_after_click_elsewhere(qtbot, page, branch):  # noqa: F811
    view = page.month_panel.view
    sogo = col(page, "総合共済")
    go(page, 0, sogo)
    type_text(qtbot, view, "abc")
    go(page, 2, sogo + 2)  # the clerk clicks another cell
    qtbot.waitUntil(lambda: view.current_editor() is not None)
    assert (view.currentIndex().row(), view.currentIndex().column()) == (0, sogo)
    assert view.current_editor().text() == "abc"
    assert "数値ではありません" in page.message.text
    assert branch.read("001", "総合共済", "2025-02") == 3


def test_typing_into_totals_is_explained(qtbot, page, branch):  # noqa: F811
    before = branch.digest()
    model = page.month_panel.model
    go(page, model.total_row, col(page, "総合共済"))
    type_text(qtbot, page.month_panel.view, "5")
    assert not page.month_panel.view.is_editing()
    assert "合計欄は自動計算" in page.message.text
    assert branch.digest() == before


def test_undo_returns_to_the_month_of_the_edit(qtbot, page, branch):  # noqa: F811
    view = page.month_panel.view
    car = col(page, "マイカー共済")
    go(page, 2, car)
    type_text(qtbot, view, "4")
    press(qtbot, view, Qt.Key.Key_Return)
    page.month_panel.step(1)
    assert page.month_panel.month == "2025-03"
    page.undo_stack.undo()
    assert page.month_panel.month == "2025-02"
    assert branch.read("010", "マイカー共済", "2025-02") is None
    assert (view.currentIndex().row(), view.currentIndex().column()) == (2, car)


def test_ctrl_enter_opens_the_union_at_the_same_cell(qtbot, page, branch):  # noqa: F811
    view = page.month_panel.view
    go(page, 1, col(page, "マイカー共済"))
    page.open_other(page.month_panel)
    panel = page.union_panel
    assert page.tabs.currentWidget() is panel
    assert panel.union_id == branch.unions["002"] and panel.year == 2024
    address = panel.model.address(panel.view.currentIndex())
    assert (address.product_id, address.month) == (branch.products["マイカー共済"], "2025-02")
    assert panel.view.currentIndex().data() == "5"
    del view


def test_hidden_page_reloads_when_shown(qtbot, page, ctx, branch, bus):  # noqa: F811
    page.hide()
    ctx.results.apply(
        [CellChange(branch.unions["001"], branch.products["総合共済"], "2025-02", 30)],
        source="import",
    )
    bus.announce(OpChanges.of(ChangeKind.RESULTS))
    model = page.month_panel.model
    assert model.index(0, col(page, "総合共済")).data() == "3"  # not reloaded while hidden
    page.show()
    assert model.index(0, col(page, "総合共済")).data() == "30"


def test_close_with_refused_value_warns(qtbot, page, prompts):
    view = page.month_panel.view
    go(page, 0, col(page, "総合共済"))
    type_text(qtbot, view, "-3")
    assert page.commit_pending() is False
    kind, title, text = prompts[-1]
    assert kind == "warning" and "「-3」は保存できません" in text and "負の数" in text


def test_union_search_by_code_or_name_with_enter(qtbot, page, branch):  # noqa: F811
    page.tabs.setCurrentIndex(1)
    panel = page.union_panel
    edit = panel.union_combo.lineEdit()
    for typed, code in (("石巻", "002"), ("10", "010"), ("宮城県", "010"), ("１", "001")):
        edit.setText(typed)
        qtbot.keyClick(edit, Qt.Key.Key_Return)
        assert panel.union_id == branch.unions[code], typed
        assert panel.grid.fixed == branch.unions[code]
    edit.setText("存在しない単組")
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert panel.union_id == branch.unions["001"]
    assert panel.union_combo.currentText() == "001 仙台市職員労働組合"


def test_month_typed_in_selector(qtbot, page):
    edit = page.month_panel.month_edit
    edit.setFocus()
    edit.setSelectedSection(edit.Section.YearSection)
    qtbot.keyClicks(edit, "2024")  # typed over the year …
    assert page.month_panel.month == "2025-02"  # … not loaded digit by digit
    edit.setSelectedSection(edit.Section.MonthSection)
    qtbot.keyClicks(edit, "6")
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert page.month_panel.month == "2024-06"
    model = page.month_panel.model
    assert model.index(0, col(page, "総合共済")).data() == "4"
    assert page.month_panel.view.hasFocus() or not page.isActiveWindow()


def test_empty_branch_explains(qtbot, ctx, prompts):
    ctx.settings.set_branch("06")
    page = EntryPage(ctx, DataBus())
    qtbot.addWidget(page)
    page.show()
    assert page.month_panel.model.rowCount() == 1  # only the 合計 row
    assert "単組が登録されていません" in page.message.label.text()
    ctx.unions.add("06", "001", "秋田市職員労働組合")
    page.refresh(event(ChangeKind.UNIONS))
    assert page.month_panel.model.rowCount() == 2
    assert page.message.label.text() == ""


def test_branch_change_reloads_unions(qtbot, page, ctx, branch, bus):  # noqa: F811
    page.tabs.setCurrentIndex(1)
    ctx.settings.set_branch("04")
    bus.announce(OpChanges.of(ChangeKind.SETTINGS))
    model = page.month_panel.model
    assert [model.index(r, model.COL_CODE).data() for r in range(model.n_rows)] == ["001"]
    assert model.index(0, model.COL_NAME).data() == "盛岡市職員労働組合"
    assert page.union_panel.union_combo.currentText() == "001 盛岡市職員労働組合"


def test_a_figure_above_the_unions_members_is_saved_with_a_warning(qtbot, page, ctx, branch):  # noqa: F811
    ctx.unions.update(branch.unions["010"], members=40)
    page.reload_all()
    view = page.month_panel.view
    go(page, 2, col(page, "総合共済"))  # 010 総合共済 2025-02, now 1
    type_text(qtbot, view, "400")
    press(qtbot, view, Qt.Key.Key_Return)
    assert branch.read("010", "総合共済", "2025-02") == 400  # saved: a warning, not a refusal
    assert page.message.kind == "warning" and page.message.isVisible()
    text = page.message.label.text()
    assert (
        "05-010 宮城県職員労働組合 総合共済 2025年2月: 400件は組合員数 40人より多い件数です" in text
    )
    go(page, 2, col(page, "総合共済"))
    type_text(qtbot, view, "4")
    press(qtbot, view, Qt.Key.Key_Return)
    assert branch.read("010", "総合共済", "2025-02") == 4
    assert page.message.kind != "warning"  # a plausible figure: no warning
