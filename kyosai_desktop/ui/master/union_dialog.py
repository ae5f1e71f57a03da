"""Small dialogs of the settings screen: add a union, and a record's change history.

Both are opened with ``open()`` (window-modal, non-blocking), so tests fill them in and press
their buttons like a clerk would.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kyosai_desktop.services import master_edit as me
from kyosai_desktop.services.context import AppContext
from kyosai_desktop.services.ops import OpChanges
from kyosai_desktop.services.ops import master as master_ops
from kyosai_desktop.store.audit import AuditEntry, source_label
from kyosai_desktop.store.unions import Union
from kyosai_desktop.ui.shared.discard_guard import DiscardGuard

FIELD_NAMES = {
    "*": "登録",
    "name": "単組名",
    "members": "組合員数",
    "holdings": "団生保有",
    "figures_as_of": "基準日",
    "effective_month": "発効月",
    "org_joined": "組織加入",
    "active": "有効",
    "note": "メモ",
    "target": "目標",
    "count": "件数",
    "label": "表示名",
    "start_months": "開始月 (実績/モデル単組)",
    "support_branch": "支援県支部",
    "value": "値",
}
BOOL_TEXT = {"True": "はい", "False": "いいえ"}


class AddUnionDialog(QDialog):
    """New union: code (3 digits, zeros kept), name and optional figures."""

    added = Signal(object)  # the new Union

    def __init__(
        self, ctx: AppContext, pref_codes: list[str], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("単組を追加")
        self.pref_combo = QComboBox()
        for code in pref_codes:
            self.pref_combo.addItem(f"{code} {ctx.prefectures.name_of(code) or ''}", code)
        self.code_edit = QLineEdit()
        self.code_edit.setMaxLength(3)
        self.code_edit.setPlaceholderText("例: 007 (3桁、先頭の0も保存されます)")
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("例: ○○市職員労働組合")
        self.members_edit = QLineEdit()
        self.holdings_edit = QLineEdit()
        self.as_of_edit = QLineEdit()
        self.as_of_edit.setPlaceholderText("例: 2025-04-01")
        self.month_edit = QLineEdit()
        self.month_edit.setPlaceholderText("1〜12")
        self.note_edit = QLineEdit()
        self.error_label = QLabel()
        self.error_label.setObjectName("errorLabel")
        self.error_label.setStyleSheet("color: #C00000;")
        self.error_label.setWordWrap(True)
        form = QFormLayout()
        form.addRow("自治労県コード", self.pref_combo)
        form.addRow("単組コード *", self.code_edit)
        form.addRow("単組名 *", self.name_edit)
        form.addRow("組合員数", self.members_edit)
        form.addRow("団生保有", self.holdings_edit)
        form.addRow("基準日", self.as_of_edit)
        form.addRow("発効月", self.month_edit)
        form.addRow("メモ", self.note_edit)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("追加")
        self.buttons.accepted.connect(self.try_add)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(460)
        self.union: Union | None = None
        self.changes = OpChanges()
        self.guard = DiscardGuard(self)

    def reject(self) -> None:
        if self.guard.allow_close():
            super().reject()

    def try_add(self) -> None:
        try:
            self.union, self.changes = master_ops.add_union(
                self.ctx,
                self.pref_combo.currentData(),
                self.code_edit.text(),
                self.name_edit.text(),
                members=self.members_edit.text(),
                holdings=self.holdings_edit.text(),
                figures_as_of=self.as_of_edit.text(),
                effective_month=self.month_edit.text(),
                note=self.note_edit.text(),
            )
        except me.EditRefused as exc:
            self.error_label.setText(str(exc))
            return
        self.added.emit(self.union)
        self.accept()


class HistoryDialog(QDialog):
    """The audit trail of one record: when, who, how, what, old → new."""

    def __init__(
        self, title: str, entries: list[AuditEntry], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.tree = QTreeWidget()
        self.tree.setRootIsDecorated(False)
        self.tree.setHeaderLabels(["日時", "担当", "方法", "項目", "変更前", "変更後"])
        for e in reversed(entries):
            self.tree.addTopLevelItem(
                QTreeWidgetItem(
                    [
                        e.at.replace("T", " "),
                        e.actor,
                        source_label(e.source),
                        FIELD_NAMES.get(e.field, e.field),
                        BOOL_TEXT.get(e.old or "", e.old or ""),
                        BOOL_TEXT.get(e.new or "", e.new or ""),
                    ]
                )
            )
        for i, width in enumerate((150, 80, 90, 110, 160, 160)):
            self.tree.setColumnWidth(i, width)
        if not entries:
            self.tree.addTopLevelItem(
                QTreeWidgetItem(["", "", "", "変更の記録はありません", "", ""])
            )
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tree)
        layout.addWidget(buttons)
        self.resize(820, 380)
