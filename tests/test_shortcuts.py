"""Every shortcut a menu shows works from the keyboard; typed work is never dropped unasked.

The keys are pressed on the window with qtbot.keyClick, as a clerk presses them: nothing
here calls the slot a key is bound to.
"""

from __future__ import annotations

import pytest
from entry_fixtures import branch  # noqa: F401 - fixture
from foundation_fixtures import isolated_settings  # noqa: F401 - fixture
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

from kyosai_desktop.ui.main_window import MainWindow

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def window(ctx, branch, qtbot, prompts, isolated_settings):  # noqa: F811
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.resize(1200, 700)
    win.show()
    win.restore_last_page()
    qtbot.waitExposed(win)
    return win


def press(qtbot, window, sequence: QKeySequence) -> None:
    """Press one key combination (the first of ``sequence``) on the window, activated first."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    combo = sequence[0]
    target = window.focusWidget() or window
    qtbot.keyClick(target, combo.key(), combo.keyboardModifiers())


def menu_shortcuts(window) -> list[tuple[QAction, QKeySequence]]:
    found = []

    def walk(menu: QMenu) -> None:
        for action in menu.actions():
            if action.menu() is not None:
                walk(action.menu())
            for key in action.shortcuts():
                found.append((action, key))

    for top in window.menuBar().actions():
        walk(top.menu())
    return found


class _Catch(QObject):
    """Swallows an action's shortcut event and records it: the key reached the action."""

    def __init__(self) -> None:
        super().__init__()
        self.hits: list[QAction] = []

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.Shortcut:
            self.hits.append(obj)
            return True
        return False


def test_every_menu_shortcut_reaches_its_action(window, qtbot):
    shortcuts = menu_shortcuts(window)
    keys = {k.toString() for _a, k in shortcuts}
    assert {
        "F1",
        "F2",
        "F3",
        "F4",
        "F5",
        "F6",
        "Ctrl+Z",
        "Ctrl+Y",
        "Ctrl+F",
        "Ctrl+Shift+F",
        "Ctrl+Q",
    } <= keys
    catch = _Catch()
    for action, _k in shortcuts:
        action.installEventFilter(catch)
        action.setEnabled(True)  # 元に戻す is disabled with nothing to undo; the key must still map
    for action, key in shortcuts:
        catch.hits.clear()
        press(qtbot, window, key)
        assert catch.hits == [action], (
            f"{action.text()} ({key.toString()}) did not reach its action"
        )


def test_page_help_filter_and_search_keys_do_what_they_say(window, qtbot):
    for n, key in enumerate(("entry", "progress", "model_unions", "estimates", "master")):
        press(qtbot, window, QKeySequence(f"F{n + 2}"))
        assert window.current_page_key() == key
    page = window.pages["master"]
    page.tabs.setCurrentWidget(page.union_tab)
    press(qtbot, window, QKeySequence("Ctrl+F"))
    assert window.focusWidget() is page.union_tab.filter_edit
    press(qtbot, window, QKeySequence("F1"))
    assert window.help_window.isVisible() and window.help_window.topic() == "master"
    window.help_window.close()
    press(qtbot, window, QKeySequence("Ctrl+Shift+F"))
    assert window.search_dialog.isVisible()
    window.search_dialog.hide()
    press(qtbot, window, QKeySequence("Ctrl+Q"))
    assert not window.isVisible()


def test_undo_and_redo_keys_in_the_entry_grid(window, qtbot, branch):  # noqa: F811
    page = window.pages["entry"]
    view = page.month_panel.view
    view.setFocus()
    view.setCurrentIndex(
        view.model().index(2, page.month_panel.model.LABEL_COLUMNS)
    )  # 010 総合共済 = 1
    before = branch.read("010", "総合共済", "2025-02")
    qtbot.keyClick(view, Qt.Key.Key_8)
    qtbot.keyClick(view.current_editor(), Qt.Key.Key_Return)
    assert branch.read("010", "総合共済", "2025-02") == 8
    press(qtbot, window, QKeySequence("Ctrl+Z"))
    assert branch.read("010", "総合共済", "2025-02") == before
    press(qtbot, window, QKeySequence("Ctrl+Y"))
    assert branch.read("010", "総合共済", "2025-02") == 8
    press(qtbot, window, QKeySequence("Ctrl+Z"))
    press(qtbot, window, QKeySequence("Ctrl+Shift+Z"))  # the platform's redo key as well
    assert branch.read("010", "総合共済", "2025-02") == 8


def test_ctrl_enter_in_the_grid_opens_the_other_view(window, qtbot, branch):  # noqa: F811
    page = window.pages["entry"]
    view = page.month_panel.view
    view.setFocus()
    view.setCurrentIndex(view.model().index(1, page.month_panel.model.LABEL_COLUMNS))  # union 002
    menu = page.open_menu(
        page.month_panel, view.currentIndex(), view.mapToGlobal(view.rect().center())
    )
    shown = {a.text(): a.shortcut().toString() for a in menu.actions() if not a.isSeparator()}
    menu.close()
    assert shown["この単組を単組別で開く"] == "Ctrl+Return"
    qtbot.keyClick(view, Qt.Key.Key_Return, CTRL)
    assert page.tabs.currentWidget() is page.union_panel
    assert page.union_panel.union_id == branch.unions["002"]
    qtbot.keyClick(page.union_panel.view, Qt.Key.Key_Return, CTRL)
    assert page.tabs.currentWidget() is page.month_panel
    qtbot.keyClick(view, Qt.Key.Key_Return)  # plain Enter still moves down a cell
    assert page.tabs.currentWidget() is page.month_panel


# ------------------------------------------------------------------ nothing typed is lost


def _estimate_dialog(ctx, qtbot):
    from kyosai_desktop.ui.estimates.estimate_dialog import EstimateDialog

    union = ctx.unions.find("05", "001")
    dialog = EstimateDialog([union], union_id=union.id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_esc_in_an_untouched_estimate_form_closes_it_without_a_question(
    ctx, qtbot, prompts, branch
):  # noqa: F811
    dialog = _estimate_dialog(ctx, qtbot)
    qtbot.keyClick(dialog.name, Qt.Key.Key_Escape)
    assert not dialog.isVisible() and prompts == []


def test_esc_and_cancel_ask_before_dropping_typed_values(ctx, qtbot, prompts, branch):  # noqa: F811
    dialog = _estimate_dialog(ctx, qtbot)
    qtbot.keyClicks(dialog.car, "Aqua")
    prompts.answers["confirm"] = False  # 「いいえ」: keep typing
    qtbot.keyClick(dialog.car, Qt.Key.Key_Escape)
    assert dialog.isVisible() and dialog.car.text() == "Aqua"
    assert [(k, t) for k, t, _x in prompts] == [("confirm", "入力の破棄")]
    dialog.buttons.button(dialog.buttons.StandardButton.Cancel).click()
    assert dialog.isVisible() and len(prompts) == 2
    prompts.answers["confirm"] = True  # 「はい」: discard
    dialog.close()
    assert not dialog.isVisible() and len(prompts) == 3


def test_union_and_campaign_forms_ask_too(ctx, qtbot, prompts, branch):  # noqa: F811
    from kyosai_desktop.ui.estimates.estimate_campaign_dialog import CampaignDialog
    from kyosai_desktop.ui.master.union_dialog import AddUnionDialog

    dialog = AddUnionDialog(ctx, ["05"])
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.name_edit, "Shin")
    prompts.answers["confirm"] = False
    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Escape)
    assert dialog.isVisible() and prompts[-1][1] == "入力の破棄"

    camp = CampaignDialog(ctx.unions.list("05"), list(ctx.products.all()))
    qtbot.addWidget(camp)
    camp.show()
    n = len(prompts)
    camp.reject()  # untouched: closes at once
    assert not camp.isVisible() and len(prompts) == n
    camp.show()
    camp.model.item(0).setCheckState(
        Qt.CheckState.Checked
        if camp.model.item(0).checkState() != Qt.CheckState.Checked
        else Qt.CheckState.Unchecked
    )
    camp.reject()
    assert camp.isVisible() and len(prompts) == n + 1
