"""Paper output: one painter-based document rendered to PDF, to a printer and to preview.

A :class:`PaperDocument` lays out pages in **points** (1/72 inch) on a given page size and
orientation; the same ``paint_page`` draws onto a QPdfWriter or a QPrinter, both set to
72 dpi so 1 unit = 1 pt.

Qt rounds a font to a whole number of units, i.e. whole points here (8.64 pt prints as
9 pt).  Whole-point sizes are safe; for fractional sizes (tables shrunk to fit the page
width) draw through :func:`draw_text` / :func:`fine_text`, which work in tenths of a point.  The CLI renders PDFs through here too, on an
offscreen QGuiApplication, so screen, print and file output never diverge.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from PySide6.QtCore import QMarginsF, QPointF, QRectF, QSizeF, Qt
from PySide6.QtGui import (
    QFont,
    QFontMetricsF,
    QGuiApplication,
    QPageLayout,
    QPageSize,
    QPaintDevice,
    QPainter,
    QPdfWriter,
    QTransform,
)

from kyosai_desktop.render.fonts import app_font_family, japanese_font
from kyosai_desktop.services.files import atomic_path

Progress = Callable[[int, int], bool]  # (done, total) -> keep going?


FINE = 10.0  # fine units per point


@lru_cache(maxsize=256)
def fine_font(pt: float, bold: bool = False) -> QFont:
    """The body font at ``pt`` points, for use inside :func:`fine_text` (tenth-point units)."""
    return japanese_font(round(pt * FINE, 1), bold=bold)


@contextmanager
def fine_text(painter: QPainter) -> Iterator[None]:
    """Within this block coordinates are tenths of a point: multiply rects by ``FINE``."""
    painter.save()
    painter.scale(1 / FINE, 1 / FINE)
    try:
        yield
    finally:
        painter.restore()


_FINE_SCALE = QTransform.fromScale(1 / FINE, 1 / FINE)


def fine_rect(rect: QRectF) -> QRectF:
    return QRectF(rect.x() * FINE, rect.y() * FINE, rect.width() * FINE, rect.height() * FINE)


_H_ALIGN = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignHCenter
_V_ALIGN = Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignBottom | Qt.AlignmentFlag.AlignVCenter
_AT_A_POINT = int(_H_ALIGN | _V_ALIGN)  # flags draw_text can place itself (no wrapping, no elision)
_RIGHT, _HCENTER = int(Qt.AlignmentFlag.AlignRight), int(Qt.AlignmentFlag.AlignHCenter)
_BOTTOM, _VCENTER = int(Qt.AlignmentFlag.AlignBottom), int(Qt.AlignmentFlag.AlignVCenter)


_LineMetrics = tuple[QFont, QFontMetricsF, float, float]
_line_metrics: dict[tuple[float, bool, int], _LineMetrics] = {}


def _fine_metrics(pt: float, bold: bool, device: QPaintDevice) -> _LineMetrics:
    """The fine font at ``pt`` on ``device``'s resolution: font, metrics, line height (leading
    + ascent + descent, as Qt lays out one line) and the baseline below the line's top."""
    key = (pt, bold, device.logicalDpiY())
    found = _line_metrics.get(key)
    if found is None:
        font = fine_font(pt, bold)
        metrics = QFontMetricsF(font, device)
        leading = max(0.0, metrics.leading())
        found = _line_metrics[key] = (
            font,
            metrics,
            leading + metrics.ascent() + metrics.descent(),
            leading + metrics.ascent(),
        )
    return found


@lru_cache(maxsize=200_000)
def _fine_advance(text: str, pt: float, bold: bool, dpi: int) -> float:
    return _line_metrics[(pt, bold, dpi)][1].horizontalAdvance(text)


def _origin(
    f: int, x: float, y: float, w: float, h: float, width: float, line_h: float
) -> tuple[float, float]:
    """Top-left of one line of ``width`` × ``line_h`` aligned by flags ``f`` in (x, y, w, h)."""
    if f & _RIGHT:
        x += w - width
    elif f & _HCENTER:
        x += (w - width) / 2
    if f & _BOTTOM:
        y += h - line_h
    elif f & _VCENTER:
        y += (h - line_h) / 2
    return x, y


def draw_text(
    painter: QPainter, rect: QRectF, flags, text: str, pt: float, *, bold: bool = False
) -> None:
    """Draw ``text`` in ``rect`` (points) at an exact, possibly fractional, point size.

    One line that fits its rectangle is placed at its baseline from cached metrics and drawn
    at a point (Qt would lay it out through a QTextLayout for every string, the bulk of the
    time of a many-page report); the position is the one Qt's own rectangle layout gives.
    Wrapping, several lines and text that overflows (which Qt clips) take Qt's path.
    Many strings in a row: :class:`TextRun` sets the transform once for all of them.
    """
    if not text:
        return
    f = int(flags)
    device = painter.device()
    font, _metrics, line_h, ascent = _fine_metrics(pt, bold, device)
    x, y, w, h = rect.x() * FINE, rect.y() * FINE, rect.width() * FINE, rect.height() * FINE
    width = (
        _fine_advance(text, pt, bold, device.logicalDpiY())
        if not f & ~_AT_A_POINT and "\n" not in text
        else None
    )
    if width is None or width > w or line_h > h:
        with fine_text(painter):
            painter.setFont(font)
            painter.drawText(QRectF(x, y, w, h), flags, text)
        return
    x, y = _origin(f, x, y, w, h, width, line_h)
    transform, previous = painter.worldTransform(), painter.font()
    painter.setWorldTransform(_FINE_SCALE * transform)
    painter.setFont(font)
    painter.drawText(QPointF(x, y + ascent), text)
    painter.setWorldTransform(transform)
    painter.setFont(previous)


class TextRun:
    """Many strings drawn like :func:`draw_text`, with the fine transform set once for all
    and the font set only when it changes (a table of a few hundred cells per page).

        with TextRun(painter) as run:
            run.text(rect, flags, "1,234", 8)

    Inside the block the painter works in tenths of a point: draw only text through ``run``
    (fills and lines before or after it).  Pen colour changes are fine.
    """

    def __init__(self, painter: QPainter) -> None:
        self.painter = painter
        self.device = painter.device()
        self.dpi = self.device.logicalDpiY()
        self._font: QFont | None = None
        self._lines: dict[tuple[float, bool], _LineMetrics] = {}

    def __enter__(self) -> TextRun:
        self._transform, self._previous = self.painter.worldTransform(), self.painter.font()
        self.painter.setWorldTransform(_FINE_SCALE * self._transform)
        return self

    def __exit__(self, *_exc) -> None:
        self.painter.setWorldTransform(self._transform)
        self.painter.setFont(self._previous)

    def text(self, rect: QRectF, flags, text: str, pt: float, *, bold: bool = False) -> None:
        self.at(rect.x(), rect.y(), rect.width(), rect.height(), flags, text, pt, bold)

    def at(
        self,
        x: float,
        y: float,
        w: float,
        h: float,
        flags,
        text: str,
        pt: float,
        bold: bool = False,
    ) -> None:
        """:meth:`text` for the rectangle (x, y, w, h) in points (no QRectF to make per cell)."""
        if not text:
            return
        line = self._lines.get((pt, bold))
        if line is None:
            line = self._lines[(pt, bold)] = _fine_metrics(pt, bold, self.device)
        font, _metrics, line_h, ascent = line
        if font is not self._font:
            self.painter.setFont(font)
            self._font = font
        f = int(flags)
        x, y, w, h = x * FINE, y * FINE, w * FINE, h * FINE
        width = (
            _fine_advance(text, pt, bold, self.dpi)
            if not f & ~_AT_A_POINT and "\n" not in text
            else None
        )
        if width is None or width > w or line_h > h:
            self.painter.drawText(QRectF(x, y, w, h), flags, text)  # Qt's path, as draw_text
            return
        if f & _RIGHT:
            x += w - width
        elif f & _HCENTER:
            x += (w - width) / 2
        if f & _BOTTOM:
            y += h - line_h
        elif f & _VCENTER:
            y += (h - line_h) / 2
        self.painter.drawText(QPointF(x, y + ascent), text)


@lru_cache(maxsize=2)
def _em_metrics(bold: bool) -> QFontMetricsF:
    font = QFont(app_font_family())
    font.setPixelSize(100)
    font.setBold(bold)
    return QFontMetricsF(font)


@lru_cache(maxsize=100_000)
def text_em(text: str, bold: bool = False) -> float:
    """Width of ``text`` in em of the body font (device independent)."""
    return _em_metrics(bold).horizontalAdvance(text) / 100.0


def text_width_pt(text: str, pt: float, *, bold: bool = False) -> float:
    """Printed width of ``text`` in points at ``pt``."""
    return text_em(text, bold) * pt


class Cancelled(Exception):
    """The clerk cancelled a long rendering; nothing was written."""


class PaperDocument:
    """Subclass: set ``page_size``/``landscape``/``margins_pt``, implement the two methods."""

    page_size = QPageSize.PageSizeId.A4
    landscape = False
    margins_pt = (28.0, 28.0, 28.0, 28.0)  # left, top, right, bottom
    title = "帳票"

    def layout(self) -> QPageLayout:
        orientation = (
            QPageLayout.Orientation.Landscape
            if self.landscape
            else QPageLayout.Orientation.Portrait
        )
        return QPageLayout(
            QPageSize(self.page_size),
            orientation,
            QMarginsF(*self.margins_pt),
            QPageLayout.Unit.Point,
        )

    def content_rect(self) -> QRectF:
        """The printable area in points, origin at the top-left margin corner."""
        rect = self.layout().paintRect(QPageLayout.Unit.Point)
        return QRectF(0, 0, rect.width(), rect.height())

    def page_count(self) -> int:
        raise NotImplementedError

    def paint_page(self, painter: QPainter, index: int, rect: QRectF) -> None:
        raise NotImplementedError


def ensure_gui_app() -> QGuiApplication:
    """A Qt application for rendering (offscreen when the CLI runs without a screen).

    Rendering needs only a QGuiApplication; the GUI (and the test suite) create their
    QApplication before anything is rendered, and that one is reused here.
    """
    app = QGuiApplication.instance()
    if app is None:
        if (
            not os.environ.get("DISPLAY")
            and not os.environ.get("WAYLAND_DISPLAY")
            and os.name != "nt"
        ):
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QGuiApplication([])
    app_font_family()
    return app  # type: ignore[return-value]


def _paint_all(
    doc: PaperDocument, device, scale: float, progress: Progress | None, new_page
) -> None:
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
        del writer  # the file is complete once the painter has ended
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
