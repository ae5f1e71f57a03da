"""The one import flow of the GUI: plan off the UI thread → review → commit → announce.

Every import (単組・目標・実績, the HQ model-union sheet, 別紙2, and the exchange and report
packages) runs the same way::

    flow = ImportFlow(ctx, bus, parent)
    flow.finished.connect(on_finished)            # ImportReport of the import, or None
    flow.start("単組の取り込み", path.name,
               lambda ctx, progress: plan_unions(ctx, path, progress=progress))

1. the planner (``services/import_plan``: read and check the file once, preview the writes)
   runs on the background runner with a progress bar and キャンセル, on its own connection;
2. the one :class:`ImportReviewDialog` shows the plan — or the file's problems, each with
   its cell, when it was refused; a file that changes nothing says so and stops;
3. 取り込む commits the parsed plan on the runner (one transaction; キャンセル or an error
   rolls everything back and says so in Japanese);
4. every page is told through the data bus (the plan's ``kinds``), the clerk sees what
   was imported, and ``finished`` carries the :class:`ImportReport` (None otherwise).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from kyosai_desktop.services.context import AppContext
from kyosai_desktop.services.import_plan import ImportPlan, ImportReport, Progress
from kyosai_desktop.services.ops import ChangeKind, OpChanges
from kyosai_desktop.ui.shared import interaction, runner
from kyosai_desktop.ui.shared.events import DataBus
from kyosai_desktop.ui.shared.import_review import ImportReviewDialog

Planner = Callable[[AppContext, Progress], ImportPlan]
UNCHANGED = "データは変更していません。"


class ImportFlow(QObject):
    """One file's way from the disk into the database, through the review dialog."""

    finished = Signal(object)   # the committed ImportReport, or None (refused, cancelled, failed)

    def __init__(self, ctx: AppContext, bus: DataBus | None, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.ctx, self.bus, self.parent_widget = ctx, bus, parent
        self.title = ""
        self.source = ""
        self.plan: ImportPlan | None = None
        self.report: ImportReport | None = None
        self.dialog: ImportReviewDialog | None = None
        self.task: runner.Task | None = None
        self.running = False
        # Called instead of the plain bus announcement when set (a page that also moves to
        # what was imported): (plan, report) -> None.
        self.announce: Callable[[ImportPlan, ImportReport], None] | None = None

    def start(self, title: str, source: str, planner: Planner) -> None:
        """Plan ``source`` with ``planner`` in the background; the rest follows by signal."""
        self.title, self.source = title, source
        self.plan, self.report, self.running = None, None, True
        self.task = runner.run(self.parent_widget, title, f"{source} を確認しています…",
                               lambda job: planner(job.ctx, job.progress), ctx=self.ctx,
                               on_done=self._review, on_error=self._plan_failed, on_cancel=self._cancelled)

    # ------------------------------------------------------------ steps
    def _review(self, plan: ImportPlan) -> None:
        self.plan = plan
        self.dialog = ImportReviewDialog(plan, self.parent_widget)
        accepted = interaction.exec_dialog(self.dialog)
        if plan.is_refused or not plan.has_changes or not accepted:
            self._finish(None)
            return
        self.task = runner.run(self.parent_widget, self.title, f"{self.source} を取り込んでいます…",
                               lambda job: plan.commit(job.ctx, job.progress), ctx=self.ctx,
                               on_done=self._committed, on_error=self._commit_failed, on_cancel=self._cancelled)

    def _committed(self, report: ImportReport) -> None:
        assert self.plan is not None
        self.report = report
        self.ctx.products.invalidate()   # the commit wrote on the runner's own connection
        if self.announce is not None:
            self.announce(self.plan, report)
        elif self.bus is not None:
            self.bus.announce(OpChanges.of(*(ChangeKind(kind) for kind in self.plan.kinds)))
        lines = "\n".join(self.plan.summarise(report))
        interaction.information(self.parent_widget, self.title, f"取り込みました。\n{self.source}\n{lines}")
        self._finish(report)

    def _plan_failed(self, exc: BaseException) -> None:
        from kyosai_desktop.services.tabular import ImportFailed  # openpyxl loads on first use

        if isinstance(exc, ImportFailed):
            self.plan = ImportPlan.refused(self.title, self.source, exc)
            self.dialog = ImportReviewDialog(self.plan, self.parent_widget)
            interaction.exec_dialog(self.dialog)
        else:
            interaction.critical(self.parent_widget, self.title,
                                 f"{self.source} を取り込めませんでした。{UNCHANGED}\n{runner.error_message(exc)}")
        self._finish(None)

    def _commit_failed(self, exc: BaseException) -> None:
        from kyosai_desktop.services.tabular import ImportFailed

        if isinstance(exc, ImportFailed):      # refused while writing (e.g. a rule of the store)
            self._plan_failed(exc)
            return
        interaction.critical(self.parent_widget, self.title,
                             f"{self.source} を取り込めませんでした。{UNCHANGED}\n{runner.error_message(exc)}")
        self._finish(None)

    def _cancelled(self) -> None:
        interaction.information(self.parent_widget, self.title, f"キャンセルしました。{UNCHANGED}")
        self._finish(None)

    def _finish(self, report: ImportReport | None) -> None:
        self.running = False
        self.finished.emit(report)


__all__ = ["ImportFlow", "Planner"]
