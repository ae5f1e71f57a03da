"""The 県支部実績 chart: 到達率 per product as horizontal bars against the elapsed share of the year.

One bar per product with a target (products without one have no 到達率 and are named in a
note), coloured by the same tones as the table; a vertical line marks the share of the year
elapsed (9/12 = 75 %) and another 100 %.  Drawn with QPainter on the screen widget (pixels)
and on paper (points) alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen

from kyosai_desktop.domain import tones
from kyosai_desktop.render.paper import draw_text, text_em
from kyosai_desktop.services.report_table import ReportTable

BAR_COLOURS = {
    tones.ACHIEVED: QColor("#70AD47"),
    tones.ON_TRACK: QColor("#5B9BD5"),
    tones.BEHIND: QColor("#FFC000"),
    tones.FAR_BEHIND: QColor("#ED7D31"),
}
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_CENTER = Qt.AlignmentFlag.AlignCenter


@dataclass(frozen=True)
class ReachBar:
    label: str
    reach: Decimal
    tone: str | None


def reach_bars(table: ReportTable) -> tuple[list[ReachBar], list[str]]:
    """The bars (products with a 到達率) and the names of the products without one."""
    name, reach = table.index("product"), table.index("reach")
    bars, without = [], []
    for row in table.rows:
        value = row[reach].value
        if isinstance(value, Decimal):
            bars.append(ReachBar(str(row[name].value), value, row[reach].tone))
        else:
            without.append(str(row[name].value))
    return bars, without


def paint_reach_chart(
    painter: QPainter,
    rect: QRectF,
    table: ReportTable,
    elapsed: Fraction,
    font_pt: float = 8.5,
    px_per_pt: float = 1.0,
) -> None:
    """Draw in ``rect`` (device units); ``px_per_pt`` converts the text sizes (points) to them."""
    bars, without = reach_bars(table)
    u = px_per_pt  # device units per point, for the geometry that follows the text
    painter.save()
    painter.setPen(QColor("#000000"))
    title_h = font_pt * 2.2 * u
    draw_text(
        painter,
        QRectF(rect.x(), rect.y(), rect.width(), title_h),
        _LEFT,
        f"到達率 (赤線 = 年度の経過 {float(elapsed) * 100:.1f}%)",
        font_pt + 1,
        bold=True,
    )
    note_h = font_pt * 2.0 * u if without else 0.0
    axis_h = font_pt * 1.8 * u
    top = rect.y() + title_h
    bottom = rect.bottom() - note_h - axis_h
    widest = max((text_em(b.label) for b in bars), default=4.0)
    label_w = min(rect.width() * 0.42, (widest * font_pt + 4) * u)
    value_w = font_pt * 4.5 * u
    x0 = rect.x() + label_w + 4
    plot_w = max(10.0, rect.right() - value_w - x0)
    top_value = max([Decimal(100), *(b.reach for b in bars)])
    scale = max(Decimal(100), (top_value / 50).to_integral_value(rounding="ROUND_CEILING") * 50)

    def x_of(percent: float) -> float:
        return x0 + plot_w * percent / float(scale)

    n = max(1, len(bars))
    slot = (bottom - top) / n
    bar_h = max(2.0, min(slot * 0.7, font_pt * 1.6 * u))
    for i, bar in enumerate(bars):
        y = top + i * slot
        size = min(
            font_pt, (label_w / u - 2) / max(text_em(bar.label), 1.0)
        )  # a long name shrinks, never cut
        draw_text(painter, QRectF(rect.x(), y, label_w, slot), _RIGHT, bar.label, size)
        width = x_of(float(bar.reach)) - x0
        painter.fillRect(
            QRectF(x0, y + (slot - bar_h) / 2, width, bar_h),
            BAR_COLOURS.get(bar.tone or "", QColor("#A6A6A6")),
        )
        painter.setPen(QColor("#000000"))
        draw_text(
            painter,
            QRectF(x0 + width + 3 * u, y, value_w + plot_w - width, slot),
            _LEFT,
            f"{bar.reach}%",
            font_pt,
        )
    # axis, 100 % and the elapsed share
    painter.setPen(QPen(QColor("#404040"), 0.8))
    painter.drawLine(QPointF(x0, top), QPointF(x0, bottom))
    painter.drawLine(QPointF(x0, bottom), QPointF(x0 + plot_w, bottom))
    for percent in range(0, int(scale) + 1, 50):
        x = x_of(percent)
        draw_text(
            painter,
            QRectF(x - 20 * u, bottom + 1, 40 * u, axis_h),
            _CENTER,
            f"{percent}%",
            font_pt * 0.9,
        )
    painter.setPen(QPen(QColor("#7F7F7F"), 0.8, Qt.PenStyle.DashLine))
    painter.drawLine(QPointF(x_of(100), top), QPointF(x_of(100), bottom))
    painter.setPen(QPen(QColor("#C00000"), 1.4))
    share = float(elapsed) * 100
    painter.drawLine(QPointF(x_of(share), top - 2), QPointF(x_of(share), bottom))
    if without:
        painter.setPen(QColor("#404040"))
        note = "目標なし (到達率なし): " + "・".join(without)
        size = min(font_pt * 0.9, rect.width() / u / max(text_em(note), 1.0))
        draw_text(
            painter,
            QRectF(rect.x(), rect.bottom() - note_h, rect.width(), note_h),
            _LEFT,
            note,
            size,
        )
    painter.restore()
