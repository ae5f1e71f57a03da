"""The one import flow of the GUI: plan off the UI thread → review → commit → announce.

Every import (単組・目標・実績, the HQ model-union sheet, 別紙2, and the exchange and report
packages) runs the same way::

    flow = ImportFlow(ctx, bus, parent)
    flow.finished.connect(on_finished)            # ImportReport of the import, or None
    flow.start("単組の取り込み", path.name,
               lambda ctx, progress: plan_unions(ctx, path, progress=progress))

1. the planner (``services/import_plan``: read and check the file once, preview the writes)
   runs on the background runner with a progress bar and キャンセル, on its own connection;
   a workbook with several visible sheets (``SheetChoiceRequired``) makes the flow ask which
   sheet (``interaction.choose``, the sheet Excel showed preselected) and plan again with
   ``sheet=`` — when the planner takes a ``sheet`` argument;
2. the one :class:`ImportReviewDialog` shows the plan — or the file's problems, each with
   its cell, when it was refused; a file that changes nothing says so and stops;
3. 取り込む commits the parsed plan on the runner (one transaction; キャンセル or an error
   rolls everything back and says so in Japanese);
4. every page is told through the data bus (the plan's ``kinds``), the clerk sees what
   was imported, and ``finished`` carries the :class:`ImportReport` (None otherwise);
5. the import is one step of 元に戻す: its change set (``report.op_changes``, the audit rows
   it wrote) goes on the window's undo stack as one :class:`~kyosai_desktop.ui.shared.undo.
   ChangeCommand` (the stack of the page in front, else the window's own).  Ctrl+Z writes
   every old value back in one commit — refused, with the fields named, when a later edit
   or import changed one of them.  An import whose writes cannot be written back (new
   unions, model-union sheets) says so and is not put on the stack.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QWidget

from kyosai_desktop.services.context import AppContext
from kyosai_desktop.services.import_plan import ImportPlan, ImportReport, Progress
from kyosai_desktop.services.ops import ChangeKind, OpChanges
from kyosai_desktop.services.ops.replay import Conflict
from kyosai_desktop.ui.shared import interaction, runner
from kyosai_desktop.ui.shared.events import DataBus
from kyosai_desktop.ui.shared.import_review import ImportReviewDialog
from kyosai_desktop.ui.shared.undo import ChangeCommand, ReplayHost, describe_conflicts

Planner = Callable[[AppContext, Progress], ImportPlan]
UNCHANGED = "データは変更していません。"


class ImportFlow(QObject):
    """One file's way from the disk into the database, through the review dialog."""

    finished = Signal(object)  # the committed ImportReport, or None (refused, cancelled, failed)

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
        self.planner: Planner | None = None
        # Called instead of the plain bus announcement when set (a page that also moves to
        # what was imported): (plan, report) -> None.
        self.announce: Callable[[ImportPlan, ImportReport], None] | None = None
        # Where the import's undo step goes (None: the window's ``import_undo_stack()``) and
        # who hears its replay (None: an ImportUndoHost announcing on the bus).
        self.undo_stack: QUndoStack | None = None
        self.undo_host: ReplayHost | None = None
        self.undo_note = ""  # why the last import could not go on the undo stack

    def start(self, title: str, source: str, planner: Planner) -> None:
        """Plan ``source`` with ``planner`` in the background; the rest follows by signal."""
        self.title, self.source, self.planner = title, source, planner
        self.plan, self.report, self.running = None, None, True
        self.task = runner.run(
            self.parent_widget,
            title,
            f"{source} を確認しています…",
            lambda job: planner(job.ctx, job.progress),
            ctx=self.ctx,
            on_done=self._review,
            on_error=self._plan_failed,
            on_cancel=self._cancelled,
        )

    # ------------------------------------------------------------ steps
    def _review(self, plan: ImportPlan) -> None:
        self.plan = plan
        self.dialog = ImportReviewDialog(plan, self.parent_widget)
        accepted = interaction.exec_dialog(self.dialog)
        if plan.is_refused or not plan.has_changes or not accepted:
            self._finish(None)
            return
        self.task = runner.run(
            self.parent_widget,
            self.title,
            f"{self.source} を取り込んでいます…",
            lambda job: _commit(plan, job),
            ctx=self.ctx,
            on_done=self._committed,
            on_error=self._commit_failed,
            on_cancel=self._cancelled,
        )

    def _committed(self, done: tuple[ImportReport, str]) -> None:
        assert self.plan is not None
        report, not_undoable = done
        self.report = report
        self.ctx.products.invalidate()  # the commit wrote on the runner's own connection
        if self.announce is not None:
            self.announce(self.plan, report)
        elif self.bus is not None:
            self.bus.announce(OpChanges.of(*(ChangeKind(kind) for kind in self.plan.kinds)))
        undo = self._push_undo(report, not_undoable)
        lines = "\n".join(self.plan.summarise(report))
        interaction.information(
            self.parent_widget, self.title, f"取り込みました。\n{self.source}\n{lines}\n\n{undo}"
        )
        self._finish(report)

    def _push_undo(self, report: ImportReport, not_undoable: str) -> str:
        """Put the import on the undo stack as one step; the sentence that tells the clerk."""
        changes = report.op_changes
        self.undo_note = not_undoable
        if changes is None or not changes.rows:
            return ""
        stack = self.undo_stack
        if stack is None:
            window = self.parent_widget.window() if self.parent_widget is not None else None
            find = getattr(window, "import_undo_stack", None)
            stack = find() if callable(find) else None
        if not_undoable or stack is None:
            self.undo_note = not_undoable or "元に戻す操作の履歴がありません。"
            return f"この取り込みは「元に戻す」で取り消せません ({self.undo_note})。"
        host = self.undo_host or ImportUndoHost(self.ctx, self.bus, self.parent_widget)
        stack.push(ChangeCommand(self.ctx, changes, f"{self.title} ({self.source})", host))
        return "「元に戻す」(Ctrl+Z) で、この取り込み全体を取り消せます。"

    def _plan_failed(self, exc: BaseException) -> None:
        # openpyxl loads on first use
        from kyosai_desktop.services.tabular import ImportFailed, SheetChoiceRequired

        planner = self.planner
        if isinstance(exc, SheetChoiceRequired) and planner is not None and takes_sheet(planner):
            sheet = ask_sheet(self.parent_widget, self.title, self.source, exc)
            if sheet is None:
                self._cancelled()
                return
            self.start(
                self.title, self.source, lambda ctx, progress: planner(ctx, progress, sheet=sheet)
            )  # type: ignore[call-arg]
            return
        if isinstance(exc, ImportFailed):
            self.plan = ImportPlan.refused(self.title, self.source, exc)
            self.dialog = ImportReviewDialog(self.plan, self.parent_widget)
            interaction.exec_dialog(self.dialog)
        else:
            interaction.critical(
                self.parent_widget,
                self.title,
                f"{self.source} を取り込めませんでした。{UNCHANGED}\n{runner.error_message(exc)}",
            )
        self._finish(None)

    def _commit_failed(self, exc: BaseException) -> None:
        from kyosai_desktop.services.tabular import ImportFailed

        if isinstance(exc, ImportFailed):  # refused while writing (e.g. a rule of the store)
            self._plan_failed(exc)
            return
        interaction.critical(
            self.parent_widget,
            self.title,
            f"{self.source} を取り込めませんでした。{UNCHANGED}\n{runner.error_message(exc)}",
        )
        self._finish(None)

    def _cancelled(self) -> None:
        interaction.information(self.parent_widget, self.title, f"キャンセルしました。{UNCHANGED}")
        self._finish(None)

    def _finish(self, report: ImportReport | None) -> None:
        self.running = False
        self.finished.emit(report)


def takes_sheet(planner: Callable) -> bool:
    """Whether ``planner`` accepts ``sheet=`` (the sheet to read of a workbook)."""
    import inspect

    try:
        return "sheet" in inspect.signature(planner).parameters
    except (TypeError, ValueError):
        return False


def ask_sheet(parent: QWidget | None, title: str, source: str, exc) -> str | None:
    """Which sheet of ``source`` to import (``exc``: SheetChoiceRequired); None when cancelled."""
    return interaction.choose(
        parent,
        title,
        f"{source} には表示中のシートが {len(exc.sheets)} 枚あります。\n"
        "取り込むシートを選んでください。",
        list(exc.sheets),
        exc.active,
    )


def _commit(plan: ImportPlan, job) -> tuple[ImportReport, str]:
    """Commit on the runner; also learn whether every write can be written back (why not)."""
    from kyosai_desktop.services.ops.fields import NotReplayable
    from kyosai_desktop.services.ops.replay import conflicts

    report = plan.commit(job.ctx, job.progress)
    reason = ""
    if report.op_changes is not None and report.op_changes.rows:
        try:
            conflicts(job.ctx, report.op_changes, undo=True)
        except NotReplayable as exc:
            reason = str(exc).rstrip("。")
        except (KeyError, ValueError) as exc:
            reason = f"書き戻せない変更があります: {exc}"
    return report, reason


class ImportUndoHost:
    """Hears an import's undo / redo: refuses to overwrite later edits, announces what it wrote."""

    def __init__(
        self,
        ctx: AppContext,
        bus: DataBus | None,
        parent: QWidget | None,
        on_replayed: Callable[[OpChanges], None] | None = None,
    ) -> None:
        self.ctx, self.bus, self.parent = ctx, bus, parent
        self.on_replayed = on_replayed  # instead of the bus (a page that refreshes itself)
        self.refused: list[Conflict] = []

    def confirm_overwrite(self, conflicts: list[Conflict], action: str) -> bool:
        self.refused = conflicts  # never overwrite a later edit with an import's old values
        return False

    def replayed(self, changes: OpChanges, action: str) -> None:
        if self.on_replayed is not None:
            self.on_replayed(changes)
        elif self.bus is not None:
            self.bus.announce(changes)
        window = self.parent.window() if self.parent is not None else None
        status = getattr(window, "statusBar", None)
        if callable(status):
            status().showMessage(f"取り込みを{action}しました ({len(changes.rows):,} か所)。", 8000)

    def replay_failed(self, message: str, action: str) -> None:
        detail = ""
        if self.refused:
            detail = (
                "\n\n"
                + describe_conflicts(self.refused, self.field_name, action).rsplit("\n\n", 1)[0]
            )
            verb = "元に戻せません" if action == "元に戻す" else "やり直せません"
            message = (
                f"この取り込みを{verb}: 取り込みのあとで変更された欄があり、"
                "その変更が失われるためです。データは変更していません。"
            )
        self.refused = []
        interaction.warning(self.parent, action, message + detail)

    def field_name(self, row) -> str:
        """A field as the clerk knows it: 単組 · 商品 · 月 for a figure."""
        try:
            if row.table == "results":
                union_id, product_id, month = row.key.split(":")
                union = self.ctx.unions.get(int(union_id))
                product = self.ctx.products.by_id(int(product_id))
                year, mon = month.split("-")
                return f"{union.name if union else union_id} {product.name} {year}年{int(mon)}月"
            if row.table == "unions":
                union = self.ctx.unions.get(int(row.key))
                return f"{union.name if union else row.key} ({row.field})"
        except (KeyError, ValueError, AttributeError):
            pass
        return f"{row.table} {row.key} {row.field}"


__all__ = ["ImportFlow", "ImportUndoHost", "Planner", "ask_sheet", "takes_sheet"]
