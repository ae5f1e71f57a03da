"""The 合計 row and column of the entry grids stay in view while the clerk scrolls.

Real widgets (pytest-qt, offscreen) on a real SQLite file, with enough unions that the
month grid scrolls both ways; the keys are pressed on the grid or its cell editor.
"""

from __future__ import annotations

import os

import pytest
from entry_fixtures import branch  # noqa: F401 - fixture
from PySide6.QtCore import QRect, Qt

from kyosai_desktop.ui.entry.entry_page import EntryPage
from kyosai_desktop.ui.shared.events import DataBus

CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def page(qtbot, ctx, branch, prompts):  # noqa: F811
    for i in range(40):
        ctx.unions.add("05", f"1{i:02d}", f"追加職員労働組合{i:02d}")
    widget = EntryPage(ctx, DataBus())
    qtbot.addWidget(widget)
    widget.resize(640, 360)  # small: the month grid scrolls down and right
    widget.show()
    qtbot.waitExposed(widget)
    widget.month_panel.view.setFocus()
    return widget


def target(view):
    return view.current_editor() or view


def press(qtbot, view, key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(target(view), key, modifier)


def shown_in(overlay, index) -> bool:
    """The cell is drawn wholly inside the overlay, and the overlay inside the grid."""
    rect = overlay.visualRect(index)
    grid = overlay.parentWidget()
    return (
        overlay.isVisible()
        and not rect.isEmpty()
        and overlay.viewport().rect().contains(rect)
        and QRect(0, 0, grid.width(), grid.height()).contains(overlay.geometry())
    )


def totals_in_view(view, model) -> bool:
    """The totals of the row and column in the middle of the grid's open area are drawn."""
    pinned = view.pinned
    middle = view.open_rect().center()
    row, column = view.rowAt(middle.y()), view.columnAt(middle.x())
    assert 0 <= row < model.total_row and model.LABEL_COLUMNS <= column < model.total_column
    return (
        shown_in(pinned.bottom, model.index(model.total_row, column))
        and shown_in(pinned.bottom_left, model.index(model.total_row, model.LABEL_COLUMNS - 1))
        and shown_in(pinned.right, model.index(row, model.total_column))
        and shown_in(pinned.corner, model.index(model.total_row, model.total_column))
    )


def test_totals_stay_in_view_scrolling_and_show_typed_sums(qtbot, page, branch):  # noqa: F811
    view = page.month_panel.view
    model = page.month_panel.model
    assert view.verticalScrollBar().maximum() > 0 and view.horizontalScrollBar().maximum() > 0
    assert model.index(model.total_row, 1).data() == "合計"
    sogo = [h.label for h in model.grid.columns].index("総合共済") + model.LABEL_COLUMNS

    press(qtbot, view, Qt.Key.Key_End, CTRL)
    assert view.verticalScrollBar().value() == view.verticalScrollBar().maximum()
    assert totals_in_view(view, model)

    press(qtbot, view, Qt.Key.Key_Home, CTRL)  # (0, コード): frozen, only scrolls up
    press(qtbot, view, Qt.Key.Key_Right)
    press(qtbot, view, Qt.Key.Key_Right)  # the first product: scrolls back left
    assert view.verticalScrollBar().value() == 0 and view.horizontalScrollBar().value() == 0
    assert totals_in_view(view, model)

    view.setCurrentIndex(model.index(0, sogo))
    before = int(model.index(model.total_row, sogo).data(Qt.ItemDataRole.EditRole))
    grand = int(model.index(model.total_row, model.total_column).data(Qt.ItemDataRole.EditRole))
    row_total = int(model.index(0, model.total_column).data(Qt.ItemDataRole.EditRole))
    old = int(model.index(0, sogo).data(Qt.ItemDataRole.EditRole) or 0)
    for ch in "25":
        press(qtbot, view, ch)
    press(qtbot, view, Qt.Key.Key_Return)
    assert branch.read("001", "総合共済", "2025-02") == 25
    pinned = view.pinned
    assert pinned.bottom.model().index(model.total_row, sogo).data() == str(before - old + 25)
    assert pinned.right.model().index(0, model.total_column).data() == str(row_total - old + 25)
    assert (
        pinned.corner.model().index(model.total_row, model.total_column).data()
        == f"{grand - old + 25:,}"
    )
    assert totals_in_view(view, model)
    assert shown_in(pinned.bottom, model.index(model.total_row, sogo))
    assert shown_in(pinned.right, model.index(0, model.total_column))

    press(qtbot, view, Qt.Key.Key_PageDown)
    assert view.verticalScrollBar().value() > 0
    assert totals_in_view(view, model)


def test_enter_keeps_the_cursor_clear_of_the_pinned_totals(qtbot, page):
    view = page.month_panel.view
    model = page.month_panel.model
    last = model.total_column - 1
    view.setCurrentIndex(model.index(0, last))  # the column just left of 合計
    view.scrollTo(view.currentIndex())
    assert view.open_rect().contains(view.visualRect(view.currentIndex()))
    for _ in range(model.n_rows - 1):
        press(qtbot, view, Qt.Key.Key_Return)
        assert view.open_rect().contains(view.visualRect(view.currentIndex()))
    assert view.currentIndex().row() == model.n_rows - 1
    press(qtbot, view, Qt.Key.Key_Return)  # onto the 合計 row itself
    assert view.currentIndex().row() == model.total_row


def test_screenshot_scrolled_to_the_middle(qtbot, page):
    view = page.month_panel.view
    bar = view.verticalScrollBar()
    bar.setValue(bar.maximum() // 2)
    view.horizontalScrollBar().setValue(view.horizontalScrollBar().maximum() // 2)
    qtbot.wait(10)
    assert totals_in_view(view, page.month_panel.model)
    out = os.environ.get("KYOSAI_SHOT_DIR")
    if out:
        page.grab().save(os.path.join(out, "pinned_totals_middle.png"))


def test_union_grid_totals_stay_in_view(qtbot, page, branch):  # noqa: F811
    page.tabs.setCurrentIndex(1)
    panel = page.union_panel
    view, model = panel.view, panel.model
    view.setFocus()
    qtbot.wait(10)
    assert view.verticalScrollBar().maximum() > 0 and view.horizontalScrollBar().maximum() > 0
    press(qtbot, view, Qt.Key.Key_End, CTRL)
    assert totals_in_view(view, model)
    press(qtbot, view, Qt.Key.Key_Home, CTRL)
    press(qtbot, view, Qt.Key.Key_Right)
    assert view.verticalScrollBar().value() == 0 and view.horizontalScrollBar().value() == 0
    assert totals_in_view(view, model)
    column = view.currentIndex().column()
    before = int(model.index(model.total_row, column).data(Qt.ItemDataRole.EditRole))
    old = int(model.index(0, column).data(Qt.ItemDataRole.EditRole) or 0)
    for ch in "7":
        press(qtbot, view, ch)
    press(qtbot, view, Qt.Key.Key_Return)
    assert view.pinned.bottom.model().index(model.total_row, column).data() == str(before - old + 7)
    assert shown_in(view.pinned.bottom, model.index(model.total_row, column))
