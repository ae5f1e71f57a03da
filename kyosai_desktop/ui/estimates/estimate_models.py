"""Table models of the estimates page: campaigns, and the estimate list of a campaign.

``EstimateTableModel`` shows every 別紙2 field plus 区分 / 状況 / 連絡先 with the computed
年間差額 and 引下率 (domain/estimates.py, formatted by the same ``format_value`` as every
report) and flags incomplete rows.  Figures are computed lazily per row and cached, so a
campaign of 20,000 estimates opens at once.  Raw values sit under ``SORT_ROLE`` and the
model speaks the ``is_total`` protocol of ``ReportProxy`` so it sorts like every table.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from kyosai_desktop.domain.estimates import (
    RowFigures,
    Totals,
    annual_difference,
    row_figures,
    totals,
)
from kyosai_desktop.services.report_table import (
    CODE,
    COUNT,
    DATE,
    NUMERIC_KINDS,
    PERCENT,
    TEXT,
    YEN,
    format_value,
)
from kyosai_desktop.store.estimates import STATUS_DATE, Campaign, Estimate
from kyosai_desktop.store.unions import Union
from kyosai_desktop.ui.shared.report_model import ROW_KEY_ROLE, SORT_ROLE, ReportProxy, tone_brush

_R = Qt.ItemDataRole
_DISPLAY, _ALIGNMENT, _BACKGROUND = (
    int(_R.DisplayRole),
    int(_R.TextAlignmentRole),
    int(_R.BackgroundRole),
)
_UNSET_ROLES = frozenset(
    int(r)
    for r in (
        _R.ForegroundRole,
        _R.CheckStateRole,
        _R.DecorationRole,
        _R.FontRole,
        _R.EditRole,
        _R.StatusTipRole,
        _R.WhatsThisRole,
        _R.SizeHintRole,
    )
)

_ALIGN = {
    "left": Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
    "right": Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
    "center": Qt.AlignmentFlag.AlignCenter,
}


@dataclass(frozen=True)
class Col:
    key: str
    title: str
    kind: str
    get: Callable[[Estimate, RowFigures, str], object]
    width: int = 5  # characters

    @property
    def align(self) -> Qt.AlignmentFlag:
        if self.kind in NUMERIC_KINDS:
            return _ALIGN["right"]
        return _ALIGN["center"] if self.kind in (CODE, DATE) else _ALIGN["left"]


def _status_date(e: Estimate) -> str | None:
    return getattr(e, STATUS_DATE[e.status])


COLUMNS = [
    Col("union", "単組", TEXT, lambda e, f, u: u, 12),
    Col("seq", "No.", COUNT, lambda e, f, u: e.seq, 3),
    Col("role", "区分", CODE, lambda e, f, u: e.role, 4),
    Col("name", "氏名", TEXT, lambda e, f, u: e.name if e.name is not None else "(匿名)", 7),
    Col("age", "年齢", COUNT, lambda e, f, u: e.age, 3),
    Col("car", "車名", TEXT, lambda e, f, u: e.car, 8),
    Col("grade_now", "現在等級", CODE, lambda e, f, u: e.grade_now, 4),
    Col("grade_new", "適応等級", CODE, lambda e, f, u: e.grade_new, 4),
    Col("vehicle", "車両", CODE, lambda e, f, u: "○" if e.vehicle_cover else None, 3),
    Col("other", "他社掛金", YEN, lambda e, f, u: e.other_premium, 6),
    Col("jichiro", "じちろう掛金", YEN, lambda e, f, u: e.jichiro_premium, 6),
    Col("payment", "支払", CODE, lambda e, f, u: e.payment, 3),
    Col("difference", "年間差額", YEN, lambda e, f, u: f.difference, 7),
    Col("rate", "引下率", PERCENT, lambda e, f, u: f.rate, 5),
    Col("maturity", "保険(共済)満期日", DATE, lambda e, f, u: e.policy_maturity, 9),
    Col("inspection", "車検満了日", DATE, lambda e, f, u: e.inspection_due, 9),
    Col("status", "状況", CODE, lambda e, f, u: e.status, 5),
    Col("status_on", "状況の日付", DATE, lambda e, f, u: _status_date(e), 9),
    Col("check", "集計", TEXT, lambda e, f, u: "集計外" if f.flags else None, 4),
    Col("contact", "連絡先", TEXT, lambda e, f, u: e.contact, 8),
    Col("notes", "備考", TEXT, lambda e, f, u: e.notes, 10),
]
COLUMN_INDEX = {c.key: i for i, c in enumerate(COLUMNS)}
_NO_FIGURES = RowFigures(None, None, None, None, ())


def _premiums(e: Estimate) -> tuple[int | None, int | None, str | None]:
    return e.other_premium, e.jichiro_premium, e.payment


def _rate_key(e: Estimate) -> float | None:
    o, j = e.other_premium, e.jichiro_premium
    return None if o is None or j is None or o == 0 else (j - o) / o


_FAST_KEYS: dict[str, Callable[[Estimate], object]] = {
    "difference": lambda e: annual_difference(e.other_premium, e.jichiro_premium, e.payment),
    "rate": _rate_key,
    "check": lambda e: (
        "集計外" if None in (e.other_premium, e.jichiro_premium, e.payment) else None
    ),
}


class EstimateTableModel(QAbstractTableModel):
    """Read-only list of estimates (editing goes through the form dialog)."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.estimates: list[Estimate] = []
        self.union_names: dict[int, str] = {}
        self._figures: dict[int, RowFigures] = {}  # by estimate id
        self._flag_brush = tone_brush("flagged")
        self._unions_from: dict[int, Union] | None = None
        self._totals: Totals | None = None  # of every row, kept up to date by set_estimates

    def set_estimates(self, estimates: list[Estimate], unions: dict[int, Union]) -> None:
        """Show ``estimates``.  The same estimates as shown (by id), a few of them newer (an
        edit): those rows change in place, in the order shown (the clerk's sort stays), and
        only they are repainted; anything else resets the table."""
        if unions is self._unions_from and self._update_in_place(estimates):
            return
        self.beginResetModel()
        self.estimates = estimates
        if unions is not self._unions_from:  # the same unions as last time: names already made
            self._unions_from = unions
            self.union_names = {uid: f"{u.key} {u.name}" for uid, u in unions.items()}
        self._figures = {}
        self._totals = None
        self.endResetModel()

    def _update_in_place(self, estimates: list[Estimate]) -> bool:
        shown = self.estimates
        if len(shown) != len(estimates) or not shown:
            return False
        if all(a.id == b.id for a, b in zip(shown, estimates, strict=True)):
            new = estimates
        else:  # shown in another order (sorted): the same ids?
            by_id = {e.id: e for e in estimates}
            if len(by_id) != len(estimates):
                return False
            try:
                new = [by_id[e.id] for e in shown]
            except KeyError:
                return False
        changed = [
            row for row, (a, b) in enumerate(zip(shown, new, strict=True)) if a is not b and a != b
        ]
        if len(changed) > 200:
            return False
        if self._totals is not None and changed:
            before = totals(_premiums(shown[row]) for row in changed)
            after = totals(_premiums(new[row]) for row in changed)
            self._totals = self._totals - before + after
        self.estimates = list(new)
        last = len(COLUMNS) - 1
        for row in changed:
            self._figures.pop(new[row].id, None)
            self.dataChanged.emit(self.index(row, 0), self.index(row, last))
        return True

    def totals(self) -> Totals:
        """Totals of every row (domain ``totals``), kept through in-place updates."""
        if self._totals is None:
            self._totals = totals(_premiums(e) for e in self.estimates)
        return self._totals

    def figures(self, row: int) -> RowFigures:
        e = self.estimates[row]
        f = self._figures.get(e.id)
        if f is None:
            f = self._figures[e.id] = row_figures(e.other_premium, e.jichiro_premium, e.payment)
        return f

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort the rows themselves with one Python key per row (a proxy sort calling back
        into Python for every comparison takes seconds on 20,000 rows)."""
        if not 0 <= column < len(COLUMNS):
            return
        col = COLUMNS[column]
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        anchors = [(self.estimates[i.row()].id, i.column()) for i in persistent]
        numeric = col.kind in NUMERIC_KINDS

        def key(pair: tuple[int, Estimate]):
            row, e = pair
            if col.key in _FAST_KEYS:  # derived figures: the same order without exact rounding
                value = _FAST_KEYS[col.key](e)
            else:
                value = col.get(e, _NO_FIGURES, self.union_names.get(e.union_id, ""))
            if numeric:
                return (value is not None, float(value) if value is not None else 0.0)  # type: ignore[arg-type]
            return (value is not None, "" if value is None else str(value))

        pairs = sorted(
            enumerate(self.estimates), key=key, reverse=order == Qt.SortOrder.DescendingOrder
        )
        self.estimates = [e for _, e in pairs]
        position = {e.id: r for r, e in enumerate(self.estimates)}
        self.changePersistentIndexList(
            persistent, [self.index(position[eid], c) for eid, c in anchors]
        )
        self.layoutChanged.emit()

    def estimate(self, row: int) -> Estimate:
        return self.estimates[row]

    def is_total(self, row: int) -> bool:  # ReportProxy protocol
        return False

    def search_text(self, row: int) -> str:
        e = self.estimates[row]
        parts = [
            self.union_names.get(e.union_id, ""),
            e.name or "",
            e.car or "",
            e.status,
            e.role,
            e.contact or "",
            e.notes or "",
            str(e.seq),
        ]
        return unicodedata.normalize("NFKC", " ".join(parts)).casefold()

    # ------------------------------------------------------------ Qt model API
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.estimates)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(COLUMNS)

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ):
        if role in _UNSET_ROLES:  # asked for every visible cell on every paint
            return None
        row = index.row()
        if row < 0:
            return None
        col = COLUMNS[index.column()]
        e = self.estimates[row]
        if role == _DISPLAY:
            f = self.figures(row)
            value = col.get(e, f, self.union_names.get(e.union_id, ""))
            if value is None:
                return ""
            if col.kind in (YEN, PERCENT, COUNT, DATE):
                return format_value(value, col.kind)
            return str(value)
        if role == SORT_ROLE:
            value = col.get(e, self.figures(row), self.union_names.get(e.union_id, ""))
            if col.kind in NUMERIC_KINDS:
                return float("-inf") if value is None else float(value)  # type: ignore[arg-type]
            return "" if value is None else str(value)
        if role == _ALIGNMENT:
            return col.align
        if role == _BACKGROUND:
            return self._flag_brush if self.figures(row).flags else None
        if role == Qt.ItemDataRole.ToolTipRole:
            f = self.figures(row)
            if f.flags:
                return "集計外: " + "・".join(f.flags)
            if col.kind not in NUMERIC_KINDS:  # a long name elided in its column: the whole of it
                text = str(col.get(e, f, self.union_names.get(e.union_id, "")) or "")
                return text if len(text) > 8 else None
            return None
        if role == ROW_KEY_ROLE:
            return e.id
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section].title
        return None


class EstimateProxy(ReportProxy):
    """Sorting is done by the source model (fast); the filter looks at name, car, union,
    status, contact and notes."""

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.sourceModel().sort(column, order)

    def filterAcceptsRow(self, source_row: int, source_parent) -> bool:  # noqa: N802
        if not self._needle:
            return True
        model: EstimateTableModel = self.sourceModel()  # type: ignore[assignment]
        return self._needle in model.search_text(source_row)


@dataclass(frozen=True)
class CampaignRow:
    campaign: Campaign
    unions: int
    estimates: int


CAMPAIGN_HEADERS = ["キャンペーン", "種類", "期間", "単組", "見積り"]


def short_period(c: Campaign) -> str:
    """The period by month for the narrow campaign list, in the 年月日 style of every screen and
    print: ``2025年10月〜12月``, ``2024年10月〜2025年3月`` (the full dates are in the tooltip)."""
    if not c.period_from and not c.period_to:
        return "—"

    def ym(d: str | None) -> tuple[int, int] | None:
        try:
            return (int(d[:4]), int(d[5:7])) if d else None
        except ValueError:
            return None

    start, end = ym(c.period_from), ym(c.period_to)
    left = f"{start[0]}年{start[1]}月" if start else ""
    if end is None:
        right = ""
    elif start is not None and start[0] == end[0]:
        right = f"{end[1]}月"
    else:
        right = f"{end[0]}年{end[1]}月"
    return f"{left}〜{right}"


class CampaignTableModel(QAbstractTableModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.rows: list[CampaignRow] = []

    def set_rows(self, rows: list[CampaignRow]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def campaign_id(self, row: int) -> int | None:
        return self.rows[row].campaign.id if 0 <= row < len(self.rows) else None

    def row_of(self, campaign_id: int | None) -> int | None:
        for i, r in enumerate(self.rows):
            if r.campaign.id == campaign_id:
                return i
        return None

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(CAMPAIGN_HEADERS)

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ):
        if not index.isValid():
            return None
        r = self.rows[index.row()]
        c = r.campaign
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            name = c.name + (" (匿名化済)" if c.anonymised_at else "")
            return [name, c.kind, short_period(c), f"{r.unions:,}", f"{r.estimates:,}"][col]
        if role == Qt.ItemDataRole.TextAlignmentRole and col >= 3:
            return _ALIGN["right"]
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{c.name}\n{c.kind}\n期間 {c.period_text}" + (f"\n{c.note}" if c.note else "")
        if role == ROW_KEY_ROLE:
            return c.id
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return CAMPAIGN_HEADERS[section]
        return None
