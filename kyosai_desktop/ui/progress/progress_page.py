"""県支部実績 (F3): per product 目標 · 実績 · 到達率 · 前年同期 · 差 · 付帯率, as of a month.

The figures come from ``services/branch_report`` as a ReportTable and are drawn with the
shared renderers: on screen (ReportTableView), on paper / PDF (TablePaper) and in Excel
(write_report_xlsx), so they read the same everywhere.  The page follows the data bus:
an entry, an import or a target change refreshes it at once.
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction

from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from kyosai_desktop.domain import tones
from kyosai_desktop.domain.months import add_months, make_month, month_label
from kyosai_desktop.services.branch_report import (
    branch_progress,
    branch_report_table,
    elapsed_months,
    rider_goals,
)
from kyosai_desktop.services.context import AppContext
from kyosai_desktop.services.ops import ChangeKind
from kyosai_desktop.services.report_table import ReportTable
from kyosai_desktop.ui.progress.reach_chart_widget import ReachChart
from kyosai_desktop.ui.shared.events import ChangeEvent, DataBus
from kyosai_desktop.ui.shared.report_model import ReportTableView

REFRESH_KINDS = (
    ChangeKind.RESULTS,
    ChangeKind.TARGETS,
    ChangeKind.UNIONS,
    ChangeKind.PRODUCTS,
    ChangeKind.YEARS,
    ChangeKind.SETTINGS,
    ChangeKind.NATIONAL,
)


class ProgressPage(QWidget):
    def __init__(self, ctx: AppContext, bus: DataBus | None = None, parent=None) -> None:
        super().__init__(parent)
        self.ctx, self.bus = ctx, bus
        self.report: ReportTable | None = None
        self.elapsed = Fraction(0)
        self.year_combo = QComboBox()
        self.month_combo = QComboBox()
        self.latest_button = QPushButton("最新月")
        self.latest_button.setToolTip("実績が入力されている最新の月にする")
        self.preview_button = QPushButton("印刷プレビュー…")
        self.pdf_button = QPushButton("PDF に保存…")
        self.xlsx_button = QPushButton("Excel に保存…")
        self.title_label = QLabel()
        self.title_label.setObjectName("reportTitle")
        self.title_label.setStyleSheet("font-size: 13pt; font-weight: bold;")
        self.view = ReportTableView(show_filter=False)
        self.view.summary_label.setWordWrap(True)  # a long summary must not widen the window
        self.notes_label = QLabel()
        self.notes_label.setWordWrap(True)
        self.notes_label.setStyleSheet("color: #404040;")

        bar = QHBoxLayout()
        bar.addWidget(QLabel("年度"))
        bar.addWidget(self.year_combo)
        bar.addSpacing(12)
        bar.addWidget(QLabel("集計月"))
        bar.addWidget(self.month_combo)
        bar.addWidget(self.latest_button)
        bar.addStretch(1)
        for b in (self.preview_button, self.pdf_button, self.xlsx_button):
            bar.addWidget(b)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(bar)
        layout.addWidget(self.title_label)
        self.chart = ReachChart()
        self.chart.setToolTip(
            "商品ごとの到達率 (棒) と年度の経過割合 (赤い線)。色は表と同じ進み具合。"
        )
        split = QSplitter()
        split.addWidget(self.view)
        split.addWidget(self.chart)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        split.setSizes([760, 300])
        layout.addWidget(split, 1)
        layout.addWidget(self.notes_label)

        self._fill_years()
        self.select_latest(reload=False)
        self.year_combo.currentIndexChanged.connect(self._year_changed)
        self.month_combo.currentIndexChanged.connect(lambda _i: self.reload())
        self.latest_button.clicked.connect(lambda: self.select_latest())
        self.preview_button.clicked.connect(self.print_preview)
        self.pdf_button.clicked.connect(self.save_pdf)
        self.xlsx_button.clicked.connect(self.save_xlsx)
        self.reload()

    # ------------------------------------------------------------ selection
    @property
    def fiscal_year(self) -> int:
        return int(self.year_combo.currentData())

    @property
    def as_of(self) -> str:
        return str(self.month_combo.currentData())

    def _fill_years(self) -> None:
        self.year_combo.blockSignals(True)
        current = self.year_combo.currentData()
        self.year_combo.clear()
        for year in self.ctx.fiscal_years.all_years():
            self.year_combo.addItem(f"{year}年度", year)
        if current is not None:
            self.year_combo.setCurrentIndex(max(0, self.year_combo.findData(current)))
        self.year_combo.blockSignals(False)

    def _fill_months(self, keep: str | None = None) -> None:
        year = self.ctx.fiscal_years.results_year(self.fiscal_year)
        self.month_combo.blockSignals(True)
        self.month_combo.clear()
        for ym in year.months():
            self.month_combo.addItem(month_label(ym), ym)
        index = self.month_combo.findData(keep) if keep else -1
        self.month_combo.setCurrentIndex(index if index >= 0 else self.month_combo.count() - 1)
        self.month_combo.blockSignals(False)

    def select(self, fiscal_year: int, as_of: str) -> None:
        """Show ``fiscal_year`` as of ``as_of`` (adds the year to the list if needed)."""
        if self.year_combo.findData(fiscal_year) < 0:
            self.year_combo.addItem(f"{fiscal_year}年度", fiscal_year)
        self.year_combo.blockSignals(True)
        self.year_combo.setCurrentIndex(self.year_combo.findData(fiscal_year))
        self.year_combo.blockSignals(False)
        self._fill_months(as_of)
        self.reload()

    def select_latest(self, *, reload: bool = True) -> None:
        """The fiscal year and month of the branch's latest figure (else the last year)."""
        latest = self.ctx.results.latest_month(self.ctx.branch)
        if latest is None:  # nothing entered yet: last month of the calendar
            today = date.today()
            latest = add_months(make_month(today.year, today.month), -1)
        year = self.year_of(latest)
        if self.year_combo.findData(year) < 0:
            self.year_combo.addItem(f"{year}年度", year)
        self.year_combo.blockSignals(True)
        self.year_combo.setCurrentIndex(self.year_combo.findData(year))
        self.year_combo.blockSignals(False)
        self._fill_months(latest)
        if reload:
            self.reload()

    def year_of(self, month: str) -> int:
        """The fiscal year (by its configured start month) that contains ``month``."""
        return self.ctx.fiscal_years.results_year_of(month)

    def _year_changed(self, _index: int) -> None:
        self._fill_months(None)
        latest = self.ctx.results.latest_month(self.ctx.branch)
        if latest and self.month_combo.findData(latest) >= 0:
            self.month_combo.setCurrentIndex(self.month_combo.findData(latest))
        self.reload()

    # ------------------------------------------------------------ figures
    def build_report(self) -> ReportTable:
        progress = branch_progress(self.ctx, self.fiscal_year, self.as_of, self.ctx.branch)
        self.elapsed = tones.elapsed_share(elapsed_months(progress))
        return branch_report_table(progress, rider_goals(self.ctx))

    def reload(self) -> None:
        if self.year_combo.currentData() is None or self.month_combo.currentData() is None:
            return
        if (
            self.month_combo.itemData(0)
            != self.ctx.fiscal_years.results_year(self.fiscal_year).first
        ):
            self._fill_months(self.as_of)  # the year's start month was changed: its months moved
        self.report = self.build_report()
        self.view.set_report(self.report)
        self.chart.set_data(self.report, self.elapsed)
        self.title_label.setText(self.report.title)
        self.notes_label.setText("\n".join("※ " + n for n in self.report.notes))

    def refresh(self, event: ChangeEvent) -> None:
        if event.touches(*REFRESH_KINDS):
            if event.touches(ChangeKind.PRODUCTS, ChangeKind.YEARS, ChangeKind.SETTINGS):
                self._fill_years()
            self.reload()

    # ------------------------------------------------------------ output
    def _file_stem(self) -> str:
        return f"県支部実績_{self.fiscal_year}年度_{self.as_of}"

    def paper(self):
        from kyosai_desktop.render.paper_table import TablePaper

        return TablePaper(self.report, paper="A4", landscape=True)

    def print_preview(self):
        from kyosai_desktop.ui.shared.print_preview import preview

        return preview(self.paper(), self)

    def save_pdf(self) -> None:
        from kyosai_desktop.ui.shared.print_preview import save_pdf

        save_pdf(self.paper(), self, f"{self._file_stem()}.pdf")

    def save_xlsx(self) -> None:
        from kyosai_desktop.services.xlsx_report import write_report_xlsx
        from kyosai_desktop.ui.shared.print_preview import save_xlsx

        save_xlsx(
            self,
            f"{self._file_stem()}.xlsx",
            lambda path: write_report_xlsx(
                self.report, path, paper="A4", landscape=True, sheet_title="県支部実績"
            ),
        )


def build_page(ctx: AppContext, bus: DataBus) -> QWidget:
    return ProgressPage(ctx, bus)
