"""The campaign chart on screen; the drawing itself is :func:`kyosai_desktop.render.estimate_chart.paint_chart`."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QSizePolicy, QWidget

from kyosai_desktop.render.estimate_chart import paint_chart
from kyosai_desktop.services.estimate_reports import CampaignSummary


class EstimateChart(QWidget):
    """The chart on screen; ``set_summary`` repaints it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary: CampaignSummary | None = None
        self.setMinimumHeight(240)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(800, 260)

    def set_summary(self, summary: CampaignSummary | None) -> None:
        self.summary = summary
        self.update()

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt API
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#FFFFFF"))
        if self.summary is not None:
            area = QRectF(self.rect()).adjusted(10, 8, -10, -6)
            paint_chart(painter, area, self.summary, 7.5, self.logicalDpiY() / 72.0)
        painter.end()
