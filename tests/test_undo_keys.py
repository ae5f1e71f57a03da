"""元に戻す / やり直し pressed like a clerk does, in the main window, on each kind of edit.

Ctrl+Z undoes and Ctrl+Y (as in Excel) redoes — as does the platform's redo (Ctrl+Shift+Z
on Linux) — an entry cell, a master-table edit, an estimate edit and a campaign edit, all
through the one ``ChangeCommand``; what is written is read back from the database file.
An undo whose cell was changed since by something else asks first and, declined, writes
nothing and leaves the history.
"""

from __future__ import annotations

import sqlite3

import pytest
from entry_fixtures import branch  # noqa: F401 - fixture
from estimate_fixtures import add_union, seed_csv
from PySide6.QtCore import Qt

from kyosai_desktop.services.estimate_import import import_estimates
from kyosai_desktop.store.results import CellChange
from kyosai_desktop.ui.main_window import MainWindow, redo_shortcuts

CTRL = Qt.KeyboardModifier.ControlModifier
CAMPAIGN = "2024執行部"


def on_disk(path, sql, args=()):
    con = sqlite3.connect(path)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


@pytest.fixture
def window(qtbot, ctx, prompts):
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow)
    return win


def undo(qtbot, widget):
    qtbot.keyClick(widget, Qt.Key.Key_Z, CTRL)


def redo(qtbot, widget):
    qtbot.keyClick(widget, Qt.Key.Key_Y, CTRL)


def focused(qtbot, widget):
    """Give ``widget`` the keyboard focus in the active main window (a form may have just closed)."""
    widget.window().activateWindow()
    qtbot.waitUntil(widget.window().isActiveWindow)
    widget.setFocus()
    qtbot.waitUntil(widget.hasFocus)
    return widget


# ---------------------------------------------------------------- entry
def entry_cell(window, row, product):
    page = window.show_page("entry")
    view = page.month_panel.view
    grid = page.month_panel.model.grid
    column = [h.label for h in grid.columns].index(product) + page.month_panel.model.LABEL_COLUMNS
    view.setCurrentIndex(view.model().index(row, column))
    return page, view


def type_cell(qtbot, view, text):
    for ch in text:
        qtbot.keyClick(view.current_editor() or view, ch)
    qtbot.keyClick(view.current_editor() or view, Qt.Key.Key_Return)


def test_entry_cell_undo_with_ctrl_z_redo_with_ctrl_y(qtbot, branch, window, db_path):  # noqa: F811
    page, view = entry_cell(window, 0, "総合共済")
    focused(qtbot, view)
    type_cell(qtbot, view, "5")
    assert branch.read("001", "総合共済", "2025-02") == 5
    undo(qtbot, view)
    assert branch.read("001", "総合共済", "2025-02") == 3
    assert (
        page.month_panel.model.grid.values[0][
            page.month_panel.model.grid.column_of(branch.products["総合共済"])
        ]
        == 3
    )  # the grid shows it
    redo(qtbot, view)
    assert branch.read("001", "総合共済", "2025-02") == 5
    undo(qtbot, view)
    qtbot.keyClick(
        view, Qt.Key.Key_Z, CTRL | Qt.KeyboardModifier.ShiftModifier
    )  # the platform's redo
    assert branch.read("001", "総合共済", "2025-02") == 5
    sources = on_disk(
        db_path,
        "SELECT source FROM audit WHERE table_name = 'results' AND record_key = ? ORDER BY id",
        (f"{branch.unions['001']}:{branch.products['総合共済']}:2025-02",),
    )
    assert [s for (s,) in sources][-5:] == ["entry", "undo", "redo", "undo", "redo"]


def test_undo_of_a_cell_changed_since_asks_and_declined_writes_nothing(
    qtbot,
    ctx,
    branch,
    window,  # noqa: F811
    prompts,
    db_path,
):
    page, view = entry_cell(window, 0, "総合共済")
    focused(qtbot, view)
    type_cell(qtbot, view, "5")
    ctx.results.apply(
        [CellChange(branch.unions["001"], branch.products["総合共済"], "2025-02", 9)],
        source="import",
    )  # an import changed it since
    audit_rows = on_disk(db_path, "SELECT count(*) FROM audit")
    prompts.answers["confirm"] = False
    undo(qtbot, view)
    kind, _title, text = prompts[-1]
    assert kind == "confirm" and "現在 9" in text and "この操作の値 5" in text
    assert branch.read("001", "総合共済", "2025-02") == 9  # the import's figure kept
    assert on_disk(db_path, "SELECT count(*) FROM audit") == audit_rows
    assert page.undo_stack.count() == 0 and not window.undo_action.isEnabled()  # the step left
    assert "取りやめました" in page.message.label.text()


def test_undo_of_a_cell_changed_since_overwrites_when_the_clerk_agrees(
    qtbot,
    ctx,
    branch,
    window,  # noqa: F811
    prompts,
):
    page, view = entry_cell(window, 0, "総合共済")
    focused(qtbot, view)
    type_cell(qtbot, view, "5")
    ctx.results.apply(
        [CellChange(branch.unions["001"], branch.products["総合共済"], "2025-02", 9)],
        source="import",
    )
    prompts.answers["confirm"] = True
    undo(qtbot, view)
    assert branch.read("001", "総合共済", "2025-02") == 3
    redo(qtbot, view)
    assert branch.read("001", "総合共済", "2025-02") == 5


def test_ctrl_y_redoes_where_the_platform_redo_is_only_ctrl_shift_z(window):
    from PySide6.QtGui import QKeySequence

    gnome = [QKeySequence("Ctrl+Shift+Z")]
    assert [k.toString() for k in redo_shortcuts(gnome)] == ["Ctrl+Shift+Z", "Ctrl+Y"]
    assert QKeySequence("Ctrl+Y") in window.redo_action.shortcuts()


# ---------------------------------------------------------------- master
def test_master_edit_undo_and_redo_by_keys(qtbot, window, ctx, db_path):
    ctx.unions.add("05", "001", "仙台市職員労働組合", members=4210, holdings=2400)
    page = window.show_page("master")
    tab = page.show_tab("単組")
    table = tab.table
    index = table.model().index(0, tab.model.column_index("members"))
    table.setCurrentIndex(index)
    focused(qtbot, table)
    qtbot.keyClick(table, "4")
    editor = table.current_editor()
    editor.insert("300")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: table.current_editor() is None)
    members = "SELECT members FROM unions WHERE pref_code = '05' AND union_code = '001'"
    assert on_disk(db_path, members) == [(4300,)]
    focused(qtbot, table)
    undo(qtbot, table)
    assert on_disk(db_path, members) == [(4210,)]
    assert tab.model.data(tab.model.index(0, tab.model.column_index("members"))) == "4,210"
    redo(qtbot, table)
    assert on_disk(db_path, members) == [(4300,)]
    assert [e.source for e in ctx.audit.history("unions", str(tab.model.rows[0].id))][-3:] == [
        "master",
        "undo",
        "redo",
    ]


def test_master_undo_of_a_field_changed_since_names_it(qtbot, window, ctx, prompts):
    from kyosai_desktop.services.ops import master as master_ops
    from kyosai_desktop.services.ops.fields import FieldWrite

    union = ctx.unions.add("05", "001", "仙台市職員労働組合", members=4210)
    page = window.show_page("master")
    tab = page.show_tab("単組")
    assert tab.model.setData(tab.model.index(0, tab.model.column_index("members")), "4300")
    master_ops.edit(ctx, [FieldWrite("unions", str(union.id), "members", 4400)], source="import")
    prompts.answers["confirm"] = False
    undo(qtbot, focused(qtbot, tab.table))
    kind, _title, question = prompts[-1]
    assert (
        kind == "confirm"
        and "001 仙台市職員労働組合 の組合員数: 現在 4,400 (この操作の値 4,300)" in question
    )
    assert ctx.unions.get(union.id).members == 4400 and page.undo_stack.count() == 0
    assert "取りやめました" in tab.notice.text()


# ---------------------------------------------------------------- estimates
@pytest.fixture
def estimates(window, ctx, tmp_path, app_font):
    union = add_union(ctx)
    import_estimates(
        ctx, seed_csv(tmp_path), campaign=CAMPAIGN, union="05-001", kind="単組執行部見積り強化月間"
    )
    page = window.show_page("estimates")
    page.union = union
    return page


def test_estimate_edit_undo_and_redo_by_keys(qtbot, window, estimates, ctx, prompts):
    page = estimates
    panel = page.list_panel
    page.tabs.setCurrentWidget(panel)
    camp = page.campaign()
    first = ctx.estimates.find_seq(camp.id, page.union.id, 1)

    def rename(dialog):
        dialog.name.setText("改名 太郎")
        dialog.save()
        return dialog.result() == dialog.DialogCode.Accepted

    prompts.answers["dialog"] = rename
    panel.select_ids([first.id])
    focused(qtbot, panel.table)
    qtbot.keyClick(panel.table, Qt.Key.Key_Return)  # Enter opens the form
    assert ctx.estimates.get(first.id).name == "改名 太郎"
    focused(qtbot, panel.table)
    undo(qtbot, panel.table)
    assert ctx.estimates.get(first.id) == first
    redo(qtbot, panel.table)
    assert ctx.estimates.get(first.id).name == "改名 太郎"


def test_undo_of_an_estimate_changed_since_names_the_field(qtbot, window, estimates, ctx, prompts):
    from kyosai_desktop.services.ops import estimates as est_ops

    page = estimates
    panel = page.list_panel
    page.tabs.setCurrentWidget(panel)
    first = ctx.estimates.find_seq(page.campaign().id, page.union.id, 1)
    prompts.answers["dialog"] = lambda dialog: (
        dialog.name.setText("改名 太郎"),
        dialog.save(),
        dialog.result() == dialog.DialogCode.Accepted,
    )[-1]
    panel.select_ids([first.id])
    focused(qtbot, panel.table)
    qtbot.keyClick(panel.table, Qt.Key.Key_Return)
    est_ops.edit_estimate(
        ctx, first.id, {"name": "別の 名前"}
    )  # changed since (another clerk's edit)
    prompts.answers["confirm"] = False
    focused(qtbot, panel.table)
    undo(qtbot, panel.table)
    (kind, _t, question), (then, _t2, told) = prompts[-2:]
    assert (
        kind == "confirm"
        and "見積り No.1 の氏名: 現在 別の 名前 (この操作の値 改名 太郎)" in question
    )
    assert then == "warning" and "取りやめました" in told  # the step leaves the history
    assert ctx.estimates.get(first.id).name == "別の 名前"
    assert page.undo_stack.count() == 0


def test_campaign_edit_undo_and_redo_by_keys(qtbot, window, estimates, ctx, prompts):
    page = estimates
    camp = page.campaign()

    def rename(dialog):
        dialog.name.setText("改名したキャンペーン")
        dialog.save()
        return dialog.result() == dialog.DialogCode.Accepted

    prompts.answers["dialog"] = rename
    page.edit_campaign()
    assert ctx.campaigns.get(camp.id).name == "改名したキャンペーン"
    view = focused(qtbot, page.campaign_view)
    undo(qtbot, view)
    assert ctx.campaigns.get(camp.id) == camp
    assert CAMPAIGN in page.header.text()  # the page shows it at once
    redo(qtbot, view)
    assert ctx.campaigns.get(camp.id).name == "改名したキャンペーン"


def test_campaign_add_and_delete_are_undone_by_keys(qtbot, window, estimates, ctx, prompts):
    page = estimates

    def new_campaign(dialog):
        dialog.name.setText("成約キャンペーン2025")
        dialog.save()
        return dialog.result() == dialog.DialogCode.Accepted

    prompts.answers["dialog"] = new_campaign
    page.add_campaign()
    added = ctx.campaigns.find("成約キャンペーン2025")
    assert added is not None and page.campaign_id == added.id
    page.delete_campaign()  # confirmed by the prompts fixture
    assert ctx.campaigns.find("成約キャンペーン2025") is None
    view = focused(qtbot, page.campaign_view)
    undo(qtbot, view)  # the deletion undone …
    assert ctx.campaigns.get(added.id) == added
    undo(qtbot, view)  # … and the addition
    assert ctx.campaigns.find("成約キャンペーン2025") is None
    redo(qtbot, view)
    assert ctx.campaigns.get(added.id) == added
