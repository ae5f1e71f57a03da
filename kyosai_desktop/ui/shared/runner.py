"""The one way to run long work off the UI thread: a progress bar, キャンセル, and signals.

Imports, batch PDFs, the demo load and backups go through :func:`run`::

    task = runner.run(parent, "取り込み", "sample.xlsx を確認しています…",
                      lambda job: plan_unions(job.ctx, path, progress=job.progress),
                      on_done=show_review)

``work(job)`` runs on one worker thread; tasks started while one runs wait their turn
(one serial worker, so two writers never race).  ``job.ctx`` is the task's *own*
database connection, opened on first use on the worker and closed when the task ends —
the UI thread's connection is never used off the UI thread.  ``job.progress(done, total,
label)`` moves the bar (throttled) and raises :class:`Cancelled` once キャンセル was pressed;
``job.step(done, total)`` is the same as a ``-> bool`` callback for the renderers.

The result reaches ``on_done(result)`` on the UI thread, a cancellation ``on_cancel()``,
an exception ``on_error(exc)`` — by default a Japanese message through
``interaction.critical`` (never a traceback).  Nothing here waits: no nested event loop,
no ``processEvents``.  The progress dialog appears after ``SHOW_AFTER_MS`` and is window
modal, so the clerk cannot edit the data the task is working on.  Anchors: Anki's
``taskman.py`` (run_in_background / on_done), TagStudio's progress bar controller.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QThread, QTimer, Signal, Slot
from PySide6.QtWidgets import QApplication, QProgressDialog, QWidget

from kyosai_desktop.services.import_plan import Cancelled
from kyosai_desktop.ui.shared import interaction

if TYPE_CHECKING:
    from kyosai_desktop.services.context import AppContext

SHOW_AFTER_MS = 300
PROGRESS_EVERY_S = 0.05


def error_message(exc: BaseException) -> str:
    """A Japanese sentence for any exception of long work (what the clerk reads)."""
    from kyosai_desktop.services.files import OutputError
    from kyosai_desktop.services.tabular import ImportFailed
    from kyosai_desktop.store.errors import StoreError

    if isinstance(exc, ImportFailed):
        return exc.summary()
    if isinstance(exc, StoreError | OutputError):
        return str(exc)
    if isinstance(exc, PermissionError):
        return f"ファイルにアクセスできません (他のプログラムで開いていないか確かめてください): {exc.filename or exc}"
    if isinstance(exc, FileNotFoundError):
        return f"ファイルが見つかりません: {exc.filename or exc}"
    if isinstance(exc, OSError):
        return f"ファイルを読み書きできませんでした: {exc.strerror or exc} ({exc.filename or ''})"
    if isinstance(exc, sqlite3.OperationalError) and ("locked" in str(exc) or "busy" in str(exc)):
        return "データベースが使用中でした。しばらくしてからもう一度お試しください。"
    if isinstance(exc, sqlite3.Error):
        return f"データベースの処理に失敗しました ({exc})。"
    if isinstance(exc, MemoryError):
        return "メモリが足りません。ほかのプログラムを閉じてからもう一度お試しください。"
    return f"予期しないエラーが発生しました ({type(exc).__name__}: {exc})。"


@dataclass
class Job:
    """What the work function gets on the worker thread."""

    db_path: Path | None
    cancel_event: threading.Event = field(default_factory=threading.Event)
    emit: Callable[[int, int, str], None] | None = None
    _ctx: AppContext | None = None
    _last: float = 0.0
    _last_label: str = ""

    @property
    def ctx(self) -> AppContext:
        """This task's own connection to the open database (opened on first use)."""
        if self._ctx is None:
            from kyosai_desktop.services.context import open_worker_context

            if self.db_path is None:
                raise RuntimeError("this task was started without a database")
            self._ctx = open_worker_context(self.db_path)
        return self._ctx

    @property
    def cancelled(self) -> bool:
        return self.cancel_event.is_set()

    def progress(self, done: int, total: int, label: str = "") -> None:
        if self.cancelled:
            raise Cancelled()
        now = time.monotonic()
        new_label = label != self._last_label
        if self.emit is not None and (
            now - self._last >= PROGRESS_EVERY_S or done >= total or done == 0 or new_label
        ):
            self._last, self._last_label = now, label
            self.emit(done, total, label)

    def stepper(self, offset: int, total: int, label: str) -> Callable[[int, int], bool]:
        """A ``-> bool`` callback for one phase of ``total`` steps that starts at ``offset``."""
        return lambda done, _count: self.step(offset + done, total, label)

    def step(self, done: int, total: int, label: str = "") -> bool:
        """``render_pdf`` / ``build_union_sheets`` style: False means stop."""
        try:
            self.progress(done, total, label)
        except Cancelled:
            return False
        return True

    def close(self) -> None:
        if self._ctx is not None:
            self._ctx.close()
            self._ctx = None


class _Thread(QThread):
    progressed = Signal(int, int, str)
    succeeded = Signal(object)
    failed = Signal(object)

    def __init__(self, work: Callable[[Job], Any], job: Job) -> None:
        super().__init__()
        self.work, self.job = work, job
        job.emit = self.progressed.emit

    def run(self) -> None:
        try:
            result = self.work(self.job)
        except BaseException as exc:  # noqa: BLE001 - delivered to the UI thread by signal
            self.job.close()
            self.failed.emit(exc)
            return
        self.job.close()
        self.succeeded.emit(result)


class Task(QObject):
    """One piece of long work; ``finished`` carries the state once it is over."""

    finished = Signal(str)  # "done" / "cancelled" / "failed"
    progressed = Signal(int, int, str)  # done, total, label (on the UI thread, throttled)

    def __init__(
        self,
        parent: QWidget | None,
        title: str,
        label: str,
        work: Callable[[Job], Any],
        *,
        db_path: Path | None,
        on_done: Callable[[Any], None] | None,
        on_error: Callable[[BaseException], None] | None,
        on_cancel: Callable[[], None] | None,
        cancellable: bool,
    ) -> None:
        super().__init__()
        self.parent_widget, self.title, self.label = parent, title, label
        self.on_done, self.on_error, self.on_cancel = on_done, on_error, on_cancel
        self.job = Job(db_path)
        self.state = "waiting"
        self.result: Any = None
        self.error: BaseException | None = None
        self.thread = _Thread(work, self.job)
        self.thread.progressed.connect(self._progress, Qt.ConnectionType.QueuedConnection)
        self.thread.succeeded.connect(self._succeeded, Qt.ConnectionType.QueuedConnection)
        self.thread.failed.connect(self._failed, Qt.ConnectionType.QueuedConnection)
        self.dialog = QProgressDialog(label, "キャンセル" if cancellable else "", 0, 0, parent)
        self.dialog.setWindowTitle(title)
        self.dialog.setMinimumWidth(380)
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.setAutoClose(False)
        self.dialog.setAutoReset(False)
        self.dialog.setMinimumDuration(1_000_000)  # shown by our timer, never by setValue
        if not cancellable:
            self.dialog.setCancelButton(None)
        self.dialog.canceled.connect(self.cancel)
        self.dialog.hide()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._show)

    # ------------------------------------------------------------ control
    def start(self) -> None:
        self.state = "running"
        self.thread.start()
        self._timer.start(SHOW_AFTER_MS)

    def cancel(self) -> None:
        """Ask the work to stop at its next progress report; what it wrote is rolled back."""
        if self.state in ("running", "waiting"):
            self.job.cancel_event.set()
            self.dialog.setLabelText("キャンセルしています…")

    @property
    def is_running(self) -> bool:
        return self.state in ("waiting", "running")

    # ------------------------------------------------------------ slots (UI thread)
    @Slot()
    def _show(self) -> None:
        if self.state == "running":
            try:
                self.dialog.show()
            except RuntimeError:  # the dialog went with its closed parent window
                pass

    @Slot(int, int, str)
    def _progress(self, done: int, total: int, label: str) -> None:
        if self.job.cancelled:
            return
        self.progressed.emit(done, total, label)
        try:
            self._show_progress(done, total, label)
        except RuntimeError:  # the dialog went with its closed parent window
            pass

    def _show_progress(self, done: int, total: int, label: str) -> None:
        self.dialog.setMaximum(max(total, 0))
        self.dialog.setValue(min(done, total) if total else 0)
        if label:
            self.dialog.setLabelText(
                f"{self.label}\n{label}"
                if total <= 0
                else f"{self.label}\n{label} {done:,} / {total:,}"
            )

    @Slot(object)
    def _succeeded(self, result: Any) -> None:
        self.result = result
        self._end("done")
        if self.on_done is not None:
            self.on_done(result)

    @Slot(object)
    def _failed(self, exc: BaseException) -> None:
        self.error = exc
        if isinstance(exc, Cancelled) or self.job.cancelled:  # the renderers raise their own
            self._end("cancelled")
            if self.on_cancel is not None:
                self.on_cancel()
            else:
                interaction.information(
                    self.parent_widget, self.title, "キャンセルしました。何も変更していません。"
                )
            return
        self._end("failed")
        if self.on_error is not None:
            self.on_error(exc)
        else:
            interaction.critical(
                self.parent_widget,
                self.title,
                f"{self.label.rstrip('…')} できませんでした。\n{error_message(exc)}",
            )

    def _end(self, state: str) -> None:
        self.state = state
        self._timer.stop()
        self.thread.wait()
        try:
            self.dialog.reset()
            self.dialog.hide()
            self.dialog.deleteLater()
        except RuntimeError:  # its parent window was closed meanwhile, and took it along
            pass
        _RUNNER.task_ended(self)
        self.finished.emit(state)


class Runner:
    """One serial worker: at most one task runs; the next starts when it has ended."""

    def __init__(self) -> None:
        self.queue: deque[Task] = deque()
        self.current: Task | None = None

    def submit(self, task: Task) -> Task:
        self.queue.append(task)
        if self.current is None:
            self._next()
        return task

    def task_ended(self, task: Task) -> None:
        if self.current is task:
            self.current = None
            QTimer.singleShot(0, self._next)

    def _next(self) -> None:
        if self.current is None and self.queue:
            self.current = self.queue.popleft()
            self.current.start()

    @property
    def busy(self) -> bool:
        return self.current is not None or bool(self.queue)


_RUNNER = Runner()


def run(
    parent: QWidget | None,
    title: str,
    label: str,
    work: Callable[[Job], Any],
    *,
    ctx: AppContext | None = None,
    on_done: Callable[[Any], None] | None = None,
    on_error: Callable[[BaseException], None] | None = None,
    on_cancel: Callable[[], None] | None = None,
    cancellable: bool = True,
) -> Task:
    """Start ``work(job)`` on the worker (after any running task); returns at once.

    ``ctx`` names the database whose own connection ``job.ctx`` opens for the task.
    """
    assert QApplication.instance() is not None
    task = Task(
        parent,
        title,
        label,
        work,
        db_path=ctx.path if ctx is not None else None,
        on_done=on_done,
        on_error=on_error,
        on_cancel=on_cancel,
        cancellable=cancellable,
    )
    return _RUNNER.submit(task)


def busy() -> bool:
    """Whether a task is running or waiting (tests wait on it; closing the window asks)."""
    return _RUNNER.busy


__all__ = ["Job", "Task", "busy", "error_message", "run"]
