"""The one review dialog of every import: what the file will do, before anything is written.

``ImportReviewDialog(plan)`` shows an :class:`~kyosai_desktop.services.import_plan.ImportPlan`:
the summary at the top, then tabs — 入力済みの数字が変わる (figures a clerk already entered
that the file overwrites, old → new), 追加・変更 (one line per record), 警告 (imported
anyway, each with its 行 and セル), 注記 — and 取り込む / キャンセル.  キャンセル is the
default button, so Enter never overwrites data by accident.  A refused file (``plan.problems``)
shows the problems with their cells and only 閉じる; ``done=True`` shows a committed
import's result for reading.  一覧をコピー puts ``plan.text()`` on the clipboard.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kyosai_desktop.services.import_plan import ImportPlan, ImportReport

if TYPE_CHECKING:
    from kyosai_desktop.services.tabular import Problem

SHOWN_LINES = 5_000  # per tab; the clipboard always gets everything


def problems_tree(problems: list[Problem]) -> QTreeWidget:
    """行 · セル · 内容, one line per problem or warning."""
    tree = QTreeWidget()
    tree.setRootIsDecorated(False)
    tree.setAlternatingRowColors(True)
    tree.setHeaderLabels(["行", "セル", "内容"])
    tree.setUniformRowHeights(True)
    for p in problems[:SHOWN_LINES]:
        item = QTreeWidgetItem(["" if p.row is None else f"{p.row}行目", p.cell or "", p.message])
        item.setToolTip(2, p.message)
        tree.addTopLevelItem(item)
    tree.setColumnWidth(0, 70)
    tree.setColumnWidth(1, 60)
    return tree


def _lines(items: list[str]) -> QPlainTextEdit:
    shown = items[:SHOWN_LINES]
    if len(items) > SHOWN_LINES:
        shown.append(f"… ほか {len(items) - SHOWN_LINES:,} 件 (一覧をコピーで全件)")
    edit = QPlainTextEdit("\n".join(shown))
    edit.setReadOnly(True)
    return edit


class ImportReviewDialog(QDialog):
    """Review a plan (取り込む / キャンセル), its refusal (閉じる), or a done import (閉じる)."""

    def __init__(
        self, plan: ImportPlan, parent: QWidget | None = None, *, done: ImportReport | None = None
    ) -> None:
        super().__init__(parent)
        self.plan = plan
        self.report = done or plan.preview
        self.setWindowTitle(plan.title)
        self.setObjectName("import_review")
        head = QLabel()
        head.setWordWrap(True)
        head.setTextFormat(Qt.TextFormat.PlainText)
        lines = self._summary()
        shown = lines if lines and plan.source in lines[0] else [plan.source, *lines]
        head.setText("\n".join(shown))
        self.head = head
        self.tabs = QTabWidget()
        report = self.report
        if plan.is_refused:
            self.tabs.addTab(problems_tree(plan.problems), f"問題 ({len(plan.problems)})")
        else:
            if report.changes:
                self.tabs.addTab(
                    _lines(report.changes), f"入力済みの数字が変わる ({len(report.changes)})"
                )
            if report.details:
                self.tabs.addTab(_lines(report.details), f"追加・変更 ({len(report.details)})")
            if plan.warnings:
                self.tabs.addTab(problems_tree(plan.warnings), f"警告 ({len(plan.warnings)})")
            if report.notes:
                self.tabs.addTab(_lines(report.notes), f"注記 ({len(report.notes)})")
            if self.tabs.count() == 0:
                self.tabs.addTab(_lines(["変更はありません。"]), "内容")
        self.note = QLabel(self._note(done is not None))
        self.note.setWordWrap(True)
        buttons = self.buttons = QDialogButtonBox()
        self.import_button: QPushButton | None = None
        if plan.is_refused or done is not None or not plan.has_changes:
            close = buttons.addButton("閉じる", QDialogButtonBox.ButtonRole.RejectRole)
            close.setDefault(True)
        else:
            self.import_button = buttons.addButton(
                "取り込む", QDialogButtonBox.ButtonRole.AcceptRole
            )
            self.import_button.setAutoDefault(False)
            cancel = buttons.addButton("キャンセル", QDialogButtonBox.ButtonRole.RejectRole)
            cancel.setDefault(True)  # Enter never overwrites data by accident
        self.copy_button = QPushButton("一覧をコピー")
        self.copy_button.setAutoDefault(False)
        self.copy_button.clicked.connect(self.copy_all)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(head)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.note)
        layout.addWidget(buttons)
        self.resize(820, 520)

    def _summary(self) -> list[str]:
        if self.plan.is_refused or self.report is self.plan.preview:
            return self.plan.summary()
        return self.plan.summarise(self.report)

    def _note(self, done: bool) -> str:
        if self.plan.is_refused:
            return "行とセルの位置はファイルのものです。直してから、もう一度取り込んでください。"
        if done:
            return "取り込みました。"
        if not self.plan.has_changes:
            return "データベースにはすでにこの内容が入っています。取り込む必要はありません。"
        warn = (
            f"警告 {len(self.plan.warnings)} 件はそのまま取り込みます。"
            if self.plan.warnings
            else ""
        )
        return f"{warn}「取り込む」を押すまで、データベースは変更しません。"

    def summary_text(self) -> str:
        """The dialog's whole content as plain text (what 一覧をコピー copies)."""
        if self.report is self.plan.preview:
            return self.plan.text()
        done = ImportPlan(
            title=self.plan.title,
            source=self.plan.source,
            preview=self.report,
            warnings=self.plan.warnings,
            summarise=self.plan.summarise,
        )
        return done.text()

    def copy_all(self) -> None:
        QApplication.clipboard().setText(self.summary_text())


__all__ = ["ImportReviewDialog", "problems_tree"]
