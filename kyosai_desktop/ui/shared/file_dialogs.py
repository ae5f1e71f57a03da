"""Open / save dialogs that start where the clerk looks and speak Japanese.

- Each kind of file (by its first extension: pdf, xlsx, sqlite3 …) remembers the folder it was
  last saved to or opened from (QSettings ``dirs/<kind>``); the first time, the user's
  Documents folder.  Never the program's folder, which the README says to replace with each
  new build.
- Qt's own dialog (used on Linux; Windows shows its native, Japanese one) leaves a few labels
  untranslated in qtbase_ja ("Look in:", "Files of type:", "Folder"): they are set here.
"""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QFileInfo, QSettings, QStandardPaths
from PySide6.QtWidgets import QFileDialog, QFileIconProvider, QWidget

SETTINGS_PREFIX = "dirs/"


def kind_of(filters: str) -> str:
    """The kind of file a dialog is for: the first extension in its filters ("pdf")."""
    match = re.search(r"\*\.([A-Za-z0-9]+)", filters)
    return match.group(1).lower() if match else "file"


def documents_dir() -> Path:
    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(folder) if folder else Path.home()


def start_dir(kind: str) -> Path:
    """The folder last used for ``kind``, if it still exists; else Documents."""
    saved = QSettings().value(SETTINGS_PREFIX + kind, "")
    if saved and Path(str(saved)).is_dir():
        return Path(str(saved))
    docs = documents_dir()
    return docs if docs.is_dir() else Path.home()


def remember(kind: str, chosen: Path) -> None:
    QSettings().setValue(SETTINGS_PREFIX + kind, str(chosen.parent))


class _JapaneseIcons(QFileIconProvider):
    """The type column says フォルダ (qtbase_ja has no "Folder")."""

    def type(self, info: QFileInfo) -> str:  # noqa: A003 - Qt API
        if info.isDir():
            return "フォルダ"
        return super().type(info)


def make_dialog(
    parent: QWidget | None, title: str, folder: Path, filters: str, *, save: bool
) -> QFileDialog:
    dialog = QFileDialog(parent, title, str(folder), filters)
    dialog.setAcceptMode(
        QFileDialog.AcceptMode.AcceptSave if save else QFileDialog.AcceptMode.AcceptOpen
    )
    dialog.setFileMode(QFileDialog.FileMode.AnyFile if save else QFileDialog.FileMode.ExistingFile)
    dialog.setLabelText(QFileDialog.DialogLabel.LookIn, "場所:")
    dialog.setLabelText(QFileDialog.DialogLabel.FileName, "ファイル名:")
    dialog.setLabelText(QFileDialog.DialogLabel.FileType, "ファイルの種類:")
    dialog.setLabelText(QFileDialog.DialogLabel.Accept, "保存" if save else "開く")
    dialog.setLabelText(QFileDialog.DialogLabel.Reject, "キャンセル")
    dialog.setIconProvider(_JapaneseIcons())
    return dialog


def open_dialog(parent: QWidget | None, title: str, filters: str) -> tuple[QFileDialog, str]:
    """The open dialog, in the folder last used for this kind of file; the seam shows it."""
    kind = kind_of(filters)
    return make_dialog(parent, title, start_dir(kind), filters, save=False), kind


def suggested_path(suggested: str, kind: str) -> Path:
    """A bare suggested name goes into the kind's start folder; a full path is kept."""
    path = Path(suggested)
    return path if path.is_absolute() else start_dir(kind) / path


def save_dialog(
    parent: QWidget | None, title: str, suggested: str, filters: str
) -> tuple[QFileDialog, str]:
    """The save dialog, in the folder last used for this kind, the suggested name filled in."""
    kind = kind_of(filters)
    target = suggested_path(suggested, kind)
    dialog = make_dialog(parent, title, target.parent, filters, save=True)
    dialog.selectFile(target.name)
    if kind != "file":
        dialog.setDefaultSuffix(kind)
    return dialog, kind


def chosen(dialog: QFileDialog, kind: str) -> Path | None:
    """The file the clerk accepted (its folder remembered for the kind), or None."""
    files = dialog.selectedFiles()
    if not files:
        return None
    path = Path(files[0])
    remember(kind, path)
    return path
