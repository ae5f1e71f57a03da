"""The campaign chart, drawn with QPainter (no chart library) for the screen widget and paper.

Left: the campaign's funnel in total (依頼 → 見積作成 → 返却済 → 成約) as horizontal bars.
Right: per union, grouped bars of 依頼数 / 返却済 / 成約 for the unions with the most
requests (at most :data:`MAX_UNIONS`; the rest are named in a note).  The same
:func:`paint_chart` draws on a widget (pixels) and on a PaperDocument (points).
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen

from kyosai_desktop.render.paper import draw_text, text_em
from kyosai_desktop.services.estimate_reports import CampaignSummary, SummaryRow

MAX_UNIONS = 15
COLOURS = {
    "requests": QColor("#9DC3E6"),
    "estimated": QColor("#5B9BD5"),
    "returned": QColor("#2E75B6"),
    "contracts": QColor("#70AD47"),
}
LABELS = {"requests": "依頼数", "estimated": "見積作成", "returned": "返却済", "contracts": "成約"}
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_CENTER = Qt.AlignmentFlag.AlignCenter


def nice_step(maximum: int, ticks: int = 5) -> int:
    """A round axis step (1, 2, 5 × 10^n) giving about ``ticks`` gridlines up to ``maximum``."""
    if maximum <= 0:
        return 1
    raw = maximum / ticks
    power = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    for m in (1, 2, 5, 10):
        if m * power >= raw:
            return int(m * power)
    return int(10 * power)


def top_unions(rows: list[SummaryRow], limit: int = MAX_UNIONS) -> list[SummaryRow]:
    ranked = sorted(rows, key=lambda r: (-r.counts.requests, r.union_key))
    return [r for r in ranked[:limit] if r.counts.requests > 0]


def paint_chart(
    painter: QPainter, rect: QRectF, summary: CampaignSummary, pt: float = 8.0, unit: float = 1.0
) -> None:
    """Draw the funnel and the per-union bars inside ``rect``.

    Text is ``pt`` points; ``unit`` is the size of a point in the painter's coordinates
    (1 on paper at 72 dpi, logicalDpi/72 on a screen), so the layout follows the text.
    """
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    u = pt * unit
    funnel_w = min(rect.width() * 0.32, 30 * u)
    _paint_funnel(painter, QRectF(rect.x(), rect.y(), funnel_w, rect.height()), summary, pt, u)
    _paint_bars(
        painter,
        QRectF(
            rect.x() + funnel_w + u * 2, rect.y(), rect.width() - funnel_w - u * 2, rect.height()
        ),
        summary,
        pt,
        u,
    )
    painter.restore()


def _paint_funnel(
    painter: QPainter, rect: QRectF, summary: CampaignSummary, pt: float, u: float
) -> None:
    total = summary.total
    if total is None:
        return
    draw_text(
        painter,
        QRectF(rect.x(), rect.y(), rect.width(), u * 1.8),
        _LEFT,
        "キャンペーン全体",
        pt * 1.1,
        bold=True,
    )
    c = total.counts
    values = [
        ("requests", c.requests),
        ("estimated", c.estimated),
        ("returned", c.returned),
        ("contracts", c.contracts),
    ]
    top = rect.y() + u * 2.4
    label_w = u * 5.0
    value_w = u * 5.5
    bar_h = max(u * 1.2, min(u * 2.6, (rect.height() - u * 10.5) / 5.0))
    peak = max(c.requests, 1)
    for i, (key, value) in enumerate(values):
        y = top + i * bar_h * 1.25
        draw_text(painter, QRectF(rect.x(), y, label_w, bar_h), _LEFT, LABELS[key], pt)
        width = (rect.width() - label_w - value_w) * value / peak
        painter.fillRect(
            QRectF(rect.x() + label_w, y + bar_h * 0.1, width, bar_h * 0.8), COLOURS[key]
        )
        draw_text(
            painter,
            QRectF(rect.x() + label_w + width + u * 0.4, y, value_w, bar_h),
            _LEFT,
            f"{value:,}",
            pt,
        )
    y = top + 4 * bar_h * 1.25 + u * 0.6
    rate = total.conversion
    lines = [
        f"成約率 {'—' if rate is None else f'{rate}%'}",
        f"節約総額 {total.totals.saving_total:,}円/年",
        f"1人あたり平均 {_yen(total.totals.saving_average)}",
        f"横断旗 {total.flags:,}本",
    ]
    for line in lines:
        draw_text(painter, QRectF(rect.x(), y, rect.width(), u * 1.6), _LEFT, line, pt, bold=True)
        y += u * 1.7


def _yen(value: int | None) -> str:
    return "—" if value is None else f"{value:,}円"


def _paint_bars(
    painter: QPainter, rect: QRectF, summary: CampaignSummary, pt: float, u: float
) -> None:
    rows = top_unions(summary.rows)
    n_all = sum(1 for r in summary.rows if r.counts.requests > 0)
    title = (
        "単組別 (依頼数の多い順)"
        if n_all <= len(rows)
        else f"単組別 (依頼数の多い {len(rows)} 単組 / {n_all} 単組中)"
    )
    draw_text(
        painter,
        QRectF(rect.x(), rect.y(), rect.width(), u * 1.8),
        _LEFT,
        title,
        pt * 1.1,
        bold=True,
    )
    keys = ("requests", "returned", "contracts")
    x = rect.right()
    for key in reversed(keys):  # legend, right-aligned on the title line
        w = text_em(LABELS[key]) * u * 0.9 + u * 1.6
        x -= w + u
        painter.fillRect(QRectF(x, rect.y() + u * 0.45, u * 0.9, u * 0.9), COLOURS[key])
        draw_text(painter, QRectF(x + u * 1.2, rect.y(), w, u * 1.8), _LEFT, LABELS[key], pt * 0.9)
    if not rows:
        draw_text(painter, rect, _CENTER, "まだ見積りがありません", pt * 1.2)
        return
    label_h = u * 4.2
    axis_w = u * 3.2
    plot = QRectF(
        rect.x() + axis_w,
        rect.y() + u * 2.6,
        rect.width() - axis_w,
        rect.height() - u * 2.6 - label_h,
    )
    peak = max(r.counts.requests for r in rows)
    step = nice_step(peak)
    top_value = max(step, math.ceil(peak / step) * step)
    grid = QPen(QColor("#D9D9D9"), 0.5)
    axis = QPen(QColor("#595959"), 0.8)
    value = 0
    while value <= top_value:
        y = plot.bottom() - plot.height() * value / top_value
        painter.setPen(grid if value else axis)
        painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
        painter.setPen(QColor("#000000"))
        draw_text(
            painter,
            QRectF(rect.x(), y - u, axis_w - u * 0.4, u * 2),
            _RIGHT,
            f"{value:,}",
            pt * 0.85,
        )
        value += step
    slot = plot.width() / len(rows)
    bar_w = min(slot * 0.8 / len(keys), u * 3)
    for i, r in enumerate(rows):
        cx = plot.left() + slot * (i + 0.5)
        x0 = cx - bar_w * len(keys) / 2
        for j, key in enumerate(keys):
            v = getattr(r.counts, key)
            h = plot.height() * v / top_value
            painter.fillRect(
                QRectF(x0 + j * bar_w, plot.bottom() - h, bar_w * 0.92, h), COLOURS[key]
            )
        painter.setPen(QColor("#000000"))
        name = r.union_name
        per_line = max(1, int(slot / (u * 0.85)))
        if len(name) > per_line * 3:
            name = name[: per_line * 3 - 1] + "…"
        draw_text(
            painter,
            QRectF(cx - slot / 2, plot.bottom() + u * 0.3, slot, label_h - u * 0.3),
            Qt.AlignmentFlag.AlignHCenter
            | Qt.AlignmentFlag.AlignTop
            | Qt.TextFlag.TextWrapAnywhere,
            name,
            pt * 0.85,
        )
