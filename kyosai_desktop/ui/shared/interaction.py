"""Every prompt the app shows goes through here, so tests patch one place and never block.

Tests set ``interaction.AUTO`` (see tests/conftest.py) to answer prompts without showing
them; what was asked is recorded in ``interaction.LOG``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

# When not None, called instead of showing a dialog: (kind, title, text) -> answer.
AUTO: Callable[[str, str, str], object] | None = None
LOG: list[tuple[str, str, str]] = []


def _auto(kind: str, title: str, text: str, default: object = None) -> tuple[bool, object]:
    if AUTO is None:
        return False, default
    LOG.append((kind, title, text))
    return True, AUTO(kind, title, text)


def information(parent: QWidget | None, title: str, text: str) -> None:
    handled, _ = _auto("information", title, text)
    if not handled:
        QMessageBox.information(parent, title, text)


def warning(parent: QWidget | None, title: str, text: str) -> None:
    handled, _ = _auto("warning", title, text)
    if not handled:
        QMessageBox.warning(parent, title, text)


def critical(parent: QWidget | None, title: str, text: str) -> None:
    handled, _ = _auto("critical", title, text)
    if not handled:
        QMessageBox.critical(parent, title, text)


def confirm(parent: QWidget | None, title: str, text: str) -> bool:
    handled, answer = _auto("confirm", title, text)
    if handled:
        return bool(answer)
    box = QMessageBox(QMessageBox.Icon.Question, title, text,
                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, parent)
    box.setDefaultButton(QMessageBox.StandardButton.No)
    return box.exec() == QMessageBox.StandardButton.Yes


def open_file(parent: QWidget | None, title: str, filters: str = "Excel / CSV (*.xlsx *.csv)") -> Path | None:
    handled, answer = _auto("open_file", title, filters)
    if handled:
        return Path(answer) if answer else None
    name, _ = QFileDialog.getOpenFileName(parent, title, "", filters)
    return Path(name) if name else None


def save_file(parent: QWidget | None, title: str, suggested: str, filters: str) -> Path | None:
    handled, answer = _auto("save_file", title, suggested)
    if handled:
        return Path(answer) if answer else None
    name, _ = QFileDialog.getSaveFileName(parent, title, suggested, filters)
    return Path(name) if name else None
