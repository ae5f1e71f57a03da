"""見積りキャンペーン (F5): campaigns on the left; summary, estimate list and closing list.

* left: the campaigns (newest first) with 追加 / 編集 / 削除 and 匿名化;
* 集計: the campaign summary per union and in total, with the chart; preview / print / PDF /
  Excel, and every 別紙3 of the campaign in one PDF;
* 見積り一覧: :class:`EstimateListPanel` (form, status steps, import, 別紙2 / 別紙3);
* クロージング: open estimates by 保険(共済)満期日, "満期まで N 日以内", for union visits.

Every write is an operation (``services/ops/estimates``) whose change set goes on the page's
undo stack (Ctrl+Z; campaign add / edit / delete too) and out on the data bus with this page
as its origin; the page refreshes itself on changes from elsewhere to estimates, campaigns,
unions or master data.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from kyosai_desktop.render.estimate_paper import SummaryPaper, UnionReportPaper
from kyosai_desktop.services import estimate_reports as er
from kyosai_desktop.services.context import AppContext
from kyosai_desktop.services.estimate_privacy import Anonymised, anonymise_check
from kyosai_desktop.services.ops import ChangeKind, OpChanges
from kyosai_desktop.services.ops import estimates as est_ops
from kyosai_desktop.services.ops.replay import Conflict
from kyosai_desktop.services.privacy_check import (
    PrivacyCheck,
    PrivacyReport,
    backups_holding,
    delete_backups,
)
from kyosai_desktop.store.audit import AuditRow
from kyosai_desktop.ui.estimates.estimate_campaign_dialog import CampaignDialog
from kyosai_desktop.ui.estimates.estimate_chart import EstimateChart
from kyosai_desktop.ui.estimates.estimate_list_panel import EstimateListPanel
from kyosai_desktop.ui.estimates.estimate_models import CampaignRow, CampaignTableModel
from kyosai_desktop.ui.estimates.estimate_outputs import (
    output_button,
    render_with_progress,
    safe_name,
    table_doc,
)
from kyosai_desktop.ui.shared import interaction, runner
from kyosai_desktop.ui.shared.events import ChangeEvent, DataBus
from kyosai_desktop.ui.shared.report_model import ReportTableView
from kyosai_desktop.ui.shared.undo import ChangeCommand, describe_conflicts

REFRESH_KINDS = (
    ChangeKind.ESTIMATES,
    ChangeKind.CAMPAIGNS,
    ChangeKind.UNIONS,
    ChangeKind.PRODUCTS,
    ChangeKind.YEARS,
    ChangeKind.SETTINGS,
)
RECORD_NAMES = {
    "estimates": "見積り",
    "estimate_campaigns": "キャンペーン",
    "estimate_campaign_unions": "参加単組",
}
# Field names in the question asked before an undo overwrites a later change.
FIELD_NAMES = {
    "seq": "No.",
    "role": "区分",
    "name": "氏名",
    "age": "年齢",
    "contact": "連絡先",
    "car": "車名",
    "grade_now": "現在等級",
    "grade_new": "適応等級",
    "vehicle_cover": "車両",
    "other_premium": "他社掛金",
    "jichiro_premium": "じちろう掛金",
    "payment": "支払",
    "policy_maturity": "保険(共済)満期日",
    "inspection_due": "車検満了日",
    "status": "状況",
    "requested_on": "依頼受付日",
    "estimated_on": "見積作成日",
    "returned_on": "返却日",
    "closed_on": "成約・不成約の日付",
    "notes": "備考",
    "kind": "種類",
    "period_from": "期間の開始日",
    "period_to": "期間の終了日",
    "product_id": "商品",
    "note": "メモ",
}


class EstimatesPage(QWidget):
    def __init__(self, ctx: AppContext, bus: DataBus, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # Kept until a change: the summary of the campaign shown and the open estimates per
        # (campaign or all, today) that each closing list ("within N days") filters.  A change
        # of a few estimates updates them (drop_caches).
        self._summary: er.CampaignSummary | None = None
        self._closing: dict[tuple, er.OpenEstimates] = {}
        self.ctx = ctx
        self.bus = bus
        self.undo_stack = QUndoStack(self)
        self.campaign_id: int | None = None
        self._building = True

        # ---- campaigns
        self.campaign_model = CampaignTableModel(self)
        self.campaign_view = QTableView()
        self.campaign_view.setModel(self.campaign_model)
        self.campaign_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.campaign_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.campaign_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.campaign_view.verticalHeader().hide()
        head = self.campaign_view.horizontalHeader()
        head.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        head.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.campaign_view.setColumnHidden(1, True)  # 種類 and 単組 are in the header on the right
        self.campaign_view.setColumnHidden(3, True)
        self.campaign_view.setWordWrap(False)
        self.campaign_view.doubleClicked.connect(lambda _i: self.edit_campaign())
        add = QPushButton("追加…")
        add.clicked.connect(self.add_campaign)
        self.edit_button = QPushButton("編集…")
        self.edit_button.clicked.connect(self.edit_campaign)
        self.delete_button = QPushButton("削除")
        self.delete_button.clicked.connect(self.delete_campaign)
        self.anonymise_button = QPushButton("個人情報を匿名化…")
        self.anonymise_button.clicked.connect(self.anonymise)
        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        lv.addWidget(QLabel("<b>キャンペーン</b>"))
        lv.addWidget(self.campaign_view, 1)
        row = QHBoxLayout()
        for b in (add, self.edit_button, self.delete_button):
            row.addWidget(b)
        lv.addLayout(row)
        lv.addWidget(self.anonymise_button)

        # ---- right side
        self.header = QLabel()
        self.header.setObjectName("campaignHeader")
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.header.setWordWrap(True)  # a long campaign name wraps instead of widening the window
        self.tabs = QTabWidget()
        self.chart = EstimateChart()
        self.summary_view = ReportTableView(show_filter=True)
        self.summary_view.rowActivated.connect(self._open_union)
        summary_tab = QWidget()
        sv = QVBoxLayout(summary_tab)
        sv.setContentsMargins(0, 4, 0, 0)
        out = QHBoxLayout()
        out.addStretch(1)
        out.addWidget(
            output_button(
                self,
                "集計表",
                self._summary_doc,
                lambda: f"集計_{self._camp_name()}",
                make_table=self._summary_table,
            )
        )
        self.all_reports_button = QPushButton("全単組の別紙3 を1つの PDF に…")
        self.all_reports_button.clicked.connect(self.save_all_reports)
        out.addWidget(self.all_reports_button)
        sv.addLayout(out)
        sv.addWidget(self.chart, 2)
        sv.addWidget(self.summary_view, 3)
        self.list_panel = EstimateListPanel(ctx, self.undo_stack, self)
        closing_tab = self.closing_tab = QWidget()
        cv = QVBoxLayout(closing_tab)
        cv.setContentsMargins(0, 4, 0, 0)
        self.within_check = QCheckBox("満期まで")
        self.within_days = QSpinBox()
        self.within_days.setRange(0, 3650)
        self.within_days.setValue(60)
        self.within_days.setSuffix(" 日以内")
        self.within_check.setChecked(True)
        self.closing_scope = QComboBox()
        self.closing_scope.addItem("このキャンペーン", "campaign")
        self.closing_scope.addItem("すべてのキャンペーン", "all")
        for w in (self.within_check, self.within_days, self.closing_scope):
            signal = (
                getattr(w, "toggled", None)
                or getattr(w, "valueChanged", None)
                or w.currentIndexChanged
            )
            signal.connect(lambda *_: self.refresh_closing())
        top = QHBoxLayout()
        top.addWidget(self.within_check)
        top.addWidget(self.within_days)
        top.addWidget(QLabel("対象"))
        top.addWidget(self.closing_scope)
        top.addStretch(1)
        top.addWidget(
            output_button(
                self,
                "クロージング一覧",
                table_doc(self._closing_table),
                lambda: f"クロージング一覧_{self._camp_name()}",
                make_table=self._closing_table,
            )
        )
        self.closing_view = ReportTableView()
        self.closing_view.rowActivated.connect(self.list_panel.edit_estimate)
        cv.addLayout(top)
        cv.addWidget(self.closing_view, 1)
        self.tabs.addTab(summary_tab, "集計")
        self.tabs.addTab(self.list_panel, "見積り一覧")
        self.tabs.addTab(closing_tab, "クロージング")
        self._dirty: set[str] = {"list", "closing"}
        self.tabs.currentChanged.connect(self._refresh_current_tab)
        right = QWidget()
        rv = QVBoxLayout(right)
        rv.setContentsMargins(0, 0, 0, 0)
        rv.addWidget(self.header)
        rv.addWidget(self.tabs, 1)

        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([290, 1150])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        self.campaign_view.selectionModel().currentRowChanged.connect(self._campaign_selected)
        self._building = False
        self.reload_campaigns()

    # ------------------------------------------------------------------ data
    def _camp_name(self) -> str:
        camp = self.campaign()
        return camp.name if camp else ""

    def campaign(self):
        return None if self.campaign_id is None else self.ctx.campaigns.get(self.campaign_id)

    def reload_campaigns(self, select: int | None = None, *, kept: bool = False) -> None:
        """Show the campaigns (``select`` chosen) read afresh — or, ``kept``, with what the
        page keeps (the summary and lists that ``drop_caches`` has brought up to date)."""
        if not kept:
            self.drop_caches()
        stats = self.ctx.campaigns.stats()
        rows = [CampaignRow(c, *stats.get(c.id, (0, 0))) for c in self.ctx.campaigns.list()]
        keep = select if select is not None else self.campaign_id
        self.campaign_model.set_rows(rows)
        row = self.campaign_model.row_of(keep)
        if row is None and rows:
            row = 0
        if row is not None:
            self.campaign_view.selectRow(row)
            self.campaign_view.setCurrentIndex(self.campaign_model.index(row, 0))
        self.campaign_id = self.campaign_model.campaign_id(row) if row is not None else None
        self.show_campaign()

    def _campaign_selected(self, current, _previous) -> None:
        if self._building:
            return
        cid = self.campaign_model.campaign_id(current.row())
        if cid != self.campaign_id:
            self.campaign_id = cid
            self.show_campaign()

    def show_campaign(self) -> None:
        camp = self.campaign()
        has = camp is not None
        for b in (
            self.edit_button,
            self.delete_button,
            self.anonymise_button,
            self.all_reports_button,
        ):
            b.setEnabled(has)
        if camp is None:
            self.header.setText(
                "キャンペーンがありません。「追加…」で作成するか、見積り一覧の取り込みで作成します。"
            )
            self.chart.set_summary(None)
            self.summary_view.set_report(None)
            self._dirty = {"list", "closing"}
            self._refresh_current_tab()
            return
        summary = self._summary
        if summary is None or summary.campaign.id != camp.id:
            summary = self._summary = er.campaign_summary(self.ctx, camp.id)
        badge = " <span style='color:#C00000'>[匿名化済]</span>" if camp.anonymised_at else ""
        total = summary.total
        assert total is not None
        self.header.setText(
            f"<span style='font-size:14pt'><b>{camp.name}</b></span>{badge}　{camp.kind}　期間 {camp.period_text}"
            f"　参加単組 {len(summary.rows)}　依頼 {total.counts.requests:,}　返却済 {total.counts.returned:,}"
            f"　成約 {total.counts.contracts:,}"
        )
        self.chart.set_summary(summary)
        self.summary_view.set_report(summary.table())
        self.anonymise_button.setEnabled(not camp.anonymised_at)
        self._dirty = {"list", "closing"}
        self._refresh_current_tab()

    def _refresh_current_tab(self, *_args) -> None:
        """The list and closing tabs are rebuilt when shown, not on every change."""
        current = self.tabs.currentWidget()
        if current is self.list_panel and "list" in self._dirty:
            self._dirty.discard("list")
            self.list_panel.set_campaign(self.campaign(), counts=self._counts())
        elif current is self.closing_tab and "closing" in self._dirty:
            self._dirty.discard("closing")
            self.refresh_closing()

    def refresh(self, event: ChangeEvent) -> None:
        """Reload on changes made elsewhere (this page shows its own writes at once)."""
        if event.origin is not self and event.touches(*REFRESH_KINDS):
            self.drop_caches(event.changes)
            self.reload_campaigns(kept=True)

    def changed(self, changes: OpChanges) -> None:
        """Show a write of this page and announce it."""
        self.bus.announce(changes, origin=self)
        self.drop_caches(changes)
        self.reload_campaigns(kept=True)

    def _push(self, changes: OpChanges, text: str) -> None:
        if not changes.empty:
            self.undo_stack.push(ChangeCommand(self.ctx, changes, text, self))
        self.changed(changes)

    # ReplayHost: the undo / redo of an estimate or campaign edit (ui/shared/undo.py)
    def confirm_overwrite(self, conflicts: list[Conflict], action: str) -> bool:
        return interaction.confirm(
            self, action, describe_conflicts(conflicts, self._field_name, action)
        )

    def replayed(self, changes: OpChanges, action: str) -> None:
        created = changes.created("estimate_campaigns")
        if created:
            self.campaign_id = int(created[-1].key)
        self.changed(changes)

    def replay_failed(self, message: str, action: str) -> None:
        interaction.warning(self, action, message)
        self.reload_campaigns()

    def _field_name(self, row: AuditRow) -> str:
        what = RECORD_NAMES.get(row.table, row.table)
        if row.table == "estimates":
            estimate = self.ctx.estimates.get(int(row.key))
            if estimate is not None:
                what = f"見積り No.{estimate.seq}"
        elif row.table == "estimate_campaigns":
            campaign = self.ctx.campaigns.get(int(row.key))
            what = f"キャンペーン「{campaign.name}」" if campaign is not None else what
        if row.field == "*":
            return what
        label = (
            "キャンペーン名"
            if row.table == "estimate_campaigns" and row.field == "name"
            else FIELD_NAMES.get(row.field, row.field)
        )
        return f"{what} の{label}"

    def _open_union(self, union_id) -> None:
        if union_id is None:
            return
        self._dirty.discard("list")
        self.list_panel.set_campaign(self.campaign(), union_id, counts=self._counts())
        self.tabs.setCurrentWidget(self.list_panel)

    # ------------------------------------------------------------------ outputs
    def _summary_table(self):
        camp = self.campaign()
        if camp is None:
            raise ValueError("キャンペーンを選んでください。")
        return er.campaign_summary(self.ctx, camp.id).table()

    def _summary_doc(self):
        camp = self.campaign()
        if camp is None:
            raise ValueError("キャンペーンを選んでください。")
        return SummaryPaper(er.campaign_summary(self.ctx, camp.id))

    def _counts(self):
        """Requests per union for the list's union menu, from the summary shown."""
        summary = self._summary
        if summary is None or summary.campaign.id != self.campaign_id:
            return None
        return {r.union_id: r.counts for r in summary.rows}

    def _closing_table(self):
        camp = self.campaign()
        scope_all = self.closing_scope.currentData() == "all"
        days = self.within_days.value() if self.within_check.isChecked() else None
        key = (None if scope_all or camp is None else camp.id, date.today())
        opened = self._closing.get(key)
        if opened is None:
            opened = self._closing[key] = er.read_open(
                self.ctx, campaign_id=key[0], today=key[1], unions=self.list_panel.held_unions()
            )
        return opened.within(days).table()

    def drop_caches(self, changes: OpChanges | None = None) -> None:
        """Data changed.  A change of a few estimates (an edit, a status step, a deletion, their
        undo) updates what was read: the summary union by union, the closing lists and the
        estimate lists row by row (``est_ops.written_estimates``); any other change, or one
        known only by its kinds, makes everything be read again when shown."""
        written = None if changes is None else est_ops.written_estimates(self.ctx, changes)
        if written is None or changes is None:
            self._summary = None
            self._closing.clear()
            self.list_panel.drop_cache()
            return
        summary = self._summary
        if summary is not None:
            unions = est_ops.unions_written(changes, written, summary.campaign.id)
            self._summary = None if unions is None else er.summary_with(self.ctx, summary, unions)
        today = date.today()
        self._closing = {
            key: opened.with_estimates(self.ctx, written)
            for key, opened in self._closing.items()
            if key[1] == today
        }
        self.list_panel.take_changes(changes, written)

    def refresh_closing(self) -> None:
        self.within_days.setEnabled(self.within_check.isChecked())
        self.closing_view.set_report(self._closing_table())

    def save_all_reports(self):
        camp = self.campaign()
        if camp is None:
            return None
        reports = er.union_reports(self.ctx, camp.id)
        if not reports:
            interaction.information(self, "別紙3", "このキャンペーンにはまだ見積りがありません。")
            return None
        path = interaction.save_file(
            self,
            "全単組の別紙3 を PDF に保存",
            f"{safe_name('別紙3_' + camp.name)}.pdf",
            "PDF (*.pdf)",
        )
        if path is None:
            return None
        return render_with_progress(self, UnionReportPaper(reports), path)

    # ------------------------------------------------------------------ campaigns
    def _campaign_dialog(self, camp=None) -> CampaignDialog:
        selected = set(self.ctx.campaigns.union_ids(camp.id)) if camp else set()
        locked = set(self.ctx.estimates.status_counts(camp.id)) if camp else set()
        # A branch runs its campaigns with its own unions; a national model-union import
        # also stores other prefectures' unions, which are not offered here.
        own = self.ctx.unions.list(self.ctx.branch) if self.ctx.branch else self.ctx.unions.list()
        extra = [u for u in self.ctx.unions.list() if u.id in selected and u not in own]
        return CampaignDialog(
            [u for u in [*own, *extra] if u.active or u.id in selected],
            self.ctx.products.all(),
            campaign=camp,
            selected=selected,
            locked=locked,
            parent=self,
        )

    def add_campaign(self) -> None:
        dialog = self._campaign_dialog()
        if not interaction.exec_dialog(dialog):
            return
        try:  # the campaign and its unions in one commit
            camp, changes = est_ops.add_campaign(self.ctx, dialog.values, dialog.union_ids)
        except ValueError as exc:
            interaction.warning(self, "キャンペーンの追加", str(exc))
            return
        self.campaign_id = camp.id
        self._push(changes, f"キャンペーンの追加 ({camp.name})")

    def edit_campaign(self) -> None:
        camp = self.campaign()
        if camp is None:
            return
        dialog = self._campaign_dialog(camp)
        if not interaction.exec_dialog(dialog):
            return
        try:  # all of the form or nothing
            changes = est_ops.edit_campaign(self.ctx, camp.id, dialog.values, dialog.union_ids)
        except ValueError as exc:
            interaction.warning(self, "キャンペーンの編集", str(exc))
            changes = OpChanges()
        self._push(changes, f"キャンペーンの編集 ({camp.name})")

    def delete_campaign(self) -> None:
        camp = self.campaign()
        if camp is None or not interaction.confirm(
            self, "キャンペーンの削除", f"キャンペーン「{camp.name}」を削除しますか？"
        ):
            return
        try:
            changes = est_ops.delete_campaign(self.ctx, camp.id)
        except ValueError as exc:
            interaction.warning(self, "キャンペーンの削除", str(exc))
            return
        self.campaign_id = None
        self._push(changes, f"キャンペーンの削除 ({camp.name})")

    def anonymise(self) -> None:
        camp = self.campaign()
        if camp is None:
            return
        title = "個人情報の匿名化"
        check = anonymise_check(self.ctx, camp.id)
        if check.already:
            self._offer_old_backups(camp.id, check.reason)
            return
        if check.reason:
            interaction.warning(self, title, check.reason)
            return
        if not interaction.confirm(self, title, check.question):
            return
        # not twice: a second click before the progress dialog shows would queue a second job
        self.anonymise_button.setEnabled(False)
        runner.run(
            self,
            title,
            "個人情報を匿名化し、ファイルに残っていないか確認しています…",
            lambda job: est_ops.anonymise_verified(job.ctx, camp.id),
            ctx=self.ctx,
            on_done=self._anonymised,
            on_error=lambda exc: self._anonymise_failed(camp.id, exc),
            cancellable=False,
        )

    def _anonymised(self, result: tuple[Anonymised, OpChanges]) -> None:
        """The anonymisation is written (on the worker): show it, then the check's report."""
        done, changes = result
        self.undo_stack.clear()  # undo must not bring the personal data back
        self.changed(changes)
        head = f"{done.estimates:,} 件の見積りを匿名化しました。集計値は変わりません。\n\n"
        self._report_check(done.check, done.report, head)

    def _report_check(self, check: PrivacyCheck, report: PrivacyReport, head: str) -> None:
        """Show the check's report; while it is not clean, offer to check again (on the runner,
        on that task's own connection), then offer to delete the backups that hold the data."""
        title = "個人情報の匿名化"
        if not report.ok and interaction.confirm(
            self,
            title,
            head
            + report.text()
            + "\n\n読み込み中の画面やプログラムを閉じたら「はい」で、もう一度確認します。",
        ):
            runner.run(
                self,
                title,
                "匿名化した内容がファイルに残っていないか、もう一度確認しています…",
                lambda job: check.on(job.ctx).run(),
                ctx=self.ctx,
                on_done=lambda again: self._report_check(check, again, head),
                on_error=lambda exc: interaction.critical(
                    self, title, f"確認できませんでした。\n{runner.error_message(exc)}"
                ),
                cancellable=False,
            )
            return
        (interaction.information if report.ok else interaction.warning)(
            self, title, head + report.text()
        )
        if report.holding:
            self._delete_backups(report.holding)

    def _anonymise_failed(self, campaign_id: int, exc: BaseException) -> None:
        title = "個人情報の匿名化"
        camp = self.ctx.campaigns.get(campaign_id)
        self.anonymise_button.setEnabled(camp is not None and not camp.anonymised_at)
        if camp is not None and camp.anonymised_at:  # written, but the check failed
            self.undo_stack.clear()
            self.changed(
                OpChanges.of(ChangeKind.ESTIMATES, ChangeKind.CAMPAIGNS, source="anonymise")
            )
            interaction.critical(
                self,
                title,
                "匿名化しましたが、ファイルに残っていないかの確認ができませんでした。\n"
                f"{runner.error_message(exc)}",
            )
        elif isinstance(exc, ValueError):  # e.g. refused: the campaign changed meanwhile
            interaction.warning(self, title, str(exc))
        else:
            interaction.critical(
                self,
                title,
                f"匿名化できませんでした。何も変更していません。\n{runner.error_message(exc)}",
            )

    def _offer_old_backups(self, campaign_id: int, reason: str) -> None:
        holding = backups_holding(self.ctx, campaign_id)
        if not holding:
            interaction.information(
                self,
                "個人情報の匿名化",
                reason + "\nbackups フォルダに、このキャンペーンの"
                "個人情報を含むバックアップはありません。",
            )
            return
        self._delete_backups(holding, lead=reason + "\n")

    def _delete_backups(self, holding, lead: str = "") -> None:
        names = "\n".join(f"  {p.name}" for p in holding)
        if interaction.confirm(
            self,
            "古いバックアップの削除",
            f"{lead}次の古いバックアップ {len(holding)} 個には、このキャンペーンの個人情報が残っています:\n"
            f"{names}\n\nこれらを削除しますか？ (削除したバックアップからは復元できなくなります)",
        ):
            delete_backups(holding)
            interaction.information(
                self, "古いバックアップの削除", f"{len(holding)} 個のバックアップを削除しました。"
            )


def build_page(ctx: AppContext, bus: DataBus) -> QWidget:
    return EstimatesPage(ctx, bus)
