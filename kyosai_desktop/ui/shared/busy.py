"""Run a slow service call off the UI thread behind a busy indicator, and wait for it.

Imports and the demo load take a second or more on big files; the window keeps painting
and shows 「処理中」 instead of freezing.  The call runs on a worker thread (the SQLite
connection allows it, ``check_same_thread=False``) while a local event loop waits; its
result is returned, or its exception re-raised on the UI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QEventLoop, Qt, QThread
from PySide6.QtWidgets import QProgressDialog, QWidget

T = TypeVar("T")


class _Worker(QThread):
    def __init__(self, fn: Callable[[], object]) -> None:
        super().__init__()
        self.fn = fn
        self.result: object = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.result = self.fn()
        except BaseException as exc:  # noqa: BLE001 - re-raised on the UI thread
            self.error = exc


def run_busy(parent: QWidget | None, label: str, fn: Callable[[], T], *, delay_ms: int = 400) -> T:
    """Call ``fn`` on a worker thread; a modal busy dialog appears if it takes > ``delay_ms``."""
    worker = _Worker(fn)
    dialog = QProgressDialog(label, "", 0, 0, parent)
    dialog.setWindowTitle("処理中")
    dialog.setCancelButton(None)
    dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
    dialog.setMinimumDuration(delay_ms)
    dialog.setAutoClose(False)
    loop = QEventLoop()
    worker.finished.connect(loop.quit)
    worker.start()
    if not worker.isFinished():
        loop.exec(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
    worker.wait()
    dialog.reset()
    dialog.close()
    dialog.deleteLater()
    if worker.error is not None:
        raise worker.error
    return worker.result  # type: ignore[return-value]
