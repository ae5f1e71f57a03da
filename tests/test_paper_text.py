"""draw_text places a line exactly where Qt's rectangle layout puts it, without the layout.

Every report draws its strings through ``render.paper.draw_text``; it draws one line at its
baseline from cached metrics.  These tests paint the same strings both ways — draw_text and
Qt's ``drawText(rect, flags)`` in tenths of a point, the way every string was drawn before —
and compare the pixels and the PDF text.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter

from kyosai_desktop.render.paper import (
    PaperDocument,
    TextRun,
    draw_text,
    fine_font,
    fine_rect,
    fine_text,
    render_pdf,
)

A = Qt.AlignmentFlag
ALIGNS = [
    A.AlignLeft | A.AlignVCenter,
    A.AlignRight | A.AlignVCenter,
    A.AlignCenter,
    A.AlignHCenter | A.AlignTop,
    A.AlignRight | A.AlignBottom,
    A.AlignLeft | A.AlignTop,
]
CASES = [  # (rect, text, pt, bold): fitting lines, a line that overflows (Qt clips), wrapping
    (QRectF(10, 10, 200, 16), "団体生命共済 到達率 56.4%", 10, False),
    (QRectF(10, 30, 120, 24), "1,234,567", 16, True),
    (QRectF(10, 60, 300, 12), "長野 長崎 青森 黒部 − — △ ○", 8.5, False),
    (QRectF(10, 80, 60, 14), "とても長い単組の名前が枠からはみ出す", 9, False),
    (QRectF(10, 100, 90, 40), "折り返す文章は Qt に任せる。折り返す文章。", 9, False),
    (QRectF(10, 150, 200, 11), "出力日 2025年2月28日", 7.5, True),
]


def _old_way(painter: QPainter, rect: QRectF, flags, text: str, pt: float, bold: bool) -> None:
    with fine_text(painter):
        painter.setFont(fine_font(pt, bold))
        painter.drawText(fine_rect(rect), flags, text)


def _paint(draw, flags_of) -> QImage:
    # A 72-dpi device (1 unit = 1 pt, as the PDF writer and the printer are set), magnified
    # to 300 dpi by the painter so that sub-point offsets show.
    image = QImage(1700, 850, QImage.Format.Format_ARGB32)
    image.setDotsPerMeterX(round(72 / 0.0254))
    image.setDotsPerMeterY(round(72 / 0.0254))
    image.fill(QColor("white"))
    painter = QPainter(image)
    assert image.logicalDpiY() == 72
    painter.scale(300 / 72, 300 / 72)
    for i, (rect, text, pt, bold) in enumerate(CASES):
        draw(painter, rect, flags_of(i), text, pt, bold)
    painter.end()
    return image


@pytest.mark.parametrize("align", range(len(ALIGNS)))
def test_draw_text_matches_qt_rect_layout(qapp, align):
    def flags_of(i: int):
        return ALIGNS[(i + align) % len(ALIGNS)] | (Qt.TextFlag.TextWordWrap if i == 4 else 0)

    ours = _paint(lambda p, r, f, t, pt, b: draw_text(p, r, f, t, pt, bold=b), flags_of)
    theirs = _paint(_old_way, flags_of)
    assert ours == theirs


def _paint_run(flags_of) -> QImage:
    """The same cases through one TextRun (the painter stays in tenths of a point)."""

    def draw_all(painter, *_):
        with TextRun(painter) as run:
            for i, (rect, text, pt, bold) in enumerate(CASES):
                run.text(rect, flags_of(i), text, pt, bold=bold)

    calls = iter([True])

    def once(painter, rect, flags, text, pt, bold):
        if next(calls, False):
            draw_all(painter)

    return _paint(once, flags_of)


@pytest.mark.parametrize("align", range(len(ALIGNS)))
def test_text_run_matches_qt_rect_layout(qapp, align):
    def flags_of(i: int):
        return ALIGNS[(i + align) % len(ALIGNS)] | (Qt.TextFlag.TextWordWrap if i == 4 else 0)

    assert _paint_run(flags_of) == _paint(_old_way, flags_of)


def test_draw_text_leaves_the_painter_as_it_was(qapp):
    image = QImage(100, 100, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    painter.translate(5, 7)
    font, transform = painter.font(), painter.worldTransform()
    draw_text(painter, QRectF(0, 0, 90, 20), A.AlignLeft | A.AlignVCenter, "目標", 9.5, bold=True)
    draw_text(painter, QRectF(0, 0, 10, 20), A.AlignLeft | A.AlignVCenter, "はみ出す文字列", 9.5)
    assert painter.font() == font and painter.worldTransform() == transform
    with TextRun(painter) as run:
        run.text(QRectF(0, 0, 90, 20), A.AlignLeft | A.AlignVCenter, "目標", 9.5, bold=True)
    assert painter.font() == font and painter.worldTransform() == transform
    painter.end()


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_pdf_text_is_what_draw_text_drew(qapp, tmp_path):
    class Doc(PaperDocument):
        def page_count(self) -> int:
            return 1

        def paint_page(self, painter, index, rect) -> None:
            for i, (r, text, pt, bold) in enumerate(CASES[:4]):
                draw_text(painter, r.translated(0, i * 30), ALIGNS[i], text, pt, bold=bold)

    pdf = render_pdf(Doc(), tmp_path / "t.pdf")
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    compact = "".join(out.split())
    for _r, text, _pt, _b in CASES[:3]:
        assert "".join(text.split()) in compact
    assert "単組の名前が枠から" in compact  # overflowing: Qt's own path, clipped to its rectangle
