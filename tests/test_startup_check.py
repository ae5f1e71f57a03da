"""Start-up runs the page-by-page integrity check alongside the window's construction.

The check (PRAGMA quick_check) reads every page of the file; it runs on its own read-only
connection while the window is built and is confirmed before the window is returned.
Nothing is written before it passes, and a file only the page check finds damaged still
gets the recovery dialog and is left byte for byte as it was.

As ``run_gui`` starts (``confirm_after_paint=True``) the window is shown first and the check
confirmed just after its first paint: until then the connection is query-only and any input
waits for the check; a refused file hides the window and opens the recovery dialog.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from foundation_fixtures import isolated_settings  # noqa: F401 - fixture
from PySide6.QtCore import QEvent, QObject, Qt

from kyosai_desktop.services.context import open_context
from kyosai_desktop.store.connection import open_database, wal_path
from kyosai_desktop.ui import app as app_module
from kyosai_desktop.ui.main_window import MainWindow
from kyosai_desktop.ui.shared.pages import PAGES


def branch_db(folder: Path, unions: int = 400) -> Path:
    path = folder / "branch.sqlite3"
    ctx = open_context(path)
    ctx.settings.set_branch("05")
    for i in range(unions):
        ctx.unions.add("05", f"{i:03d}", f"単組{i}" * 10)
    ctx.close()
    return path


def damage_a_data_page(path: Path) -> None:
    """Overwrite one page in the middle of the file: the schema still reads, the page check fails."""
    data = bytearray(path.read_bytes())
    size = int.from_bytes(data[16:18], "big")
    page = len(data) // size // 2
    start = (page - 1) * size
    data[start + 8 : start + size] = b"\xa5" * (size - 8)
    path.write_bytes(bytes(data))


def test_the_check_runs_in_the_background_and_is_confirmed_before_the_window_returns(
    tmp_path, qtbot, prompts
):
    path = branch_db(tmp_path)
    db = open_database(path, check_later=True)
    assert db.pending_check is not None  # running while the caller goes on
    db.confirm_intact()
    assert db.pending_check is None
    db.close()
    window = app_module.open_main_window(path)
    qtbot.addWidget(window)
    assert window is not None and window.ctx.db.pending_check is None
    assert prompts == []
    window.ctx.close()


def test_building_any_page_writes_nothing_before_the_check_is_confirmed(tmp_path, qtbot, prompts):
    path = branch_db(tmp_path, unions=20)
    ctx = open_context(path, check_later=True)
    before = ctx.conn.total_changes
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    for spec in PAGES:
        window.show_page(spec.key)
    assert ctx.conn.total_changes == before
    ctx.db.confirm_intact()
    ctx.close()


def test_a_file_only_the_page_check_finds_damaged_gets_the_recovery_dialog_and_stays_as_it_was(
    tmp_path, prompts
):
    path = branch_db(tmp_path)
    damage_a_data_page(path)
    before = path.read_bytes()
    prompts.answers["dialog"] = False  # the recovery dialog: 終了
    assert app_module.open_main_window(path) is None
    kind, _title, text = prompts[-1]
    assert kind == "dialog" and "壊れています" in text
    assert path.read_bytes() == before
    assert not wal_path(path).exists() or wal_path(path).stat().st_size == 0


def test_a_crash_wal_or_a_migration_is_checked_before_anything_else(tmp_path):
    path = branch_db(tmp_path, unions=5)
    wal_path(path).write_bytes(b"\x00" * 32)  # as if the last session had not closed cleanly
    db = open_database(path, check_later=True)
    assert db.pending_check is None  # checked at once, not later
    db.close()


# ---------------------------------------------------------------- as run_gui starts: confirmed after the first paint
def branch_db_with_unread_pages(folder: Path) -> tuple[Path, int]:
    """A branch database with a table start-up never reads; returns the path and one of its pages."""
    path = branch_db(folder, unions=20)
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE filler (x TEXT)")
    conn.executemany("INSERT INTO filler VALUES (?)", [("x" * 500,) for _ in range(400)])
    conn.commit()
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'filler'").fetchone()[0]
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return path, root


def damage_page(path: Path, page: int) -> None:
    data = bytearray(path.read_bytes())
    size = int.from_bytes(data[16:18], "big")
    start = (page - 1) * size
    data[start : start + size] = b"\xa5" * size
    path.write_bytes(bytes(data))


def test_the_window_is_shown_before_the_check_which_is_confirmed_after_the_first_paint(
    tmp_path, qtbot, prompts
):
    path, _ = branch_db_with_unread_pages(tmp_path)
    window = app_module.open_main_window(path, confirm_after_paint=True)
    qtbot.addWidget(window)
    gate = window.startup_gate
    assert window.ctx.db.pending_check is not None and not gate.done
    with pytest.raises(sqlite3.OperationalError, match="readonly"):  # nothing can write meanwhile
        window.ctx.settings.set("probe", "1", source="test")
    window.show()
    qtbot.waitUntil(lambda: gate.done, timeout=5000)
    assert gate.intact and window.ctx.db.pending_check is None
    window.ctx.settings.set("probe", "1", source="test")  # writable once it passed
    assert window.ctx.settings.get("probe") == "1"
    assert prompts == []
    window.ctx.close()


def test_input_before_the_confirmation_waits_for_the_check_and_then_arrives(
    tmp_path, qtbot, prompts
):
    path, _ = branch_db_with_unread_pages(tmp_path)
    window = app_module.open_main_window(path, confirm_after_paint=True)
    qtbot.addWidget(window)
    gate = window.startup_gate
    seen = []

    class Spy(QObject):
        def eventFilter(self, obj, event):  # noqa: N802
            if event.type() == QEvent.Type.KeyPress:
                seen.append(gate.done)
            return False

    spy = Spy()
    window.installEventFilter(spy)
    assert not gate.done
    qtbot.keyClick(window, Qt.Key.Key_Shift)
    assert seen == [True] and gate.intact  # confirmed before the key was delivered
    window.ctx.close()


def test_a_file_the_check_refuses_after_the_first_paint_gets_the_recovery_dialog_and_stays_as_it_was(
    tmp_path, qtbot, prompts
):
    path, page = branch_db_with_unread_pages(tmp_path)
    damage_page(path, page)
    before = path.read_bytes()
    window = app_module.open_main_window(path, confirm_after_paint=True)
    assert window is not None  # the first page reads nothing damaged
    qtbot.addWidget(window)
    gate = window.startup_gate
    prompts.answers["dialog"] = False  # the recovery dialog: 終了
    window.show()
    with qtbot.waitSignal(gate.quit_requested, timeout=5000):
        qtbot.keyClick(window, Qt.Key.Key_A)  # the key waits for the check, which fails
        assert gate.done and gate.intact is False and not window.isEnabled()
    assert gate.quit
    kind, _title, text = prompts[-1]
    assert kind == "dialog" and "壊れています" in text
    assert not window.isVisible()
    assert path.read_bytes() == before
    assert not wal_path(path).exists() or wal_path(path).stat().st_size == 0
    prompts.dialogs.clear()  # open_or_recover already deleted the dialog


def test_after_a_refused_check_the_window_goes_on_with_the_file_chosen_in_the_recovery_dialog(
    tmp_path, qtbot, prompts
):
    path, page = branch_db_with_unread_pages(tmp_path)
    other = branch_db(tmp_path / "other", unions=3)
    damage_page(path, page)
    before = path.read_bytes()
    window = app_module.open_main_window(path, confirm_after_paint=True)
    qtbot.addWidget(window)
    gate = window.startup_gate
    from kyosai_desktop.ui import startup_recovery

    def choose_other(dialog):  # the clerk picks 別のファイルを開く
        dialog.action, dialog.target = startup_recovery.OPEN_OTHER, other
        return True

    prompts.answers["dialog"] = choose_other
    window.show()
    qtbot.waitUntil(
        lambda: gate.done and window.isVisible() and window.ctx.path == other, timeout=5000
    )
    assert gate.intact is False and not gate.quit and window.isEnabled()
    assert path.read_bytes() == before
    prompts.dialogs.clear()  # open_or_recover already deleted the dialog
    window.ctx.close()
