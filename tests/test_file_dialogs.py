"""Open / save dialogs start in the folder last used for the kind of file, else Documents."""

from __future__ import annotations

from pathlib import Path

from foundation_fixtures import isolated_settings  # noqa: F401 - fixture
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QLineEdit

from kyosai_desktop.ui.shared import file_dialogs
from kyosai_desktop.ui.shared.interaction import Interaction


def _answer_with(path: Path, seen: dict) -> None:
    """Wait for the modal file dialog, note where it opened, type the name and accept it."""

    def step() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QFileDialog):
            QTimer.singleShot(20, step)
            return
        seen.setdefault("folder", Path(dialog.directory().absolutePath()))
        seen["labels"] = [
            dialog.labelText(k)
            for k in (
                QFileDialog.DialogLabel.LookIn,
                QFileDialog.DialogLabel.FileType,
                QFileDialog.DialogLabel.FileName,
            )
        ]
        dialog.setDirectory(str(path.parent))  # as the clerk browses to the folder …
        dialog.findChild(QLineEdit, "fileNameEdit").setText(path.name)  # … and types the name
        dialog.accept()
        if dialog.isVisible():  # the folder's listing is read in the background
            QTimer.singleShot(50, step)

    QTimer.singleShot(20, step)


def test_kind_and_start_folder(tmp_path, isolated_settings, monkeypatch):  # noqa: F811
    assert file_dialogs.kind_of("PDF (*.pdf)") == "pdf"
    assert file_dialogs.kind_of("Excel / CSV (*.xlsx *.csv)") == "xlsx"
    docs = tmp_path / "Documents"
    docs.mkdir()
    monkeypatch.setattr(file_dialogs, "documents_dir", lambda: docs)
    assert file_dialogs.start_dir("pdf") == docs  # first time: Documents
    assert file_dialogs.suggested_path("県支部実績.pdf", "pdf") == docs / "県支部実績.pdf"
    usb = tmp_path / "usb"
    usb.mkdir()
    file_dialogs.remember("pdf", usb / "a.pdf")
    assert file_dialogs.start_dir("pdf") == usb and file_dialogs.start_dir("xlsx") == docs
    usb.rmdir()  # the stick was pulled out
    assert file_dialogs.start_dir("pdf") == docs
    assert file_dialogs.suggested_path(str(tmp_path / "x.pdf"), "pdf") == tmp_path / "x.pdf"


def test_the_real_save_dialog_remembers_the_folder_per_kind(
    qtbot, tmp_path, isolated_settings, monkeypatch
):  # noqa: F811
    docs = tmp_path / "Documents"
    docs.mkdir()
    monkeypatch.setattr(file_dialogs, "documents_dir", lambda: docs)
    reports = tmp_path / "reports"
    reports.mkdir()
    seen: dict = {}
    _answer_with(reports / "実績.pdf", seen)
    chosen = Interaction().save_file(None, "PDF に保存", "実績.pdf", "PDF (*.pdf)")
    assert chosen == reports / "実績.pdf" and seen["folder"] == docs
    assert seen["labels"] == ["場所:", "ファイルの種類:", "ファイル名:"]
    seen.clear()
    _answer_with(reports / "次.pdf", seen)
    Interaction().save_file(None, "PDF に保存", "次.pdf", "PDF (*.pdf)")
    assert seen["folder"] == reports  # the folder last used for PDFs
    existing = reports / "in.xlsx"
    existing.write_bytes(b"x")
    seen.clear()
    _answer_with(existing, seen)
    assert Interaction().open_file(None, "開く", "Excel (*.xlsx)") == existing
    assert seen["folder"] == docs  # xlsx had no folder yet


def test_qts_print_dialog_has_no_english_left(qapp):
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter
    from PySide6.QtWidgets import QAbstractButton, QGroupBox, QLabel, QWidget

    from kyosai_desktop.ui.app import install_translations

    translators = install_translations(qapp)
    try:
        printer = QPrinter()
        dialog = QPrintDialog(printer)
        dialog.show()
        texts = (
            [w.text() for w in dialog.findChildren(QLabel)]
            + [w.text() for w in dialog.findChildren(QAbstractButton)]
            + [w.title() for w in dialog.findChildren(QGroupBox)]
            + [w.toolTip() for w in dialog.findChildren(QWidget)]
        )
        english = [
            t for t in texts if t and t.isascii() and any(c.isalpha() for c in t.replace("&", ""))
        ]
        assert english == [], english
        dialog.close()
    finally:
        for t in translators:
            qapp.removeTranslator(t)
