"""A ReportTable on paper: the page layout shared by every printed table.

``TablePaper`` lays a report out in points on A4 or A3 (landscape by default): the title,
subtitle, summary and colour legend on the first page, a short running title on the
others, the band header (年度) and column header repeated on every page, columns fitted to
the page width (the font shrinks to fit, never the figures), tone fills, the totals rows at
the end (then any rows the totals leave out, under their ※ line: 社保労連), the notes under the table, and 「n / N ページ」 with the print date in the footer.
Widths are measured from the actual texts, so nothing is clipped.
"""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPageSize, QPainter, QPen

from kyosai_desktop.render.paper import (
    PaperDocument,
    draw_text,
    fine_font,
    fine_rect,
    fine_text,
    text_em,
)
from kyosai_desktop.services.report_table import (
    HEADER_FILL,
    NUMERIC_KINDS,
    TITLE_WORD_CAP_EM,
    TONE_FILLS,
    YEN,
    Cell,
    ReportTable,
    title_words,
    wrap_title,
)

PAPERS = {"A4": QPageSize.PageSizeId.A4, "A3": QPageSize.PageSizeId.A3}
_PAD_EM = 0.7  # horizontal padding inside a cell, in em
_ROW_FACTOR = 1.55  # row height / font size
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
_FINE = 10.0
_ALIGN = {
    "left": Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
    "right": Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
    "center": Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter,
}


class TablePaper(PaperDocument):
    """A ReportTable as a paginated document (PDF, printer, preview)."""

    def __init__(
        self,
        report: ReportTable,
        *,
        paper: str = "A4",
        landscape: bool = True,
        max_font_pt: float = 9.0,
        printed_on: date | None = None,
    ) -> None:
        self.report = report
        self.page_size = PAPERS.get(paper.upper(), QPageSize.PageSizeId.A4)
        self.landscape = landscape
        self.margins_pt = (24.0, 24.0, 24.0, 24.0)
        self.title = report.title
        self.max_font_pt = max_font_pt
        self.printed_on = printed_on or date.today()
        # A page's items: (cells, is_total); cells None is the ※ line of ``after_totals``.
        self._pages: list[list[tuple[list[Cell] | None, bool]]] | None = None
        self._notes_page = False
        # Inside a larger document (the campaign summary's cover page first), the footer
        # counts the whole document: page ``index + page_offset`` of ``document_pages``.
        self.page_offset = 0
        self.document_pages: int | None = None

    # ---------------------------------------------------------------- layout
    def _measure(self) -> None:
        rep = self.report
        rect = self.content_rect()
        self.width_pt, self.height_pt = rect.width(), rect.height()
        ems = []
        for j, col in enumerate(rep.columns):
            texts = {r[j].text for r in [*rep.rows, *rep.totals, *rep.after_totals]}
            widest = max((text_em(t, bold=False) for t in texts if t), default=0.0)
            widest_total = max(
                (text_em(r[j].text, bold=True) for r in rep.totals if r[j].text), default=0.0
            )
            # titles wrap (over up to three lines) only between their words, so a column is
            # at least as wide as its title's longest word (「1人あたり平均」), up to a cap
            title = min(
                max((text_em(w, bold=True) for w in title_words(col.title)), default=0.0),
                TITLE_WORD_CAP_EM,
            )
            ems.append(max(col.width, widest, widest_total, title) + _PAD_EM)
        total_em = sum(ems) or 1.0
        self.font_pt = min(self.max_font_pt, self.width_pt / total_em)
        scale = self.width_pt / (total_em * self.font_pt)  # spread any spare width evenly
        self.col_w = [e * self.font_pt * scale for e in ems]
        self.col_x = [0.0]
        for w in self.col_w[:-1]:
            self.col_x.append(self.col_x[-1] + w)
        self.row_h = self.font_pt * _ROW_FACTOR
        header_font_pt = self.font_pt
        lines = 1
        for j, col in enumerate(rep.columns):
            inner = max(self.col_w[j] / header_font_pt - _PAD_EM / 2, 0.5)
            wrapped = wrap_title(col.title, lambda line, inner=inner: text_em(line, True) <= inner)
            needed = sum(
                max(1, math.ceil(text_em(part, bold=True) / inner - 1e-9))
                for part in wrapped.split("\n")
            )
            lines = max(lines, min(3, needed))
        self.title_row_h = lines * header_font_pt * 1.25 + header_font_pt * 0.6
        self.band_h = self.row_h if rep.has_bands() else 0.0
        self.header_h = self.band_h + self.title_row_h
        self.footer_h = 16.0
        self.first_top = (
            22.0
            + (13.0 if rep.subtitle else 0)
            + (14.0 if rep.summary else 0)
            + (13.0 if rep.legend else 0)
            + 4.0
        )
        self.other_top = 14.0
        self.notes_h = len(rep.notes) * 13.0 + (6.0 if rep.notes else 0.0)

    def _paginate(self) -> None:
        self._measure()
        rep = self.report
        items: list[tuple[list[Cell] | None, bool]] = [(r, False) for r in rep.rows] + [
            (r, True) for r in rep.totals
        ]
        if rep.after_totals:  # as headquarters prints 社保労連: the ※ line, then its rows
            items += [(None, False), *((r, False) for r in rep.after_totals)]
        pages: list[list[tuple[list[Cell] | None, bool]]] = []
        i = 0
        while i < len(items) or not pages:
            top = self.first_top if not pages else self.other_top
            avail = self.height_pt - top - self.header_h - self.footer_h
            n = max(1, int(avail // self.row_h))
            pages.append(items[i : i + n])
            i += n
        last_used = (
            (self.first_top if len(pages) == 1 else self.other_top)
            + self.header_h
            + len(pages[-1]) * self.row_h
        )
        self._notes_page = (
            bool(self.report.notes) and last_used + self.notes_h > self.height_pt - self.footer_h
        )
        self._pages = pages

    def page_count(self) -> int:
        if self._pages is None:
            self._paginate()
        assert self._pages is not None
        return len(self._pages) + (1 if self._notes_page else 0)

    # ---------------------------------------------------------------- painting
    def paint_page(self, painter: QPainter, index: int, rect: QRectF) -> None:
        if self._pages is None:
            self._paginate()
        assert self._pages is not None
        total_pages = self.document_pages or self.page_count()
        painter.setPen(QPen(QColor("#000000"), 0.5))
        if index == 0:
            y = self._paint_title_block(painter)
        else:
            draw_text(
                painter,
                QRectF(0, 0, self.width_pt, self.other_top - 2),
                _LEFT,
                f"{self.report.title}（続き）",
                7.5,
            )
            y = self.other_top
        if index < len(self._pages):
            y = self._paint_header(painter, y)
            y = self._paint_rows(painter, y, self._pages[index])
            if index == len(self._pages) - 1 and not self._notes_page:
                self._paint_notes(painter, y + 6)
        else:
            self._paint_notes(painter, y)
        self._paint_footer(painter, index + self.page_offset, total_pages)

    def _paint_title_block(self, painter: QPainter) -> float:
        rep = self.report
        draw_text(painter, QRectF(0, 0, self.width_pt, 20), _LEFT, rep.title, 13, bold=True)
        y = 22.0
        if rep.subtitle:
            draw_text(painter, QRectF(0, y, self.width_pt, 12), _LEFT, rep.subtitle, 8)
            y += 13
        if rep.summary:
            text = "　".join(f"{label} {value}" for label, value in rep.summary)
            draw_text(painter, QRectF(0, y, self.width_pt, 13), _LEFT, text, 9, bold=True)
            y += 14
        if rep.legend:
            draw_text(painter, QRectF(0, y, 40, 11), _LEFT, "色分け:", 7.5)
            x = 32.0
            for tone, label in rep.legend.items():
                w = text_em(label) * 7.5 + 10
                if tone in TONE_FILLS:
                    painter.fillRect(QRectF(x, y + 1, w, 10), QColor("#" + TONE_FILLS[tone]))
                draw_text(painter, QRectF(x, y, w, 12), Qt.AlignmentFlag.AlignCenter, label, 7.5)
                x += w + 6
            y += 13
        return y + 4

    def _header_cells(self, y: float) -> list[tuple[QRectF, str, bool]]:
        """(rect, text, is_band) of every header cell of a page whose table starts at ``y``."""
        rep = self.report
        out: list[tuple[QRectF, str, bool]] = []
        if not rep.has_bands():
            return [
                (QRectF(self.col_x[j], y, self.col_w[j], self.header_h), c.title, False)
                for j, c in enumerate(rep.columns)
            ]
        for first, count, band in rep.band_spans():
            if band is None:  # no band: the title spans both header rows
                out += [
                    (
                        QRectF(self.col_x[j], y, self.col_w[j], self.header_h),
                        rep.columns[j].title,
                        False,
                    )
                    for j in range(first, first + count)
                ]
                continue
            out.append(
                (
                    QRectF(
                        self.col_x[first], y, sum(self.col_w[first : first + count]), self.band_h
                    ),
                    band,
                    True,
                )
            )
            out += [
                (
                    QRectF(self.col_x[j], y + self.band_h, self.col_w[j], self.title_row_h),
                    rep.columns[j].title,
                    False,
                )
                for j in range(first, first + count)
            ]
        return out

    def _paint_header(self, painter: QPainter, y: float) -> float:
        cells = self._header_cells(y)
        fill = QColor("#" + HEADER_FILL)
        for r, _text, _band in cells:
            painter.fillRect(r, fill)
        painter.setPen(QPen(QColor("#7F7F7F"), 0.5))
        for r, _text, _band in cells:
            painter.drawRect(r)
        painter.setPen(QColor("#000000"))
        wrap = Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap
        with fine_text(painter):
            painter.setFont(fine_font(self.font_pt, True))
            for r, text, band in cells:
                if not band:
                    room = (r.width() - 2) / self.font_pt
                    text = wrap_title(text, lambda line, room=room: text_em(line, True) <= room)
                painter.drawText(
                    fine_rect(r if band else r.adjusted(1, 1, -1, -1)),
                    Qt.AlignmentFlag.AlignCenter if band else wrap,
                    text,
                )
        return y + self.header_h

    def _paint_rows(
        self, painter: QPainter, y: float, items: list[tuple[list[Cell] | None, bool]]
    ) -> float:
        rep = self.report
        cols = rep.columns
        pad = self.font_pt * _PAD_EM / 2
        fills = {tone: QColor("#" + rgb) for tone, rgb in TONE_FILLS.items()}
        aligns = [_ALIGN[c.align] for c in cols]
        numeric = [c.kind in NUMERIC_KINDS for c in cols]
        money = [c.kind == YEN for c in cols]
        group_col = rep.index(rep.group_by) if rep.group_by else None
        top = y
        # 1. fills, and which rows start a group (a group's name prints once per page)
        starts: list[bool] = []
        previous: str | None = None
        for row_index, (cells, is_total) in enumerate(items):
            ry = top + row_index * self.row_h
            if cells is None:  # the ※ line: no fills; the group name prints again after it
                starts.append(False)
                previous = None
                continue
            for j, c in enumerate(cells):
                tone = c.tone if c.tone is not None or not is_total else "total"
                if tone in fills:
                    painter.fillRect(
                        QRectF(self.col_x[j], ry, self.col_w[j], self.row_h), fills[tone]
                    )
            value = cells[group_col].text if group_col is not None and not is_total else None
            starts.append(group_col is not None and not is_total and value != previous)
            previous = value
        # 2. texts, in tenths of a point so the shrunken font keeps its exact size
        red, black = QColor("#C00000"), QColor("#000000")
        with fine_text(painter):
            fonts = {False: fine_font(self.font_pt), True: fine_font(self.font_pt, True)}
            metrics = {b: QFontMetricsF(f, painter.device()) for b, f in fonts.items()}
            for row_index, (cells, is_total) in enumerate(items):
                ry = top + row_index * self.row_h
                painter.setFont(fonts[is_total])
                if cells is None:
                    painter.setPen(black)
                    painter.drawText(
                        fine_rect(QRectF(pad, ry, self.width_pt - 2 * pad, self.row_h)),
                        _LEFT,
                        self.report.after_totals_note,
                    )
                    continue
                for j, c in enumerate(cells):
                    text = c.text
                    if not text or (j == group_col and not is_total and not starts[row_index]):
                        continue
                    inner = QRectF(self.col_x[j] + pad, ry, self.col_w[j] - 2 * pad, self.row_h)
                    if numeric[j]:  # money prints black with its sign, as the seed forms do
                        negative = (
                            isinstance(c.value, (int, Decimal)) and c.value < 0 and not money[j]
                        )
                        painter.setPen(red if negative else black)
                    else:
                        painter.setPen(black)
                        if text_em(text, is_total) * self.font_pt > inner.width() + 0.3:
                            text = metrics[is_total].elidedText(
                                text, Qt.TextElideMode.ElideRight, inner.width() * _FINE
                            )
                    painter.drawText(fine_rect(inner), aligns[j], text)
        # 3. rules: row lines, group and totals separators, column lines, the frame
        y = top + len(items) * self.row_h
        painter.setPen(QPen(QColor("#A6A6A6"), 0.4))
        for row_index in range(1, len(items) + 1):
            ry = top + row_index * self.row_h
            painter.drawLine(QPointF(0, ry), QPointF(self.width_pt, ry))
        for row_index, (cells, _total) in enumerate(items):  # column lines, not across the ※ line
            if cells is not None:
                ry = top + row_index * self.row_h
                for x in self.col_x[1:]:
                    painter.drawLine(QPointF(x, ry), QPointF(x, ry + self.row_h))
        painter.setPen(QPen(QColor("#404040"), 0.9))
        for row_index, (cells, is_total) in enumerate(items):
            first_total = is_total and (row_index == 0 or not items[row_index - 1][1])
            after_note = row_index > 0 and items[row_index - 1][0] is None
            if row_index and (starts[row_index] or first_total or cells is None or after_note):
                ry = top + row_index * self.row_h
                painter.drawLine(QPointF(0, ry), QPointF(self.width_pt, ry))
        painter.setPen(QPen(QColor("#404040"), 0.8))
        painter.drawRect(QRectF(0, top - self.header_h, self.width_pt, y - top + self.header_h))
        return y

    def _paint_notes(self, painter: QPainter, y: float) -> None:
        painter.setPen(QColor("#000000"))
        for note in self.report.notes:
            draw_text(painter, QRectF(0, y, self.width_pt, 12), _LEFT, note, 8.5)
            y += 13

    def _paint_footer(self, painter: QPainter, index: int, total: int) -> None:
        painter.setPen(QColor("#000000"))
        r = QRectF(0, self.height_pt - self.footer_h + 4, self.width_pt, self.footer_h - 4)
        draw_text(
            painter,
            r,
            Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter,
            f"{index + 1} / {total} ページ",
            7.5,
        )
        d = self.printed_on
        draw_text(
            painter,
            r,
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            f"出力日 {d.year}年{d.month}月{d.day}日",
            7.5,
        )
