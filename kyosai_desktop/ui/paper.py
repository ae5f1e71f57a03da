"""Paper output: one painter-based document rendered to PDF, to a printer and to preview.

A :class:`PaperDocument` lays out pages in **points** (1/72 inch) on a given page size and
orientation; the same ``paint_page`` draws onto a QPdfWriter (72 dpi, so 1 unit = 1 pt)
or a QPrinter (scaled to its resolution).  The CLI renders PDFs through here too, on an
offscreen QGuiApplication, so screen, print and file output never diverge.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QMarginsF, QRectF, QSizeF
from PySide6.QtGui import QGuiApplication, QPageLayout, QPageSize, QPainter, QPdfWriter

from kyosai_desktop.services.files import atomic_path
from kyosai_desktop.ui.fonts import app_font_family

Progress = Callable[[int, int], bool]  # (done, total) -> keep going?


class Cancelled(Exception):
    """The clerk cancelled a long rendering; nothing was written."""


class PaperDocument:
    """Subclass: set ``page_size``/``landscape``/``margins_pt``, implement the two methods."""

    page_size = QPageSize.PageSizeId.A4
    landscape = False
    margins_pt = (28.0, 28.0, 28.0, 28.0)  # left, top, right, bottom
    title = "帳票"

    def layout(self) -> QPageLayout:
        orientation = QPageLayout.Orientation.Landscape if self.landscape else QPageLayout.Orientation.Portrait
        return QPageLayout(QPageSize(self.page_size), orientation, QMarginsF(*self.margins_pt),
                           QPageLayout.Unit.Point)

    def content_rect(self) -> QRectF:
        """The printable area in points, origin at the top-left margin corner."""
        rect = self.layout().paintRect(QPageLayout.Unit.Point)
        return QRectF(0, 0, rect.width(), rect.height())

    def page_count(self) -> int:
        raise NotImplementedError

    def paint_page(self, painter: QPainter, index: int, rect: QRectF) -> None:
        raise NotImplementedError


def ensure_gui_app() -> QGuiApplication:
    """A Qt application for rendering (offscreen when the CLI runs without a screen)."""
    app = QGuiApplication.instance()
    if app is None:
        if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY") and os.name != "nt":
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QGuiApplication([])
    app_font_family()
    return app  # type: ignore[return-value]


def _paint_all(doc: PaperDocument, device, scale: float, progress: Progress | None, new_page) -> None:
    painter = QPainter(device)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        total = doc.page_count()
        rect = doc.content_rect()
        for index in range(total):
            if index:
                new_page()
            painter.save()
            painter.scale(scale, scale)
            doc.paint_page(painter, index, rect)
            painter.restore()
            if progress is not None and not progress(index + 1, total):
                raise Cancelled()
    finally:
        painter.end()


def render_pdf(doc: PaperDocument, out: Path | str, progress: Progress | None = None) -> Path:
    """Write the document as a PDF (atomically); fonts are embedded as subsets."""
    ensure_gui_app()
    out = Path(out)
    with atomic_path(out) as tmp:
        writer = QPdfWriter(str(tmp))
        writer.setResolution(72)
        writer.setTitle(doc.title)
        writer.setCreator("kyosai-desktop")
        writer.setPageLayout(doc.layout())
        _paint_all(doc, writer, 1.0, progress, writer.newPage)
    return out


def render_to_printer(doc: PaperDocument, printer, progress: Progress | None = None) -> None:
    """Paint onto a QPrinter (real printer or the preview's) in the same point units as PDF.

    The printer is set to 72 dpi, so one device unit is one point and fonts sized in points
    come out the same size as in the PDF (scaling the painter instead would enlarge text a
    second time by the printer's dpi).  Text and lines stay vectors, printed sharp.
    """
    printer.setResolution(72)
    printer.setPageLayout(doc.layout())
    printer.setDocName(doc.title)
    _paint_all(doc, printer, 1.0, progress, printer.newPage)


def page_size_pt(doc: PaperDocument) -> QSizeF:
    return doc.layout().fullRectPoints().size()
