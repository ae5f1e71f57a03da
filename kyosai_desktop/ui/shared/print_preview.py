"""Print preview and PDF save for any PaperDocument (the Qt print / preview / PDF trio)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import QWidget

from kyosai_desktop.render.paper import PaperDocument, render_pdf, render_to_printer
from kyosai_desktop.services.files import OutputError
from kyosai_desktop.ui.shared import interaction


def preview(doc: PaperDocument, parent: QWidget | None = None) -> QPrintPreviewDialog:
    """Open a print-preview dialog for ``doc`` (returned so tests can inspect and close it)."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPageLayout(doc.layout())
    dialog = QPrintPreviewDialog(printer, parent)
    dialog.printer_ref = printer  # the dialog paints through it for as long as it lives
    dialog.setWindowTitle(f"印刷プレビュー — {doc.title}")
    dialog.paintRequested.connect(lambda p: render_to_printer(doc, p))
    dialog.resize(1000, 800)
    interaction.exec_dialog(dialog)
    return dialog


def print_document(doc: PaperDocument, parent: QWidget | None = None) -> bool:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPageLayout(doc.layout())
    dialog = QPrintDialog(printer, parent)
    if not interaction.exec_dialog(dialog):
        return False
    render_to_printer(doc, printer)
    return True


def save_output(
    parent: QWidget | None,
    title: str,
    suggested: str,
    file_filter: str,
    write: Callable[[Path], object],
    path: Path | None = None,
) -> Path | None:
    """Ask where to save (unless ``path`` is given), write, and tell the clerk how it went.

    The one save path of the pages' PDF and Excel buttons: a refused write (OutputError: a
    file held open by Excel, a read-only folder) is a message, never a half-written file.
    """
    path = path or interaction.save_file(parent, title, suggested, file_filter)
    if path is None:
        return None
    try:
        write(path)
    except OutputError as exc:
        interaction.critical(parent, title, str(exc))
        return None
    interaction.information(parent, title, f"{path} に保存しました。")
    return path


def save_pdf(doc: PaperDocument, parent: QWidget | None, suggested: str) -> None:
    save_output(parent, "PDF に保存", suggested, "PDF (*.pdf)", lambda path: render_pdf(doc, path))


def save_xlsx(
    parent: QWidget | None,
    suggested: str,
    write: Callable[[Path], object],
    path: Path | None = None,
) -> Path | None:
    return save_output(parent, "Excel に保存", suggested, "Excel (*.xlsx)", write, path)
