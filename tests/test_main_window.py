"""Main window: page shortcuts, lazy pages, status bar, geometry, backup and restore."""

from __future__ import annotations

import sqlite3

import pytest
from foundation_fixtures import digest, isolated_settings, on_disk  # noqa: F401 - fixture
from PySide6.QtCore import QSettings

from kyosai_desktop.paths import backups_dir_for
from kyosai_desktop.services.backup import make_backup
from kyosai_desktop.ui.main_window import MainWindow


@pytest.fixture
def window(ctx, qtbot):
    ctx.unions.add("05", "001", "仙台市職員労働組合", members=4210)
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.restore_last_page()
    return win


def test_pages_are_built_on_first_show_and_keys_switch_them(window):
    assert list(window.pages) == ["entry"]  # only the first page was built
    shortcuts = {key: act.shortcut().toString() for key, act in window.page_actions.items()}
    assert shortcuts == {
        "entry": "F2",
        "progress": "F3",
        "model_unions": "F4",
        "estimates": "F5",
        "master": "F6",
    }
    window.page_actions["master"].trigger()
    assert window.current_page_key() == "master" and "master" in window.pages
    window.page_actions["progress"].trigger()
    assert window.stack.currentWidget() is window.pages["progress"]
    assert QSettings().value("main/last_page") == "progress"


def test_title_and_status_bar_show_branch_and_database(window, ctx):
    from kyosai_desktop import APP_TITLE

    assert (
        window.windowTitle() == f"宮城県支部 — {APP_TITLE}"
    )  # ends with the app name: Qt adds it no more
    assert window.branch_label.text() == "宮城県支部 (05)"
    assert str(ctx.path) in window.path_label.text()


def test_geometry_is_remembered(ctx, qtbot):
    first = MainWindow(ctx)
    qtbot.addWidget(first)
    first.resize(720, 520)  # inside the offscreen 800×600 screen
    first.close()
    second = MainWindow(ctx)
    qtbot.addWidget(second)
    assert (second.width(), second.height()) == (720, 520)


def test_menu_backup_makes_a_checked_copy(window, ctx, qtbot):
    window.backup_action.trigger()  # runs on the background runner
    with qtbot.waitSignal(window.backup_task.finished, timeout=20_000) as blocker:
        pass
    assert (
        blocker.args == ["done"]
        and "バックアップを作成しました" in window.statusBar().currentMessage()
    )
    copies = list(backups_dir_for(ctx.path).glob("*.sqlite3"))
    assert len(copies) == 1
    con = sqlite3.connect(copies[0])
    assert con.execute("SELECT name FROM unions").fetchall() == [("仙台市職員労働組合",)]
    con.close()


def test_backup_to_a_folder_the_clerk_chooses(window, ctx, qtbot, prompts, tmp_path):
    usb = tmp_path / "USB"
    usb.mkdir()
    prompts.answers["save_file"] = str(usb / "kyosai-copy.sqlite3")
    window.backup_to_action.trigger()
    assert prompts[0][:2] == ("save_file", "バックアップを別の場所に保存 (USB メモリなど)")
    with qtbot.waitSignal(window.backup_task.finished, timeout=20_000) as blocker:
        pass
    assert (
        blocker.args == ["done"]
        and str(usb / "kyosai-copy.sqlite3") in window.statusBar().currentMessage()
    )
    con = sqlite3.connect(usb / "kyosai-copy.sqlite3")
    assert con.execute("SELECT name FROM unions").fetchall() == [("仙台市職員労働組合",)]
    con.close()
    prompts.answers["save_file"] = None  # キャンセル: nothing is written
    assert window.backup_to_action.trigger() is None and list(usb.iterdir()) == [
        usb / "kyosai-copy.sqlite3"
    ]


def test_restore_from_backup_after_confirmation(window, ctx, db_path, prompts):
    backup = make_backup(ctx)
    window.show_page("master")
    before = digest(db_path)
    union = ctx.unions.find("05", "001")
    ctx.unions.update(union.id, members=9999)
    ctx.unions.add("05", "002", "あとから追加した単組")
    changed = digest(db_path)
    prompts.answers["open_file"] = str(backup)
    assert window.restore_backup() is True
    kinds = [k for k, _t, _x in prompts]
    assert kinds == ["open_file", "confirm", "information"]
    assert "単組 1 件" in prompts[1][2] and "宮城 (05)" in prompts[1][2]
    assert digest(db_path) == before  # the backup's content is back
    assert window.ctx is not ctx and window.ctx.unions.find("05", "001").members == 4210
    safety = next(backups_dir_for(db_path).glob("*-before-restore-*.sqlite3"))
    assert digest(safety) == changed  # the replaced data was kept
    assert str(safety) in prompts[2][2]
    # Pages were rebuilt on the reopened database.
    master = window.pages["master"]
    assert [u.union_code for u in master.union_tab.model.rows] == ["001"]
    assert on_disk(db_path, "PRAGMA journal_mode") == [("wal",)]
    window.ctx.close()


def test_restore_that_cannot_be_reopened_puts_the_data_back(
    window, ctx, db_path, prompts, monkeypatch
):
    from kyosai_desktop.services import restore
    from kyosai_desktop.store.errors import StoreError

    backup = make_backup(ctx)
    ctx.unions.add("05", "002", "あとから追加した単組")
    before = digest(db_path)
    real_open, calls = restore.open_context, []

    def open_failing_once(path):  # e.g. a migration of the older backup fails
        calls.append(path)
        if len(calls) == 1:
            raise StoreError("データ形式の更新に失敗しました")
        return real_open(path)

    monkeypatch.setattr(restore, "open_context", open_failing_once)
    assert window.restore_backup(backup) is False
    assert digest(db_path) == before  # the data from before is back
    assert prompts[-1][0] == "critical" and "復元前のデータに戻しました" in prompts[-1][2]
    assert window.ctx is not ctx  # the window goes on with it
    assert [u.union_code for u in window.ctx.unions.list("05")] == ["001", "002"]
    window.ctx.unions.add("05", "003", "復元失敗のあとで追加")
    assert on_disk(db_path, "SELECT count(*) FROM unions") == [(3,)]
    window.ctx.close()


def test_restore_declined_or_refused_changes_nothing(window, ctx, db_path, tmp_path, prompts):
    backup = make_backup(ctx)
    ctx.unions.update(ctx.unions.find("05", "001").id, members=1)
    before = digest(db_path)
    prompts.answers["confirm"] = False
    assert window.restore_backup(backup) is False
    assert digest(db_path) == before and window.ctx is ctx
    not_db = tmp_path / "notes.sqlite3"
    not_db.write_text("これはデータベースではありません")
    assert window.restore_backup(not_db) is False
    assert prompts[-1][0] == "critical" and "復元できません" in prompts[-1][2]
    assert window.restore_backup(db_path) is False  # the live file itself
    assert "使用中のデータベース" in prompts[-1][2]
    assert digest(db_path) == before


def test_import_from_the_file_menu_refreshes_pages(window, ctx, tmp_path, prompts, qtbot):
    progress = window.page("progress")
    path = tmp_path / "r.csv"
    path.write_text(
        "自治労県コード,単組コード,商品,発効年月,件数\n05,001,団生,2025-02,7\n", encoding="utf-8"
    )
    prompts.answers["open_file"] = str(path)
    window.import_actions["results"].trigger()
    with qtbot.waitSignal(window.master_import.finished, timeout=20_000):
        pass  # checked, reviewed (取り込む), written
    assert [k for k, _t, _x in prompts] == ["open_file", "dialog", "information"]
    assert (
        ctx.results.get(ctx.unions.find("05", "001").id, ctx.products.resolve("団生").id, "2025-02")
        == 7
    )
    # The progress page moved to the new latest figure's year and counts it.
    progress.select_latest()
    row = next(r for r in progress.report.rows if r[0].text == "団体生命共済")
    assert row[progress.report.index("actual")].value == 7


def test_progress_page_follows_an_entry_on_the_entry_page(window, ctx):
    from kyosai_desktop.store.results import CellChange

    dansei = ctx.products.resolve("団生").id
    union = ctx.unions.find("05", "001").id
    ctx.targets.set(2025, dansei, "第1次", 40)
    ctx.results.set(union, dansei, "2025-07", 10)
    progress = window.page("progress")
    progress.select(2025, "2025-12")
    row = lambda: next(r for r in progress.report.rows if r[0].text == "団体生命共済")  # noqa: E731
    assert row()[progress.report.index("reach")].text == "25.00%"
    entry = window.page("entry")
    window.show_page("entry")
    assert entry.commit([CellChange(union, dansei, "2025-11", 36)], "entry")  # the clerk types 36
    # Hidden pages are not reloaded on every saved cell; they catch up when shown.
    assert row()[progress.report.index("actual")].value == 10
    window.show_page("progress")
    assert row()[progress.report.index("actual")].value == 46
    assert row()[progress.report.index("reach")].text == "115.00%"


def test_gui_process_skips_numpy_and_pandas_and_still_works(tmp_path):
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from kyosai_desktop.ui.app import skip_unused_optional_modules\n"
        "assert skip_unused_optional_modules() == ['numpy', 'pandas']\n"
        "from kyosai_desktop.services.context import open_context\n"
        f"ctx = open_context({str(tmp_path / 'x.sqlite3')!r})\n"
        "assert ctx.db.utils.table_names()\n"  # sqlite-utils without pandas
        "from openpyxl import Workbook\n"
        f"wb = Workbook(); wb.active.append([1, 2.5, '007']); wb.save({str(tmp_path / 'x.xlsx')!r})\n"
        "assert sys.modules['numpy'] is None\n"
        "print('ok')\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stderr


def test_once_the_window_is_up_the_headquarters_roll_up_can_load_pandas(tmp_path):
    """run_gui() blocks numpy/pandas while it starts, then lifts the block: the HQ pages
    (services/hq_import.py, services/national_report.py) import pandas on first use — before,
    importing a branch's package in the window failed with "import of pandas halted"."""
    import os
    import subprocess
    import sys

    from kyosai_desktop.services.context import open_context

    db = tmp_path / "x.sqlite3"
    made = open_context(db)
    made.settings.set_branch("05")
    made.close()

    code = (
        "import sys\n"
        "from PySide6.QtCore import QTimer\n"
        "from PySide6.QtWidgets import QApplication\n"
        "from kyosai_desktop.ui import app as gui\n"
        "opened = gui.open_main_window\n"
        "def probe():\n"
        "    assert sys.modules.get('pandas', 0) is not None, 'still blocked'\n"
        "    from kyosai_desktop.services.national_report import branch_matrix_table\n"
        "    import pandas\n"
        "    print('pandas', pandas.__name__)\n"
        "    QApplication.instance().quit()\n"
        "def open_and_probe(*args, **kwargs):\n"
        "    assert sys.modules['pandas'] is None  # blocked while the window starts\n"
        "    window = opened(*args, **kwargs)\n"
        "    QTimer.singleShot(200, probe)\n"
        "    return window\n"
        "gui.open_main_window = open_and_probe\n"
        f"sys.exit(gui.run_gui(db_path={str(db)!r}))\n"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path)}
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env
    )
    assert proc.returncode == 0 and "pandas pandas" in proc.stdout, proc.stderr[-2000:]


def test_the_windows_build_leaves_out_no_library_the_app_imports():
    """build.spec's excludes never name a third-party package kyosai_desktop imports (it
    excluded pandas, which the headquarters roll-up needs)."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    spec = ast.parse((root / "build.spec").read_text(encoding="utf-8"))
    excluded = {
        node.value
        for stmt in spec.body
        if isinstance(stmt, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == "excludes" for t in stmt.targets)
        for node in ast.walk(stmt.value)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }
    assert "tkinter" in excluded  # the list was found
    imported = set()
    for path in (root / "kyosai_desktop").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                imported.add(node.module.split(".")[0])
    assert "pandas" in imported
    assert not (imported & excluded), sorted(imported & excluded)


def test_every_page_fits_a_1280_by_720_screen(ctx, qtbot):
    """At 1280×720 (and 1920×1080 at 150 %, the same logical size) no page forces the window
    wider or taller (the estimates page forced 1,355 px); demo data brings long names."""
    from kyosai_desktop.services.demo import load_demo

    load_demo(ctx)
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.resize(1280, 720)
    win.show()
    for spec in win.specs:
        win.show_page(spec.key)
        hint = win.minimumSizeHint()
        assert hint.width() <= 1280 and hint.height() <= 720, (spec.key, hint)
    assert (win.width(), win.height()) == (1280, 720)
