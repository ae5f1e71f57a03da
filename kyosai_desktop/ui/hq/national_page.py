"""全国集計 (HQ mode, F3): the national report in the seed 004 §1 form, or every branch ×
product (sortable, coloured by progress), for a fiscal year and as-of month with an as-of
month per product; printed, saved as PDF, print-ready Excel or the national CSV that the
branches import.  All from ``services/national_report`` (one ReportTable per view)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kyosai_desktop.domain.months import month_label
from kyosai_desktop.services.context import AppContext
from kyosai_desktop.services.files import OutputError
from kyosai_desktop.services.national_report import (
    NationalReport,
    branch_matrix_table,
    build_national_report,
    national_report_table,
    write_national_csv,
)
from kyosai_desktop.services.ops import ChangeKind
from kyosai_desktop.services.report_table import ReportTable
from kyosai_desktop.ui.shared import interaction
from kyosai_desktop.ui.shared.events import ChangeEvent, DataBus
from kyosai_desktop.ui.shared.report_model import ReportTableView

SECTION1, MATRIX = "section1", "matrix"
DEFAULT = ""  # a product follows the page's 集計月


class ProductMonthsDialog(QDialog):
    """商品別の集計月: one month per product (空欄 = the page's 集計月)."""

    def __init__(
        self,
        products: list[tuple[int, str]],
        months: list[str],
        chosen: dict[int, str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("商品別の集計月")
        form = QFormLayout(self)
        self.combos: dict[int, QComboBox] = {}
        for pid, name in products:
            combo = QComboBox()
            combo.addItem("(集計月と同じ)", DEFAULT)
            for ym in months:
                combo.addItem(month_label(ym), ym)
            combo.setCurrentIndex(max(0, combo.findData(chosen.get(pid, DEFAULT))))
            form.addRow(name, combo)
            self.combos[pid] = combo
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def chosen(self) -> dict[int, str]:
        return {pid: c.currentData() for pid, c in self.combos.items() if c.currentData()}


class NationalPage(QWidget):
    def __init__(self, ctx: AppContext, bus: DataBus | None = None, parent=None) -> None:
        super().__init__(parent)
        self.ctx, self.bus = ctx, bus
        self.product_months: dict[int, str] = {}
        self.national: NationalReport | None = None
        self.report: ReportTable | None = None
        self.year_combo = QComboBox()
        self.month_combo = QComboBox()
        self.view_combo = QComboBox()
        self.view_combo.addItem("主要共済の実績 (全国・目標達成県支部)", SECTION1)
        self.view_combo.addItem("全県支部 × 商品", MATRIX)
        self.products_button = QPushButton("商品別の集計月(&M)…")
        self.preview_button = QPushButton("印刷プレビュー(&P)…")
        self.pdf_button = QPushButton("PDF に保存…")
        self.xlsx_button = QPushButton("Excel に保存…")
        self.csv_button = QPushButton("全国実績 CSV…")
        self.csv_button.setToolTip("県支部が `kyosai national import` / 取り込みメニューで読む CSV")
        self.title_label = QLabel()
        self.title_label.setStyleSheet("font-size: 13pt; font-weight: bold;")
        # One view for both layouts: the matrix has frozen columns and bands, the §1 form none.
        self.view = ReportTableView(show_filter=True)
        self.view.summary_label.setWordWrap(True)
        self.notes_label = QLabel()
        self.notes_label.setWordWrap(True)
        self.notes_label.setStyleSheet("color: #404040;")

        bar = QHBoxLayout()
        for label, w in (
            ("年度", self.year_combo),
            ("集計月", self.month_combo),
            ("表示", self.view_combo),
        ):
            caption = QLabel(label)
            caption.setBuddy(w)
            bar.addWidget(caption)
            bar.addWidget(w)
        bar.addWidget(self.products_button)
        bar.addStretch(1)
        for b in (self.preview_button, self.pdf_button, self.xlsx_button, self.csv_button):
            bar.addWidget(b)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(bar)
        layout.addWidget(self.title_label)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.notes_label)

        self._fill_years()
        self.year_combo.currentIndexChanged.connect(lambda _i: (self._fill_months(), self.reload()))
        self.month_combo.currentIndexChanged.connect(lambda _i: self.reload())
        self.view_combo.currentIndexChanged.connect(lambda _i: self.reload())
        self.products_button.clicked.connect(lambda: self.choose_product_months())
        self.preview_button.clicked.connect(lambda: self.print_preview())
        self.pdf_button.clicked.connect(lambda: self.save_pdf())
        self.xlsx_button.clicked.connect(lambda: self.save_xlsx())
        self.csv_button.clicked.connect(lambda: self.save_csv())
        self.reload()

    # ------------------------------------------------------------ selection
    @property
    def fiscal_year(self) -> int:
        return int(self.year_combo.currentData())

    @property
    def as_of(self) -> str:
        return str(self.month_combo.currentData())

    def _latest_year_and_month(self) -> tuple[int | None, str | None]:
        latest = self.ctx.hq.latest_month()
        if latest is None:
            return None, None
        return self.ctx.fiscal_years.results_year_of(latest), latest

    def _fill_years(self) -> None:
        year, month = self._latest_year_and_month()
        self.year_combo.blockSignals(True)
        self.year_combo.clear()
        years = set(self.ctx.fiscal_years.all_years()) | ({year} if year else set())
        for y in sorted(years):
            self.year_combo.addItem(f"{y}年度", y)
        target = year or max(years)
        self.year_combo.setCurrentIndex(max(0, self.year_combo.findData(target)))
        self.year_combo.blockSignals(False)
        self._fill_months(month)

    def _fill_months(self, keep: str | None = None) -> None:
        months = self.ctx.fiscal_years.results_year(self.fiscal_year).months()
        self.month_combo.blockSignals(True)
        self.month_combo.clear()
        for ym in months:
            self.month_combo.addItem(month_label(ym), ym)
        index = self.month_combo.findData(keep) if keep else -1
        self.month_combo.setCurrentIndex(index if index >= 0 else len(months) - 1)
        self.month_combo.blockSignals(False)
        self.product_months = {p: m for p, m in self.product_months.items() if m in months}

    def select(
        self,
        fiscal_year: int,
        as_of: str,
        product_months: dict[int, str] | None = None,
        view: str = SECTION1,
    ) -> None:
        self.year_combo.blockSignals(True)
        if self.year_combo.findData(fiscal_year) < 0:
            self.year_combo.addItem(f"{fiscal_year}年度", fiscal_year)
        self.year_combo.setCurrentIndex(self.year_combo.findData(fiscal_year))
        self.year_combo.blockSignals(False)
        self._fill_months(as_of)
        self.product_months = dict(product_months or {})
        self.view_combo.blockSignals(True)
        self.view_combo.setCurrentIndex(self.view_combo.findData(view))
        self.view_combo.blockSignals(False)
        self.reload()

    def choose_product_months(self) -> bool:
        products = [
            (p.product_id, p.product) for p in (self.national.products if self.national else [])
        ]
        months = self.ctx.fiscal_years.results_year(self.fiscal_year).months()
        dialog = ProductMonthsDialog(products, months, self.product_months, self)
        if not interaction.exec_dialog(dialog):
            return False
        self.product_months = dialog.chosen()
        self.reload()
        return True

    # ------------------------------------------------------------ figures
    def reload(self) -> None:
        if self.year_combo.currentData() is None or self.month_combo.currentData() is None:
            return
        self.national = build_national_report(
            self.ctx, self.fiscal_year, self.as_of, self.product_months
        )
        matrix = self.view_combo.currentData() == MATRIX
        self.report = (
            branch_matrix_table(self.national) if matrix else national_report_table(self.national)
        )
        self.view.set_report(self.report)
        self.title_label.setText(self.report.title)
        notes = list(self.report.notes)
        if not self.national.products:
            notes.insert(
                0,
                f"{self.fiscal_year}年度の目標を含む報告パッケージがまだありません。県支部一覧 (F2) から取り込んでください。",
            )
        self.notes_label.setText("\n".join("※ " + n for n in notes))

    def refresh(self, event: ChangeEvent) -> None:
        if event.touches(ChangeKind.HQ_PACKAGES, ChangeKind.YEARS, ChangeKind.PRODUCTS):
            self.reload()

    # ------------------------------------------------------------ output
    def _file_stem(self) -> str:
        kind = "全県支部" if self.view_combo.currentData() == MATRIX else "全国集計"
        return f"{kind}_{self.fiscal_year}年度_{self.as_of}"

    def paper(self):
        from kyosai_desktop.render.paper_table import TablePaper

        matrix = self.view_combo.currentData() == MATRIX
        return TablePaper(self.report, paper="A3" if matrix else "A4", landscape=matrix)

    def print_preview(self):
        from kyosai_desktop.ui.shared.print_preview import preview

        return preview(self.paper(), self)

    def save_pdf(self) -> None:
        from kyosai_desktop.ui.shared.print_preview import save_pdf

        save_pdf(self.paper(), self, f"{self._file_stem()}.pdf")

    def save_xlsx(self) -> None:
        from kyosai_desktop.services.xlsx_report import write_report_xlsx

        path = interaction.save_file(
            self, "Excel に保存", f"{self._file_stem()}.xlsx", "Excel (*.xlsx)"
        )
        if path is None or self.report is None:
            return
        matrix = self.view_combo.currentData() == MATRIX
        try:
            write_report_xlsx(
                self.report,
                path,
                paper="A3" if matrix else "A4",
                landscape=matrix,
                sheet_title="全国集計",
            )
        except OutputError as exc:
            interaction.critical(self, "Excel に保存", str(exc))
            return
        interaction.information(self, "Excel に保存", f"{path} に保存しました。")

    def save_csv(self) -> None:
        path = interaction.save_file(
            self, "全国実績 CSV", f"全国実績_{self.fiscal_year}年度_{self.as_of}.csv", "CSV (*.csv)"
        )
        if path is None or self.national is None:
            return
        try:
            write_national_csv(self.national, path)
        except OutputError as exc:
            interaction.critical(self, "全国実績 CSV", str(exc))
            return
        interaction.information(
            self, "全国実績 CSV", f"{path} に保存しました。県支部はこのファイルを取り込めます。"
        )


def build_page(ctx: AppContext, bus: DataBus) -> QWidget:
    return NationalPage(ctx, bus)
