"""The start-up dialog: a database that cannot be opened is restored before the main window (issue 12, item 3).

The real production path: ``open_main_window`` → the recovery dialog shown through the
interaction seam → the test presses its real buttons with qtbot → restore_file → the window.
"""

from __future__ import annotations

import sqlite3

from foundation_fixtures import isolated_settings  # noqa: F401 - fixture
from PySide6.QtCore import Qt
from recovery_fixtures import damaged_database, digest, unions_in

from kyosai_desktop.services.context import open_context
from kyosai_desktop.store.connection import wal_path
from kyosai_desktop.ui import app as app_module
from kyosai_desktop.ui.startup_recovery import StartupRecoveryDialog


def press(qtbot, button_name: str, seen: list, *, select: str | None = None):
    """A dialog answer: check it is the recovery dialog, select a backup, press a real button."""

    def answer(dialog):
        assert isinstance(dialog, StartupRecoveryDialog)
        seen.append(
            {
                "message": dialog.message.text(),
                "buttons": {
                    n: getattr(dialog, n).isVisibleTo(dialog) and getattr(dialog, n).isEnabled()
                    for n in (
                        "restore_latest_button",
                        "restore_selected_button",
                        "choose_button",
                        "retry_button",
                        "open_other_button",
                        "quit_button",
                    )
                },
                "items": [
                    dialog.backup_list.item(i).text() for i in range(dialog.backup_list.count())
                ],
            }
        )
        if select is not None:
            row = next(i for i, c in enumerate(dialog.candidates) if c.path.name == select)
            dialog.backup_list.setCurrentRow(row)
        qtbot.mouseClick(getattr(dialog, button_name), Qt.MouseButton.LeftButton)
        return False

    return answer


def test_damaged_database_restored_from_the_newest_good_backup_before_the_window(
    tmp_path, qtbot, prompts
):
    db, backup = damaged_database(tmp_path)
    damaged, stale_wal, backup_bytes = db.read_bytes(), wal_path(db).read_bytes(), digest(backup)
    (tmp_path / "backups" / "branch-29991231-000000.sqlite3").write_text("壊れたコピー")
    seen: list = []
    prompts.answers["dialog"] = press(qtbot, "restore_latest_button", seen)
    window = app_module.open_main_window(db)
    assert window is not None
    qtbot.addWidget(window)
    first = seen[0]
    assert "壊れています" in first["message"]
    assert first["buttons"]["restore_latest_button"] and not first["buttons"]["retry_button"]
    assert "使えません" in first["items"][0] and "検査 OK" in first["items"][1]  # newest first
    kinds = [k for k, _t, _x in prompts]
    assert kinds == ["dialog", "confirm", "information"]
    assert backup.name in prompts[1][2] and "単組 2 件" in prompts[1][2]
    assert [u.union_code for u in window.ctx.unions.list("05")] == ["001", "002"]
    window.ctx.close()
    assert unions_in(db) == ["001", "002"]
    safety = next((tmp_path / "backups").glob("branch-before-restore-*.sqlite3"))
    assert safety.read_bytes() == damaged and wal_path(safety).read_bytes() == stale_wal
    assert digest(backup) == backup_bytes and str(safety) in prompts[2][2]


def test_a_chosen_backup_and_a_declined_restore(tmp_path, qtbot, prompts):
    db, backup = damaged_database(tmp_path)
    damaged = db.read_bytes()
    ctx = open_context(tmp_path / "other.sqlite3")
    ctx.settings.set_branch("05")
    ctx.close()
    older = tmp_path / "backups" / "branch-20200101-000000.sqlite3"
    older.write_bytes((tmp_path / "other.sqlite3").read_bytes())  # a good backup with no unions
    seen: list = []
    calls = []

    def clerk(dialog):
        calls.append(dialog)
        if len(calls) == 1:  # first: choose the older one, then say no at the confirmation
            prompts.answers["confirm"] = False
            return press(qtbot, "restore_selected_button", seen, select=older.name)(dialog)
        prompts.answers["confirm"] = True
        return press(qtbot, "restore_selected_button", seen, select=older.name)(dialog)

    prompts.answers["dialog"] = clerk
    window = app_module.open_main_window(db)
    qtbot.addWidget(window)
    assert len(calls) == 2  # declined: asked again, file untouched meanwhile
    assert window.ctx.unions.list("05") == []  # the chosen (older) backup
    window.ctx.close()
    safety = next((tmp_path / "backups").glob("branch-before-restore-*.sqlite3"))
    assert safety.read_bytes() == damaged


def test_another_programs_file_is_never_offered_for_restore(tmp_path, qtbot, prompts):
    foreign = tmp_path / "foreign.db"
    con = sqlite3.connect(foreign)
    con.execute("CREATE TABLE customers (name TEXT)")
    con.commit()
    con.close()
    before = digest(foreign)
    good = tmp_path / "good.sqlite3"
    ctx = open_context(good)
    ctx.settings.set_branch("05")
    ctx.close()
    seen: list = []
    prompts.answers["dialog"] = press(qtbot, "open_other_button", seen)
    prompts.answers["open_file"] = str(good)
    window = app_module.open_main_window(foreign)
    qtbot.addWidget(window)
    assert "別のプログラム" in seen[0]["message"]
    assert not any(
        seen[0]["buttons"][b]
        for b in (
            "restore_latest_button",
            "restore_selected_button",
            "choose_button",
            "retry_button",
        )
    )
    assert window.ctx.path == good
    window.ctx.close()
    assert digest(foreign) == before


def test_an_empty_file_is_made_a_database_only_when_the_clerk_says_so(tmp_path, qtbot, prompts):
    empty = tmp_path / "empty.sqlite3"
    empty.touch()
    seen: list = []
    prompts.answers["confirm"] = False
    prompts.answers["dialog"] = press(qtbot, "quit_button", seen)
    assert app_module.open_main_window(empty) is None
    assert [k for k, _t, _x in prompts] == ["confirm", "dialog"]
    assert "0 バイト" in prompts[0][2] and empty.stat().st_size == 0


def test_a_locked_database_can_be_tried_again(tmp_path, qtbot, prompts):
    db = tmp_path / "branch.sqlite3"
    ctx = open_context(db)
    ctx.settings.set_branch("05")
    ctx.close()
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    seen: list = []

    def clerk(dialog):
        if not seen:
            holder.execute("ROLLBACK")  # the other program lets go
            holder.close()
        return press(qtbot, "retry_button", seen)(dialog)

    prompts.answers["dialog"] = clerk
    window = app_module.open_main_window(db)
    qtbot.addWidget(window)
    assert "使用中" in seen[0]["message"] and seen[0]["buttons"]["retry_button"]
    assert len(seen) == 1 and window.ctx.branch == "05"
    window.ctx.close()
