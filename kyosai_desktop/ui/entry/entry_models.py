"""Qt table models over the entry grids of ``services/entry.py`` (月別 and 単組別).

Layout: leading label columns (コード / 単組名, or 商品), then one column per product or
month, then 合計; the last row is 合計.  Values are raw ints under ``EditRole`` and
``SORT_ROLE``; "1,234" only under ``DisplayRole``.  Totals and locked cells are read-only
and drawn differently.  An edit (``setData``) is handed to ``writer`` — the page, which
checks, commits through the repository and pushes an undo step — so the model never writes
SQL and a refused value leaves the model unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from kyosai_desktop.domain.rates import format_count
from kyosai_desktop.services.entry import LOCKED_REASON, MONTH_GRID, CellAddress, EntryGrid
from kyosai_desktop.services.report_table import HEADER_FILL, TONE_FILLS
from kyosai_desktop.store.results import CellChange

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
ADDRESS_ROLE = Qt.ItemDataRole.UserRole + 5  # CellAddress of a value cell, else None

TOTAL_LABEL = "合計"
TOTAL_BRUSH = QBrush(QColor("#" + TONE_FILLS["total"]))
LABEL_BRUSH = QBrush(QColor("#" + HEADER_FILL).lighter(108))
LOCKED_BRUSH = QBrush(QColor("#F2F2F2"), Qt.BrushStyle.SolidPattern)
LOCKED_TEXT = QBrush(QColor("#9A9A9A"))
ERROR_BRUSH = QBrush(QColor("#F8CBAD"))
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
CENTER = Qt.AlignmentFlag.AlignCenter
LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter

_DISPLAY = Qt.ItemDataRole.DisplayRole
_EDIT = Qt.ItemDataRole.EditRole
_ALIGN = Qt.ItemDataRole.TextAlignmentRole
_BACKGROUND = Qt.ItemDataRole.BackgroundRole
_FOREGROUND = Qt.ItemDataRole.ForegroundRole
_FONT = Qt.ItemDataRole.FontRole
_TOOLTIP = Qt.ItemDataRole.ToolTipRole
_ROLES = frozenset(
    {_DISPLAY, _EDIT, _ALIGN, _BACKGROUND, _FOREGROUND, _FONT, _TOOLTIP, SORT_ROLE, ADDRESS_ROLE}
)
_READ_ONLY = Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled
_EDITABLE = _READ_ONLY | Qt.ItemFlag.ItemIsEditable

# writer(model, [(row, col, text)], source) -> True when accepted (written or unchanged)
Writer = Callable[["EntryGridModel", Sequence[tuple[int, int, object]], str], bool]
_Index = QModelIndex | QPersistentModelIndex


# Where a long product name may break in a header: before these words.
_BREAK_BEFORE = ("共済", "補償", "保障", "年金", "生命", "責任", "満期", "タイプ")


def split_title(name: str, fits: int = 5) -> str:
    """Break a long product name in two at a word boundary, keeping the lines even.

    ``団体生命共済`` → ``団体生命\n共済``, ``退職者団体生命共済`` → ``退職者団体\n生命共済``.
    """
    if len(name) <= fits:
        return name
    cuts = {i for word in _BREAK_BEFORE for i in range(1, len(name)) if name.startswith(word, i)}
    if not cuts:
        cuts = {len(name) // 2}
    best = min(sorted(cuts, reverse=True), key=lambda i: max(i, len(name) - i))
    return f"{name[:best]}\n{name[best:]}"


class EntryGridModel(QAbstractTableModel):
    """Base: ``LABEL_COLUMNS`` label columns, the grid's value columns, a 合計 column and row."""

    LABEL_COLUMNS = 1
    LABEL_TITLES: tuple[str, ...] = ("",)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.grid: EntryGrid | None = None
        self.writer: Writer | None = None
        self.errors: dict[tuple[int, int], str] = {}
        self._row_totals: list[int] = []
        self._col_totals: list[int] = []
        self._grand = 0
        self._nr = 0
        self._nc = 0
        self._bold = QFont()
        self._bold.setBold(True)

    # ----------------------------------------------------------------- content
    def set_grid(self, grid: EntryGrid) -> None:
        self.beginResetModel()
        self.grid = grid
        self.errors.clear()
        self._recount()
        self.endResetModel()

    def _recount(self) -> None:
        g = self.grid
        self._nr = len(g.rows) if g else 0
        self._nc = len(g.columns) if g else 0
        self._row_totals = g.row_totals() if g else []
        self._col_totals = g.column_totals() if g else []
        self._grand = sum(self._row_totals)

    @property
    def n_rows(self) -> int:
        return self._nr

    @property
    def n_cols(self) -> int:
        return self._nc

    @property
    def total_row(self) -> int:
        return self._nr

    @property
    def total_column(self) -> int:
        return self.LABEL_COLUMNS + self._nc

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() or self.grid is None else self._nr + 1

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() or self.grid is None else self.LABEL_COLUMNS + self._nc + 1

    def cell_of(self, index: _Index) -> tuple[int, int] | None:
        """(grid row, grid column) of a value cell; None for labels and totals."""
        if self.grid is None or not index.isValid():
            return None
        r, c = index.row(), index.column() - self.LABEL_COLUMNS
        if 0 <= r < self._nr and 0 <= c < self._nc:
            return r, c
        return None

    def index_of(self, row: int, col: int) -> QModelIndex:
        return self.index(row, col + self.LABEL_COLUMNS)

    def address(self, index: _Index) -> CellAddress | None:
        cell = self.cell_of(index)
        return None if cell is None or self.grid is None else self.grid.address(*cell)

    def is_editable(self, index: _Index) -> bool:
        cell = self.cell_of(index)
        return cell is not None and self.grid is not None and cell not in self.grid.locked

    def grand_total(self) -> int:
        return self._grand

    def _value(self, r: int, c: int) -> int | None:
        """Raw number at grid row r (``n_rows`` = totals row), value column c (``n_cols`` = 合計)."""
        if r < self._nr:
            return self.grid.values[r][c] if c < self._nc else self._row_totals[r]  # type: ignore[union-attr]
        return self._col_totals[c] if c < self._nc else self._grand

    def value_at(self, index: _Index) -> int | None:
        """The raw number shown in a value or totals cell."""
        if self.grid is None or not index.isValid():
            return None
        c = index.column() - self.LABEL_COLUMNS
        return None if c < 0 else self._value(index.row(), c)

    def label_text(self, row: int, col: int) -> str:
        raise NotImplementedError

    # ----------------------------------------------------------------- Qt API
    def flags(self, index: _Index) -> Qt.ItemFlag:
        g = self.grid
        if g is None or not index.isValid():
            return _READ_ONLY
        r, c = index.row(), index.column() - self.LABEL_COLUMNS
        if 0 <= r < self._nr and 0 <= c < self._nc and (r, c) not in g.locked:
            return _EDITABLE
        return _READ_ONLY

    def data(self, index: _Index, role: int = _DISPLAY):  # noqa: C901
        g = self.grid
        if g is None or role not in _ROLES or not index.isValid():
            return None
        row, c = index.row(), index.column() - self.LABEL_COLUMNS
        is_label = c < 0
        is_total = row == self._nr or c == self._nc
        if role == _DISPLAY or role == _EDIT or role == SORT_ROLE:
            if is_label:
                if row == self._nr:
                    return TOTAL_LABEL if c == -1 else ""
                return self.label_text(row, index.column())
            value = self._value(row, c)
            if role == SORT_ROLE:
                return value
            if value is None:
                return ""
            return format_count(value) if role == _DISPLAY else str(value)
        if role == _ALIGN:
            if is_label:
                return CENTER if self.is_code_column(index.column()) else LEFT
            return RIGHT
        cell = (row, c)
        in_grid = not is_label and not is_total
        if role == _BACKGROUND:
            if in_grid and cell in self.errors:
                return ERROR_BRUSH
            if is_total:
                return TOTAL_BRUSH
            if is_label:
                return LABEL_BRUSH
            return LOCKED_BRUSH if cell in g.locked else None
        if role == _FOREGROUND:
            return LOCKED_TEXT if in_grid and cell in g.locked else None
        if role == _FONT:
            return self._bold if is_total else None
        if role == _TOOLTIP:
            return self.tooltip(index)
        if role == ADDRESS_ROLE:
            return self.address(index)
        return None

    def is_code_column(self, col: int) -> bool:
        return False

    def tooltip(self, index: _Index) -> str | None:
        g = self.grid
        assert g is not None
        cell = self.cell_of(index)
        if cell is not None:
            if cell in self.errors:
                return self.errors[cell]
            if g.is_locked(*cell):
                return LOCKED_REASON
            return f"{g.cell_name(*cell)} — 右クリックで変更履歴"
        if index.row() == self.n_rows or index.column() == self.total_column:
            return "合計欄は自動計算です (入力できません)。"
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ):  # noqa: N802
        if self.grid is None:
            return None
        if orientation == Qt.Orientation.Vertical:
            if role == Qt.ItemDataRole.DisplayRole:
                return TOTAL_LABEL if section == self.n_rows else str(section + 1)
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            if section < self.LABEL_COLUMNS:
                return self.LABEL_TITLES[section]
            if section == self.total_column:
                return TOTAL_LABEL
            return self.column_title(section - self.LABEL_COLUMNS)
        if (
            role == Qt.ItemDataRole.ToolTipRole
            and self.LABEL_COLUMNS <= section < self.total_column
        ):
            h = self.grid.columns[section - self.LABEL_COLUMNS]
            return f"{h.label} {h.note}".strip()
        return None

    def column_title(self, col: int) -> str:
        assert self.grid is not None
        h = self.grid.columns[col]
        title = split_title(h.label)
        return f"{title}\n{h.note}" if h.note else title

    def setData(self, index: _Index, value, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        cell = self.cell_of(index)
        if role != Qt.ItemDataRole.EditRole or cell is None or self.writer is None:
            return False
        if not self.is_editable(index) and str(value).strip():
            return False
        return self.writer(self, [(cell[0], cell[1], value)], "entry")

    # ----------------------------------------------------------------- updates
    def update_cells(self, changes: Iterable[CellChange]) -> list[tuple[int, int]]:
        """Take written values into the grid (totals adjusted); return the cells shown here."""
        g = self.grid
        if g is None:
            return []
        touched: list[tuple[int, int]] = []
        for ch in changes:
            pos = g.position(ch.union_id, ch.product_id, ch.month)
            if pos is None:
                continue
            r, c = pos
            old = g.values[r][c] or 0
            g.values[r][c] = ch.new
            delta = (ch.new or 0) - old
            self._row_totals[r] += delta
            self._col_totals[c] += delta
            self._grand += delta
            self.errors.pop(pos, None)
            touched.append(pos)
        if touched:
            self._announce(touched)
        return touched

    def _announce(self, cells: list[tuple[int, int]]) -> None:
        """dataChanged for the cells and their totals; single-cell signals repaint only those
        cells (a range makes the view repaint everything), so a one-cell edit stays cheap."""
        rows = {r for r, _ in cells}
        cols = {c for _, c in cells}
        targets = set(cells) | {(r, self._nc) for r in rows} | {(self._nr, c) for c in cols}
        targets.add((self._nr, self._nc))
        if len(targets) > 64:
            self.dataChanged.emit(
                self.index(0, self.LABEL_COLUMNS),
                self.index(self._nr, self.LABEL_COLUMNS + self._nc),
            )
            return
        for r, c in targets:
            index = self.index(r, c + self.LABEL_COLUMNS)
            self.dataChanged.emit(index, index)

    def set_errors(self, errors: dict[tuple[int, int], str]) -> None:
        cells = set(self.errors) | set(errors)
        self.errors = dict(errors)
        if cells:
            top = min(r for r, _ in cells)
            bottom = max(r for r, _ in cells)
            left = min(c for _, c in cells) + self.LABEL_COLUMNS
            right = max(c for _, c in cells) + self.LABEL_COLUMNS
            self.dataChanged.emit(self.index(top, left), self.index(bottom, right))


class MonthGridModel(EntryGridModel):
    """月別: rows = unions (コード, 単組名), columns = the month's products."""

    COL_CODE = 0
    COL_NAME = 1
    LABEL_COLUMNS = 2
    LABEL_TITLES = ("コード", "単組名")

    def label_text(self, row: int, col: int) -> str:
        assert self.grid is not None
        h = self.grid.rows[row]
        if col == self.COL_CODE:
            return h.code
        return f"{h.label} {h.note}".strip()

    def is_code_column(self, col: int) -> bool:
        return col == self.COL_CODE


class UnionGridModel(EntryGridModel):
    """単組別: rows = products, columns = the fiscal year's 12 months."""

    COL_PRODUCT = 0
    LABEL_COLUMNS = 1
    LABEL_TITLES = ("商品",)

    def label_text(self, row: int, col: int) -> str:
        assert self.grid is not None
        return self.grid.rows[row].label

    def column_title(self, col: int) -> str:
        """``2024年`` over the first month of the year and over January, then ``6月``."""
        assert self.grid is not None
        h = self.grid.columns[col]
        show_year = col == 0 or str(h.key).endswith("-01")
        return f"{h.note if show_year else ''}\n{h.label}"


def model_for(kind: str, parent=None) -> EntryGridModel:
    return MonthGridModel(parent) if kind == MONTH_GRID else UnionGridModel(parent)
