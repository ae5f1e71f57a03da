"""An estimate edited on the 見積りキャンペーン page, as the clerk does it in the main window:
click the row, Enter opens the form, type the new premium, click 保存; then Ctrl+Z.  The list,
its totals, the header, the summary and the closing list show the new figures — the page
updates what it had read from the change set instead of reading everything again — and
after every step (the edit, its undo, a deletion with the Delete key, a 別紙2 import, an
edit announced from elsewhere) each of them is exactly what a fresh read gives."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from estimate_fixtures import add_union, seed_csv
from PySide6.QtCore import Qt

from kyosai_desktop.domain.estimates import totals
from kyosai_desktop.services import estimate_reports as er
from kyosai_desktop.services.estimate_import import import_estimates
from kyosai_desktop.services.ops import estimates as est_ops
from kyosai_desktop.ui.estimates.estimate_dialog import EstimateDialog
from kyosai_desktop.ui.estimates.estimate_models import COLUMN_INDEX

CAMPAIGN = "2024執行部"
SAVING = 444_500  # the seed's 別紙2: 年間の節約総額 of its twenty officers


@pytest.fixture
def window(ctx, tmp_path, qtbot, app_font, prompts):
    from kyosai_desktop.ui.main_window import MainWindow

    first = add_union(ctx)
    second = add_union(ctx, "05", "002", "第二職員組合")
    kind = "単組執行部見積り強化月間"
    import_estimates(ctx, seed_csv(tmp_path), campaign=CAMPAIGN, union=first.key, kind=kind)
    import_estimates(ctx, seed_csv(tmp_path), campaign=CAMPAIGN, union=second.key, kind=kind)
    camp = ctx.campaigns.list()[0]
    a = ctx.estimates.find_seq(camp.id, first.id, 1)  # A: ¥49,690 / ¥23,870, 年
    soon = (date.today() + timedelta(days=10)).isoformat()
    ctx.estimates.update(a.id, policy_maturity=soon)  # in the closing list's 60 days
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.resize(1500, 900)
    win.show()
    qtbot.waitExposed(win)
    page = win.show_page("estimates")
    page.tabs.setCurrentWidget(page.list_panel)
    page.list_panel.union_combo.setCurrentIndex(0)  # すべての単組
    win.activateWindow()  # the keys go to the focused widget of the active window
    qtbot.waitUntil(win.isActiveWindow)
    win.first, win.second, win.a = first, second, a
    return win


def statements(ctx):
    """The SQL run while the block runs (to see what an update reads)."""
    ran: list[str] = []
    ctx.conn.set_trace_callback(ran.append)
    return ran


def reads_everything(ran: list[str]) -> list[str]:
    """Statements reading a campaign's estimates without naming the ones (or the unions) an
    edit touched: the whole list, the whole summary or every open estimate."""
    out = []
    for sql in ran:
        if "FROM estimates" not in sql or sql.lstrip().upper().startswith(("UPDATE", "DELETE")):
            continue
        if not any(k in sql for k in ("id = ", "id IN (", "union_id IN (", "union_id = ")):
            out.append(sql)
    return out


def same_as_fresh(page, ctx) -> None:
    """The header, summary, list (with its totals) and closing list = a fresh read of each."""
    camp = page.campaign()
    fresh = er.campaign_summary(ctx, camp.id)
    shown, table = page.summary_view.report, fresh.table()
    assert (shown.rows, shown.totals, shown.summary) == (table.rows, table.totals, table.summary)
    c = fresh.total.counts
    assert f"依頼 {c.requests:,}　返却済 {c.returned:,}　成約 {c.contracts:,}" in page.header.text()
    panel = page.list_panel
    listed = ctx.estimates.list(camp.id, panel.current_union())
    assert sorted(panel.model.estimates, key=lambda e: e.id) == sorted(listed, key=lambda e: e.id)
    if not panel.filter_edit.text():
        t = totals((e.other_premium, e.jichiro_premium, e.payment) for e in listed)
        assert f"年間の節約総額 <b>{t.saving_total:,}円</b>" in panel.totals_label.text()
        assert f"集計対象 <b>{t.rows_in_totals:,}人</b>" in panel.totals_label.text()
    current = page.tabs.currentWidget()
    page.tabs.setCurrentWidget(page.closing_tab)
    closing = page.closing_view.report
    expected = er.closing_list(ctx, campaign_id=camp.id, within_days=page.within_days.value())
    assert (closing.rows, closing.row_keys, closing.summary, closing.notes) == (
        expected.rows,
        expected.row_keys,
        expected.summary,
        expected.notes,
    )
    page.tabs.setCurrentWidget(current)


def type_premium(qtbot, premium: str):
    """The clerk's part of the form: the じちろう掛金 field emptied and typed, then 保存."""

    def answer(dialog: EstimateDialog) -> bool:
        dialog.jichiro.setFocus()
        qtbot.keyClick(dialog.jichiro, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        qtbot.keyClick(dialog.jichiro, Qt.Key.Key_Delete)
        qtbot.keyClicks(dialog.jichiro, premium)
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
        return dialog.result() == dialog.DialogCode.Accepted

    return answer


def click_row(qtbot, panel, estimate_id: int) -> None:
    row = next(r for r, e in enumerate(panel.model.estimates) if e.id == estimate_id)
    index = panel.proxy.mapFromSource(panel.model.index(row, COLUMN_INDEX["car"]))
    panel.table.scrollTo(index)
    rect = panel.table.visualRect(index)
    qtbot.mouseClick(panel.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert panel.table.currentIndex().row() == index.row()


def closing_row(page, estimate_id: int) -> dict[str, str]:
    current = page.tabs.currentWidget()
    page.tabs.setCurrentWidget(page.closing_tab)
    report = page.closing_view.report
    page.tabs.setCurrentWidget(current)
    if estimate_id not in report.row_keys:
        return {}
    cells = report.rows[report.row_keys.index(estimate_id)]
    return {c.key: cell.text for c, cell in zip(report.columns, cells, strict=True)}


def test_an_edit_through_the_form_and_its_undo_show_everywhere(window, ctx, qtbot, prompts):
    page, a = window.pages["estimates"], window.a
    panel = page.list_panel
    same_as_fresh(page, ctx)  # every table read once: from now on they are updated
    assert closing_row(page, a.id)["jichiro"] == "¥23,870"

    click_row(qtbot, panel, a.id)
    prompts.answers["dialog"] = type_premium(qtbot, "20000")
    ran = statements(ctx)
    qtbot.keyClick(panel.table, Qt.Key.Key_Return)  # Enter: the form
    ctx.conn.set_trace_callback(None)
    assert ctx.estimates.get(a.id).jichiro_premium == 20_000
    assert reads_everything(ran) == []

    saving = 2 * SAVING + 3_870  # A pays ¥3,870 less a year than before (年払)
    row = panel.proxy.mapFromSource(
        panel.model.index([e.id for e in panel.model.estimates].index(a.id), 0)
    ).row()
    assert panel.proxy.index(row, COLUMN_INDEX["jichiro"]).data() == "¥20,000"
    assert panel.proxy.index(row, COLUMN_INDEX["difference"]).data() == "¥-29,690"
    assert f"年間の節約総額 <b>{saving:,}円</b>" in panel.totals_label.text()
    summary = page.summary_view.report
    assert summary.totals[0][summary.index("saving")].text == f"¥{saving:,}"
    first_row = summary.rows[summary.row_keys.index(window.first.id)]
    assert first_row[summary.index("saving")].text == f"¥{SAVING + 3_870:,}"
    assert closing_row(page, a.id)["jichiro"] == "¥20,000"
    same_as_fresh(page, ctx)

    # Ctrl+Z, the window's 元に戻す, on the page's own undo stack
    ran = statements(ctx)
    qtbot.keyClick(panel.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    ctx.conn.set_trace_callback(None)
    assert ctx.estimates.get(a.id).jichiro_premium == 23_870
    assert reads_everything(ran) == []
    assert f"年間の節約総額 <b>{2 * SAVING:,}円</b>" in panel.totals_label.text()
    assert page.summary_view.report.totals[0][summary.index("saving")].text == f"¥{2 * SAVING:,}"
    assert closing_row(page, a.id)["jichiro"] == "¥23,870"
    same_as_fresh(page, ctx)


def test_an_edit_keeps_the_clerks_sort_and_filter(window, ctx, qtbot, prompts):
    page, a = window.pages["estimates"], window.a
    panel = page.list_panel
    jichiro = COLUMN_INDEX["jichiro"]
    panel.table.sortByColumn(jichiro, Qt.SortOrder.DescendingOrder)
    order = [e.id for e in panel.model.estimates]
    panel.filter_edit.setText("アクセラ")  # A's car, in both unions
    assert panel.proxy.rowCount() == 2
    click_row(qtbot, panel, a.id)
    prompts.answers["dialog"] = type_premium(qtbot, "30000")
    qtbot.keyClick(panel.table, Qt.Key.Key_Return)
    assert [e.id for e in panel.model.estimates] == order  # in place: the sort stays
    assert panel.proxy.rowCount() == 2
    shown = {panel.proxy.index(r, jichiro).data() for r in range(2)}
    assert shown == {"¥30,000", "¥23,870"}
    # the filtered rows' totals: (49,690 − 30,000) + (49,690 − 23,870)
    assert f"年間の節約総額 <b>{19_690 + 25_820:,}円</b>" in panel.totals_label.text()
    panel.filter_edit.clear()
    same_as_fresh(page, ctx)


def test_other_paths_delete_import_and_edits_elsewhere(window, ctx, qtbot, prompts, tmp_path):
    page, a = window.pages["estimates"], window.a
    panel = page.list_panel
    camp = page.campaign()
    same_as_fresh(page, ctx)

    # the Delete key on a selected row (confirmed), and its undo
    click_row(qtbot, panel, a.id)
    prompts.answers["confirm"] = True
    qtbot.keyClick(panel.table, Qt.Key.Key_Delete)
    assert ctx.estimates.get(a.id) is None
    assert a.id not in [e.id for e in panel.model.estimates]
    assert closing_row(page, a.id) == {}
    assert page.summary_view.report.totals[0][2].text == "39"  # 依頼数
    same_as_fresh(page, ctx)
    qtbot.keyClick(panel.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert ctx.estimates.get(a.id) is not None and closing_row(page, a.id) != {}
    same_as_fresh(page, ctx)

    # an edit announced from elsewhere (another page or window): the page is on screen
    changes = est_ops.edit_estimate(ctx, a.id, {"other_premium": 60_000, "status": "成約"})
    window.bus.announce(changes, origin=None)
    assert closing_row(page, a.id) == {}  # 成約: no longer open
    same_as_fresh(page, ctx)

    # a 別紙2 import into a third union through the page (the import flow), and its undo
    third = add_union(ctx, "05", "003", "第三職員組合")
    ctx.campaigns.add_unions(camp.id, [third.id])
    page.reload_campaigns()
    panel.union_combo.setCurrentIndex(panel.union_combo.findData(third.id))

    def press_import(dialog):
        if dialog.import_button is not None:
            qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)

    prompts.answers["dialog"] = press_import
    assert panel.import_file(seed_csv(tmp_path))
    with qtbot.waitSignal(panel.import_flow.finished, timeout=20_000):
        pass
    assert ctx.estimates.count(camp.id) == 60 and panel.model.rowCount() == 20
    summary = page.summary_view.report
    third_row = summary.rows[summary.row_keys.index(third.id)]
    assert third_row[summary.index("saving")].text == f"¥{SAVING:,}"
    same_as_fresh(page, ctx)
    panel.union_combo.setCurrentIndex(0)
    same_as_fresh(page, ctx)
    window.activateWindow()  # back from the import's review dialog
    qtbot.waitUntil(window.isActiveWindow)
    panel.table.setFocus()
    ran = statements(ctx)
    qtbot.keyClick(panel.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    ctx.conn.set_trace_callback(None)
    assert ctx.estimates.count(camp.id) == 40
    assert reads_everything(ran) == []  # twenty estimates deleted: updated, not read again
    summary = page.summary_view.report
    assert summary.rows[summary.row_keys.index(third.id)][summary.index("saving")].text == "¥0"
    same_as_fresh(page, ctx)


def test_the_days_of_the_closing_list_after_an_edit(window, ctx, qtbot):
    """The closing tab on screen: an edit moves a maturity into the window; the clerk steps
    満期まで N 日 with the arrow keys — each list filters the open estimates the page keeps,
    updated by the edit, and is the list a fresh read gives."""
    page = window.pages["estimates"]
    camp = page.campaign()
    page.tabs.setCurrentWidget(page.closing_tab)
    b = ctx.estimates.find_seq(camp.id, window.second.id, 2)
    assert b.id not in page.closing_view.report.row_keys
    in_40 = (date.today() + timedelta(days=40)).isoformat()
    window.bus.announce(est_ops.edit_estimate(ctx, b.id, {"policy_maturity": in_40}))
    assert b.id in page.closing_view.report.row_keys
    page.within_days.setFocus()
    for key, days in ((Qt.Key.Key_Down, 59), (Qt.Key.Key_Up, 60), (Qt.Key.Key_Up, 61)):
        qtbot.keyClick(page.within_days, key)
        assert page.within_days.value() == days
        fresh = er.closing_list(ctx, campaign_id=camp.id, within_days=days)
        shown = page.closing_view.report
        assert (shown.rows, shown.row_keys, shown.summary, shown.subtitle) == (
            fresh.rows,
            fresh.row_keys,
            fresh.summary,
            fresh.subtitle,
        )
    page.within_days.setValue(39)  # typed: the edited estimate (40 days) drops out
    assert b.id not in page.closing_view.report.row_keys
