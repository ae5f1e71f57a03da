"""Every prompt and every modal dialog the app shows opens through here: one seam.

Production code calls the module functions (``information``, ``confirm``, ``open_file``,
``exec_dialog`` …); they delegate to the installed :class:`Interaction`, which shows the
real Qt dialogs.  Tests install another implementation (``install``; see the ``prompts``
fixture in tests/conftest.py) that records what was asked and answers — for a dialog by
showing it and letting the test press its real buttons — so production code never asks
whether it runs under a test.  Anchor: git-cola's ``cola/interaction.py``.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QDialog, QInputDialog, QLineEdit, QMessageBox, QWidget


class Interaction:
    """The real dialogs.  Subclass and :func:`install` to answer them another way."""

    def information(self, parent: QWidget | None, title: str, text: str) -> None:
        QMessageBox.information(parent, title, text)

    def warning(self, parent: QWidget | None, title: str, text: str) -> None:
        QMessageBox.warning(parent, title, text)

    def critical(self, parent: QWidget | None, title: str, text: str) -> None:
        QMessageBox.critical(parent, title, text)

    def confirm(self, parent: QWidget | None, title: str, text: str) -> bool:
        box = QMessageBox(
            QMessageBox.Icon.Question,
            title,
            text,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            parent,
        )
        box.setDefaultButton(QMessageBox.StandardButton.No)
        return box.exec() == QMessageBox.StandardButton.Yes

    def open_file(self, parent: QWidget | None, title: str, filters: str) -> Path | None:
        from kyosai_desktop.ui.shared import file_dialogs  # the folder last used (QSettings)

        dialog, kind = file_dialogs.open_dialog(parent, title, filters)
        return file_dialogs.chosen(dialog, kind) if dialog.exec() else None

    def save_file(
        self, parent: QWidget | None, title: str, suggested: str, filters: str
    ) -> Path | None:
        from kyosai_desktop.ui.shared import file_dialogs

        dialog, kind = file_dialogs.save_dialog(parent, title, suggested, filters)
        return file_dialogs.chosen(dialog, kind) if dialog.exec() else None

    def choose(
        self,
        parent: QWidget | None,
        title: str,
        text: str,
        items: list[str],
        current: str | None = None,
    ) -> str | None:
        """One of ``items`` (a sheet of a workbook …), ``current`` preselected; None when cancelled."""
        index = items.index(current) if current in items else 0
        value, ok = QInputDialog.getItem(parent, title, text, items, index, False)
        return value if ok and value in items else None

    def exec_dialog(self, dialog: QDialog) -> bool:
        """Show ``dialog`` modally; True when the clerk accepted it."""
        return dialog.exec() == QDialog.DialogCode.Accepted

    def passphrase(self, parent: QWidget | None, title: str, text: str) -> str | None:
        """A secret typed without echo (a package's passphrase); None when cancelled."""
        value, ok = QInputDialog.getText(parent, title, text, QLineEdit.EchoMode.Password)
        return value if ok else None


_current: Interaction = Interaction()


def install(implementation: Interaction) -> Interaction:
    """Use ``implementation`` for every prompt from now on; returns the previous one."""
    global _current
    previous, _current = _current, implementation
    return previous


def current() -> Interaction:
    return _current


def information(parent: QWidget | None, title: str, text: str) -> None:
    _current.information(parent, title, text)


def warning(parent: QWidget | None, title: str, text: str) -> None:
    _current.warning(parent, title, text)


def critical(parent: QWidget | None, title: str, text: str) -> None:
    _current.critical(parent, title, text)


def confirm(parent: QWidget | None, title: str, text: str) -> bool:
    return _current.confirm(parent, title, text)


def open_file(
    parent: QWidget | None, title: str, filters: str = "Excel / CSV (*.xlsx *.csv)"
) -> Path | None:
    return _current.open_file(parent, title, filters)


def save_file(parent: QWidget | None, title: str, suggested: str, filters: str) -> Path | None:
    return _current.save_file(parent, title, suggested, filters)


def choose(
    parent: QWidget | None, title: str, text: str, items: list[str], current: str | None = None
) -> str | None:
    return _current.choose(parent, title, text, items, current)


def exec_dialog(dialog: QDialog) -> bool:
    return _current.exec_dialog(dialog)


def passphrase(parent: QWidget | None, title: str, text: str) -> str | None:
    return _current.passphrase(parent, title, text)
