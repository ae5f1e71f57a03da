"""The campaign form: name, kind, period, product and the participating unions.

Unions are ticked in a filterable list (a prefecture may hold hundreds); a union that
already has estimates in the campaign stays ticked and cannot be removed.
"""

from __future__ import annotations

import unicodedata

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kyosai_desktop.domain.estimate_values import parse_date
from kyosai_desktop.domain.estimates import CAMPAIGN_KINDS, DEFAULT_PRODUCT
from kyosai_desktop.services.report_table import format_date
from kyosai_desktop.store.estimates import Campaign
from kyosai_desktop.store.master import Product
from kyosai_desktop.store.unions import Union
from kyosai_desktop.ui.shared.discard_guard import DiscardGuard


class _UnionFilter(QSortFilterProxyModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.needle = ""

    def set_needle(self, text: str) -> None:
        self.beginFilterChange()
        self.needle = unicodedata.normalize("NFKC", text).strip().casefold()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, row: int, parent) -> bool:  # noqa: N802 - Qt API
        if not self.needle:
            return True
        text = self.sourceModel().index(row, 0, parent).data() or ""
        return self.needle in unicodedata.normalize("NFKC", text).casefold()


class CampaignDialog(QDialog):
    """Add or edit a campaign; after accept, ``values`` and ``union_ids`` hold the result."""

    def __init__(
        self,
        unions: list[Union],
        products: list[Product],
        *,
        campaign: Campaign | None = None,
        selected: set[int] | None = None,
        locked: set[int] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("キャンペーンの編集" if campaign else "キャンペーンの追加")
        self.values: dict[str, object] = {}
        self.union_ids: list[int] = []
        selected = selected or set()
        locked = locked or set()
        self.name = QLineEdit(campaign.name if campaign else "")
        self.name.setPlaceholderText("例: 2024年度 単組執行部見積り強化月間")
        self.kind = QComboBox()
        self.kind.addItems(list(CAMPAIGN_KINDS))
        self.kind.setCurrentText(campaign.kind if campaign else CAMPAIGN_KINDS[0])
        self.period_from = QLineEdit(format_date(campaign.period_from) if campaign else "")
        self.period_to = QLineEdit(format_date(campaign.period_to) if campaign else "")
        for edit in (self.period_from, self.period_to):
            edit.setPlaceholderText("2024-10-01 / 2024年10月1日")
        self.product = QComboBox()
        for p in products:
            self.product.addItem(p.name, p.id)
        default = (
            campaign.product_id
            if campaign and campaign.product_id
            else next((p.id for p in products if p.name == DEFAULT_PRODUCT), None)
        )
        if default is not None:
            self.product.setCurrentIndex(max(0, self.product.findData(default)))
        self.note = QLineEdit(campaign.note or "" if campaign else "")

        self.model = QStandardItemModel(self)
        for u in unions:
            item = QStandardItem(f"{u.key} {u.name}")
            item.setData(u.id, Qt.ItemDataRole.UserRole)
            item.setCheckable(True)
            item.setEditable(False)
            item.setCheckState(
                Qt.CheckState.Checked if u.id in selected | locked else Qt.CheckState.Unchecked
            )
            if u.id in locked:
                item.setEnabled(False)
                item.setToolTip("見積りがあるため外せません")
            self.model.appendRow(item)
        self.proxy = _UnionFilter(self)
        self.proxy.setSourceModel(self.model)
        self.union_view = QListView()
        self.union_view.setModel(self.proxy)
        self.union_filter = QLineEdit()
        self.union_filter.setPlaceholderText("単組を絞り込み (名前・コード)")
        self.union_filter.setClearButtonEnabled(True)
        self.union_filter.textChanged.connect(self.proxy.set_needle)
        check_all = QPushButton("表示中をすべて選択")
        check_all.clicked.connect(lambda: self._check_visible(True))
        clear = QPushButton("表示中の選択を外す")
        clear.clicked.connect(lambda: self._check_visible(False))
        self.count_label = QLabel()
        self.model.itemChanged.connect(self._update_count)
        self._update_count()

        form = QFormLayout()
        form.addRow("キャンペーン名", self.name)
        form.addRow("種類", self.kind)
        period = QHBoxLayout()
        period.addWidget(self.period_from)
        period.addWidget(QLabel("〜"))
        period.addWidget(self.period_to)
        form.addRow("期間", period)
        form.addRow("対象の制度", self.product)
        form.addRow("メモ", self.note)
        tools = QHBoxLayout()
        tools.addWidget(self.union_filter, 1)
        tools.addWidget(check_all)
        tools.addWidget(clear)
        self.message = QLabel()
        self.message.setStyleSheet("color: #C00000;")
        self.message.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("保存")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(QLabel("参加単組"))
        layout.addLayout(tools)
        layout.addWidget(self.union_view, 1)
        layout.addWidget(self.count_label)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.resize(560, 620)
        self.guard = DiscardGuard(self, extra=lambda: tuple(self.checked_ids()))

    def reject(self) -> None:
        if self.guard.allow_close():
            super().reject()

    def _check_visible(self, on: bool) -> None:
        for row in range(self.proxy.rowCount()):
            item = self.model.itemFromIndex(self.proxy.mapToSource(self.proxy.index(row, 0)))
            if item.isEnabled():
                item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def checked_ids(self) -> list[int]:
        return [
            self.model.item(r).data(Qt.ItemDataRole.UserRole)
            for r in range(self.model.rowCount())
            if self.model.item(r).checkState() == Qt.CheckState.Checked
        ]

    def _update_count(self, *_args) -> None:
        self.count_label.setText(f"参加単組 {len(self.checked_ids())} / {self.model.rowCount()}")

    def save(self) -> None:
        problems = []
        name = self.name.text().strip()
        if not name:
            problems.append("キャンペーン名を入力してください。")
        dates = {}
        for key, edit, label in (
            ("period_from", self.period_from, "開始日"),
            ("period_to", self.period_to, "終了日"),
        ):
            try:
                dates[key] = parse_date(edit.text(), label=label)
            except ValueError as exc:
                problems.append(str(exc))
        if (
            dates.get("period_from")
            and dates.get("period_to")
            and dates["period_from"] > dates["period_to"]
        ):
            problems.append("終了日が開始日より前です。")
        if problems:
            self.message.setText("\n".join(problems))
            return
        self.values = {
            "name": name,
            "kind": self.kind.currentText(),
            **dates,
            "product_id": self.product.currentData(),
            "note": self.note.text().strip() or None,
        }
        self.union_ids = self.checked_ids()
        self.accept()
