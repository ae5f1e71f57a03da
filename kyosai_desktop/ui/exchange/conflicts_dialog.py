"""競合の一覧: every unsettled conflict with both values and who changed each side when.

Settle the selected rows or all of them: 事務所の値を残す (keep this database's) or ノートPCの値を
採用 (take the laptop's).  Nothing was overwritten when the conflict arose; unsettled ones stay
listed and can be settled later.  On a laptop copy the "office" side is the office's copy it
was refreshed from and the "laptop" side its own unsent change.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from kyosai_desktop.services import exchange
from kyosai_desktop.services.context import AppContext
from kyosai_desktop.ui.shared import interaction

COLUMNS = (
    "No.",
    "種類",
    "記録",
    "項目",
    "事務所の値",
    "事務所: 変更者・日時",
    "ノートPCの値",
    "ノートPC: 変更者・日時",
    "状況",
)
(
    COL_ID,
    COL_KIND,
    COL_KEY,
    COL_FIELD,
    COL_OFFICE,
    COL_OFFICE_WHO,
    COL_LAPTOP,
    COL_LAPTOP_WHO,
    COL_SITUATION,
) = range(9)


def show_value(value: object, deleted: bool) -> str:
    if deleted:
        return "(削除)"
    if value is None:
        return "(なし)"
    if isinstance(value, dict):
        parts = [
            f"{exchange.field_label(k)} {v}"
            for k, v in value.items()
            if v not in (None, "") and not k.endswith("id") and k != "__pk__"
        ]
        text = "、".join(parts) or "(記録あり)"
        return text if len(text) <= 60 else text[:59] + "…"
    return str(value)


def who(actor: str | None, at: str | None) -> str:
    return f"{actor or '-'}  {(at or '-').replace('T', ' ')}"


class ConflictModel(QAbstractTableModel):
    def __init__(self, rows: list[exchange.Conflict]) -> None:
        super().__init__()
        self.rows = rows

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def text(self, c: exchange.Conflict, col: int) -> str:
        return [
            str(c.id),
            exchange.KIND_LABELS[c.kind],
            c.key,
            exchange.field_label(c.field),
            f"(削除: {c.deleted})"
            if c.situation == "orphaned"
            else show_value(c.office, c.situation == "deleted_office"),
            who(c.office_actor, c.office_at),
            (
                f"(削除 — 事務所に{c.dependants}あり)"
                if c.dependants
                else exchange.record_text(c.laptop, c.table)
                if c.table == "estimate_campaign_unions" and c.laptop is not None
                else show_value(c.laptop, c.situation == "deleted_laptop")
            ),
            who(c.laptop_actor, c.laptop_at),
            exchange.SITUATIONS[c.situation],
        ][col]

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        c = self.rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self.text(c, index.column())
        if role == Qt.ItemDataRole.UserRole:
            return c.id
        return None


class ConflictsDialog(QDialog):
    """The conflict list; ``settled`` is emitted after each settlement (data changed)."""

    settled = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("競合の一覧")
        self.setObjectName("exchange_conflicts")
        self.head = QLabel()
        self.head.setWordWrap(True)
        self.view = QTableView()
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().hide()
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.keep_office = QPushButton("選択した競合: 事務所の値を残す")
        self.take_laptop = QPushButton("選択した競合: ノートPCの値を採用")
        self.all_office = QPushButton("すべて事務所の値を残す")
        self.all_laptop = QPushButton("すべてノートPCの値を採用")
        for button in (self.keep_office, self.take_laptop, self.all_office, self.all_laptop):
            button.setAutoDefault(False)
        self.keep_office.clicked.connect(lambda: self.settle("office", selected=True))
        self.take_laptop.clicked.connect(lambda: self.settle("laptop", selected=True))
        self.all_office.clicked.connect(lambda: self.settle("office", selected=False))
        self.all_laptop.clicked.connect(lambda: self.settle("laptop", selected=False))
        row1 = QHBoxLayout()
        row1.addWidget(self.keep_office)
        row1.addWidget(self.take_laptop)
        row1.addStretch(1)
        row1.addWidget(self.all_office)
        row1.addWidget(self.all_laptop)
        buttons = QDialogButtonBox()
        close = buttons.addButton("閉じる", QDialogButtonBox.ButtonRole.RejectRole)
        close.setDefault(True)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.head)
        layout.addWidget(self.view, 1)
        layout.addLayout(row1)
        layout.addWidget(buttons)
        self.resize(1180, 480)
        self.reload()

    def reload(self) -> None:
        rows = exchange.list_conflicts(self.ctx.conn)
        self.model = ConflictModel(rows)
        self.view.setModel(self.model)
        n = len(rows)
        self.head.setText(
            f"未解決の競合 {n} 件。どちらの値も上書きしていません。1件ずつ (行を選んで) または"
            "まとめて解決してください。解決しない競合はこの一覧に残ります。"
            if n
            else "未解決の競合はありません。"
        )
        for button in (self.keep_office, self.take_laptop, self.all_office, self.all_laptop):
            button.setEnabled(bool(n))

    def selected_ids(self) -> list[int]:
        return sorted(
            {self.model.rows[i.row()].id for i in self.view.selectionModel().selectedRows()}
        )

    def settle(self, keep: str, *, selected: bool) -> int:
        ids = self.selected_ids() if selected else None
        if selected and not ids:
            interaction.information(self, "競合の解決", "解決する競合の行を選んでください。")
            return 0
        what = "事務所の値を残します" if keep == "office" else "ノートPCの値を採用します"
        count = len(ids) if ids is not None else len(self.model.rows)
        if not interaction.confirm(
            self, "競合の解決", f"{count} 件の競合について、{what}。よろしいですか？"
        ):
            return 0
        try:
            n = exchange.resolve(self.ctx.conn, ids, keep)
        except ValueError as exc:
            interaction.critical(self, "競合の解決", str(exc))
            return 0
        self.reload()
        self.settled.emit()
        return n
