"""Paper documents of the estimate campaign: 別紙3 per union and the campaign summary.

:class:`UnionReportPaper` prints one A4 page per union in the seed's 別紙3 wording
(aggregate figures only — it is given :class:`UnionReport` objects, which hold no name).
:class:`SummaryPaper` prints the campaign summary on A4 landscape: the totals and the
chart on the first page, then the per-union table (a ``TablePaper`` of the summary's
ReportTable, so it reads exactly like the screen and the Excel file).
The 別紙2 list and the closing list are plain ReportTables printed with ``TablePaper``.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPageSize, QPainter, QPen

from kyosai_desktop.render.estimate_chart import paint_chart
from kyosai_desktop.render.paper import PaperDocument, draw_text, text_em
from kyosai_desktop.render.paper_table import TablePaper
from kyosai_desktop.services.estimate_reports import REPORT_CAUTION, CampaignSummary, UnionReport
from kyosai_desktop.services.report_table import ReportTable

_CENTER = Qt.AlignmentFlag.AlignCenter
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_WRAP = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap


class UnionReportPaper(PaperDocument):
    """別紙3 (執行部見積り実施結果報告), one page per union."""

    page_size = QPageSize.PageSizeId.A4
    landscape = False
    margins_pt = (48.0, 40.0, 48.0, 40.0)

    def __init__(self, reports: list[UnionReport], *, title: str | None = None) -> None:
        if not reports:
            raise ValueError("出力する単組がありません。")
        self.reports = reports
        self.title = title or (
            f"{reports[0].union_name} {reports[0].heading.strip('<>')}"
            if len(reports) == 1
            else f"{reports[0].campaign} 見積り実施結果報告"
        )

    def page_count(self) -> int:
        return len(self.reports)

    def paint_page(self, painter: QPainter, index: int, rect: QRectF) -> None:
        rep = self.reports[index]
        w = rect.width()
        black = QColor("#000000")
        painter.setPen(black)
        draw_text(painter, QRectF(0, 0, w, 12), _LEFT, rep.campaign, 8)
        draw_text(painter, QRectF(0, 0, w, 12), _RIGHT, "<別紙3>", 8)
        y = 30.0
        draw_text(painter, QRectF(0, y, w, 22), _CENTER, rep.heading, 15, bold=True)
        y += 44
        draw_text(
            painter, QRectF(0, y, w, 34), _CENTER, "組合員全員の可処分所得の向上を！", 24, bold=True
        )
        y += 40
        draw_text(
            painter, QRectF(0, y, w, 24), _CENTER, "～ じちろうマイカー共済 ～", 16, bold=True
        )
        y += 46
        draw_text(painter, QRectF(0, y, w, 18), _CENTER, rep.lead, 12.5)
        y += 36
        box_h = 112.0
        for i, (label, note, figure) in enumerate(rep.items()):
            box = QRectF(10, y, w - 20, box_h)
            saving = i == 2
            painter.setPen(QPen(QColor("#C55A11" if saving else "#2E75B6"), 1.6 if saving else 1.0))
            painter.setBrush(QColor("#FFF2CC") if saving else QColor("#F3F8FD"))
            painter.drawRoundedRect(box, 8, 8)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(black)
            draw_text(
                painter,
                QRectF(box.x() + 16, box.y() + 12, box.width() - 32, 20),
                _LEFT,
                label,
                13.5,
                bold=True,
            )
            draw_text(
                painter,
                QRectF(box.x() + 30, box.y() + 36, box.width() - 60, 16),
                _LEFT,
                note,
                11 if saving else 9.5,
                bold=saving,
            )
            draw_text(
                painter,
                QRectF(box.x() + 16, box.y() + 52, box.width() - 40, 40),
                _RIGHT,
                figure,
                26,
                bold=True,
            )
            if saving:
                draw_text(
                    painter,
                    QRectF(box.x() + 16, box.y() + 90, box.width() - 40, 16),
                    _RIGHT,
                    rep.average_text,
                    12,
                    bold=True,
                )
            y += box_h + 16
        if rep.totals.rows_flagged:
            draw_text(
                painter,
                QRectF(10, y - 8, w - 20, 14),
                _LEFT,
                f"※掛金が未確定の {rep.totals.rows_flagged} 件は集計に含めていません。",
                9,
            )
        y += 18
        draw_text(painter, QRectF(0, y, w - 10, 24), _RIGHT, rep.union_name, 16, bold=True)
        y += 44
        caution = QRectF(10, y, w - 20, 58)
        painter.setPen(QPen(QColor("#7F7F7F"), 0.8))
        painter.drawRect(caution)
        painter.setPen(black)
        draw_text(
            painter,
            QRectF(caution.x() + 10, caution.y() + 8, 60, 14),
            _LEFT,
            "(注意)",
            10,
            bold=True,
        )
        draw_text(
            painter,
            QRectF(caution.x() + 10, caution.y() + 24, caution.width() - 20, 30),
            _WRAP,
            REPORT_CAUTION,
            10,
        )
        if len(self.reports) > 1:
            draw_text(
                painter,
                QRectF(0, rect.height() - 12, w, 12),
                _CENTER,
                f"{index + 1} / {len(self.reports)}",
                7.5,
            )


class SummaryPaper(PaperDocument):
    """The campaign summary: totals and chart, then the per-union table."""

    page_size = QPageSize.PageSizeId.A4
    landscape = True
    margins_pt = (24.0, 24.0, 24.0, 24.0)

    def __init__(
        self,
        summary: CampaignSummary,
        table: ReportTable | None = None,
        printed_on: date | None = None,
    ) -> None:
        self.summary = summary
        self.report = table or summary.table()
        self.title = self.report.title
        self.printed_on = printed_on or date.today()
        self.table_paper = TablePaper(
            self.report, paper="A4", landscape=True, printed_on=self.printed_on
        )
        self.table_paper.page_offset = 1  # the table's pages come after the cover page …

    def page_count(self) -> int:
        total = 1 + self.table_paper.page_count()
        self.table_paper.document_pages = total  # … and number themselves n / N of the whole
        return total

    def paint_page(self, painter: QPainter, index: int, rect: QRectF) -> None:
        if index > 0:
            self.table_paper.paint_page(painter, index - 1, self.table_paper.content_rect())
            return
        w = rect.width()
        camp = self.summary.campaign
        total = self.summary.total
        assert total is not None
        painter.setPen(QColor("#000000"))
        draw_text(painter, QRectF(0, 0, w, 22), _LEFT, f"{camp.name} 実施状況", 15, bold=True)
        d = self.printed_on
        draw_text(painter, QRectF(0, 0, w, 22), _RIGHT, f"出力日 {d.year}年{d.month}月{d.day}日", 8)
        draw_text(
            painter,
            QRectF(0, 24, w, 14),
            _LEFT,
            f"{camp.kind}　期間 {camp.period_text}　参加単組 {len(self.summary.rows)}",
            9.5,
        )
        c, t = total.counts, total.totals
        rate = "—" if total.conversion is None else f"{total.conversion}%"
        tiles = [
            ("依頼数", f"{c.requests:,}件"),
            ("見積作成", f"{c.estimated:,}件"),
            ("返却済", f"{c.returned:,}件"),
            ("成約", f"{c.contracts:,}件"),
            ("成約率", rate),
            ("節約総額 (円/年)", f"{t.saving_total:,}円"),
            ("1人あたり平均", "—" if t.saving_average is None else f"{t.saving_average:,}円"),
            ("横断旗", f"{total.flags:,}本"),
        ]
        tile_w = (w - 7 * 6) / 8
        y = 48.0
        for i, (label, value) in enumerate(tiles):
            r = QRectF(i * (tile_w + 6), y, tile_w, 50)
            painter.setPen(QPen(QColor("#2E75B6"), 0.8))
            painter.setBrush(QColor("#F3F8FD"))
            painter.drawRoundedRect(r, 4, 4)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(QColor("#000000"))
            draw_text(painter, QRectF(r.x(), r.y() + 5, r.width(), 14), _CENTER, label, 9)
            size = min(
                13.0, (r.width() - 8) / max(text_em(value, True), 1.0)
            )  # shrink long sums to fit
            draw_text(
                painter,
                QRectF(r.x() + 2, r.y() + 21, r.width() - 4, 24),
                _CENTER,
                value,
                size,
                bold=True,
            )
        chart = QRectF(0, y + 66, w, rect.height() - y - 66 - 58)
        paint_chart(painter, chart, self.summary, 9.0)
        notes_y = rect.height() - 52
        for note in self.report.notes:
            draw_text(painter, QRectF(0, notes_y, w, 12), _LEFT, note, 8)
            notes_y += 12.5
        draw_text(
            painter,
            QRectF(0, rect.height() - 12, w, 12),
            _CENTER,
            f"1 / {self.page_count()} ページ",
            7.5,
        )
