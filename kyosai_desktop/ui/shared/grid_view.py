"""An Excel-like entry table: type to edit, Enter/Tab commit and move, paste, copy, delete.

``GridView`` is a ``FrozenTableView`` (label columns stay in view) with the keyboard of a
spreadsheet:

* typing a character starts editing the current cell with that character (F2 or a
  double-click edits the existing value instead);
* Enter commits and moves down, Tab right, Shift+Enter up, Shift+Tab left; after a run
  of Tabs, Enter returns to the column the run started in (as Excel does); in an editor
  opened by typing, the arrow keys commit and move too;
* a refused value keeps the editor open with the typed text (the model's writer shows
  the reason), and is re-opened if the clerk clicks elsewhere;
* Ctrl+C copies the selection as tab-separated text, Ctrl+V/Ctrl+X/Delete/Backspace are
  handed to the owner as signals (one undo step each), and the context menu is requested
  through ``menu_requested``.

The model must implement ``setData`` returning False on refusal; ``EditRole`` gives the
raw text copied to the clipboard.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QEvent,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QPoint,
    QRect,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QGuiApplication, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QAbstractScrollArea,
    QApplication,
    QLineEdit,
    QStyledItemDelegate,
)

from kyosai_desktop.services.entry import format_block
from kyosai_desktop.ui.shared.pinned_totals import PinnedTotals
from kyosai_desktop.ui.shared.report_model import FrozenTableView

UP, DOWN, LEFT, RIGHT, STAY = (-1, 0), (1, 0), (0, -1), (0, 1), (0, 0)
_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
_CLEAR_KEYS = (Qt.Key.Key_Delete, Qt.Key.Key_Backspace)


REFUSED_STYLE = "QLineEdit { background: #F8CBAD; }"


def mark_refused(editor: QLineEdit) -> None:
    """Colour an editor whose value was refused (the reason is in the message bar)."""
    editor.setStyleSheet(REFUSED_STYLE)


class CountDelegate(QStyledItemDelegate):
    """A right-aligned line editor whose Enter/Tab/arrows commit and move like Excel."""

    def __init__(self, view: GridView) -> None:
        super().__init__(view)
        self.view = view
        self.last_editor: QLineEdit | None = None
        self.refused: tuple[QModelIndex, str] | None = None

    def createEditor(self, parent, option, index):  # noqa: N802
        editor = QLineEdit(parent)
        editor.setObjectName("cellEditor")
        editor.setFrame(False)
        editor.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        editor.setProperty("enter_mode", False)
        self.last_editor = editor
        return editor

    def setEditorData(self, editor, index) -> None:  # noqa: N802
        if editor.isModified():  # never overwrite what the clerk is typing
            return
        editor.setText(str(index.data(Qt.ItemDataRole.EditRole) or ""))
        editor.selectAll()

    def setModelData(self, editor, model, index) -> None:  # noqa: N802
        text = editor.text()
        if not editor.isModified():
            self.refused = None
            return
        accepted = model.setData(index, text, Qt.ItemDataRole.EditRole)
        self.refused = None if accepted else (QModelIndex(index), text)
        if accepted:
            editor.setModified(False)
        else:
            mark_refused(editor)

    def eventFilter(self, editor, event) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.KeyPress and isinstance(editor, QLineEdit):
            move = self._move_for(editor, event)
            if event.key() == Qt.Key.Key_Escape:
                self.refused = None
                self.closeEditor.emit(editor, QAbstractItemDelegate.EndEditHint.RevertModelCache)
                self.view.editing_cancelled.emit()
                return True
            if move is not None:
                self.commit_and_move(editor, move)
                return True
        return super().eventFilter(editor, event)

    @staticmethod
    def _move_for(editor: QLineEdit, event: QKeyEvent) -> tuple[int, int] | None:
        key, shift = event.key(), bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        if key in _ENTER_KEYS:
            return UP if shift else DOWN
        if key == Qt.Key.Key_Tab:
            return LEFT if shift else RIGHT
        if key == Qt.Key.Key_Backtab:
            return LEFT
        if key == Qt.Key.Key_Up:
            return UP
        if key == Qt.Key.Key_Down:
            return DOWN
        if editor.property("enter_mode") and not shift:
            if key == Qt.Key.Key_Left:
                return LEFT
            if key == Qt.Key.Key_Right:
                return RIGHT
        return None

    def commit_and_move(self, editor: QLineEdit, move: tuple[int, int]) -> bool:
        """Commit the editor; on success close it and move the cursor.  False when refused."""
        self.commitData.emit(editor)
        if self.refused is not None:
            editor.setFocus()
            return False
        self.closeEditor.emit(editor, QAbstractItemDelegate.EndEditHint.NoHint)
        self.view.move_cursor_by(move)
        return True


class GridView(FrozenTableView):
    """The Excel-like entry table (see module docstring)."""

    paste_requested = Signal(str)  # clipboard text; target = current cell / selection
    clear_requested = Signal(list)  # [QModelIndex] of the selected cells
    menu_requested = Signal(QModelIndex, QPoint)  # cell under the menu, global position
    editing_cancelled = Signal()
    readonly_typed = Signal(QModelIndex)  # the clerk typed into a read-only cell

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.delegate = CountDelegate(self)
        self.setItemDelegate(self.delegate)
        self.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.setTabKeyNavigation(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        # per pixel, so at the end of the range the 合計 row lies exactly under its pinned copy
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.frozen_view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.pinned = PinnedTotals(self)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.DefaultContextMenu)
        self.setWordWrap(False)
        self._tab_origin: int | None = None
        self._moving = False
        self._editor_has_focus = False

    # ----------------------------------------------------------------- pinned totals
    def set_pinned_totals(self, on: bool) -> None:
        """Keep the last row and column (合計) in view while the grid scrolls."""
        self.pinned.enabled = on
        self.apply_frozen()

    def setModel(self, model) -> None:  # noqa: N802
        super().setModel(model)
        self.pinned.set_model(model)
        self.apply_frozen()

    def apply_frozen(self) -> None:
        super().apply_frozen()
        if getattr(self, "pinned", None) is not None and not self._resetting:
            self.pinned.apply(self._frozen_count())

    def _update_geometry(self) -> None:
        super()._update_geometry()
        if getattr(self, "pinned", None) is not None and not self._resetting:
            self.pinned.update_geometry(self._frozen_count())

    def open_rect(self) -> QRect:
        """The part of the viewport not covered by the pinned 合計 row and column."""
        return self.pinned.open_rect(self.viewport().rect())

    def scrollTo(self, index, hint=QAbstractItemView.ScrollHint.EnsureVisible) -> None:  # noqa: N802
        """Scroll so ``index`` is visible clear of the pinned totals, not underneath them."""
        super().scrollTo(index, hint)
        model = self.model()
        if not index.isValid() or model is None or not self.pinned.pinned_size()[0]:
            return
        rect, room = self.visualRect(index), self.open_rect()
        if index.row() < model.rowCount() - 1 and rect.bottom() > room.bottom():
            bar = self.verticalScrollBar()
            bar.setValue(bar.value() + rect.bottom() - room.bottom())
        if index.column() < model.columnCount() - 1 and rect.right() > room.right():
            bar = self.horizontalScrollBar()
            bar.setValue(bar.value() + rect.right() - room.right())

    # ----------------------------------------------------------------- state
    def is_editing(self) -> bool:
        return self.state() == QAbstractItemView.State.EditingState

    def current_editor(self) -> QLineEdit | None:
        editor = self.delegate.last_editor
        if self.is_editing() and editor is not None:
            try:
                editor.isVisible()
            except RuntimeError:  # deleted C++ object
                return None
            return editor
        return None

    def commit_editor(self) -> bool:
        """Commit an open editor (if any); False when its value was refused (editor stays)."""
        editor = self.current_editor()
        if editor is None:
            return True
        return self.delegate.commit_and_move(editor, STAY)

    # ----------------------------------------------------------------- moving
    def move_cursor_by(self, move: tuple[int, int]) -> None:
        current = self.currentIndex()
        model = self.model()
        if model is None or not current.isValid():
            return
        row, col = current.row(), current.column()
        if move == RIGHT and self._tab_origin is None:
            self._tab_origin = col
        if move == DOWN and self._tab_origin is not None:
            col = self._tab_origin
        if move not in (RIGHT, LEFT, STAY):
            self._tab_origin = None
        row = max(0, min(model.rowCount() - 1, row + move[0]))
        col = max(0, min(model.columnCount() - 1, col + move[1]))
        target = model.index(row, col)
        if move[0] and not self.open_rect().contains(self.visualRect(target)):
            # Enter past the bottom edge: bring the row to the middle, so the next dozen
            # rows are in view and do not each scroll (and repaint) the whole grid
            self.scrollTo(target, QAbstractItemView.ScrollHint.PositionAtCenter)
        self._moving = True
        try:
            self.setCurrentIndex(target)
        finally:
            self._moving = False

    def currentChanged(self, current, previous) -> None:  # noqa: N802
        if not self._moving:
            self._tab_origin = None
        super().currentChanged(current, previous)

    # ----------------------------------------------------------------- editing
    def start_typing(self, index: QModelIndex, text: str, *, refused: bool = False) -> bool:
        """Open the editor at ``index`` holding ``text`` (Excel's "enter" mode)."""
        if not index.isValid() or not (index.flags() & Qt.ItemFlag.ItemIsEditable):
            return False
        self.setCurrentIndex(index)
        if not self.edit(index, QAbstractItemView.EditTrigger.EditKeyPressed, None):
            return False
        editor = self.delegate.last_editor
        if editor is None:
            return False
        editor.setProperty("enter_mode", True)
        editor.setText(text)
        editor.setModified(True)
        if refused:
            mark_refused(editor)
        editor.setFocus()
        return True

    def closeEditor(self, editor, hint) -> None:  # noqa: N802
        super().closeEditor(editor, hint)
        refused = self.delegate.refused
        if refused is not None:
            # the view closed a refused editor (click elsewhere, focus change): bring it back
            self.delegate.refused = None
            index, text = refused
            QTimer.singleShot(0, lambda: self.start_typing(index, text, refused=True))

    # ----------------------------------------------------------------- focus
    # QAbstractItemView repaints the whole viewport on every focus change (the selection's
    # colour depends on focus).  Focus going to our own cell editor and back happens twice per
    # typed figure; repainting ~1,000 cells each time cost ~20 ms a figure, so those two
    # changes skip the full repaint (the cell under the editor is hidden anyway).
    def _focus_goes_to_editor(self) -> bool:
        focus = QApplication.focusWidget()
        return focus is not None and focus is self.delegate.last_editor

    def focusOutEvent(self, event) -> None:  # noqa: N802
        if self._focus_goes_to_editor():
            self._editor_has_focus = True
            QAbstractScrollArea.focusOutEvent(self, event)
            return
        super().focusOutEvent(event)

    def focusInEvent(self, event) -> None:  # noqa: N802
        if self._editor_has_focus:
            self._editor_has_focus = False
            QAbstractScrollArea.focusInEvent(self, event)
            current = self.currentIndex()
            self.setAttribute(
                Qt.WidgetAttribute.WA_InputMethodEnabled,
                bool(current.isValid() and current.flags() & Qt.ItemFlag.ItemIsEditable),
            )
            return
        super().focusInEvent(event)

    # ----------------------------------------------------------------- keyboard
    def event(self, event) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent):
            if self._handles(event):
                event.accept()
                return True
        return super().event(event)

    def _handles(self, event: QKeyEvent) -> bool:
        if any(
            event.matches(k)
            for k in (
                QKeySequence.StandardKey.Copy,
                QKeySequence.StandardKey.Paste,
                QKeySequence.StandardKey.Cut,
            )
        ):
            return True
        if event.key() in _ENTER_KEYS:
            # Enter / Shift+Enter move the cell; Ctrl+Enter stays a shortcut (「単組別で開く」)
            mods = event.modifiers() & ~(
                Qt.KeyboardModifier.KeypadModifier | Qt.KeyboardModifier.ShiftModifier
            )
            return not mods
        return event.key() in (*_CLEAR_KEYS, Qt.Key.Key_F2)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        key = event.key()
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        shift = bool(mods & Qt.KeyboardModifier.ShiftModifier)
        if event.matches(QKeySequence.StandardKey.Copy):
            self.copy_selection()
        elif event.matches(QKeySequence.StandardKey.Paste):
            self.paste_requested.emit(QGuiApplication.clipboard().text())
        elif event.matches(QKeySequence.StandardKey.Cut):
            self.copy_selection()
            self.clear_requested.emit(self.selected_indexes())
        elif key in _ENTER_KEYS and not (mods & ~Qt.KeyboardModifier.ShiftModifier):
            self.move_cursor_by(UP if shift else DOWN)
        elif key == Qt.Key.Key_Tab and not (mods & ~Qt.KeyboardModifier.ShiftModifier):
            self.move_cursor_by(LEFT if shift else RIGHT)
        elif key == Qt.Key.Key_Backtab:
            self.move_cursor_by(LEFT)
        elif key in _CLEAR_KEYS and not mods:
            self.clear_requested.emit(self.selected_indexes())
        elif self._is_typing(event):
            index = self.currentIndex()
            if not self.start_typing(index, event.text()):
                self.readonly_typed.emit(index)
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    @staticmethod
    def _is_typing(event: QKeyEvent) -> bool:
        mods = event.modifiers() & ~(
            Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.KeypadModifier
        )
        text = event.text()
        return bool(text) and not mods and text.isprintable() and not text.isspace()

    def inputMethodEvent(self, event) -> None:  # noqa: N802
        """Japanese IME input (e.g. full-width digits) starts editing like typing does."""
        if not self.is_editing() and (event.commitString() or event.preeditString()):
            index = self.currentIndex()
            if self.start_typing(index, ""):
                editor = self.delegate.last_editor
                if editor is not None:
                    QGuiApplication.sendEvent(editor, event)
                    editor.setModified(True)
                return
        super().inputMethodEvent(event)

    # ----------------------------------------------------------------- clipboard
    def selected_indexes(self) -> list[QModelIndex]:
        sel = self.selectionModel()
        indexes = sel.selectedIndexes() if sel is not None else []
        if not indexes and self.currentIndex().isValid():
            indexes = [self.currentIndex()]
        return sorted(indexes, key=lambda i: (i.row(), i.column()))

    def copy_selection(self) -> str:
        """Put the selection's bounding block on the clipboard as tab-separated raw values."""
        indexes = self.selected_indexes()
        if not indexes:
            return ""
        rows = [i.row() for i in indexes]
        cols = [i.column() for i in indexes]
        chosen = {(i.row(), i.column()) for i in indexes}
        model = self.model()
        block = [
            [
                model.index(r, c).data(Qt.ItemDataRole.EditRole) if (r, c) in chosen else ""
                for c in range(min(cols), max(cols) + 1)
            ]
            for r in range(min(rows), max(rows) + 1)
        ]
        text = format_block(block)
        QGuiApplication.clipboard().setText(text)
        return text

    def select_block(self, top: int, left: int, bottom: int, right: int) -> None:
        model = self.model()
        selection = QItemSelection(model.index(top, left), model.index(bottom, right))
        self.selectionModel().select(selection, QItemSelectionModel.SelectionFlag.ClearAndSelect)

    # ----------------------------------------------------------------- menu
    def contextMenuEvent(self, event) -> None:  # noqa: N802
        if event.reason() == event.Reason.Keyboard:
            index = self.currentIndex()
            pos = self.viewport().mapToGlobal(self.visualRect(index).center())
        else:
            index = self.indexAt(self.viewport().mapFromGlobal(event.globalPos()))
            pos = event.globalPos()
            if index.isValid() and not self.selectionModel().isSelected(index):
                self.setCurrentIndex(index)
        self.menu_requested.emit(index, pos)
        event.accept()
