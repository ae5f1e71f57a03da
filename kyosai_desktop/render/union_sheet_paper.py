"""The 単組進捗シート on paper: one A4 portrait page per union, laid out in points.

Drawn from :class:`services.union_sheet.UnionSheet` objects: the union's facts, the
model-union status with a progress bar (the elapsed share of the year marked on it) and
the model year's months beside last year's, the new contracts per product against the
union's targets, the open estimates by maturity date, and the notes with ruled lines for
handwriting at the visit.  Many sheets make one document (one page each).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPageSize, QPainter, QPen

from kyosai_desktop.domain.months import month_label, split_month
from kyosai_desktop.domain.rates import DASH, format_count, format_percent, format_signed
from kyosai_desktop.render.paper import PaperDocument, TextRun, draw_text, text_em
from kyosai_desktop.services.report_table import HEADER_FILL, TONE_FILLS, format_date
from kyosai_desktop.services.union_progress_sheet import UnionSheet

_L = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)  # ints: drawn per cell
_R = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_C = int(Qt.AlignmentFlag.AlignCenter)
_GRID = QColor("#A6A6A6")
_DARK = QColor("#404040")
_BLACK = QColor("#000000")
_RED = QColor("#C00000")
_HEAD = QColor("#" + HEADER_FILL)
_FOOTER_H = 16.0
_MAX_ESTIMATES = 14


def wrap_lines(text: str, width_em: float) -> list[str]:
    """Paragraphs broken into lines no wider than ``width_em`` (character by character)."""
    out: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for ch in paragraph:
            if line and text_em(line + ch) > width_em:
                out.append(line)
                line = ""
            line += ch
        out.append(line)
    return out


def fit(
    text: str, width_pt: float, pt: float, *, bold: bool = False, shrink: float = 0.75
) -> tuple[str, float]:
    """Make ``text`` fit ``width_pt``: a smaller size first (down to ``shrink`` × pt), then "…"."""
    if not text or text_em(text, bold) * pt <= width_pt:
        return text, pt
    smaller = max(pt * shrink, width_pt / (text_em(text, bold) or 1))
    if text_em(text, bold) * smaller <= width_pt:
        return text, smaller
    pt = pt * shrink
    while text and text_em(text + "…", bold) * pt > width_pt:
        text = text[:-1]
    return text + "…", pt


def draw_fit(p: QPainter, rect: QRectF, align, text: str, pt: float, *, bold: bool = False) -> None:
    """``draw_text`` that never spills out of ``rect``."""
    text, size = fit(text, rect.width(), pt, bold=bold)
    draw_text(p, rect, align, text, size, bold=bold)


def run_fit(
    run: TextRun,
    x: float,
    y: float,
    w: float,
    h: float,
    align,
    text: str,
    pt: float,
    *,
    bold: bool = False,
) -> None:
    """:func:`draw_fit` inside a :class:`TextRun`, for the rectangle (x, y, w, h)."""
    text, size = fit(text, w, pt, bold=bold)
    run.at(x, y, w, h, align, text, size, bold)


def _fill(tone: str | None) -> QColor | None:
    return QColor("#" + TONE_FILLS[tone]) if tone in TONE_FILLS else None


class UnionSheetPaper(PaperDocument):
    """Every sheet on its own A4 portrait page."""

    page_size = QPageSize.PageSizeId.A4
    landscape = False
    margins_pt = (30.0, 28.0, 30.0, 24.0)

    def __init__(self, sheets: Sequence[UnionSheet], *, printed_on: date | None = None) -> None:
        self.sheets = list(sheets)
        self.printed_on = printed_on or date.today()
        if len(self.sheets) == 1:
            self.title = self.sheets[0].title
        else:
            self.title = f"単組進捗シート ({len(self.sheets)} 単組)"

    def page_count(self) -> int:
        return max(1, len(self.sheets))

    def paint_page(self, painter: QPainter, index: int, rect: QRectF) -> None:
        w, h = rect.width(), rect.height()
        if not self.sheets:
            draw_text(
                painter, QRectF(0, 0, w, 20), _L, "単組進捗シート: 対象の単組がありません", 12
            )
            return
        s = self.sheets[index]
        painter.setPen(_BLACK)
        y = self._head(painter, s, w)
        y = self._facts(painter, s, w, y + 6)
        y = self._model(painter, s, w, y + 10)
        y = self._products(painter, s, w, y + 10)
        notes_h = 96.0
        y = self._estimates(painter, s, w, y + 10, h - _FOOTER_H - notes_h - 12)
        self._notes(painter, s, w, y + 12, h - _FOOTER_H - 4)
        self._footer(painter, s, index, w, h)

    # ---------------------------------------------------------------- blocks
    def _head(self, p: QPainter, s: UnionSheet, w: float) -> float:
        draw_text(p, QRectF(0, 0, w, 20), _L, "単組進捗シート", 15, bold=True)
        draw_text(p, QRectF(0, 0, w, 20), _R, f"{s.fiscal_year}年度　{s.as_of_text}", 9.5)
        u = s.union
        draw_fit(
            p,
            QRectF(0, 24, w, 20),
            _L,
            f"{s.pref_name}　{u.pref_code}-{u.union_code}　{u.name}",
            13,
            bold=True,
        )
        p.setPen(QPen(_DARK, 1.2))
        p.drawLine(QPointF(0, 47), QPointF(w, 47))
        return 48.0

    def _section(self, p: QPainter, title: str, w: float, y: float) -> float:
        p.fillRect(QRectF(0, y, 3, 13), _DARK)
        draw_text(p, QRectF(7, y - 1, w - 7, 15), _L, title, 10, bold=True)
        return y + 16

    def _facts(self, p: QPainter, s: UnionSheet, w: float, y: float) -> float:
        y = self._section(p, "単組の概要", w, y)
        members = DASH if s.members is None else f"{s.members:,} 人"
        holdings = DASH if s.holdings is None else f"{s.holdings:,} 件"
        effective = DASH if not s.effective_month else f"{s.effective_month}月"
        cells = [
            ("組合員数", members),
            ("団生保有", holdings),
            ("加入率", format_percent(s.join_rate)),
            ("発効", effective),
        ]
        row_h = 18.0
        label_w, cw = 52.0, w / 4
        for i, (label, value) in enumerate(cells):
            x = i * cw
            p.fillRect(QRectF(x, y, label_w, row_h), _HEAD)
            draw_text(p, QRectF(x + 4, y, label_w - 4, row_h), _L, label, 8.5, bold=True)
            draw_text(p, QRectF(x + label_w, y, cw - label_w - 6, row_h), _R, value, 10)
        y2 = y + row_h
        org_label_w = label_w
        p.fillRect(QRectF(0, y2, org_label_w, row_h), _HEAD)
        draw_text(p, QRectF(4, y2, org_label_w - 4, row_h), _L, "組織加入", 8.5, bold=True)
        org = s.org
        text = org.text + ("　[登録: 組織加入単組]" if org.registered else "")
        if not org.joined and org.needed is not None:
            p.fillRect(
                QRectF(org_label_w, y2, w - org_label_w, row_h), QColor("#" + TONE_FILLS["behind"])
            )
        draw_text(p, QRectF(org_label_w + 6, y2, w - org_label_w - 100, row_h), _L, text, 9)
        if s.figures_as_of:
            draw_text(
                p,
                QRectF(w - 150, y2, 146, row_h),
                _R,
                f"基準日 {format_date(s.figures_as_of)}",
                7.5,
            )
        self._frame(
            p, QRectF(0, y, w, 2 * row_h), rows=[y2], cols=[i * cw for i in range(1, 4)], upto=y2
        )
        return y + 2 * row_h

    def _frame(
        self,
        p: QPainter,
        r: QRectF,
        rows: Sequence[float] = (),
        cols: Sequence[float] = (),
        upto: float | None = None,
    ) -> None:
        p.setPen(QPen(_GRID, 0.5))
        for ry in rows:
            p.drawLine(QPointF(r.left(), ry), QPointF(r.right(), ry))
        for cx in cols:
            p.drawLine(QPointF(cx, r.top()), QPointF(cx, upto if upto is not None else r.bottom()))
        p.setPen(QPen(_DARK, 0.8))
        p.drawRect(r)
        p.setPen(_BLACK)

    def _model(self, p: QPainter, s: UnionSheet, w: float, y: float) -> float:
        m = s.model
        if m is None:
            y = self._section(p, f"加入拡大モデル単組 ({s.fiscal_year}年度)", w, y)
            draw_text(
                p,
                QRectF(4, y, w, 16),
                _L,
                f"この単組は {s.fiscal_year}年度の加入拡大モデル単組ではありません。",
                9,
            )
            return y + 16
        y = self._section(
            p,
            f"加入拡大モデル単組 — {m.fiscal_year}年度 ({m.start_label}、団体生命共済の新規件数)",
            w,
            y,
        )
        boxes = [
            ("目標件数", format_count(m.target), None),
            ("累積件数", format_count(m.cumulative), None),
            ("達成率", format_percent(m.rate), m.tone),
            ("残件数", format_count(m.remaining), None),
            ("前年比", format_signed(m.yoy), None),
        ]
        bw, bh = w / len(boxes), 38.0
        for i, (label, value, tone) in enumerate(boxes):
            r = QRectF(i * bw, y, bw, bh)
            fill = _fill(tone)
            if fill is not None:
                p.fillRect(r, fill)
            draw_text(p, QRectF(r.x() + 5, y + 2, bw - 10, 12), _L, label, 8)
            p.setPen(_RED if value.startswith("-") else _BLACK)
            draw_text(p, QRectF(r.x() + 5, y + 13, bw - 10, 24), _R, value, 16, bold=True)
            p.setPen(_BLACK)
        self._frame(p, QRectF(0, y, w, bh), cols=[i * bw for i in range(1, len(boxes))])
        y += bh + 8
        y = self._progress_bar(p, s, w, y)
        return self._model_months(p, s, w, y + 6)

    def _progress_bar(self, p: QPainter, s: UnionSheet, w: float, y: float) -> float:
        m = s.model
        assert m is not None
        label_w, bar_h = 64.0, 14.0
        draw_text(p, QRectF(0, y, label_w, bar_h), _L, "進み具合", 8.5, bold=True)
        bar = QRectF(label_w, y, w - label_w - 4, bar_h)
        p.fillRect(bar, QColor("#F2F2F2"))
        if m.target:
            share = min(1.0, m.cumulative / m.target)
            p.fillRect(
                QRectF(bar.x(), y, bar.width() * share, bar_h), _fill(m.tone) or QColor("#BDD7EE")
            )
            p.setPen(QPen(_DARK, 0.6))
            p.drawRect(bar)
            mark = bar.x() + bar.width() * float(m.elapsed)
            p.setPen(QPen(_RED, 1.2, Qt.PenStyle.DashLine))
            p.drawLine(QPointF(mark, y - 3), QPointF(mark, y + bar_h + 3))
            p.setPen(_BLACK)
            draw_text(
                p,
                QRectF(bar.x() + 4, y, bar.width() - 8, bar_h),
                _L,
                f"累積 {m.cumulative:,} / 目標 {m.target:,} 件",
                8,
            )
            months_gone = round(m.elapsed * 12)
            label = f"経過 {months_gone}/12 か月"
            lw = text_em(label) * 7 + 4
            lx = min(max(mark - lw / 2, bar.x()), bar.right() - lw)
            draw_text(p, QRectF(lx, y + bar_h + 2, lw, 10), _C, label, 7)
        else:
            p.setPen(QPen(_DARK, 0.6))
            p.drawRect(bar)
            p.setPen(_BLACK)
            draw_text(p, bar.adjusted(4, 0, -4, 0), _L, "目標件数が未設定です", 8)
        return y + bar_h + 12

    def _model_months(self, p: QPainter, s: UnionSheet, w: float, y: float) -> float:
        m = s.model
        assert m is not None
        label_w, total_w, row_h = 64.0, 44.0, 14.0
        mw = (w - label_w - total_w) / 12
        heads = [f"{split_month(x)[1]}月" for x in m.months]
        p.fillRect(QRectF(0, y, w, row_h), _HEAD)
        rows = [
            (f"{m.fiscal_year}年度", m.counts, m.cumulative),
            (f"{m.fiscal_year - 1}年度", m.last_year, None),
        ]
        with TextRun(p) as run:
            run.at(2, y, label_w - 4, row_h, _L, "月 (発効)", 8, True)
            for i, text in enumerate(heads):
                run.at(label_w + i * mw, y, mw, row_h, _C, text, 8, True)
            run.at(w - total_w, y, total_w - 3, row_h, _C, "累計", 8, True)
            for k, (label, counts, total) in enumerate(rows, start=1):
                ry = y + k * row_h
                run.at(2, ry, label_w - 4, row_h, _L, label, 8)
                for i, v in enumerate(counts):
                    text = "" if v is None else str(v)
                    run_fit(run, label_w + i * mw, ry, mw - 3, row_h, _R, text, 8.5)
                shown = m.previous if total is None else total
                run.text(
                    QRectF(w - total_w, ry, total_w - 4, row_h), _R, f"{shown:,}", 8.5, bold=True
                )
        bottom = y + 3 * row_h
        self._frame(
            p,
            QRectF(0, y, w, 3 * row_h),
            rows=[y + row_h, y + 2 * row_h],
            cols=[label_w + i * mw for i in range(12)] + [w - total_w],
        )
        draw_text(
            p,
            QRectF(0, bottom + 1, w, 11),
            _L,
            f"累計: 今年度は{month_label(s.as_of)}まで、前年度は同じ時期まで (前年比 = 差、件)。"
            "赤い破線は年度の経過割合。",
            7,
        )
        return bottom + 12

    def _products(self, p: QPainter, s: UnionSheet, w: float, y: float) -> float:
        year = s.results_year
        y = self._section(
            p,
            f"商品別 新契約件数 — {year.label} ({month_label(year.first)}〜、{month_label(s.as_of)}まで)",
            w,
            y,
        )
        if not s.products:
            draw_text(p, QRectF(4, y, w, 16), _L, "この年度の実績・目標の登録はありません。", 9)
            return y + 16
        name_w, tail = 104.0, [("累計", 34.0), ("目標", 34.0), ("達成率", 40.0)]
        tail_w = sum(x for _, x in tail)
        mw = (w - name_w - tail_w) / 12
        row_h = 13.5
        p.fillRect(QRectF(0, y, w, row_h), _HEAD)
        tail_x = []
        x = name_w + 12 * mw
        for _label, cw in tail:
            tail_x.append(x)
            x += cw
        for k, line in enumerate(s.products, start=1):  # fills first, then every text in one run
            fill = _fill(line.tone)
            if fill is not None:
                p.fillRect(QRectF(tail_x[2], y + k * row_h, tail[2][1], row_h), fill)
        with TextRun(p) as run:
            run.at(3, y, name_w, row_h, _L, "商品", 8, True)
            for i, month in enumerate(s.months):
                run.at(name_w + i * mw, y, mw, row_h, _C, f"{split_month(month)[1]}月", 7.5, True)
            for (label, cw), tx in zip(tail, tail_x, strict=True):
                run.at(tx, y, cw, row_h, _C, label, 8, True)
            for k, line in enumerate(s.products, start=1):
                ry = y + k * row_h
                run_fit(run, 3, ry, name_w - 5, row_h, _L, line.product, 8)
                for i, v in enumerate(line.months):
                    if v:
                        run_fit(run, name_w + i * mw, ry, mw - 3, row_h, _R, f"{v:,}", 8)
                values = [
                    format_count(line.total),
                    format_count(line.target),
                    format_percent(line.rate),
                ]
                for (_, cw), tx, text in zip(tail, tail_x, values, strict=True):
                    run_fit(run, tx, ry, cw - 4, row_h, _R, text, 8, bold=tx == tail_x[0])
        n = len(s.products) + 1
        self._frame(
            p,
            QRectF(0, y, w, n * row_h),
            rows=[y + k * row_h for k in range(1, n)],
            cols=[name_w + i * mw for i in range(12)] + tail_x,
        )
        return y + n * row_h

    def _estimates(self, p: QPainter, s: UnionSheet, w: float, y: float, limit_y: float) -> float:
        y = self._section(p, "マイカー共済 見積り (未完了、満期日順)", w, y)
        if not s.estimates:
            draw_text(p, QRectF(4, y, w, 14), _L, "未完了の見積りはありません。", 9)
            return y + 14
        cols = [
            ("No.", 28.0, _R),
            ("氏名", 96.0, _L),
            ("区分", 44.0, _C),
            ("車名", 96.0, _L),
            ("保険(共済)満期日", 90.0, _C),
            ("状況", 52.0, _C),
            ("キャンペーン", 0.0, _L),
        ]
        fixed = sum(c[1] for c in cols)
        cols[-1] = (cols[-1][0], w - fixed, _L)
        row_h = 13.0
        room = max(1, int((limit_y - y) // row_h) - 1)
        shown = list(s.estimates[: min(room, _MAX_ESTIMATES)])
        more = len(s.estimates) - len(shown)
        if more and len(shown) > 1:
            shown = shown[:-1]
            more += 1
        p.fillRect(QRectF(0, y, w, row_h), _HEAD)
        xs = []
        x = 0.0
        for _title, cw, _a in cols:
            xs.append(x)
            x += cw
        today = self.printed_on.isoformat()
        for k, e in enumerate(shown, start=1):  # fills first, then every text in one run
            if e.maturity and e.maturity < today:
                p.fillRect(
                    QRectF(xs[4], y + k * row_h, cols[4][1], row_h),
                    QColor("#" + TONE_FILLS["far_behind"]),
                )
        with TextRun(p) as run:
            for (title, cw, _a), cx in zip(cols, xs, strict=True):
                run.at(cx, y, cw, row_h, _C, title, 8, True)
            for k, e in enumerate(shown, start=1):
                ry = y + k * row_h
                values = [
                    str(e.seq),
                    e.name,
                    e.role,
                    e.car,
                    format_date(e.maturity) if e.maturity else "未記入",
                    e.status,
                    e.campaign,
                ]
                for (_t, cw, align), cx, text in zip(cols, xs, values, strict=True):
                    run_fit(run, cx + 3, ry, cw - 6, row_h, align, text, 8)
        n = len(shown) + 1
        self._frame(
            p, QRectF(0, y, w, n * row_h), rows=[y + k * row_h for k in range(1, n)], cols=xs[1:]
        )
        y += n * row_h
        if more:
            draw_text(
                p, QRectF(0, y + 1, w, 11), _L, f"ほか {more} 件 (見積り画面の一覧を参照)", 7.5
            )
            y += 12
        return y

    def _notes(self, p: QPainter, s: UnionSheet, w: float, y: float, bottom: float) -> None:
        y = self._section(p, "メモ (単組の備考・訪問記録)", w, y)
        box = QRectF(0, y, w, max(20.0, bottom - y))
        line_h, pt = 16.0, 9.0
        lines = wrap_lines(s.note or "", (w - 12) / pt)
        rows = max(1, int(box.height() // line_h))
        p.setPen(QPen(_GRID, 0.4, Qt.PenStyle.DotLine))
        for k in range(1, rows):
            ly = y + k * line_h
            p.drawLine(QPointF(4, ly), QPointF(w - 4, ly))
        p.setPen(QPen(_DARK, 0.8))
        p.drawRect(box)
        p.setPen(_BLACK)
        if len(lines) > rows:
            lines = lines[:rows]
            lines[-1] = lines[-1][:-2] + "…"
        for k, text in enumerate(lines):
            draw_text(p, QRectF(6, y + k * line_h, w - 12, line_h), _L, text, pt)

    def _footer(self, p: QPainter, s: UnionSheet, index: int, w: float, h: float) -> None:
        r = QRectF(0, h - _FOOTER_H + 4, w, _FOOTER_H - 4)
        p.setPen(_BLACK)
        if s.estimates:
            draw_text(p, r, _L, "個人情報を含みます。取り扱い注意・用済み後は廃棄", 7)
        draw_text(p, r, _C, f"{index + 1} / {self.page_count()} ページ", 7.5)
        d = self.printed_on
        draw_text(p, r, _R, f"出力日 {d.year}年{d.month}月{d.day}日", 7.5)
