"""元に戻す of a whole import, pressed like a clerk does: Ctrl+Z after an import in the main window
(and the import review warning for a figure above the union's members).

The import runs through the real flow (ファイル → 取り込み, the runner, the review dialog's
取り込む); its change set (the audit rows it wrote) goes on the window's undo stack as one
step.  Ctrl+Z writes every old value back in one commit (audited "undo"), Ctrl+Y writes the
import again; a later edit of one of its cells refuses the undo, names the cell and leaves
the database as it was.  An import that cannot be written back (new unions) says so.
"""

from __future__ import annotations

import csv
import sqlite3

import pytest
from foundation_fixtures import digest, isolated_settings  # noqa: F401 - fixture
from PySide6.QtCore import Qt

from kyosai_desktop.ui.main_window import MainWindow
from kyosai_desktop.ui.shared import runner
from kyosai_desktop.ui.shared.import_review import ImportReviewDialog

CTRL = Qt.KeyboardModifier.ControlModifier
WAIT_MS = 20_000
HEAD = ["自治労県コード", "単組コード", "商品", "発効年月", "件数"]


def write_csv(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def on_disk(path, sql, args=()):
    con = sqlite3.connect(path)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


@pytest.fixture
def window(qtbot, ctx, prompts):
    ctx.unions.add("05", "001", "仙台市職員労働組合", members=4210)
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow)
    return win


def import_through_menu(qtbot, window, prompts, kind, path):
    def press_import(dialog):
        assert isinstance(dialog, ImportReviewDialog)
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)

    prompts.answers["dialog"] = press_import
    importer = window.import_file(kind, path)  # ファイル → 取り込み with the file chosen
    with qtbot.waitSignal(importer.flow.finished, timeout=WAIT_MS) as blocker:
        pass
    qtbot.waitUntil(lambda: not runner.busy(), timeout=WAIT_MS)
    return blocker.args[0]


def cell(ctx, month):
    return ctx.results.get(ctx.unions.find("05", "001").id, ctx.products.resolve("団生").id, month)


def keys(qtbot, window, key):
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window.stack.currentWidget(), key, CTRL)


@pytest.mark.parametrize("page_key", ["progress", "entry"])
def test_ctrl_z_takes_back_the_whole_import_and_ctrl_y_brings_it_again(
    qtbot, window, ctx, db_path, tmp_path, prompts, page_key
):
    window.show_page(page_key)
    union, product = ctx.unions.find("05", "001").id, ctx.products.resolve("団生").id
    ctx.results.set(union, product, "2025-02", 3)
    path = write_csv(
        tmp_path / "r.csv",
        [
            HEAD,
            ["05", "001", "団生", "2025-02", "5"],
            ["05", "001", "団生", "2025-03", "2"],
            ["05", "001", "団生", "2025-04", "7"],
        ],
    )
    report = import_through_menu(qtbot, window, prompts, "results", path)
    assert report is not None and report.op_changes is not None and len(report.op_changes.rows) == 3
    assert "「元に戻す」(Ctrl+Z) で、この取り込み全体を取り消せます。" in prompts[-1][2]
    assert [cell(ctx, m) for m in ("2025-02", "2025-03", "2025-04")] == [5, 2, 7]
    assert window.undo_action.isEnabled() and "実績の取り込み (r.csv)" in window.undo_action.text()

    keys(qtbot, window, Qt.Key.Key_Z)
    assert on_disk(db_path, "SELECT month, count FROM results ORDER BY month") == [("2025-02", 3)]
    assert on_disk(db_path, "SELECT source FROM audit ORDER BY rowid DESC LIMIT 1") == [("undo",)]

    keys(qtbot, window, Qt.Key.Key_Y)
    assert on_disk(db_path, "SELECT month, count FROM results ORDER BY month") == [
        ("2025-02", 5),
        ("2025-03", 2),
        ("2025-04", 7),
    ]
    assert on_disk(db_path, "SELECT source FROM audit ORDER BY rowid DESC LIMIT 1") == [("redo",)]


def test_undo_is_refused_where_a_later_edit_would_be_overwritten(
    qtbot, window, ctx, db_path, tmp_path, prompts
):
    window.show_page("progress")
    path = write_csv(
        tmp_path / "r.csv",
        [HEAD, ["05", "001", "団生", "2025-02", "5"], ["05", "001", "団生", "2025-03", "2"]],
    )
    import_through_menu(qtbot, window, prompts, "results", path)
    ctx.results.set(
        ctx.unions.find("05", "001").id,
        ctx.products.resolve("団生").id,
        "2025-03",
        9,
        source="entry",
    )  # the clerk corrected one imported figure afterwards
    before = digest(db_path)
    keys(qtbot, window, Qt.Key.Key_Z)
    kind, title, text = prompts[-1]
    assert kind == "warning" and title == "元に戻す"
    assert text.startswith("この取り込みを元に戻せません: 取り込みのあとで変更された欄があり")
    assert "・仙台市職員労働組合 団体生命共済 2025年3月: 現在 9 (この操作の値 2)" in text
    assert digest(db_path) == before  # nothing written
    assert [cell(ctx, m) for m in ("2025-02", "2025-03")] == [5, 9]
    assert not window.undo_action.isEnabled()  # the step left the stack


def test_an_import_that_adds_unions_says_it_cannot_be_undone(qtbot, window, ctx, tmp_path, prompts):
    window.show_page("progress")
    path = write_csv(
        tmp_path / "u.csv",
        [
            ["自治労県コード", "単組コード", "単組名", "組合員数", "団生保有", "発効月"],
            ["05", "007", "七ヶ浜町職員労働組合", "120", "80", "10"],
        ],
    )
    report = import_through_menu(qtbot, window, prompts, "unions", path)
    assert report is not None and ctx.unions.find("05", "007") is not None
    assert (
        "この取り込みは「元に戻す」で取り消せません (単組の追加は元に戻せません)。"
        in prompts[-1][2]
    )
    assert not window.undo_action.isEnabled()


def test_a_figure_above_the_unions_members_is_imported_with_a_warning(
    qtbot, window, ctx, tmp_path, prompts
):
    window.show_page("progress")
    seen = {}

    def review(dialog):
        assert isinstance(dialog, ImportReviewDialog)
        seen["tabs"] = [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())]
        seen["text"] = dialog.summary_text()
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)

    prompts.answers["dialog"] = review
    path = write_csv(
        tmp_path / "r.csv",
        [HEAD, ["05", "001", "団生", "2025-02", "5"], ["05", "001", "団生", "2025-03", "42100"]],
    )  # 4,210 members
    importer = window.import_file("results", path)
    with qtbot.waitSignal(importer.flow.finished, timeout=WAIT_MS) as blocker:
        pass
    qtbot.waitUntil(lambda: not runner.busy(), timeout=WAIT_MS)
    assert blocker.args[0] is not None  # a warning, not a refusal
    assert "警告 (1)" in seen["tabs"]
    assert (
        "\n  3行目: 件数 42,100 は 05-001 仙台市職員労働組合 の組合員数 4,210人より多い件数です。"
        in seen["text"]
    )
    assert cell(ctx, "2025-03") == 42100
