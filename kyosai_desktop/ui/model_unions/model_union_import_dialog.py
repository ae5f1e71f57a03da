"""Importing headquarters' model-union sheet from the GUI: dry run, review, import.

The sheet is first imported as a dry run (every write rolled back), then the clerk sees what
would change — new unions, designations added or removed, counts they had entered for the
branch's own unions that the sheet would overwrite — and every disagreement between the
sheet's derived figures and the recomputed ones, each with its cell.  Only after 取り込む
is it imported for real, in one transaction; the warnings stay viewable afterwards.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kyosai_desktop.services.context import AppContext
from kyosai_desktop.services.model_union_import import ModelUnionImportResult, import_model_unions
from kyosai_desktop.services.tabular import ImportFailed, Problem
from kyosai_desktop.store.errors import StoreError
from kyosai_desktop.ui.shared import interaction
from kyosai_desktop.ui.shared.busy import run_busy
from kyosai_desktop.ui.shared.import_dialog import show_problems

TITLE = "加入拡大モデル単組シートの取り込み"


def warnings_tree(problems: list[Problem]) -> QTreeWidget:
    tree = QTreeWidget()
    tree.setRootIsDecorated(False)
    tree.setAlternatingRowColors(True)
    tree.setHeaderLabels(["行", "セル", "内容"])
    for p in problems:
        item = QTreeWidgetItem(["" if p.row is None else f"{p.row}行目", p.cell or "", p.message])
        item.setToolTip(2, p.message)
        tree.addTopLevelItem(item)
    tree.setColumnWidth(0, 70)
    tree.setColumnWidth(1, 60)
    return tree


class ImportReviewDialog(QDialog):
    """The dry run's result: 概要 / 入力済みの件数の変更 / 検算の不一致, and 取り込む or キャンセル."""

    def __init__(self, result: ModelUnionImportResult, parent: QWidget | None = None, *, done: bool = False) -> None:
        super().__init__(parent)
        self.result = result
        self.setWindowTitle(TITLE)
        head = QLabel(result.headline().replace("\n", "<br>").replace("【試行 (dry-run): 何も書き込んでいません】<br>", ""))
        head.setWordWrap(True)
        tabs = self.tabs = QTabWidget()
        summary = QPlainTextEdit(result.text(limit=500))
        summary.setReadOnly(True)
        tabs.addTab(summary, "概要")
        if result.own_changes:
            own = QPlainTextEdit("\n".join(result.own_changes))
            own.setReadOnly(True)
            tabs.addTab(own, f"入力済みの件数が変わる ({len(result.own_changes)})")
        self.tree = warnings_tree(result.warnings)
        tabs.addTab(self.tree, f"検算の不一致 ({len(result.warnings)})")
        if result.warnings or result.own_changes:
            tabs.setCurrentIndex(1)
        note = QLabel(
            "シートの件数をそのまま取り込みます。不一致はシート側の計算の誤りです (表示・印刷はすべて再計算した値)。"
            if not done else "取り込みました。不一致の一覧は「前回の取り込み結果」からいつでも見られます。")
        note.setWordWrap(True)
        if done:
            buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        else:
            buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
            buttons.addButton("取り込む", QDialogButtonBox.ButtonRole.AcceptRole)
            cancel = buttons.button(QDialogButtonBox.StandardButton.Cancel)
            cancel.setText("キャンセル")
            cancel.setDefault(True)   # Enter never overwrites data by accident
        copy = QPushButton("一覧をコピー")
        copy.clicked.connect(lambda: QApplication.clipboard().setText(result.text(limit=100_000)))
        buttons.addButton(copy, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(head)
        layout.addWidget(tabs, 1)
        layout.addWidget(note)
        layout.addWidget(buttons)
        self.resize(820, 520)


class YearDialog(QDialog):
    """Which fiscal year the sheet is for, and (optionally) the year's start month."""

    def __init__(self, years: list[int], year: int, start_month: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(TITLE)
        self.year = QComboBox()
        for y in years:
            self.year.addItem(f"{y}年度", y)
        self.year.setCurrentIndex(max(0, self.year.findData(year)))
        self.start = QComboBox()
        self.start.addItem("年度の設定のまま", None)
        self.start.addItem("6月開始", 6)
        self.start.addItem("5月開始", 5)
        form = QFormLayout(self)
        form.addRow("年度", self.year)
        form.addRow("集計開始月", self.start)
        form.addRow(QLabel(f"現在の設定: {start_month}月開始"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)


def run_import(ctx: AppContext, parent: QWidget | None, fiscal_year: int, path: Path | str | None = None,
               start_month: int | None = None) -> ModelUnionImportResult | None:
    """Ask for the file, dry-run, review, import. Returns the real import's result or None."""
    if path is None:
        path = interaction.open_file(parent, "本部の加入拡大モデル単組シートを選択", "Excel (*.xlsx *.xlsm);;CSV (*.csv);;すべてのファイル (*)")
        if path is None:
            return None
    path = Path(path)

    def attempt(label: str, dry_run: bool) -> ModelUnionImportResult | None:
        """One run (dry or real) under a busy indicator; a refusal is shown and gives None."""
        try:
            return run_busy(parent, f"{path.name} {label}",
                            lambda: import_model_unions(ctx, path, fiscal_year, start_month=start_month,
                                                        dry_run=dry_run))
        except ImportFailed as exc:   # a bad sheet, or a file changed between the two runs
            show_problems(parent, TITLE, path.name, exc)
        except (StoreError, OSError) as exc:
            interaction.critical(parent, TITLE, f"取り込めませんでした。データは変更していません。\n{exc}")
        return None

    preview = attempt("を検算しています…", True)
    if preview is None or not _confirm(parent, preview):
        return None
    done = attempt("を取り込んでいます…", False)
    if done is None:
        return None
    interaction.information(parent, TITLE, f"取り込みました。\n{done.headline()}\n検算の不一致 {len(done.warnings)} 件")
    return done


def _confirm(parent: QWidget | None, preview: ModelUnionImportResult) -> bool:
    if interaction.AUTO is not None:
        return interaction.confirm(parent, TITLE, preview.text())
    return ImportReviewDialog(preview, parent).exec() == QDialog.DialogCode.Accepted


def show_result(parent: QWidget | None, result: ModelUnionImportResult) -> ImportReviewDialog:
    dialog = ImportReviewDialog(result, parent, done=True)
    if interaction.AUTO is None:
        dialog.exec()
    else:
        interaction.LOG.append(("review", TITLE, result.text()))
    return dialog
