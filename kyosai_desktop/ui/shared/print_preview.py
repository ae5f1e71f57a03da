"""Print preview and PDF save for any PaperDocument (the Qt print / preview / PDF trio)."""

from __future__ import annotations

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


def save_pdf(doc: PaperDocument, parent: QWidget | None, suggested: str) -> None:
    path = interaction.save_file(parent, "PDF に保存", suggested, "PDF (*.pdf)")
    if path is None:
        return
    try:
        render_pdf(doc, path)
    except OutputError as exc:
        interaction.critical(parent, "PDF に保存", str(exc))
        return
    interaction.information(parent, "PDF に保存", f"{path} に保存しました。")
