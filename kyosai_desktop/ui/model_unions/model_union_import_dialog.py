"""Importing headquarters' model-union sheet from the GUI: the file first, then the one flow.

``ModelUnionImport(ctx, parent).run(path=None)``:

1. asks for the sheet and reads it on the background runner;
2. :class:`YearDialog` shows which fiscal year and start month *the sheet* says it is
   (the newest 「YYYY年度」 band, the first month column), already selected, and the year's
   current setting; the clerk confirms or changes them;
3. hands the already read sheet to the one import flow (``ui/shared/import_flow``): it is
   checked once in the background, the one review dialog shows what would change — new
   unions, designations, counts the clerk had entered for the branch's own unions that
   the sheet overwrites — and every disagreement of the sheet's own figures with their
   cells; 取り込む writes the checked sheet in one transaction.

``finished`` carries the committed :class:`ImportReport` (its ``result`` is the
:class:`ModelUnionImportResult`) or None.  ``show_result`` reopens a done import's review.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QWidget

from kyosai_desktop.services.context import AppContext
from kyosai_desktop.services.import_plan import ImportPlan, ImportReport
from kyosai_desktop.ui.shared import interaction, runner
from kyosai_desktop.ui.shared.events import DataBus
from kyosai_desktop.ui.shared.import_flow import ImportFlow
from kyosai_desktop.ui.shared.import_review import ImportReviewDialog

if TYPE_CHECKING:
    from kyosai_desktop.services.tabular import Table

TITLE = "加入拡大モデル単組シートの取り込み"  # as services/model_union_import.TITLE (loaded on first use)
FILE_FILTER = "Excel (*.xlsx *.xlsm);;CSV (*.csv);;すべてのファイル (*)"


class YearDialog(QDialog):
    """The sheet's fiscal year and start month, as read from it, for the clerk to confirm."""

    def __init__(
        self,
        source: str,
        years: list[int],
        year: int,
        start_month: int,
        sheet_year: int | None,
        start_of: dict[int, int],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(TITLE)
        self.start_of = start_of
        self.year = QComboBox()
        for y in years:
            self.year.addItem(f"{y}年度", y)
        self.year.setCurrentIndex(max(0, self.year.findData(year)))
        self.start = QComboBox()
        for month in sorted({6, 5, start_month}, reverse=True):
            self.start.addItem(f"{month}月開始", month)
        self.start.setCurrentIndex(self.start.findData(start_month))
        said = (
            f"シートは {sheet_year}年度・{start_month}月開始 の並びです。"
            if sheet_year
            else f"シートに年度の見出しがありません ({start_month}月開始の並び)。年度を選んでください。"
        )
        self.read = QLabel(f"{source}\n{said}")
        self.read.setWordWrap(True)
        self.setting = QLabel()
        form = QFormLayout(self)
        form.addRow(self.read)
        form.addRow("年度", self.year)
        form.addRow("集計開始月", self.start)
        form.addRow(self.setting)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("次へ (内容を確認)")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("キャンセル")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.year.currentIndexChanged.connect(self._show_setting)
        self.start.currentIndexChanged.connect(self._show_setting)
        self._show_setting()

    def chosen(self) -> tuple[int, int]:
        return int(self.year.currentData()), int(self.start.currentData())

    def _show_setting(self) -> None:
        year, start = self.chosen()
        now = self.start_of.get(year)
        if now is None:
            text = f"{year}年度はまだ登録されていません。{start}月開始で登録します。"
        elif now == start:
            text = f"{year}年度の集計は今も {now}月開始です。"
        else:
            text = f"{year}年度の集計は今 {now}月開始です。取り込むと {start}月開始に変わります。"
        self.setting.setText(text)


class ModelUnionImport(QObject):
    """Ask for the sheet, read it, confirm its year, then the one import flow."""

    finished = Signal(object)  # the committed ImportReport, or None

    def __init__(self, ctx: AppContext, bus: DataBus | None, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.ctx, self.parent_widget = ctx, parent
        self.flow = ImportFlow(ctx, bus, parent)
        self.flow.finished.connect(self.finished.emit)
        self.fiscal_year: int | None = None
        self.running = False

    @property
    def announce(self):
        return self.flow.announce

    @announce.setter
    def announce(self, hook) -> None:
        self.flow.announce = hook

    def run(self, path: Path | str | None = None) -> bool:
        """Start with ``path`` (asks for it when None); False when no file was chosen."""
        if path is None:
            path = interaction.open_file(
                self.parent_widget, "本部の加入拡大モデル単組シートを選択", FILE_FILTER
            )
            if path is None:
                return False
        self.running = True
        self._read(Path(path), None)
        return True

    def _read(self, path: Path, sheet: str | None) -> None:
        def read(_job) -> tuple[Table, int | None, int | None]:
            from kyosai_desktop.services.model_union_import import sheet_year
            from kyosai_desktop.services.tabular import read_table

            table = read_table(path, sheet=sheet)
            return (table, *sheet_year(table))

        runner.run(
            self.parent_widget,
            TITLE,
            f"{path.name} を読んでいます…",
            read,
            on_done=lambda got: self._confirm_year(path.name, *got),
            on_error=lambda exc: self._unreadable(path, exc),
            on_cancel=self._stop,
        )

    def _confirm_year(
        self, source: str, table: Table, sheet_year: int | None, sheet_start: int | None
    ) -> None:
        years_known = self.ctx.fiscal_years.all_years()
        latest = max(years_known) if years_known else None
        year = sheet_year or latest or 2025
        years = sorted(set(years_known) | {year, year - 1, year + 1})
        start_of = {y: self.ctx.fiscal_years.model_year(y).start_month for y in years_known}
        start = sheet_start or start_of.get(year, 6)
        dialog = self.year_dialog = YearDialog(
            source, years, year, start, sheet_year, start_of, self.parent_widget
        )
        if not interaction.exec_dialog(dialog):
            self._stop()
            return
        fiscal_year, start_month = dialog.chosen()
        self.fiscal_year = fiscal_year

        def planner(ctx, progress) -> ImportPlan:
            from kyosai_desktop.services.model_union_import import plan_model_unions

            return plan_model_unions(
                ctx, table, fiscal_year, start_month=start_month, progress=progress
            )

        self.flow.finished.connect(self._done)
        self.flow.start(TITLE, source, planner)

    def _done(self, _report) -> None:
        self.flow.finished.disconnect(self._done)
        self.running = False

    def _unreadable(self, path: Path, exc: BaseException) -> None:
        from kyosai_desktop.services.tabular import ImportFailed, SheetChoiceRequired
        from kyosai_desktop.ui.shared.import_flow import ask_sheet

        source = path.name
        if isinstance(exc, SheetChoiceRequired):  # several visible sheets: the clerk picks one
            sheet = ask_sheet(self.parent_widget, TITLE, source, exc)
            if sheet is None:
                interaction.information(
                    self.parent_widget, TITLE, "キャンセルしました。データは変更していません。"
                )
                self._stop()
            else:
                self._read(path, sheet)
            return
        if isinstance(exc, ImportFailed):
            interaction.exec_dialog(
                ImportReviewDialog(ImportPlan.refused(TITLE, source, exc), self.parent_widget)
            )
        else:
            interaction.critical(
                self.parent_widget,
                TITLE,
                f"{source} を読めませんでした。データは変更していません。\n"
                f"{runner.error_message(exc)}",
            )
        self._stop()

    def _stop(self) -> None:
        self.running = False
        self.finished.emit(None)


def show_result(
    parent: QWidget | None, plan: ImportPlan, report: ImportReport
) -> ImportReviewDialog:
    """Reopen a done import's review (閉じる only): its warnings stay viewable afterwards."""
    dialog = ImportReviewDialog(plan, parent, done=report)
    interaction.exec_dialog(dialog)
    return dialog


__all__ = ["ModelUnionImport", "YearDialog", "show_result"]
