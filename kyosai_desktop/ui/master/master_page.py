"""マスタ・設定 (F6): the branch settings, unions, products, fiscal years, targets, imports.

Every edit is validated (the reason shown in Japanese) and made by an operation
(``services/ops/master``: committed at once, audited), whose change set is announced on the
data bus so the other screens refresh.
The page's QUndoStack joins the window's 元に戻す / やり直し.
"""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from kyosai_desktop.services import master_edit as me
from kyosai_desktop.services.branch_report import RIDER_GOAL_KEY, rider_goals
from kyosai_desktop.services.context import AppContext
from kyosai_desktop.services.ops import ChangeKind
from kyosai_desktop.services.ops import master as master_ops
from kyosai_desktop.ui.master.master_table import Notice
from kyosai_desktop.ui.shared import interaction
from kyosai_desktop.ui.shared.events import ChangeEvent, DataBus
from kyosai_desktop.ui.shared.import_dialog import KINDS, MasterImport

RIDER_GOAL_PRODUCT = "車両損害補償"


class BranchTab(QWidget):
    """Which branch this database belongs to, 支援県支部, 組織加入 threshold, 付帯率 goal."""

    def __init__(self, ctx: AppContext, bus: DataBus, parent=None) -> None:
        super().__init__(parent)
        self.ctx, self.bus = ctx, bus
        self.admin = ctx.master_admin
        self.branch_combo = QComboBox()
        for p in ctx.prefectures.all():
            self.branch_combo.addItem(f"{p.code} {p.name}", p.code)
        self.set_branch_button = QPushButton("この県支部に設定")
        self.set_branch_button.clicked.connect(self.apply_branch)
        self.support = QCheckBox("支援県支部 (見積り業務を本部が支援する県支部)")
        self.support.toggled.connect(self.apply_support)
        self.threshold = QDoubleSpinBox()
        self.threshold.setRange(1.0, 100.0)
        self.threshold.setDecimals(1)
        self.threshold.setSingleStep(1.0)
        self.threshold.setSuffix(" %")
        self.threshold.editingFinished.connect(self.apply_threshold)
        self.rider_goal = QDoubleSpinBox()
        self.rider_goal.setRange(0.0, 200.0)
        self.rider_goal.setDecimals(1)
        self.rider_goal.setSuffix(" %")
        self.rider_goal.setSpecialValueText("なし")
        self.rider_goal.editingFinished.connect(self.apply_rider_goal)
        self.notice = Notice()
        self.info = QLabel()
        self.info.setWordWrap(True)

        branch_row = QHBoxLayout()
        branch_row.addWidget(self.branch_combo)
        branch_row.addWidget(self.set_branch_button)
        for spin in (self.threshold, self.rider_goal):
            spin.setMaximumWidth(120)
        self.branch_combo.setMaximumWidth(260)
        branch_row.addStretch(1)
        form = QFormLayout()
        form.addRow("このデータベースの県支部", branch_row)
        form.addRow("", self.support)
        form.addRow("組織加入とみなす加入率", self.threshold)
        form.addRow(f"{RIDER_GOAL_PRODUCT}付帯率の本部目標", self.rider_goal)
        box = QGroupBox("県支部の設定")
        box.setLayout(form)
        layout = QVBoxLayout(self)
        layout.addWidget(box)
        layout.addWidget(self.notice)
        explain = QLabel(
            "加入率 = 団生保有 ÷ 組合員数。しきい値以上の単組は次の募集で「組織加入」と判定されます"
            " (下回ると「みなし組織加入」を失う可能性)。付帯率目標は保有契約ベースの参考値です。"
        )
        explain.setWordWrap(True)
        layout.addWidget(explain)
        layout.addWidget(self.info)
        layout.addStretch(1)
        self.refresh()

    def refresh(self) -> None:
        branch = self.ctx.branch
        for w in (self.support, self.threshold, self.rider_goal, self.branch_combo):
            w.blockSignals(True)
        index = self.branch_combo.findData(branch)
        self.branch_combo.setCurrentIndex(max(0, index))
        self.support.setEnabled(branch is not None)
        self.support.setChecked(bool(branch) and self.admin.support_branch(branch))
        self.threshold.setValue(self.ctx.settings.org_join_threshold)
        goal = rider_goals(self.ctx).get(RIDER_GOAL_PRODUCT)
        self.rider_goal.setValue(float(goal) if goal is not None else 0.0)
        for w in (self.support, self.threshold, self.rider_goal, self.branch_combo):
            w.blockSignals(False)
        counts = self.admin.record_counts(branch)
        self.info.setText(
            f"データベース: {self.ctx.path}\n単組 {counts[0]:,} 件 ・ 月別実績 {counts[1]:,} 件"
            f" ・ 変更記録 {counts[2]:,} 件"
        )

    def apply_branch(self) -> None:
        code = self.branch_combo.currentData()
        if code == self.ctx.branch:
            return
        name = self.ctx.prefectures.name_of(code)
        if self.ctx.branch and not interaction.confirm(
            self,
            "県支部の変更",
            f"このデータベースの県支部を「{name}」({code}) に変更します。"
            "単組・実績は削除されませんが、画面には選んだ県支部の単組だけが表示されます。よろしいですか？",
        ):
            self.refresh()
            return
        changes = master_ops.set_branch(self.ctx, code)
        self.notice.ok(f"県支部を {name} ({code}) に設定しました。")
        self.bus.announce(changes, origin=self)

    def apply_support(self, flag: bool) -> None:
        if self.ctx.branch:
            changes = master_ops.set_support_branch(self.ctx, self.ctx.branch, flag)
            self.notice.ok("支援県支部の設定を保存しました。")
            self.bus.announce(changes, origin=self)

    def apply_threshold(self) -> None:
        value = Decimal(str(round(self.threshold.value(), 1)))
        if value == Decimal(str(self.ctx.settings.org_join_threshold)):
            return
        try:
            _threshold, changes = master_ops.set_org_join_threshold(self.ctx, value)
        except me.EditRefused as exc:
            self.notice.refused(str(exc))
            return
        self.notice.ok(f"組織加入のしきい値を {value}% にしました。")
        self.bus.announce(changes, origin=self)

    def apply_rider_goal(self) -> None:
        value = round(self.rider_goal.value(), 1)
        current = rider_goals(self.ctx).get(RIDER_GOAL_PRODUCT)
        if (current is None and value == 0) or (current is not None and float(current) == value):
            return
        text = "" if value == 0 else str(Decimal(str(value)))
        key = RIDER_GOAL_KEY + RIDER_GOAL_PRODUCT
        changes = master_ops.set_setting(self.ctx, key, text)
        self.notice.ok("付帯率の本部目標を保存しました。")
        self.bus.announce(changes, origin=self)


class ImportTab(QWidget):
    """Buttons for the three imports; each goes through the one import flow (check → review → import)."""

    def __init__(self, ctx: AppContext, bus: DataBus, parent=None) -> None:
        super().__init__(parent)
        self.flow = MasterImport(ctx, bus, self)
        self.flow.finished.connect(self._imported)
        self.result = QLabel()
        self.result.setWordWrap(True)
        layout = QVBoxLayout(self)
        intro = QLabel(
            "CSV または Excel (.xlsx) ファイルを取り込みます。まず内容を確認して変わる内容を表示し、"
            "「取り込む」を押してから書き込みます。問題のあるファイルは行・セルごとに一覧表示し、何も書き込みません。"
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.buttons: dict[str, QPushButton] = {}
        self.template_buttons: dict[str, QPushButton] = {}
        for key, spec in KINDS.items():
            button = QPushButton(f"{spec.label}を取り込む…")
            button.setMinimumWidth(180)
            button.clicked.connect(lambda _=False, k=key: self.run(k))
            self.buttons[key] = button
            template = QPushButton("テンプレート…")
            template.setToolTip(f"{spec.label}の見出しだけが入った空の Excel ファイルを保存します")
            template.clicked.connect(lambda _=False, k=key: self.save_template(k))
            self.template_buttons[key] = template
            row = QHBoxLayout()
            row.addWidget(button)
            row.addWidget(template)
            hint = QLabel(f"必要な列: {spec.headers}")
            hint.setWordWrap(True)
            row.addWidget(hint, 1)
            layout.addLayout(row)
        layout.addWidget(self.result)
        layout.addStretch(1)

    def save_template(self, kind: str):
        """Save the blank template of ``kind`` where the clerk chooses; returns the path or None."""
        from kyosai_desktop.services.files import OutputError
        from kyosai_desktop.services.templates import template, write_template

        label = KINDS[kind].label
        path = interaction.save_file(
            self,
            f"{label}のテンプレートを保存",
            f"{label}_取り込みテンプレート.xlsx",
            "Excel (*.xlsx)",
        )
        if path is None:
            return None
        try:
            write_template(kind, path)
        except (OutputError, ValueError) as exc:
            interaction.critical(
                self, "テンプレート", f"テンプレートを保存できませんでした。\n{exc}"
            )
            return None
        self.result.setText(
            f"{label}のテンプレートを保存しました: {path}\n"
            f"1行目の見出し ({'・'.join(template(kind).headers)}) の下に入力して取り込んでください。"
        )
        return path

    def run(self, kind: str, path=None) -> bool:
        """Start importing a file of ``kind``; the outcome arrives through ``flow.finished``."""
        return self.flow.run(kind, path)

    def _imported(self, kind: str, report) -> None:
        if report is not None:
            self.result.setText(f"最後の取り込み: {KINDS[kind].label}: {report.counts()}")


class MasterPage(QWidget):
    TAB_TITLES = ("県支部設定", "単組", "商品", "年度", "目標", "取り込み")

    def __init__(self, ctx: AppContext, bus: DataBus, parent=None) -> None:
        super().__init__(parent)
        # The table tabs are imported here, not at start-up (the page registry imports this module).
        from kyosai_desktop.ui.master.master_tabs import ProductTab, TargetTab, UnionTab, YearTab

        self.ctx, self.bus = ctx, bus
        self.undo_stack = QUndoStack(self)
        self.branch_tab = BranchTab(ctx, bus)
        self.union_tab = UnionTab(ctx, self.undo_stack)
        self.product_tab = ProductTab(ctx, self.undo_stack)
        self.year_tab = YearTab(ctx, self.undo_stack)
        self.target_tab = TargetTab(ctx, self.undo_stack)
        self.import_tab = ImportTab(ctx, bus)
        for model in (
            self.union_tab.model,
            self.product_tab.model,
            self.year_tab.model,
            self.target_tab.branch_model,
            self.target_tab.union_model,
        ):
            model.written.connect(lambda changes: bus.announce(changes, origin=self))
        self.tabs = QTabWidget()
        for widget, title in zip(
            (
                self.branch_tab,
                self.union_tab,
                self.product_tab,
                self.year_tab,
                self.target_tab,
                self.import_tab,
            ),
            self.TAB_TITLES,
            strict=True,
        ):
            self.tabs.addTab(widget, title)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.tabs)

    def show_tab(self, title: str) -> QWidget:
        index = self.TAB_TITLES.index(title)
        self.tabs.setCurrentIndex(index)
        return self.tabs.widget(index)

    def refresh(self, event: ChangeEvent) -> None:
        # The page's own edits come back too: one tab's edit may show on another tab.
        k = ChangeKind
        if event.touches(k.UNIONS, k.SETTINGS):
            self.union_tab.refresh()
        if event.touches(k.SETTINGS, k.PRODUCTS, k.YEARS, k.RESULTS, k.UNIONS):
            self.branch_tab.refresh()
        if event.touches(k.PRODUCTS):
            self.product_tab.refresh()
        if event.touches(k.YEARS):
            self.year_tab.refresh()
        if event.touches(k.TARGETS, k.UNIONS, k.SETTINGS, k.PRODUCTS, k.YEARS):
            self.target_tab.refresh()


def build_page(ctx: AppContext, bus: DataBus) -> QWidget:
    return MasterPage(ctx, bus)
