"""The table tabs of the settings screen: 単組, 商品, 年度, 目標.

Each tab owns its master models (``ui/master/master_models.py``), shares the page's undo stack,
shows a refused edit's reason in a red line above the table, and reloads on ``refresh``.
"""

from __future__ import annotations

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QStyledItemDelegate,
    QVBoxLayout,
    QWidget,
)

from kyosai_desktop.services.context import AppContext
from kyosai_desktop.services.ops import ChangeKind, OpChanges
from kyosai_desktop.services.ops import master as master_ops
from kyosai_desktop.store.targets import VERSIONS
from kyosai_desktop.ui.master.master_models import (
    BranchTargetModel,
    FiscalYearModel,
    ProductModel,
    UnionModel,
    UnionTargetModel,
)
from kyosai_desktop.ui.master.master_table import SORT_ROLE, MasterTable, MasterTableModel, Notice
from kyosai_desktop.ui.master.union_dialog import AddUnionDialog, HistoryDialog
from kyosai_desktop.ui.shared import interaction


def bind(model: MasterTableModel, notice: Notice, undo: QUndoStack) -> None:
    model.undo_stack = undo
    model.rejected.connect(notice.refused)
    model.written.connect(lambda _kind: notice.ok("保存しました。"))


class UnionTab(QWidget):
    def __init__(self, ctx: AppContext, undo: QUndoStack, parent=None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.model = UnionModel(ctx, self)
        self.notice = Notice()
        bind(self.model, self.notice, undo)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.proxy.setFilterKeyColumn(-1)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.table = MasterTable(stretch_last=True)
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.table.fit_columns()

        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("絞り込み (単組名・コード)")
        self.filter_edit.setMinimumWidth(200)
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self.proxy.setFilterFixedString)
        self.all_prefs = QCheckBox("全県を表示")
        self.all_prefs.toggled.connect(self.apply_filter)
        self.inactive = QCheckBox("無効の単組も表示")
        self.inactive.setChecked(True)
        self.inactive.toggled.connect(self.apply_filter)
        self.add_button = QPushButton("単組を追加…")
        self.add_button.clicked.connect(self.open_add_dialog)
        self.deactivate_button = QPushButton("無効にする")
        self.deactivate_button.setToolTip(
            "選んだ単組を無効にします (削除はしません。実績・目標は残ります)"
        )
        self.deactivate_button.clicked.connect(self.deactivate_selected)
        self.judge_button = QPushButton("組織加入を加入率で見直す…")
        self.judge_button.clicked.connect(self.review_org_joined)
        self.history_button = QPushButton("変更履歴…")
        self.history_button.clicked.connect(self.show_history)
        self.count_label = QLabel()
        self.model.modelReset.connect(self._count)
        self.model.dataChanged.connect(self._count)

        bar = QHBoxLayout()
        for w in (self.filter_edit, self.all_prefs, self.inactive):
            bar.addWidget(w)
        bar.addStretch(1)
        for w in (self.add_button, self.deactivate_button, self.judge_button, self.history_button):
            bar.addWidget(w)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.count_label)  # its own line, so the bar fits a 1280-wide screen
        layout.addWidget(self.notice)
        layout.addWidget(self.table, 1)
        self.add_dialog: AddUnionDialog | None = None
        self.history_dialog: HistoryDialog | None = None
        self._count()

    def _count(self, *args) -> None:
        rows = self.model.rows
        active = sum(1 for u in rows if u.active)
        members = sum(u.members or 0 for u in rows if u.active)
        self.count_label.setText(f"{len(rows)} 単組 (有効 {active})　組合員 {members:,} 人")

    def apply_filter(self) -> None:
        pref = None if self.all_prefs.isChecked() else self.ctx.branch
        self.model.set_filter(pref, self.inactive.isChecked())

    def refresh(self) -> None:
        self.apply_filter()

    def selected_union_ids(self) -> list[int]:
        rows = {
            self.proxy.mapToSource(i).row() for i in self.table.selectionModel().selectedIndexes()
        }
        return [self.model.rows[r].id for r in sorted(rows) if r < len(self.model.rows)]

    def open_add_dialog(self) -> AddUnionDialog:
        prefs = [self.ctx.branch] if self.ctx.branch else []
        if self.all_prefs.isChecked() or not prefs:
            prefs = [p.code for p in self.ctx.prefectures.all()]
        self.add_dialog = AddUnionDialog(self.ctx, prefs, self)
        self.add_dialog.added.connect(self._added)
        self.add_dialog.open()
        return self.add_dialog

    def _added(self, union) -> None:
        self.model.reload()
        self.model.written.emit(
            self.add_dialog.changes if self.add_dialog else OpChanges.of(ChangeKind.UNIONS)
        )
        self.notice.ok(f"{union.pref_code}-{union.union_code} {union.name} を追加しました。")
        row = self.model.row_index(union.id)
        self.table.setCurrentIndex(self.proxy.mapFromSource(self.model.index(row, 2)))

    def deactivate_selected(self) -> None:
        ids = [i for i in self.selected_union_ids() if self.ctx.unions.get(i).active]
        if not ids:
            self.notice.refused("無効にする有効な単組を選んでください。")
            return
        names = "\n".join(self.ctx.unions.get(i).name for i in ids[:10])
        if not interaction.confirm(
            self,
            "単組を無効にする",
            f"次の {len(ids)} 単組を無効にします。実績・目標は残り、"
            f"あとで「有効」に戻せます。\n\n{names}",
        ):
            return
        col = self.model.column_index("active")
        self.model.edit_cells(
            [(self.model.row_index(i), col, False) for i in ids], "単組を無効にする"
        )

    def review_org_joined(self) -> None:
        from kyosai_desktop.services.master_edit import org_join_suggestions

        active = [u for u in self.model.rows if u.active]
        changes = org_join_suggestions(self.ctx, active)
        threshold = self.ctx.settings.org_join_threshold
        if not changes:
            interaction.information(
                self,
                "組織加入の見直し",
                f"すべての単組の「組織加入」は加入率 {threshold:g}% の基準と一致しています。",
            )
            return
        lines = "\n".join(
            f"{u.union_code} {u.name}: {'組織加入にする' if flag else '組織加入を外す'}"
            for u, flag in changes[:20]
        )
        if not interaction.confirm(
            self,
            "組織加入の見直し",
            f"加入率 {threshold:g}% を基準に {len(changes)} 単組の「組織加入」を変更します。\n\n{lines}",
        ):
            return
        col = self.model.column_index("org_joined")
        self.model.edit_cells(
            [(self.model.row_index(u.id), col, flag) for u, flag in changes], "組織加入の見直し"
        )

    def show_history(self) -> HistoryDialog | None:
        ids = self.selected_union_ids()
        if not ids:
            self.notice.refused("変更履歴を見る単組を選んでください。")
            return None
        union = self.ctx.unions.get(ids[0])
        entries = self.ctx.audit.history("unions", str(union.id))
        self.history_dialog = HistoryDialog(
            f"変更履歴 — {union.union_code} {union.name}", entries, self
        )
        self.history_dialog.open()
        return self.history_dialog


class RiderDelegate(QStyledItemDelegate):
    """付帯元: choose a main product (or none) from a list instead of typing its name."""

    def __init__(self, ctx: AppContext, parent=None) -> None:
        super().__init__(parent)
        self.ctx = ctx

    def createEditor(self, parent, option, index):  # noqa: N802
        combo = QComboBox(parent)
        combo.addItem("")
        combo.addItems([p.name for p in self.ctx.products.all() if p.rider_of is None])
        return combo

    def setEditorData(self, editor, index) -> None:  # noqa: N802
        editor.setCurrentText(index.data(Qt.ItemDataRole.EditRole) or "")

    def setModelData(self, editor, model, index) -> None:  # noqa: N802
        model.setData(index, editor.currentText(), Qt.ItemDataRole.EditRole)


class ProductTab(QWidget):
    def __init__(self, ctx: AppContext, undo: QUndoStack, parent=None) -> None:
        super().__init__(parent)
        self.model = ProductModel(ctx, self)
        self.notice = Notice()
        bind(self.model, self.notice, undo)
        self.table = MasterTable(stretch_last=True)
        self.table.setModel(self.model)
        self.table.setItemDelegateForColumn(
            self.model.column_index("rider_of"), RiderDelegate(ctx, self)
        )
        self.table.fit_columns()
        help_label = QLabel(
            "商品の一覧はデータです。表示順・付帯元・適用期間・目標の有無を変更できます"
            " (商品名と別名は取り込みの照合に使うため変更できません)。"
        )
        help_label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(help_label)
        layout.addWidget(self.notice)
        layout.addWidget(self.table, 1)

    def refresh(self) -> None:
        self.model.reload()


class YearTab(QWidget):
    def __init__(self, ctx: AppContext, undo: QUndoStack, parent=None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.model = FiscalYearModel(ctx, self)
        self.notice = Notice()
        bind(self.model, self.notice, undo)
        self.table = MasterTable()
        self.table.setModel(self.model)
        self.table.fit_columns()
        self.add_button = QPushButton("次の年度を追加")
        self.add_button.clicked.connect(self.add_next_year)
        help_label = QLabel(
            "「2024年度」は2024年に始まる年度です。商品実績は6月発効〜翌5月発効、"
            "モデル単組の実績集約期間は2024年度まで6月開始・2025年度から5月開始です。"
        )
        help_label.setWordWrap(True)
        bar = QHBoxLayout()
        bar.addWidget(help_label, 1)
        bar.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.notice)
        layout.addWidget(self.table, 1)

    def add_next_year(self) -> int:
        years = [r.year for r in self.model.rows]
        year = (max(years) + 1) if years else 2025
        _added, changes = master_ops.add_fiscal_year(self.ctx, year)
        self.model.reload()
        self.model.written.emit(changes)
        self.notice.ok(f"{year}年度を追加しました。")
        return year

    def refresh(self) -> None:
        self.model.reload()


class TargetTab(QWidget):
    def __init__(self, ctx: AppContext, undo: QUndoStack, parent=None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.year_combo = QComboBox()
        self.version_combo = QComboBox()
        self.version_combo.addItems(list(VERSIONS))
        self._fill_years()
        year = self.year_combo.currentData()
        self.branch_model = BranchTargetModel(ctx, year, self)
        self.union_model = UnionTargetModel(ctx, year, VERSIONS[0], self)
        self.notice = Notice()
        bind(self.branch_model, self.notice, undo)
        bind(self.union_model, self.notice, undo)
        # The two grids show each other's sums: keep them in step within the tab.
        self.union_model.written.connect(lambda _kind: self.branch_model.reload())
        self.branch_model.written.connect(lambda _kind: self.union_model.reload())
        self.branch_table = MasterTable()
        self.branch_table.setModel(self.branch_model)
        self.branch_table.fit_columns()
        self.union_table = MasterTable()
        self.union_table.setModel(self.union_model)
        self.union_table.fit_columns()
        self.union_model.modelReset.connect(self.union_table.fit_columns)
        self.year_combo.currentIndexChanged.connect(self.reload)
        self.version_combo.currentIndexChanged.connect(self.reload)

        bar = QHBoxLayout()
        bar.addWidget(QLabel("年度"))
        bar.addWidget(self.year_combo)
        bar.addSpacing(16)
        bar.addWidget(QLabel("単組目標の版"))
        bar.addWidget(self.version_combo)
        bar.addStretch(1)
        bar.addWidget(
            QLabel("空欄 = 目標なし (「—」表示)。Excel から範囲を貼り付けできます (Ctrl+V)。")
        )
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(QLabel("<b>県支部の目標</b> (商品別、第1次・第2次)"))
        top_layout.addWidget(self.branch_table)
        bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        bottom_layout.addWidget(QLabel("<b>単組別の目標</b> (行: 単組、列: 商品)"))
        bottom_layout.addWidget(self.union_table)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(top)
        splitter.addWidget(bottom)
        splitter.setSizes([330, 400])
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.notice)
        layout.addWidget(splitter, 1)

    def _fill_years(self) -> None:
        current = self.year_combo.currentData()
        self.year_combo.blockSignals(True)
        self.year_combo.clear()
        years = self.ctx.master_admin.fiscal_years()
        for year, label, *_ in years:
            self.year_combo.addItem(label, year)
        with_targets = self.ctx.master_admin.target_years()
        wanted = current or (max(with_targets) if with_targets else None)
        index = self.year_combo.findData(wanted) if wanted else -1
        self.year_combo.setCurrentIndex(
            index if index >= 0 else max(0, self.year_combo.count() - 1)
        )
        self.year_combo.blockSignals(False)

    def reload(self) -> None:
        year = self.year_combo.currentData()
        if year is None:
            return
        self.branch_model.set_year(year)
        self.union_model.set_year_version(year, self.version_combo.currentText())

    def refresh(self) -> None:
        self._fill_years()
        self.reload()
