"""Editable master tables: a column-spec table model with validated, undoable, audited edits.

A concrete model lists its columns (:class:`Col`), its rows, and implements ``value``
(the stored value), ``parse`` (the clerk's text → a value, or ``EditRefused`` with the
reason) and ``field_write`` (which stored field a cell is: a ``FieldWrite``).  An edit is
the operation ``ops.master.edit`` (one commit, audited); its change set goes on the page's
QUndoStack as a ``ChangeCommand`` so 元に戻す / やり直し work on master data too, and out
through ``written``.  A refused edit emits ``rejected`` with the Japanese reason and
changes nothing.  :class:`MasterTable` is the view:
Enter commits and moves down, Tab moves right, Delete clears, Ctrl+C copies, Ctrl+V pastes
a block from Excel (all cells checked first; one undo step).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QApplication,
    QLabel,
    QTableView,
    QWidget,
)

from kyosai_desktop.domain.rates import DASH
from kyosai_desktop.services.entry import parse_clipboard
from kyosai_desktop.services.master_edit import EditRefused
from kyosai_desktop.services.ops import OpChanges
from kyosai_desktop.services.ops import master as master_ops
from kyosai_desktop.services.ops.fields import FieldWrite
from kyosai_desktop.services.ops.replay import Conflict
from kyosai_desktop.store.audit import AuditRow
from kyosai_desktop.ui.shared import interaction
from kyosai_desktop.ui.shared.undo import ChangeCommand, describe_conflicts

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
KEY_ROLE = Qt.ItemDataRole.UserRole + 2

TEXT, COUNT, MONTH, DATE, FLAG, PERCENT = "text", "count", "month", "date", "flag", "percent"
READONLY_BRUSH = QBrush(QColor("#F2F2F2"))
TOTAL_BRUSH = QBrush(QColor("#E7E6E6"))


@dataclass(frozen=True)
class Col:
    key: str
    title: str
    kind: str = TEXT
    editable: bool = True
    width: int = 8  # in "あ" widths
    tip: str | None = None  # header tooltip


def display(value: object, kind: str) -> str:
    if value is None or value == "":
        return DASH if kind in (COUNT, PERCENT) else ""
    if kind == COUNT:
        return f"{value:,}"
    if kind == MONTH:
        return f"{value}月"
    if kind == PERCENT:
        return f"{value}%"
    return str(value)


FIELD_TITLES = {"start_months": "開始月 (実績/モデル単組)", "target": "目標", "label": "表示名"}


class MasterTableModel(QAbstractTableModel):
    """Base class; see the module docstring for what a subclass implements."""

    rejected = Signal(str)  # Japanese reason of a refused edit
    written = Signal(object)  # the OpChanges of a successful write (or of its undo / redo)
    columns: list[Col] = []

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.ctx = None  # set by the subclass: the AppContext it edits
        self.rows: list[object] = []
        self.undo_stack: QUndoStack | None = None
        self.total_rows: list[list[object]] = []  # read-only rows shown last (合計)
        self._bold = QFont()
        self._bold.setBold(True)

    # ------------------------------------------------------------ subclass API
    def key_of(self, row: object) -> object:
        raise NotImplementedError

    def value(self, row: object, col: Col) -> object:
        return getattr(row, col.key)

    def parse(self, row: object, col: Col, raw: object) -> object:
        return raw

    def field_write(self, key: object, col: Col, value: object) -> FieldWrite:
        """The stored field behind the cell (row ``key``, column ``col``) set to ``value``."""
        raise NotImplementedError

    def field_writes(self, changes: list[tuple[object, str, object]]) -> list[FieldWrite]:
        """The stored fields behind several (row key, column key, value) cells of one edit."""
        return [self.field_write(key, self.col(col_key), value) for key, col_key, value in changes]

    def reload(self) -> None:
        """Re-read every row from the store."""
        raise NotImplementedError

    def cell_editable(self, row: object, col: Col) -> bool:
        return col.editable

    def text(self, row: object, col: Col) -> str:
        """What the cell shows (and what its editor starts with)."""
        return display(self.value(row, col), col.kind)

    def tooltip(self, row: object, col: Col) -> str | None:
        return None

    # ------------------------------------------------------------ helpers
    def set_rows(self, rows: list[object], totals: list[list[object]] | None = None) -> None:
        """Replace the rows; in place (keeping the current cell) when the same rows come back."""
        totals = totals or []
        same = (
            len(rows) == len(self.rows)
            and len(totals) == len(self.total_rows)
            and all(self.key_of(a) == self.key_of(b) for a, b in zip(rows, self.rows, strict=True))
        )
        if same and self.rowCount():
            self.rows, self.total_rows = rows, totals
            self.dataChanged.emit(
                self.index(0, 0), self.index(self.rowCount() - 1, self.columnCount() - 1)
            )
            return
        self.beginResetModel()
        self.rows = rows
        self.total_rows = totals
        self.endResetModel()

    def col(self, key: str) -> Col:
        return next(c for c in self.columns if c.key == key)

    def column_index(self, key: str) -> int:
        return next(i for i, c in enumerate(self.columns) if c.key == key)

    def row_index(self, key: object) -> int:
        return next(i for i, r in enumerate(self.rows) if self.key_of(r) == key)

    def is_total(self, row: int) -> bool:
        return row >= len(self.rows)

    def apply_changes(self, changes: list[tuple[object, str, object]], *, source: str) -> OpChanges:
        """Write the cells as one operation (one commit; a pasted block is all or nothing)."""
        done = master_ops.edit(self.ctx, self.field_writes(changes), source)
        self.reload()
        self.written.emit(done)
        return done

    # ReplayHost: the undo / redo of an edit (ui/shared/undo.py)
    def _widget(self) -> QWidget | None:
        parent = self.parent()
        return parent if isinstance(parent, QWidget) else None

    def confirm_overwrite(self, conflicts: list[Conflict], action: str) -> bool:
        return interaction.confirm(
            self._widget(), action, describe_conflicts(conflicts, self.field_name, action)
        )

    def replayed(self, changes: OpChanges, action: str) -> None:
        self.reload()
        self.written.emit(changes)

    def replay_failed(self, message: str, action: str) -> None:
        self.reload()
        self.rejected.emit(message)

    def field_name(self, row: AuditRow) -> str:
        """How a changed field is named in the overwrite question: "001 仙台市職員労働組合 の組合員数"."""
        title = next(
            (c.title for c in self.columns if c.key == row.field),
            FIELD_TITLES.get(row.field, row.field),
        )
        record = self.record_label(row.key)
        return f"{record} の{title}" if record else f"{title} ({row.key})"

    def record_label(self, key: str) -> str | None:
        """The record of an audit key as the clerk knows it (None: not shown in this table)."""
        return None

    def edit_cells(self, edits: list[tuple[int, int, object]], label: str = "変更") -> bool:
        """Parse every (row, column, raw) first; refuse all with the reasons, or write as one step."""
        changes, problems = [], []
        for r, c, raw in edits:
            if self.is_total(r):
                continue
            row, col = self.rows[r], self.columns[c]
            if not self.cell_editable(row, col):
                problems.append(f"「{col.title}」は変更できません。")
                continue
            try:
                new = self.parse(row, col, raw)
            except EditRefused as exc:
                problems.append(f"{col.title}: {exc}" if len(edits) > 1 else str(exc))
                continue
            old = self.value(row, col)
            if old != new:
                changes.append((self.key_of(row), col.key, old, new))
        if problems:
            self.rejected.emit("\n".join(dict.fromkeys(problems)))
            return False
        if not changes:
            return True
        try:
            done = self.apply_changes([(k, c, new) for k, c, _old, new in changes], source="master")
        except (EditRefused, ValueError, KeyError) as exc:
            self.reload()
            self.rejected.emit(str(exc))
            return False
        if self.undo_stack is not None and not done.empty:
            self.undo_stack.push(ChangeCommand(self.ctx, done, label, self))
        return True

    # ------------------------------------------------------------ Qt API
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.rows) + len(self.total_rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal:
            col = self.columns[section]
            if role == Qt.ItemDataRole.DisplayRole:
                return col.title
            if role == Qt.ItemDataRole.ToolTipRole:
                return col.tip or col.title
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return "" if self.is_total(section) else str(section + 1)
        return None

    def flags(self, index):
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if not index.isValid() or self.is_total(index.row()):
            return base
        row, col = self.rows[index.row()], self.columns[index.column()]
        if self.cell_editable(row, col):
            base |= (
                Qt.ItemFlag.ItemIsUserCheckable if col.kind == FLAG else Qt.ItemFlag.ItemIsEditable
            )
        return base

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        col = self.columns[index.column()]
        if self.is_total(index.row()):
            value = self.total_rows[index.row() - len(self.rows)][index.column()]
            if role == Qt.ItemDataRole.DisplayRole:
                return display(value, col.kind) if not isinstance(value, str) else value
            if role == Qt.ItemDataRole.BackgroundRole:
                return TOTAL_BRUSH
            if role == Qt.ItemDataRole.FontRole:
                return self._bold
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return self._align(col)
            if role == SORT_ROLE:
                return float("inf")
            return None
        row = self.rows[index.row()]
        value = self.value(row, col)
        if role == Qt.ItemDataRole.DisplayRole:
            return "" if col.kind == FLAG else self.text(row, col)
        if role == Qt.ItemDataRole.EditRole:
            if col.kind in (COUNT, MONTH, PERCENT):
                return "" if value is None else str(value)
            return self.text(row, col)
        if role == Qt.ItemDataRole.CheckStateRole and col.kind == FLAG:
            return Qt.CheckState.Checked if value else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return self._align(col)
        if role == Qt.ItemDataRole.BackgroundRole and not self.cell_editable(row, col):
            return READONLY_BRUSH
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tooltip(row, col)
        if role == SORT_ROLE:
            if value is None:
                return float("-inf") if col.kind in (COUNT, PERCENT, MONTH) else ""
            return float(value) if isinstance(value, Decimal) else value
        if role == KEY_ROLE:
            return self.key_of(row)
        return None

    @staticmethod
    def _align(col: Col):
        if col.kind in (COUNT, PERCENT, MONTH):
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        if col.kind in (FLAG, DATE):
            return Qt.AlignmentFlag.AlignCenter
        return Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter

    def setData(self, index, value, role=Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if not index.isValid():
            return False
        col = self.columns[index.column()]
        if role == Qt.ItemDataRole.CheckStateRole and col.kind == FLAG:
            value = Qt.CheckState(value) == Qt.CheckState.Checked
        elif role != Qt.ItemDataRole.EditRole:
            return False
        return self.edit_cells([(index.row(), index.column(), value)], f"{col.title}の変更")


class MasterTable(QTableView):
    """Excel-like keys over a MasterTableModel (possibly behind a sort/filter proxy)."""

    def __init__(self, parent=None, *, stretch_last: bool = False) -> None:
        super().__init__(parent)
        self.setEditTriggers(
            QAbstractItemView.EditTrigger.AnyKeyPressed
            | QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.horizontalHeader()
        header.setStyleSheet("QHeaderView::section { background: #D9E1F2; }")
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap)
        header.setMinimumHeight(int(self.fontMetrics().height() * 2.6))
        header.setStretchLastSection(stretch_last)  # a trailing メモ column takes the rest

    def master_model(self) -> MasterTableModel:
        model = self.model()
        while not isinstance(model, MasterTableModel):
            model = model.sourceModel()
        return model

    def _to_source(self, index):
        model = self.model()
        while not isinstance(model, MasterTableModel):
            index = model.mapToSource(index)
            model = model.sourceModel()
        return index

    def fit_columns(self) -> None:
        em = self.fontMetrics().horizontalAdvance("あ")
        for i, col in enumerate(self.master_model().columns):
            self.setColumnWidth(i, col.width * em + 12)

    def current_editor(self):
        """The open cell editor (a QLineEdit / QComboBox), or None."""
        if self.state() != QAbstractItemView.State.EditingState:
            return None
        return self.indexWidget(self.currentIndex())

    def closeEditor(self, editor, hint) -> None:  # noqa: N802
        super().closeEditor(editor, hint)
        if hint == QAbstractItemDelegate.EndEditHint.SubmitModelCache:
            self._move(1)

    def _move(self, rows: int) -> None:
        current = self.currentIndex()
        if current.isValid() and 0 <= current.row() + rows < self.model().rowCount():
            self.setCurrentIndex(current.sibling(current.row() + rows, current.column()))

    def keyPressEvent(self, event) -> None:  # noqa: N802
        if self.state() != QAbstractItemView.State.EditingState:
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._move(1)
                return
            if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
                self.clear_selection_cells()
                return
            if event.matches(QKeySequence.StandardKey.Copy):
                self.copy_selection()
                return
            if event.matches(QKeySequence.StandardKey.Paste):
                self.paste_text(QApplication.clipboard().text())
                return
        super().keyPressEvent(event)

    def _selected_source(self) -> list:
        return [self._to_source(i) for i in self.selectionModel().selectedIndexes()]

    def clear_selection_cells(self) -> None:
        model = self.master_model()
        edits = [
            (i.row(), i.column(), None)
            for i in self._selected_source()
            if not model.is_total(i.row()) and model.columns[i.column()].kind != FLAG
        ]
        if edits:
            model.edit_cells(edits, "消去")

    def copy_selection(self) -> None:
        indexes = self.selectionModel().selectedIndexes()
        if not indexes:
            return
        rows = sorted({i.row() for i in indexes})
        cols = sorted({i.column() for i in indexes})
        model = self.model()
        lines = ["\t".join(model.index(r, c).data() or "" for c in cols) for r in rows]
        QApplication.clipboard().setText("\n".join(lines))

    def paste_text(self, text: str) -> bool:
        """Paste a tab/newline block at the current cell (one undo step, all or nothing)."""
        current = self.currentIndex()
        if not current.isValid() or not text:
            return False
        block = parse_clipboard(text)  # Excel's quoting of cells holding newlines or tabs
        model = self.model()
        edits = []
        for dr, values in enumerate(block):
            for dc, raw in enumerate(values):
                r, c = current.row() + dr, current.column() + dc
                if r >= model.rowCount() or c >= model.columnCount():
                    continue
                src = self._to_source(model.index(r, c))
                edits.append((src.row(), src.column(), raw))
        return self.master_model().edit_cells(edits, "貼り付け")


class Notice(QLabel):
    """A one-line message above a table: red for a refused edit, cleared by the next success."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("notice")
        self.setWordWrap(True)
        self.setStyleSheet("color: #C00000;")
        self.hide()

    def refused(self, text: str) -> None:
        self.setStyleSheet("color: #C00000; font-weight: bold;")
        self.setText("入力できません: " + text.replace("\n", "　"))
        self.show()

    def ok(self, text: str = "") -> None:
        self.setStyleSheet("color: #375623;")
        self.setText(text)
        self.setVisible(bool(text))
