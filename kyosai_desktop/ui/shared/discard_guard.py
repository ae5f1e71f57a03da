"""Nothing typed is thrown away without a question: a form's Esc / キャンセル / × asks first.

A :class:`DiscardGuard` remembers what the form's fields held when it was opened (or last
saved); closing without saving asks 「破棄して閉じますか」 only when something differs, so an
untouched form still closes at once.  The question goes through ``interaction.confirm``.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QDialog,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QTextEdit,
)

from kyosai_desktop.ui.shared import interaction

TITLE = "入力の破棄"
QUESTION = "入力した内容はまだ保存されていません。\n保存せずに閉じてよろしいですか？ (入力した内容は失われます)"


def form_state(dialog: QDialog) -> tuple:
    """What every editable field of ``dialog`` holds, in a comparable form (filter boxes aside)."""
    state: list[object] = []
    for w in dialog.findChildren(QLineEdit):
        if (
            w.isReadOnly()
            or isinstance(w.parent(), (QAbstractSpinBox, QComboBox))
            or "絞り込み" in w.placeholderText()
        ):
            continue
        state.append(w.text())
    state += [w.toPlainText() for w in dialog.findChildren(QPlainTextEdit)]
    state += [w.toPlainText() for w in dialog.findChildren(QTextEdit) if not w.isReadOnly()]
    state += [
        w.currentIndex() if not w.isEditable() else w.currentText()
        for w in dialog.findChildren(QComboBox)
    ]
    state += [w.text() for w in dialog.findChildren(QAbstractSpinBox)]
    state += [w.isChecked() for w in dialog.findChildren(QAbstractButton) if w.isCheckable()]
    for lw in dialog.findChildren(QListWidget):
        state.append(tuple(lw.item(i).checkState().value for i in range(lw.count())))
    return tuple(state)


class DiscardGuard:
    """``extra`` adds state the widgets do not show as fields (e.g. checked rows of a model)."""

    def __init__(self, dialog: QDialog, extra: Callable[[], object] | None = None) -> None:
        self.dialog = dialog
        self.extra = extra or (lambda: None)
        self.mark_clean()

    def _state(self) -> tuple:
        return (form_state(self.dialog), self.extra())

    def mark_clean(self) -> None:
        self.clean = self._state()

    def dirty(self) -> bool:
        return self._state() != self.clean

    def allow_close(self) -> bool:
        """True when the form may close: nothing typed, or the clerk agreed to discard it."""
        return not self.dirty() or interaction.confirm(self.dialog, TITLE, QUESTION)
