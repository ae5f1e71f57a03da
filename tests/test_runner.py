"""The background runner: one serial worker, its own connection, results and errors by signal."""

from __future__ import annotations

import sqlite3
import threading

from kyosai_desktop.services.tabular import ImportFailed, Problem
from kyosai_desktop.store.errors import LockedDatabaseError
from kyosai_desktop.ui.shared import runner

WAIT_MS = 20_000


def test_tasks_run_one_after_another_off_the_ui_thread_on_their_own_connection(ctx, qtbot, prompts):
    order: list[str] = []
    release = threading.Event()
    seen = {}

    def first(job):
        order.append("first started")
        seen["conn"] = job.ctx.conn
        seen["thread"] = threading.current_thread() is threading.main_thread()
        release.wait(WAIT_MS / 1000)
        order.append("first ended")
        return job.ctx.unions.find("05", "001").name

    def second(job):
        order.append("second started")
        return 2

    ctx.unions.add("05", "001", "仙台市職員労働組合")
    results = []
    a = runner.run(None, "テスト", "1 つ目…", first, ctx=ctx, on_done=results.append)
    b = runner.run(None, "テスト", "2 つ目…", second, ctx=ctx, on_done=results.append)
    qtbot.waitUntil(lambda: order == ["first started"], timeout=WAIT_MS)
    assert b.state == "waiting" and runner.busy()
    release.set()
    with qtbot.waitSignal(b.finished, timeout=WAIT_MS):
        pass
    assert order == ["first started", "first ended", "second started"]
    assert results == ["仙台市職員労働組合", 2] and a.state == b.state == "done"
    assert seen["conn"] is not ctx.conn and seen["thread"] is False
    try:  # the task's connection was closed when it ended
        seen["conn"].execute("SELECT 1")
        closed = False
    except sqlite3.ProgrammingError:
        closed = True
    assert closed and not runner.busy()


def test_an_unexpected_error_becomes_a_japanese_message_by_default(ctx, qtbot, prompts):
    def work(job):
        raise ZeroDivisionError("division by zero")

    task = runner.run(None, "集計", "集計しています…", work, ctx=ctx)
    with qtbot.waitSignal(task.finished, timeout=WAIT_MS) as blocker:
        pass
    assert blocker.args == ["failed"]
    kind, title, text = prompts[-1]
    assert kind == "critical" and title == "集計"
    assert (
        text.startswith("集計しています できませんでした。")
        and "予期しないエラーが発生しました" in text
    )


def test_error_messages_are_japanese_sentences():
    assert "ファイルにアクセスできません" in runner.error_message(
        PermissionError(13, "denied", "a.xlsx")
    )
    assert "ファイルが見つかりません" in runner.error_message(
        FileNotFoundError(2, "missing", "b.csv")
    )
    assert "使用中" in runner.error_message(sqlite3.OperationalError("database is locked"))
    assert runner.error_message(LockedDatabaseError("使用中です")) == "使用中です"
    failed = ImportFailed([Problem("件数「三」は数字で入力してください。", row=3, cell="E3")])
    assert "E3" in runner.error_message(failed)
