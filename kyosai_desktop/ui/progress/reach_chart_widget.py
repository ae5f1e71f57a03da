"""The 県支部実績 bar chart on screen: render/reach_chart painted on a widget."""

from __future__ import annotations

from fractions import Fraction

from PySide6.QtCore import QRectF
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QWidget

from kyosai_desktop.render.reach_chart import paint_reach_chart
from kyosai_desktop.services.report_table import ReportTable


class ReachChart(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reachChart")
        self.table: ReportTable | None = None
        self.elapsed = Fraction(0)
        self.setMinimumWidth(240)

    def set_data(self, table: ReportTable | None, elapsed: Fraction) -> None:
        self.table, self.elapsed = table, elapsed
        self.update()

    def paintEvent(self, _event) -> None:  # noqa: N802 - Qt API
        if self.table is None:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), self.palette().base())
        area = QRectF(self.rect()).adjusted(6, 6, -6, -6)
        paint_reach_chart(painter, area, self.table, self.elapsed, 8.0, self.logicalDpiY() / 72.0)
        painter.end()
