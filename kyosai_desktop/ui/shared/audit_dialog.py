"""変更履歴: the audit trail of one entry cell (when, who, what kind of change, old → new)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from kyosai_desktop.store.audit import AuditEntry

BLANK = "(空欄)"
_Index = QModelIndex | QPersistentModelIndex


def format_value(value: str | None) -> str:
    """Audit values are stored as text; counts are shown as "1,234", a cleared cell as (空欄)."""
    if value is None or value == "":
        return BLANK
    try:
        return f"{int(value):,}"
    except ValueError:
        return value


def format_time(at: str) -> str:
    """``2025-02-03T10:11:12`` → ``2025-02-03 10:11:12``."""
    return at.replace("T", " ")


class AuditModel(QAbstractTableModel):
    COL_AT, COL_ACTOR, COL_ACTION, COL_OLD, COL_NEW = range(5)
    TITLES = ("日時", "担当", "操作", "変更前", "変更後")

    def __init__(self, entries: Sequence[AuditEntry], labels: dict[str, str], parent=None) -> None:
        super().__init__(parent)
        self.entries = list(entries)
        self.labels = labels

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.entries)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.TITLES)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        e = self.entries[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                format_time(e.at),
                e.actor,
                self.labels.get(e.source, e.source),
                format_value(e.old),
                format_value(e.new),
            )[col]
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (self.COL_OLD, self.COL_NEW):
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        if role == Qt.ItemDataRole.UserRole + 1:  # sort role: raw values
            return (e.at, e.actor, e.source, e.old, e.new)[col]
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.TITLES[section]
        return None


class AuditDialog(QDialog):
    """Lists a cell's changes, oldest first; the last line is the value shown in the grid."""

    def __init__(
        self,
        title: str,
        entries: Sequence[AuditEntry],
        labels: dict[str, str],
        current: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("変更履歴")
        self.setObjectName("auditDialog")
        self.heading = QLabel(f"<b>{title}</b><br>現在の値: {current}")
        self.heading.setTextFormat(Qt.TextFormat.RichText)
        self.model = AuditModel(entries, labels, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)
        fm = self.fontMetrics()
        for col in (AuditModel.COL_OLD, AuditModel.COL_NEW):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Fixed)
            header.resizeSection(col, fm.horizontalAdvance("(空欄)") * 2 + 16)
        header.setMinimumSectionSize(fm.horizontalAdvance("やり直し") + 16)
        self.empty_label = QLabel("この欄の変更記録はありません。")
        self.empty_label.setVisible(not entries)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.table)
        layout.addWidget(self.empty_label)
        layout.addWidget(buttons)
        self.table.resizeColumnsToContents()
        width = sum(header.sectionSize(c) for c in range(self.model.columnCount()))
        self.resize(max(520, width + 48), 360)
        if entries:
            self.table.scrollToBottom()
            self.table.selectRow(len(entries) - 1)
