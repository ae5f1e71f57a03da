"""Importing a unions / targets / results file from the GUI: dry run, confirm, import.

``ImportFlow(ctx, bus, parent).run(kind)`` asks for a file, performs the import as a dry
run (the service writes and rolls back, so the summary is exactly what would change),
shows the summary and asks for confirmation, then imports for real in one transaction
and tells every screen through the data bus.  A refused file opens
:class:`ProblemsDialog`, listing every problem with its row and cell; nothing is written.
Used by the settings screen, the first-launch setup and the ファイル menu.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kyosai_desktop.services.context import AppContext
from kyosai_desktop.store.errors import StoreError
from kyosai_desktop.ui.shared import interaction
from kyosai_desktop.ui.shared.busy import run_busy
from kyosai_desktop.ui.shared.events import DataBus

if TYPE_CHECKING:
    from kyosai_desktop.services.master_import import ImportSummary
    from kyosai_desktop.services.tabular import ImportFailed, Problem

DETAIL_LINES = 15


@dataclass(frozen=True)
class ImportKind:
    key: str                  # data-bus kind as well: "unions" / "targets" / "results"
    label: str                # 単組 / 目標 / 実績
    headers: str              # the columns the file needs, for the clerk
    function: str             # name in services/master_import

    @property
    def importer(self) -> Callable[..., ImportSummary]:
        # Imported on first use: the import services load openpyxl, which start-up can skip.
        from kyosai_desktop.services import master_import

        return getattr(master_import, self.function)


KINDS = {
    "unions": ImportKind("unions", "単組", "自治労県コード・単組コード・単組名・組合員数・団生保有・発効月"
                         " (任意: 組織加入・基準日)", "import_unions"),
    "targets": ImportKind("targets", "目標", "年度・商品・目標件数 (任意: 版 第1次/第2次・単組コード)",
                          "import_targets"),
    "results": ImportKind("results", "実績", "自治労県コード・単組コード・商品・発効年月 (YYYY-MM)・件数",
                          "import_results"),
}


class ProblemsDialog(QDialog):
    """Every problem of a refused file, one line each: 行 · セル · 内容, with a copy button."""

    def __init__(self, title: str, source: str, problems: list[Problem], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.problems = problems
        head = QLabel(f"<b>{source}</b> を取り込めませんでした ({len(problems)} 件の問題)。"
                      "<br>データベースは変更していません。ファイルを直してから、もう一度取り込んでください。")
        head.setWordWrap(True)
        self.tree = QTreeWidget()
        self.tree.setRootIsDecorated(False)
        self.tree.setHeaderLabels(["行", "セル", "内容"])
        self.tree.setAlternatingRowColors(True)
        for p in problems:
            item = QTreeWidgetItem(["" if p.row is None else f"{p.row}行目", p.cell or "", p.message])
            item.setToolTip(2, p.message)
            self.tree.addTopLevelItem(item)
        self.tree.resizeColumnToContents(0)
        self.tree.setColumnWidth(0, max(self.tree.columnWidth(0), 70))
        self.tree.setColumnWidth(1, 60)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        copy = QPushButton("一覧をコピー")
        copy.clicked.connect(self.copy_all)
        buttons.addButton(copy, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(head)
        layout.addWidget(self.tree, 1)
        layout.addWidget(buttons)
        self.resize(760, 420)

    def lines(self) -> list[str]:
        return [str(p) for p in self.problems]

    def copy_all(self) -> None:
        QApplication.clipboard().setText("\n".join(self.lines()))


def show_problems(parent: QWidget | None, title: str, source: str, exc: ImportFailed) -> ProblemsDialog:
    """Show the problems (modal); under tests the dialog is recorded instead of shown."""
    dialog = ProblemsDialog(title, source, exc.problems, parent)
    if interaction.AUTO is None:
        dialog.exec()
    else:
        interaction.LOG.append(("problems", title, exc.summary()))
    return dialog


def summary_text(summary: ImportSummary) -> str:
    lines = [summary.text().replace("【試行 (dry-run): 何も書き込んでいません】\n", "")]
    if summary.details:
        lines.append("")
        lines += summary.details[:DETAIL_LINES]
        if len(summary.details) > DETAIL_LINES:
            lines.append(f"…ほか {len(summary.details) - DETAIL_LINES} 件")
    return "\n".join(lines)


class ImportFlow:
    """The dry run → confirmation → import sequence for one file."""

    def __init__(self, ctx: AppContext, bus: DataBus | None, parent: QWidget | None) -> None:
        self.ctx, self.bus, self.parent = ctx, bus, parent
        self.last_problems: ProblemsDialog | None = None

    def run(self, kind: str, path: Path | str | None = None) -> ImportSummary | None:
        """Returns the summary of the real import, or None when refused or cancelled."""
        from kyosai_desktop.services.tabular import ImportFailed

        spec = KINDS[kind]
        title = f"{spec.label}の取り込み"
        if path is None:
            path = interaction.open_file(self.parent, f"{spec.label}のファイルを選択 (列: {spec.headers})",
                                         "Excel / CSV (*.xlsx *.xlsm *.csv);;すべてのファイル (*)")
            if path is None:
                return None
        path = Path(path)
        try:
            preview = run_busy(self.parent, f"{path.name} を確認しています…",
                               lambda: spec.importer(self.ctx, path, dry_run=True))
        except ImportFailed as exc:
            self.last_problems = show_problems(self.parent, title, path.name, exc)
            return None
        except (StoreError, OSError) as exc:
            interaction.critical(self.parent, title, f"取り込めませんでした。データは変更していません。\n{exc}")
            return None
        if preview.added == 0 and preview.updated == 0:
            interaction.information(self.parent, title,
                                    f"{path.name}: {preview.rows} 行を確認しました。変更はありません。")
            return preview
        question = f"{path.name} の確認結果:\n\n{summary_text(preview)}\n\nこの内容で取り込みますか？"
        if not interaction.confirm(self.parent, title, question):
            return None
        try:
            done = run_busy(self.parent, f"{path.name} を取り込んでいます…",
                            lambda: spec.importer(self.ctx, path, dry_run=False))
        except ImportFailed as exc:   # the file changed between the two runs
            self.last_problems = show_problems(self.parent, title, path.name, exc)
            return None
        except (StoreError, OSError) as exc:
            interaction.critical(self.parent, title, f"取り込めませんでした。データは変更していません。\n{exc}")
            return None
        if self.bus is not None:
            self.bus.changed.emit(spec.key)
        interaction.information(self.parent, title, f"取り込みました。\n{done.text()}")
        return done


def header_help() -> str:
    """Rich text listing each file's columns (shown on the import tab and in setup)."""
    rows = "".join(f"<li><b>{k.label}</b>: {k.headers}</li>" for k in KINDS.values())
    return f"<ul style='margin-left:0'>{rows}</ul>"


__all__ = ["KINDS", "ImportFlow", "ProblemsDialog", "header_help", "show_problems"]
