"""モデル単組 (F4): the 加入拡大モデル単組 progress table, its import and its printouts.

The table is ``services/model_union_report`` 's ReportTable drawn with the shared renderers:
on screen (ReportTableView: frozen code/name columns, sort and filter with the 合計 row kept
last, colours by 達成率), on paper / PDF (TablePaper, A4 or A3 landscape) and in Excel.
The clerk chooses the fiscal year, the as-of month, the 6月開始/5月開始 view and the scope
(自県 / 全国 / one prefecture).  The monthly counts are the 団体生命共済 results, so an edit
in the entry grid (data bus "results") shows here at once.  The 単組進捗シート of the
selected union or of every union shown go into one PDF with a progress bar and cancel.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kyosai_desktop.domain.months import FiscalYear, month_label
from kyosai_desktop.services import model_union_report as mr
from kyosai_desktop.services.context import AppContext
from kyosai_desktop.services.files import OutputError
from kyosai_desktop.services.ops import ChangeKind, OpChanges
from kyosai_desktop.services.union_progress_sheet import build_union_sheets
from kyosai_desktop.ui.shared import interaction, runner
from kyosai_desktop.ui.shared.events import ChangeEvent, DataBus
from kyosai_desktop.ui.shared.report_model import ReportTableView

# What the table is built from.
REFRESH_KINDS = (
    ChangeKind.RESULTS,
    ChangeKind.UNIONS,
    ChangeKind.PRODUCTS,
    ChangeKind.YEARS,
    ChangeKind.SETTINGS,
    ChangeKind.MODEL_UNIONS,
)
ALL = "__all__"


# What a filter does and does not limit, said where the clerk types it (issue 13: a filter
# applies alike everywhere or says clearly that it does not).
FILTER_NOTE = (
    "絞り込み中: 表に出ている単組だけを表示しています。合計の行・印刷・PDF・Excel は"
    "範囲内のすべての単組です。単組進捗シートの「表示中のすべての単組」は絞り込んだ単組だけです。"
)


class ModelUnionsPage(QWidget):
    def __init__(
        self, ctx: AppContext, bus: DataBus | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx, self.bus = ctx, bus
        self.report: mr.ModelUnionReport | None = None
        self.reports = mr.ReportCache(ctx)  # per year/as-of/scope/start; dropped on changes
        self.last_import: tuple | None = None  # (ImportPlan, ImportReport) of the last import

        self.year_combo = QComboBox()
        self.month_combo = QComboBox()
        self.start_combo = QComboBox()
        self.start_combo.addItem("6月開始", 6)
        self.start_combo.addItem("5月開始", 5)
        self.start_combo.setToolTip(
            "同じ月別件数を 6月〜5月 / 5月〜4月 のどちらの並びでも表示できます"
        )
        self.scope_combo = QComboBox()
        self.paper_combo = QComboBox()
        self.paper_combo.addItems(["A4", "A3"])
        self.paper_combo.setToolTip("印刷・PDF・Excel の用紙 (横向き)")
        self.months_check = QCheckBox("月別の列")
        self.months_check.setChecked(True)
        self.months_check.setToolTip(
            "外すと月別の列を隠し、累積件数・達成率などを画面に収めます (印刷・Excel は全列)"
        )
        self.import_button = QPushButton("取り込み…")
        self.import_button.setToolTip(
            "本部の加入拡大モデル単組シート (Excel) を検算して取り込む / 空のテンプレートを保存"
        )
        import_menu = QMenu(self.import_button)
        self.import_file_action = import_menu.addAction(
            "ファイルを取り込む…", lambda: self.import_sheet()
        )
        self.template_action = import_menu.addAction(
            "空のテンプレートを保存…", lambda: self.save_template()
        )
        self.import_button.setMenu(import_menu)
        self.result_button = QPushButton("前回の取り込み結果")
        self.result_button.setEnabled(False)
        self.preview_button = QPushButton("印刷プレビュー…")
        self.pdf_button = QPushButton("PDF保存…")
        self.xlsx_button = QPushButton("Excel出力…")
        self.sheet_button = QPushButton(
            "単組進捗シート"
        )  # a push button sizes itself around its menu arrow
        menu = QMenu(self.sheet_button)
        self.sheet_selected_action = menu.addAction(
            "選択した単組 → PDF…", self.sheets_for_selection
        )
        self.sheet_all_action = menu.addAction("表示中のすべての単組 → PDF…", self.sheets_for_all)
        menu.addSeparator()
        menu.addAction("選択した単組の印刷プレビュー…", self.preview_selected_sheet)
        self.sheet_button.setMenu(menu)

        self.title_label = QLabel()
        self.title_label.setObjectName("reportTitle")
        self.title_label.setStyleSheet("font-size: 13pt; font-weight: bold;")
        # the long title gives way to the output buttons on a narrow screen (full text as tooltip)
        self.title_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.subtitle_label = QLabel()
        self.view = ReportTableView()
        self.view.summary_label.setWordWrap(True)
        self.view.rowActivated.connect(self._open_sheet_preview)
        self.empty_label = QLabel()
        self.empty_label.setWordWrap(True)
        self.empty_label.setStyleSheet("color: #7F3F00; padding: 6px;")
        self.notes_label = QLabel()
        self.notes_label.setWordWrap(True)
        self.notes_label.setStyleSheet("color: #404040;")
        self.status_label = QLabel()
        self.status_label.setStyleSheet("color: #404040;")

        bar = QHBoxLayout()
        for label, widget in (
            ("年度", self.year_combo),
            ("集計月", self.month_combo),
            ("表示", self.start_combo),
            ("範囲", self.scope_combo),
        ):
            bar.addWidget(QLabel(label))
            bar.addWidget(widget)
            bar.addSpacing(8)
        bar.addWidget(self.months_check)
        bar.addStretch(1)
        bar.addWidget(self.import_button)
        bar.addWidget(self.result_button)
        out = QHBoxLayout()
        out.addWidget(self.title_label, 1)
        out.addWidget(QLabel("用紙"))
        out.addWidget(self.paper_combo)
        for b in (self.preview_button, self.pdf_button, self.xlsx_button, self.sheet_button):
            out.addWidget(b)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(bar)
        layout.addLayout(out)
        layout.addWidget(self.subtitle_label)
        layout.addWidget(self.empty_label)
        self.filter_note = QLabel(FILTER_NOTE)
        self.filter_note.setObjectName("filterNote")
        self.filter_note.setWordWrap(True)
        self.filter_note.setStyleSheet(
            "background: #FFF2CC; border: 1px solid #BF9000; padding: 2px 6px;"
        )
        self.filter_note.hide()
        self.view.filter_edit.textChanged.connect(
            lambda text: self.filter_note.setVisible(bool(text.strip()))
        )
        layout.addWidget(self.filter_note)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.notes_label)
        layout.addWidget(self.status_label)

        self._fill_years()
        self._fill_scopes()
        self._year_changed(reload=False)
        self.year_combo.currentIndexChanged.connect(lambda _i: self._year_changed())
        self.start_combo.currentIndexChanged.connect(lambda _i: self._start_changed())
        self.month_combo.currentIndexChanged.connect(lambda _i: self.reload())
        self.scope_combo.currentIndexChanged.connect(lambda _i: self.reload())
        self.months_check.toggled.connect(lambda _on: self._apply_month_columns())
        self.result_button.clicked.connect(self.show_last_import)
        self.preview_button.clicked.connect(self.print_preview)
        self.pdf_button.clicked.connect(lambda: self.save_pdf())
        self.xlsx_button.clicked.connect(lambda: self.save_xlsx())
        self.reload()

    # ------------------------------------------------------------ selection
    @property
    def fiscal_year(self) -> int:
        return int(self.year_combo.currentData())

    @property
    def as_of(self) -> str:
        return str(self.month_combo.currentData())

    @property
    def start_month(self) -> int:
        return int(self.start_combo.currentData())

    @property
    def pref_code(self) -> str | None:
        data = self.scope_combo.currentData()
        return None if data == ALL else data

    @property
    def paper(self) -> str:
        return self.paper_combo.currentText()

    def _fill_years(self) -> None:
        current = self.year_combo.currentData()
        designated = self.ctx.model_unions.years()
        years = sorted(set(designated) | set(self.ctx.fiscal_years.all_years()))
        self.year_combo.blockSignals(True)
        self.year_combo.clear()
        for year in years:
            self.year_combo.addItem(
                f"{year}年度" + ("" if year in designated else " (未取り込み)"), year
            )
        want = (
            current
            if current is not None
            else (designated[0] if designated else (years[-1] if years else 2025))
        )
        self.year_combo.setCurrentIndex(max(0, self.year_combo.findData(want)))
        self.year_combo.blockSignals(False)

    def _fill_scopes(self) -> None:
        current = self.scope_combo.currentData()
        branch = self.ctx.branch
        self.scope_combo.blockSignals(True)
        self.scope_combo.clear()
        if branch:
            self.scope_combo.addItem(f"自県 ({self.ctx.prefectures.name_of(branch)})", branch)
        self.scope_combo.addItem("全国", ALL)
        for p in self.ctx.prefectures.all():
            if p.code != branch:
                self.scope_combo.addItem(f"{p.code} {p.name}", p.code)
        self.scope_combo.setCurrentIndex(
            max(0, self.scope_combo.findData(current)) if current else 0
        )
        self.scope_combo.blockSignals(False)

    def _fill_months(self, keep: str | None) -> None:
        year = FiscalYear(self.fiscal_year, self.start_month)
        self.month_combo.blockSignals(True)
        self.month_combo.clear()
        for ym in year.months():
            self.month_combo.addItem(month_label(ym), ym)
        index = self.month_combo.findData(keep) if keep else -1
        self.month_combo.setCurrentIndex(index if index >= 0 else self.month_combo.count() - 1)
        self.month_combo.blockSignals(False)

    def _year_changed(self, *, reload: bool = True) -> None:
        configured = self.ctx.fiscal_years.model_year(self.fiscal_year).start_month
        self.start_combo.blockSignals(True)
        index = self.start_combo.findData(configured)
        if index < 0:
            self.start_combo.addItem(f"{configured}月開始", configured)
            index = self.start_combo.count() - 1
        self.start_combo.setCurrentIndex(index)
        self.start_combo.blockSignals(False)
        self._fill_months(mr.default_as_of(self.ctx, self.fiscal_year))
        if reload:
            self.reload()

    def _start_changed(self) -> None:
        self._fill_months(self.month_combo.currentData())
        self.reload()

    def select(
        self,
        fiscal_year: int,
        as_of: str | None = None,
        *,
        start_month: int | None = None,
        pref_code: str | None | object = ...,
    ) -> None:
        """Show a year (as of a month, in a layout, for a scope); ``pref_code=None`` is 全国."""
        combos = (self.year_combo, self.start_combo, self.month_combo, self.scope_combo)
        for combo in combos:
            combo.blockSignals(True)
        try:
            if self.year_combo.findData(fiscal_year) < 0:
                self.year_combo.addItem(f"{fiscal_year}年度", fiscal_year)
            self.year_combo.setCurrentIndex(self.year_combo.findData(fiscal_year))
            self._year_changed(reload=False)
            if start_month is not None:
                if self.start_combo.findData(start_month) < 0:
                    self.start_combo.addItem(f"{start_month}月開始", start_month)
                self.start_combo.setCurrentIndex(self.start_combo.findData(start_month))
            self._fill_months(as_of or mr.default_as_of(self.ctx, fiscal_year))
            if pref_code is not ...:
                want = ALL if pref_code is None else pref_code
                self.scope_combo.setCurrentIndex(max(0, self.scope_combo.findData(want)))
        finally:
            for combo in combos:
                combo.blockSignals(False)
        self.reload()

    # ------------------------------------------------------------ figures
    def reload(self) -> None:
        if self.year_combo.currentData() is None or self.month_combo.currentData() is None:
            return
        report = self.reports.report(
            self.fiscal_year, self.as_of, pref_code=self.pref_code, start_month=self.start_month
        )
        if report is self.report:
            return  # the same figures are on screen already
        self.report = report
        table = mr.printed_table(
            self.report
        )  # 社保労連 after the 合計 row, as headquarters prints it
        self.view.set_report(table)
        self._fit_name_column()
        self._apply_month_columns()
        self.title_label.setText(table.title)
        self.title_label.setToolTip(table.title)
        self.subtitle_label.setText(table.subtitle)
        self.notes_label.setText(
            "\n".join(
                [
                    *("※ " + n for n in table.notes),
                    *([table.after_totals_note] if table.after_totals else []),
                ]
            )
        )
        empty = not self.report.rows
        self.empty_label.setVisible(empty)
        if empty:
            where = "全国" if self.pref_code is None else self.report.scope_label
            self.empty_label.setText(
                f"{self.fiscal_year}年度の加入拡大モデル単組 ({where}) はまだありません。"
                "「取り込み…」から本部のシートを取り込んでください。"
            )
        for widget in (self.preview_button, self.pdf_button, self.xlsx_button, self.sheet_button):
            widget.setEnabled(not empty)
        self.status_label.setText(self._source_text())

    def _source_text(self) -> str:
        info = self.ctx.model_unions.year_info(self.fiscal_year)
        if info is None:
            return ""
        detail = []
        if info.as_of:
            detail.append(f"{month_label(info.as_of)}現在")
        if info.sheet_start_month:
            detail.append(f"{info.sheet_start_month}月開始の並び")
        when = (info.imported_at or "").replace("T", " ")[:16]
        return (
            f"指定の出所: {info.source}"
            + (f" ({'、'.join(detail)})" if detail else "")
            + f" — {when} 登録"
        )

    def _fit_name_column(self) -> None:
        """Long union names are the one column worth its full width (measured, grown only)."""
        if self.report is None or not self.report.rows:
            return
        names = sorted({r.unit.name for r in self.report.rows}, key=len, reverse=True)[:20]
        metrics = self.view.table.fontMetrics()
        width = max(metrics.horizontalAdvance(n) for n in names) + 16
        column = self.report.table.index("name")
        if width > self.view.table.columnWidth(column):
            self.view.table.setColumnWidth(column, width)

    def _apply_month_columns(self) -> None:
        if self.report is None:
            return
        show = self.months_check.isChecked()
        for i, col in enumerate(self.report.table.columns):
            if col.key.startswith("month:"):
                self.view.table.setColumnHidden(i, not show)

    def refresh(self, event: ChangeEvent) -> None:
        """Reload on changes made elsewhere (this page shows its own import at once)."""
        if event.origin is self or not event.touches(*REFRESH_KINDS):
            return
        counts = (
            mr.model_counts(self.ctx, event.changes)
            if event.kinds == {ChangeKind.RESULTS}
            else None
        )
        if counts is not None and event.changes.rows:
            if not counts:
                return  # figures of other products: nothing in this table changed
            self.reports.apply_counts(counts)  # only the unions written are computed again
            self.reload()
            return
        self.reports.drop()
        if event.kinds - {ChangeKind.RESULTS, ChangeKind.UNIONS}:
            self._fill_years()
            self._fill_scopes()
        self.reload()

    # ------------------------------------------------------------ import
    def import_sheet(self, path=None) -> bool:
        """Start importing HQ's sheet (asks for it when ``path`` is None); the page follows."""
        from kyosai_desktop.ui.model_unions.model_union_import_dialog import ModelUnionImport

        self.importer = ModelUnionImport(self.ctx, self.bus, self)
        self.importer.announce = self._imported
        return self.importer.run(path)

    def save_template(self, path=None):
        """Save HQ's blank モデル単組 sheet (services/templates) for the year shown; returns the path."""
        from kyosai_desktop.services.templates import write_template

        year = self.fiscal_year
        path = path or interaction.save_file(
            self,
            "モデル単組のテンプレートを保存",
            f"モデル単組_{year}年度_取り込みテンプレート.xlsx",
            "Excel (*.xlsx)",
        )
        if path is None:
            return None
        try:
            written = write_template("model-unions", path, fiscal_year=year)
        except (OutputError, ValueError) as exc:
            interaction.critical(
                self, "テンプレート", f"テンプレートを保存できませんでした。\n{exc}"
            )
            return None
        interaction.information(
            self,
            "テンプレート",
            f"{written} に保存しました。\n見出しの下に単組を入力して「取り込み…」から取り込んでください。",
        )
        return written

    def _imported(self, plan, report) -> None:
        """A committed import: remember it, move to its year and tell the other pages."""
        result = report.result
        self.last_import = (plan, report)
        self.result_button.setEnabled(True)
        self.result_button.setText(f"前回の取り込み結果 (不一致 {len(result.warnings)})")
        self.reports.drop()
        self._fill_years()
        self._fill_scopes()
        if self.bus is not None:
            self.bus.announce(
                OpChanges.of(ChangeKind.MODEL_UNIONS, ChangeKind.RESULTS, ChangeKind.UNIONS),
                origin=self,
            )
        self.select(result.fiscal_year, result.as_of)

    def show_last_import(self):
        from kyosai_desktop.ui.model_unions.model_union_import_dialog import show_result

        if self.last_import is not None:
            return show_result(self, *self.last_import)
        return None

    # ------------------------------------------------------------ table output
    def _stem(self) -> str:
        scope = (
            "全国" if self.pref_code is None else (self.report.scope_label if self.report else "")
        )
        return f"モデル単組_{self.fiscal_year}年度_{self.start_month}月開始_{self.as_of}_{scope}"

    def paper_document(self):
        from kyosai_desktop.render.paper_table import TablePaper

        assert self.report is not None
        return TablePaper(mr.printed_table(self.report), paper=self.paper, landscape=True)

    def print_preview(self):
        from kyosai_desktop.ui.shared.print_preview import preview

        return preview(self.paper_document(), self)

    def save_pdf(self, path=None) -> None:
        from kyosai_desktop.render.paper import render_pdf
        from kyosai_desktop.ui.shared.print_preview import save_output

        save_output(
            self,
            "PDF に保存",
            f"{self._stem()}_{self.paper}.pdf",
            "PDF (*.pdf)",
            lambda out: render_pdf(self.paper_document(), out),
            path,
        )

    def save_xlsx(self, path=None) -> None:
        if self.report is None:
            return
        from kyosai_desktop.ui.shared.print_preview import save_xlsx

        report = self.report
        save_xlsx(
            self,
            f"{self._stem()}.xlsx",
            lambda out: mr.write_xlsx(report, out, paper=self.paper),
            path,
        )

    # ------------------------------------------------------------ union sheets
    def selected_union_ids(self) -> list[int]:
        return [int(k) for k in self.view.selected_row_keys()]

    def shown_union_ids(self) -> list[int]:
        return [int(self.view.model.row_key(r)) for r in self.view.visible_source_rows()]

    def sheets_for_selection(self, path=None):
        ids = self.selected_union_ids()
        if not ids:
            interaction.information(self, "単組進捗シート", "表で単組を選択してください。")
            return None
        return self.write_sheets(ids, path)

    def sheets_for_all(self, path=None):
        return self.write_sheets(self.shown_union_ids(), path)

    def write_sheets(self, union_ids: list[int], path=None):
        """Build and render the sheets into one PDF on the background runner.

        Returns the running task (None when nothing was asked); its ``finished`` says how it
        ended.  キャンセル leaves no file behind (``render_pdf`` writes atomically).
        """
        if not union_ids:
            return None
        suggested = f"単組進捗シート_{self.fiscal_year}年度_{self.as_of}_{len(union_ids)}単組.pdf"
        path = path or interaction.save_file(
            self, "単組進捗シートを PDF に保存", suggested, "PDF (*.pdf)"
        )
        if path is None:
            return None
        n, ids, fiscal_year, as_of = len(union_ids), list(union_ids), self.fiscal_year, self.as_of

        def work(job):
            from kyosai_desktop.render.paper import render_pdf
            from kyosai_desktop.render.union_sheet_paper import UnionSheetPaper

            sheets = build_union_sheets(
                job.ctx, ids, fiscal_year, as_of, job.stepper(0, 2 * n, "集計")
            )
            return render_pdf(UnionSheetPaper(sheets), path, job.stepper(n, 2 * n, "PDF 作成"))

        def done(out) -> None:
            interaction.information(
                self, "単組進捗シート", f"{n} 単組分 ({n} ページ) を {out} に保存しました。"
            )

        def cancelled() -> None:
            interaction.information(
                self, "単組進捗シート", "キャンセルしました。ファイルは作成していません。"
            )

        self.sheets_task = runner.run(
            self,
            "単組進捗シート",
            f"{n} 単組の単組進捗シートを作成しています…",
            work,
            ctx=self.ctx,
            on_done=done,
            on_cancel=cancelled,
        )
        return self.sheets_task

    def preview_selected_sheet(self):
        ids = self.selected_union_ids()
        if not ids:
            interaction.information(self, "単組進捗シート", "表で単組を選択してください。")
            return None
        return self._open_sheet_preview(ids[0])

    def _open_sheet_preview(self, union_id):
        from kyosai_desktop.render.union_sheet_paper import UnionSheetPaper
        from kyosai_desktop.ui.shared.print_preview import preview

        sheets = build_union_sheets(self.ctx, [int(union_id)], self.fiscal_year, self.as_of)
        return preview(UnionSheetPaper(sheets), self)


def build_page(ctx: AppContext, bus: DataBus) -> QWidget:
    return ModelUnionsPage(ctx, bus)
