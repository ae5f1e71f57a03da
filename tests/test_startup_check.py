"""Start-up runs the page-by-page integrity check alongside the window's construction.

The check (PRAGMA quick_check) reads every page of the file; it runs on its own read-only
connection while the window is built and is confirmed before the window is returned.
Nothing is written before it passes, and a file only the page check finds damaged still
gets the recovery dialog and is left byte for byte as it was.
"""

from __future__ import annotations

from pathlib import Path

from foundation_fixtures import isolated_settings  # noqa: F401 - fixture

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
    data[start + 8:start + size] = b"\xa5" * (size - 8)
    path.write_bytes(bytes(data))


def test_the_check_runs_in_the_background_and_is_confirmed_before_the_window_returns(tmp_path, qtbot, prompts):
    path = branch_db(tmp_path)
    db = open_database(path, check_later=True)
    assert db.pending_check is not None          # running while the caller goes on
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


def test_a_file_only_the_page_check_finds_damaged_gets_the_recovery_dialog_and_stays_as_it_was(tmp_path, prompts):
    path = branch_db(tmp_path)
    damage_a_data_page(path)
    before = path.read_bytes()
    prompts.answers["dialog"] = False            # the recovery dialog: 終了
    assert app_module.open_main_window(path) is None
    kind, _title, text = prompts[-1]
    assert kind == "dialog" and "壊れています" in text
    assert path.read_bytes() == before
    assert not wal_path(path).exists() or wal_path(path).stat().st_size == 0


def test_a_crash_wal_or_a_migration_is_checked_before_anything_else(tmp_path):
    path = branch_db(tmp_path, unions=5)
    wal_path(path).write_bytes(b"\x00" * 32)       # as if the last session had not closed cleanly
    db = open_database(path, check_later=True)
    assert db.pending_check is None              # checked at once, not later
    db.close()
