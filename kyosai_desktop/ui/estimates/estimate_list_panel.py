"""The 見積り一覧 tab: one campaign's estimates per union (or all), with every action on them.

Keys: Insert adds (form), Enter / double-click edits, Delete deletes (confirmed), Ctrl+F
filters; the status menu moves the selected estimates one step (dated) as one undoable edit.
別紙2 and 別紙3 of the chosen union go to preview / print / PDF / Excel; 取り込み reads a
別紙2 sheet (dry run, confirm, import).  Under the table: the computed totals of the rows
shown (集計対象・集計外・節約総額・1人あたり平均).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QItemSelection, QItemSelectionModel, Qt
from PySide6.QtGui import QKeySequence, QShortcut, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kyosai_desktop.domain.estimates import STATUSES, default_role, totals
from kyosai_desktop.render.estimate_paper import UnionReportPaper
from kyosai_desktop.services import estimate_reports as er
from kyosai_desktop.services.context import AppContext
from kyosai_desktop.services.ops import ChangeKind, OpChanges
from kyosai_desktop.services.ops import estimates as est_ops
from kyosai_desktop.store.estimates import Campaign, Estimate, StatusCounts
from kyosai_desktop.store.unions import Union
from kyosai_desktop.ui.estimates.estimate_dialog import EstimateDialog, StatusDialog
from kyosai_desktop.ui.estimates.estimate_models import (
    COLUMN_INDEX,
    COLUMNS,
    EstimateProxy,
    EstimateTableModel,
)
from kyosai_desktop.ui.estimates.estimate_outputs import output_button, table_doc
from kyosai_desktop.ui.shared import interaction
from kyosai_desktop.ui.shared.import_flow import ImportFlow, ImportUndoHost
from kyosai_desktop.ui.shared.report_model import FrozenTableView
from kyosai_desktop.ui.shared.undo import ChangeCommand, ReplayHost

ALL = -1


class EstimatesHost(ReplayHost, Protocol):
    def changed(self, changes: OpChanges) -> None:
        """Show a write of this page and announce it on the data bus."""
        ...


class EstimateListPanel(QWidget):
    def __init__(
        self,
        ctx: AppContext,
        undo_stack: QUndoStack,
        host: EstimatesHost,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.undo_stack = undo_stack
        self.host = host
        self.campaign: Campaign | None = None
        # Lists read per (campaign, union filter) and the unions by id, kept until the page
        # reports a change (drop_cache): switching the filter back and forth reads nothing.
        self._lists: dict[tuple[int, int | None], list[Estimate]] = {}
        self._unions: dict[int, Union] | None = None
        self.model = EstimateTableModel(self)
        self.proxy = EstimateProxy(self)
        self.proxy.setSourceModel(self.model)
        self.table = FrozenTableView(self)
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.doubleClicked.connect(lambda _i: self.edit_current())
        em = self.fontMetrics().horizontalAdvance("あ")
        for i, col in enumerate(COLUMNS):
            self.table.setColumnWidth(i, int(col.width * em * 0.9) + 10)
        self.table.set_frozen(4)

        self.union_combo = QComboBox()
        self.union_combo.setMinimumWidth(260)
        self.union_combo.currentIndexChanged.connect(lambda _i: self.reload())
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("絞り込み (氏名・車名・状況など)  Ctrl+F")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self._filter)
        self.count_label = QLabel()
        self.totals_label = QLabel()
        self.totals_label.setObjectName("estimateTotals")
        self.totals_label.setTextFormat(Qt.TextFormat.RichText)

        self.add_button = QPushButton("追加 (Ins)")
        self.add_button.clicked.connect(self.add_estimate)
        self.edit_button = QPushButton("編集 (Enter)")
        self.edit_button.clicked.connect(self.edit_current)
        self.delete_button = QPushButton("削除 (Del)")
        self.delete_button.clicked.connect(self.delete_selected)
        self.status_button = QPushButton("状況を変更")
        status_menu = QMenu(self.status_button)
        for status in STATUSES[1:]:
            status_menu.addAction(f"{status}にする…", lambda s=status: self.change_status(s))
        status_menu.addSeparator()
        status_menu.addAction("依頼受付に戻す…", lambda: self.change_status(STATUSES[0]))
        self.status_button.setMenu(status_menu)
        self.import_button = QPushButton("別紙2 を取り込み…")
        import_menu = QMenu(self.import_button)
        self.import_file_action = import_menu.addAction(
            "ファイルを取り込む…", lambda: self.import_file()
        )
        self.template_action = import_menu.addAction(
            "空のテンプレートを保存…", lambda: self.save_template()
        )
        self.import_button.setMenu(import_menu)
        self.list_button = output_button(
            self,
            "別紙2 一覧",
            table_doc(self.list_table),
            self._stem("別紙2"),
            make_table=self.list_table,
        )
        self.report_button = output_button(
            self,
            "別紙3 報告",
            self.report_doc,
            self._stem("別紙3"),
            make_table=self.report_table,
            landscape=False,
        )

        top = QHBoxLayout()
        top.addWidget(QLabel("単組"))
        top.addWidget(self.union_combo)
        top.addStretch(1)
        top.addWidget(self.count_label)
        top.addWidget(self.filter_edit)
        self.filter_edit.setMaximumWidth(300)
        actions = QHBoxLayout()
        for b in (self.add_button, self.edit_button, self.delete_button, self.status_button):
            actions.addWidget(b)
        actions.addStretch(1)
        for b in (self.import_button, self.list_button, self.report_button):
            actions.addWidget(b)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(top)
        layout.addLayout(actions)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.totals_label)

        def key(seq, fn) -> None:
            QShortcut(
                QKeySequence(seq),
                self,
                activated=fn,
                context=Qt.ShortcutContext.WidgetWithChildrenShortcut,
            )

        QShortcut(
            QKeySequence(Qt.Key.Key_Return),
            self.table,
            activated=self.edit_current,
            context=Qt.ShortcutContext.WidgetShortcut,
        )
        QShortcut(
            QKeySequence(Qt.Key.Key_Delete),
            self.table,
            activated=self.delete_selected,
            context=Qt.ShortcutContext.WidgetShortcut,
        )
        key(Qt.Key.Key_Insert, self.add_estimate)

    # ------------------------------------------------------------------ data
    def set_campaign(
        self,
        campaign: Campaign | None,
        union_id: int | None = None,
        counts: Mapping[int | None, StatusCounts] | None = None,
    ) -> None:
        """Show ``campaign`` (the union ``union_id``, or the one chosen); ``counts`` per union
        (the page's summary, when it holds one) saves reading them for the union menu."""
        self.campaign = campaign
        keep = union_id if union_id is not None else self.current_union()
        self.union_combo.blockSignals(True)
        self.union_combo.clear()
        if campaign is not None:
            self.union_combo.addItem("すべての単組", ALL)
            unions = self.unions()
            if counts is None:
                counts = self.ctx.estimates.status_counts(campaign.id)  # type: ignore[assignment]
                assert counts is not None
            for uid in self.ctx.campaigns.union_ids(campaign.id):
                u = unions.get(uid)
                if u is not None:
                    n = counts[uid].requests if uid in counts else 0
                    self.union_combo.addItem(f"{u.key} {u.name} ({n}件)", uid)
            index = self.union_combo.findData(keep) if keep is not None else -1
            self.union_combo.setCurrentIndex(
                index if index >= 0 else (1 if self.union_combo.count() == 2 else 0)
            )
        self.union_combo.blockSignals(False)
        self.reload()

    def drop_cache(self) -> None:
        """Forget what was read (the page calls this on every change it shows)."""
        self._lists.clear()
        self._unions = None

    def take_changes(
        self, changes: OpChanges, written: Mapping[int, Estimate | None] | None = None
    ) -> None:
        """Keep the lists read current after ``changes``: estimates written (edited, added,
        deleted, restored) are read again by id (``written``, when the page has read them)
        and put in their place; any other change (or one known only by its kinds) makes every
        list be read again."""
        fresh = written if written is not None else est_ops.written_estimates(self.ctx, changes)
        if fresh is None:
            self.drop_cache()  # many estimates (an import, anonymising): one read is quicker
            return
        rank: dict[int, int] | None = None
        for (campaign_id, union_id), old in list(self._lists.items()):
            position = {e.id: n for n, e in enumerate(old)}
            kept: list[Estimate | None] = list(old)
            moved = False
            for eid, e in fresh.items():
                belongs = (
                    e is not None
                    and e.campaign_id == campaign_id
                    and union_id in (None, e.union_id)
                )
                n = position.get(eid)
                if n is not None:
                    before = kept[n]
                    kept[n] = e if belongs else None
                    moved |= e is not None and before is not None and e.seq != before.seq
                elif belongs:
                    kept.append(e)
                    moved = True
            new = [e for e in kept if e is not None]
            if moved:  # the order the repository reads: by union (code order) then No.
                if union_id is None:
                    if rank is None:
                        rank = {uid: i for i, uid in enumerate(self.unions())}
                    new.sort(key=lambda e: (rank.get(e.union_id, -1), e.seq))
                else:
                    new.sort(key=lambda e: e.seq)
            self._lists[(campaign_id, union_id)] = new

    def unions(self) -> dict[int, Union]:
        if self._unions is None:
            self._unions = {u.id: u for u in self.ctx.unions.list()}
        return self._unions

    def held_unions(self) -> dict[int, Union] | None:
        """The unions already read (None when they are not: a reader then reads its own)."""
        return self._unions

    def current_union(self) -> int | None:
        data = self.union_combo.currentData()
        return None if data in (None, ALL) else int(data)

    def reload(self) -> None:
        selected = self.selected_ids()
        camp = self.campaign
        if camp is None:
            self.model.set_estimates([], {})
        else:
            key = (camp.id, self.current_union())
            estimates = self._lists.get(key)
            if estimates is None:
                estimates = self._lists[key] = self.ctx.estimates.list(
                    camp.id, self.current_union()
                )
            self.model.set_estimates(estimates, self.unions())
        self.table.setColumnHidden(COLUMN_INDEX["union"], self.current_union() is not None)
        editable = camp is not None and not camp.anonymised_at
        for b in (
            self.add_button,
            self.edit_button,
            self.delete_button,
            self.status_button,
            self.import_button,
        ):
            b.setEnabled(editable)
        self.list_button.setEnabled(self.current_union() is not None)
        self.report_button.setEnabled(camp is not None)
        self.table.apply_frozen()
        self._update_labels()
        if selected:
            self.select_ids(selected)

    def _filter(self, text: str) -> None:
        self.proxy.set_filter_text(text)
        self._update_labels()

    def _update_labels(self) -> None:
        shown = self.proxy.rowCount()
        total = self.model.rowCount()
        self.count_label.setText(f"{shown:,} / {total:,} 件" if shown != total else f"{total:,} 件")
        if shown != total:
            rows = [
                self.model.estimate(self.proxy.mapToSource(self.proxy.index(r, 0)).row())
                for r in range(shown)
            ]
            t = totals((e.other_premium, e.jichiro_premium, e.payment) for e in rows)
        else:
            t = self.model.totals()
        avg = "—" if t.saving_average is None else f"{t.saving_average:,}円"
        self.totals_label.setText(
            f"集計対象 <b>{t.rows_in_totals:,}人</b>　集計外 <b>{t.rows_flagged:,}人</b>　"
            f"他社総額 <b>{t.other_total:,}円</b>　じちろう総額 <b>{t.jichiro_total:,}円</b>　"
            f"年間の節約総額 <b>{t.saving_total:,}円</b>　1人あたり平均 <b>{avg}</b>"
        )

    def selected_ids(self) -> list[int]:
        # Read the selection's ranges (rows are selected whole): selectedRows() asks the
        # model for every cell and takes a second for 20,000 selected rows.
        shown = {
            r
            for rng in self.table.selectionModel().selection()
            for r in range(rng.top(), rng.bottom() + 1)
        }
        rows = sorted(self.proxy.mapToSource(self.proxy.index(r, 0)).row() for r in shown)
        return [self.model.estimate(r).id for r in rows]

    def select_ids(self, ids: list[int]) -> None:
        """Select the rows of ``ids`` (those shown), the first one current — as one selection
        (``selectRow`` one by one would keep only the last row selected)."""
        position = {e.id: r for r, e in enumerate(self.model.estimates)}
        shown = []
        for eid in ids:
            row = position.get(eid)
            index = self.proxy.mapFromSource(self.model.index(row, 0)) if row is not None else None
            if index is not None and index.isValid():
                shown.append(index.row())
        selection = QItemSelection()
        start = None
        rows = sorted(set(shown))
        for i, row in enumerate(rows):  # one range per run of adjacent rows
            start = row if start is None else start
            if i + 1 == len(rows) or rows[i + 1] != row + 1:
                selection.select(self.proxy.index(start, 0), self.proxy.index(row, 0))
                start = None
        chosen = self.table.selectionModel()
        if shown:
            chosen.setCurrentIndex(
                self.proxy.index(shown[0], 0), QItemSelectionModel.SelectionFlag.NoUpdate
            )
        chosen.select(
            selection,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )

    def _stem(self, what: str) -> Callable[[], str]:
        def stem() -> str:
            u = self.ctx.unions.get(self.current_union() or 0)
            camp = self.campaign.name if self.campaign else ""
            return f"{what}_{camp}_{u.name if u else '全単組'}"

        return stem

    # ------------------------------------------------------------------ outputs
    def list_table(self):
        if self.campaign is None or self.current_union() is None:
            raise ValueError("別紙2 は単組ごとの一覧です。上の「単組」で単組を選んでください。")
        return er.list_report(self.ctx, self.campaign.id, self.current_union())

    def _reports(self):
        if self.campaign is None:
            raise ValueError("キャンペーンを選んでください。")
        uid = self.current_union()
        reports = er.union_reports(self.ctx, self.campaign.id, None if uid is None else [uid])
        if not reports:
            raise ValueError("このキャンペーンにはまだ見積りがありません。")
        return reports

    def report_doc(self):
        return UnionReportPaper(self._reports())

    def report_table(self):
        reports = self._reports()
        if len(reports) != 1:
            raise ValueError(
                "別紙3 の Excel 出力は単組ごとです。上の「単組」で単組を選んでください。"
            )
        return reports[0]  # a UnionReport: saved as the 別紙3 form (its write_xlsx)

    # ------------------------------------------------------------------ editing
    def _dialog(self, estimate=None) -> EstimateDialog | None:
        camp = (
            self.ctx.campaigns.get(estimate.campaign_id) if estimate is not None else self.campaign
        )
        if camp is None or camp.anonymised_at:
            return None
        all_unions = {u.id: u for u in self.ctx.unions.list()}
        ids = self.ctx.campaigns.union_ids(camp.id)
        unions = [all_unions[i] for i in ids if i in all_unions] or [
            u for u in all_unions.values() if u.active
        ]
        union_id = (
            estimate.union_id
            if estimate
            else (self.current_union() or (unions[0].id if unions else None))
        )
        next_seq = self.ctx.estimates.next_seq(camp.id, union_id) if union_id else 1
        return EstimateDialog(
            unions,
            estimate=estimate,
            union_id=union_id,
            next_seq=next_seq,
            default_role=default_role(camp.kind),
            campaign=camp.name,
            parent=self,
            seq_taken=lambda uid, seq: self.ctx.estimates.find_seq(camp.id, uid, seq) is not None,
        )

    def add_estimate(self) -> None:
        while True:
            dialog = self._dialog()
            if dialog is None or not interaction.exec_dialog(dialog):
                return
            try:
                added, changes = est_ops.add_estimate(
                    self.ctx,
                    self.campaign.id,
                    dialog.union_id,  # type: ignore[union-attr, arg-type]
                    dialog.values,
                )
            except ValueError as exc:
                interaction.warning(self, "見積りの追加", str(exc))
                return
            self._push(changes, f"見積りの追加 (No.{added.seq} {added.name or ''})")
            self.select_ids([added.id])
            if not dialog.next_requested:
                return

    def edit_current(self) -> None:
        index = self.table.currentIndex()
        if not index.isValid() or self.campaign is None or self.campaign.anonymised_at:
            return
        before = self.model.estimate(self.proxy.mapToSource(index).row())
        self.edit_estimate(before.id)

    def edit_estimate(self, estimate_id: int) -> None:
        before = self.ctx.estimates.get(estimate_id)
        if before is None:
            return
        dialog = self._dialog(before)
        if dialog is None or not interaction.exec_dialog(dialog):
            return
        try:
            changes = est_ops.edit_estimate(self.ctx, before.id, dialog.values)
        except ValueError as exc:
            interaction.warning(self, "見積りの編集", str(exc))
            return
        after = self.ctx.estimates.get(before.id)
        self._push(changes, f"見積りの編集 (No.{after.seq if after else before.seq})")

    def change_status(self, status: str) -> None:
        ids = self.selected_ids()
        if not ids:
            interaction.information(
                self, "状況の変更", "状況を変える見積りを選んでください (複数選択できます)。"
            )
            return
        dialog = StatusDialog(status, len(ids), self)
        if not interaction.exec_dialog(dialog):
            return
        try:
            changes = est_ops.set_status(self.ctx, ids, status, dialog.iso_date())
        except ValueError as exc:
            interaction.warning(self, "状況の変更", str(exc))
            return
        self._push(changes, f"状況を「{status}」に ({len(ids)} 件)")

    def delete_selected(self) -> None:
        ids = self.selected_ids()
        if not ids or self.campaign is None or self.campaign.anonymised_at:
            return
        names = "、".join((self.ctx.estimates.get(i).name or "(匿名)") for i in ids[:5])  # type: ignore[union-attr]
        more = f" ほか {len(ids) - 5} 件" if len(ids) > 5 else ""
        if not interaction.confirm(
            self,
            "見積りの削除",
            f"{len(ids)} 件の見積り ({names}{more}) を削除しますか？\n"
            "「元に戻す」(Ctrl+Z) で取り消せます。",
        ):
            return
        changes = est_ops.delete_estimates(self.ctx, ids)  # one edit, one commit
        self._push(changes, f"見積りの削除 ({len(ids)} 件)")

    def _push(self, changes: OpChanges, text: str) -> None:
        """An operation done: one undo step, and the page shows and announces it."""
        if changes.empty:
            return
        self.undo_stack.push(ChangeCommand(self.ctx, changes, text, self.host))
        self.host.changed(changes)

    def import_file(self, path: Path | None = None) -> bool:
        """Import a 別紙2 sheet into the campaign × union through the one import flow."""
        camp = self.campaign
        uid = self.current_union()
        if camp is None:
            return False
        if uid is None:
            interaction.information(
                self,
                "別紙2 の取り込み",
                "取り込む単組を上の「単組」で選んでください。"
                "(参加単組にない単組は、キャンペーンの編集で追加できます)",
            )
            return False
        union = self.ctx.unions.get(uid)
        assert union is not None
        if path is None:
            path = interaction.open_file(
                self,
                f"{union.name} の見積り結果一覧 (別紙2) を選択",
                "Excel / CSV (*.xlsx *.xlsm *.csv);;すべてのファイル (*)",
            )
            if path is None:
                return False
        path = Path(path)
        name, key = camp.name, union.key

        def planner(ctx, progress, sheet=None):
            from kyosai_desktop.services.estimate_import import plan_estimates

            return plan_estimates(
                ctx, path, campaign=name, union=key, progress=progress, sheet=sheet
            )

        self.import_flow = ImportFlow(self.ctx, None, self)
        self.import_flow.announce = self._imported
        self.import_flow.undo_stack = self.undo_stack  # Ctrl+Z takes the whole import back
        self.import_flow.undo_host = ImportUndoHost(self.ctx, None, self, self.host.changed)
        self.import_flow.start("別紙2 の取り込み", path.name, planner)
        return True

    def save_template(self, path: Path | None = None) -> Path | None:
        """Save the blank 別紙2 sheet (services/templates) where the clerk chooses."""
        from kyosai_desktop.services.files import OutputError
        from kyosai_desktop.services.templates import write_template

        path = path or interaction.save_file(
            self,
            "別紙2 のテンプレートを保存",
            "別紙2_見積り結果一覧_取り込みテンプレート.xlsx",
            "Excel (*.xlsx)",
        )
        if path is None:
            return None
        try:
            written = write_template("estimates", path)
        except (OutputError, ValueError) as exc:
            interaction.critical(
                self, "テンプレート", f"テンプレートを保存できませんでした。\n{exc}"
            )
            return None
        interaction.information(
            self,
            "テンプレート",
            f"{written} に保存しました。\n"
            "1行目の見出しの下に入力して「別紙2 を取り込み…」から取り込んでください。",
        )
        return written

    def _imported(self, _plan, _report) -> None:
        self.host.changed(OpChanges.of(ChangeKind.ESTIMATES, ChangeKind.CAMPAIGNS))
