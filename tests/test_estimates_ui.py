"""The 見積りキャンペーン page driven offscreen: form, keyboard, status steps, undo, import,
outputs, closing filter and anonymisation — on a real database and real files."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from estimate_fixtures import add_union, pdf_text, seed_csv, seed_sheet_rows, write_csv
from pypdf import PdfReader
from PySide6.QtCore import Qt

from kyosai_desktop.services.estimate_import import import_estimates
from kyosai_desktop.services.estimate_reports import summary_json
from kyosai_desktop.ui.estimates.estimate_dialog import EstimateDialog, StatusDialog
from kyosai_desktop.ui.estimates.estimate_models import COLUMN_INDEX
from kyosai_desktop.ui.estimates.estimates_page import EstimatesPage
from kyosai_desktop.ui.shared import runner
from kyosai_desktop.ui.shared.events import DataBus

CAMPAIGN = "2024執行部"


@pytest.fixture
def page(ctx, tmp_path, qtbot, app_font, prompts):
    union = add_union(ctx)
    import_estimates(
        ctx, seed_csv(tmp_path), campaign=CAMPAIGN, union="05-001", kind="単組執行部見積り強化月間"
    )
    bus = DataBus()
    widget = EstimatesPage(ctx, bus)
    qtbot.addWidget(widget)
    widget.resize(1400, 850)
    widget.show()
    widget.union = union
    return widget


def fill_and_save(**fields):
    """A prompts answer for the estimate form: type into the fields, then save."""

    def answer(dialog: EstimateDialog) -> bool:
        for name, text in fields.items():
            widget = getattr(dialog, name)
            if hasattr(widget, "setCurrentText") and not hasattr(widget, "setText"):
                widget.setCurrentText(text)
            else:
                widget.setText(text)
        dialog.save()
        return dialog.result() == dialog.DialogCode.Accepted

    return answer


def test_page_shows_the_campaign_and_its_summary(page, ctx):
    assert page.campaign().name == CAMPAIGN
    report = page.summary_view.report
    total = report.totals[0]
    assert total[report.index("saving")].text == "¥444,500"
    assert total[report.index("average")].text == "¥24,694"
    assert total[report.index("flags")].text == "18"
    assert "2024執行部" in page.header.text()
    image = page.chart.grab().toImage()
    assert (
        image.width() > 300 and image.pixelColor(image.width() // 2, image.height() // 2).isValid()
    )


def test_list_shows_computed_figures_and_flags(page):
    panel = page.list_panel
    page.tabs.setCurrentWidget(panel)
    model = panel.model
    assert model.rowCount() == 20
    diff = COLUMN_INDEX["difference"]
    assert model.index(0, diff).data() == "¥-25,820"
    assert model.index(15, COLUMN_INDEX["rate"]).data() == "119.4%"
    assert model.index(7, COLUMN_INDEX["check"]).data() == "集計外"
    assert model.index(7, 0).data(Qt.ItemDataRole.ToolTipRole).startswith("集計外")
    assert model.index(13, COLUMN_INDEX["grade_now"]).data() == "6(5)"
    assert "節約総額 <b>444,500円</b>" in panel.totals_label.text()
    panel.filter_edit.setText("アクア")
    assert panel.proxy.rowCount() == 1
    assert "91,920円" in panel.totals_label.text()
    panel.filter_edit.clear()
    panel.table.sortByColumn(diff, Qt.SortOrder.AscendingOrder)
    names = [panel.proxy.index(r, COLUMN_INDEX["name"]).data() for r in range(20)]
    assert names[:3] == ["H", "I", "N"]  # missing figures first (as every table), then ¥-91,920
    assert panel.proxy.index(19, diff).data() == "¥25,080"  # the premium increase last
    panel.table.sortByColumn(COLUMN_INDEX["rate"], Qt.SortOrder.DescendingOrder)
    assert panel.proxy.index(0, COLUMN_INDEX["rate"]).data() == "119.4%"


def test_add_through_the_form_then_undo_and_redo(page, ctx, prompts):
    panel = page.list_panel
    page.tabs.setCurrentWidget(panel)
    prompts.answers["dialog"] = fill_and_save(
        name="新人 花子", other="¥60,000", jichiro="45,000", payment="年", maturity="2026年12月1日"
    )
    panel.add_estimate()
    camp = page.campaign()
    added = ctx.estimates.find_seq(camp.id, page.union.id, 21)
    assert added is not None and added.name == "新人 花子" and added.other_premium == 60_000
    assert added.policy_maturity == "2026-12-01" and added.role == "執行部"
    assert panel.model.rowCount() == 21
    assert summary_json(ctx, camp.id)["saving_total"] == 444_500 + 15_000
    page.undo_stack.undo()
    assert ctx.estimates.find_seq(camp.id, page.union.id, 21) is None
    assert panel.model.rowCount() == 20
    page.undo_stack.redo()
    assert ctx.estimates.find_seq(camp.id, page.union.id, 21).name == "新人 花子"


def test_form_refuses_bad_values_at_the_field(ctx, qtbot, app_font):
    union = add_union(ctx)
    dialog = EstimateDialog([union], union_id=union.id)
    qtbot.addWidget(dialog)
    dialog.name.setText("山田")
    dialog.other.setText("-100")
    dialog.maturity.setText("2022年2月30日")
    dialog.payment.setCurrentText("年")
    dialog.jichiro.setText("50000")
    assert dialog.collect() is None
    assert "負の数" in dialog.errors["other_premium"].text()
    assert "存在しない日付" in dialog.errors["policy_maturity"].text()
    assert dialog.message.text() == "2 か所を直してください。"
    dialog.other.setText("¥60,000")
    assert dialog.computed.text() == "年間差額 ¥-10,000　引下率 -16.7%"
    dialog.maturity.setText("2022-02-28")
    values = dialog.collect()
    assert values["other_premium"] == 60_000 and values["policy_maturity"] == "2022-02-28"


def test_enter_moves_to_the_next_field(
    ctx, qtbot, app_font, prompts
):  # prompts: closing asks (typed text)
    union = add_union(ctx)
    dialog = EstimateDialog([union], union_id=union.id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.name.setFocus()
    qtbot.keyClicks(dialog.name, "Yamada")  # QTest aborts on non-Latin-1 key clicks
    qtbot.keyClick(dialog.name, Qt.Key.Key_Return)
    assert dialog.isVisible()  # Enter did not close the form
    assert dialog.focusWidget() is dialog.age


def test_status_step_for_a_selection_is_one_undo(page, ctx, prompts):
    panel = page.list_panel
    page.tabs.setCurrentWidget(panel)
    for r in range(3):
        panel.table.selectionModel().select(
            panel.proxy.index(r, 0),
            panel.table.selectionModel().SelectionFlag.Select
            | panel.table.selectionModel().SelectionFlag.Rows,
        )

    def answer(dialog):
        assert isinstance(dialog, StatusDialog)
        return True

    prompts.answers["dialog"] = answer
    panel.change_status("返却済")
    camp = page.campaign()
    assert summary_json(ctx, camp.id)["returned"] == 3
    assert ctx.estimates.find_seq(camp.id, page.union.id, 1).returned_on == date.today().isoformat()
    page.undo_stack.undo()
    assert summary_json(ctx, camp.id)["returned"] == 0
    assert ctx.estimates.find_seq(camp.id, page.union.id, 1).returned_on is None


def test_delete_asks_and_can_be_undone(page, ctx, prompts):
    panel = page.list_panel
    page.tabs.setCurrentWidget(panel)
    panel.table.selectRow(0)
    prompts.answers["confirm"] = True
    panel.delete_selected()
    camp = page.campaign()
    assert ctx.estimates.count(camp.id) == 19
    assert any(k == "confirm" and "1 件の見積り (A)" in t for k, _, t in prompts)
    page.undo_stack.undo()
    assert ctx.estimates.count(camp.id) == 20
    assert ctx.estimates.find_seq(camp.id, page.union.id, 1).name == "A"


def _select_rows(panel, n):
    model = panel.table.selectionModel()
    for r in range(n):
        model.select(panel.proxy.index(r, 0), model.SelectionFlag.Select | model.SelectionFlag.Rows)


def test_edits_of_a_selection_and_their_undo_are_one_commit_each(page, ctx, prompts):
    panel = page.list_panel
    page.tabs.setCurrentWidget(panel)
    camp = page.campaign()
    commits: list[str] = []
    ctx.conn.set_trace_callback(
        lambda sql: commits.append(sql) if sql.strip().upper() == "COMMIT" else None
    )
    try:
        _select_rows(panel, 3)
        prompts.answers["dialog"] = lambda dialog: True
        panel.change_status("返却済")
        page.undo_stack.undo()
        page.undo_stack.redo()
        assert len(commits) == 3 and summary_json(ctx, camp.id)["returned"] == 3
        commits.clear()
        panel.table.clearSelection()
        _select_rows(panel, 4)
        panel.delete_selected()
        page.undo_stack.undo()
        page.undo_stack.redo()
        assert len(commits) == 3 and ctx.estimates.count(camp.id) == 16
    finally:
        ctx.conn.set_trace_callback(None)


def test_a_selection_survives_the_status_step_it_was_made_for(page, prompts):
    panel = page.list_panel
    page.tabs.setCurrentWidget(panel)
    _select_rows(panel, 3)
    chosen = panel.selected_ids()
    assert len(chosen) == 3
    prompts.answers["dialog"] = lambda dialog: True
    panel.change_status("返却済")
    assert panel.selected_ids() == chosen  # all three, not only the last
    panel.select_ids(list(reversed(chosen)))
    assert panel.selected_ids() == chosen
    assert (
        panel.model.estimate(panel.proxy.mapToSource(panel.table.currentIndex()).row()).id
        == chosen[-1]
    )


def test_import_from_the_page_and_a_refused_file(page, ctx, prompts, tmp_path, qtbot):
    from PySide6.QtCore import Qt

    other = add_union(ctx, "05", "002", "第二職員組合")
    camp = page.campaign()
    ctx.campaigns.add_unions(camp.id, [other.id])
    page.reload_campaigns()
    panel = page.list_panel
    page.tabs.setCurrentWidget(panel)
    panel.union_combo.setCurrentIndex(panel.union_combo.findData(other.id))

    def press_import(dialog):
        if dialog.import_button is not None:  # a refused file's review offers only 閉じる
            qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)

    prompts.answers["dialog"] = press_import
    assert panel.import_file(seed_csv(tmp_path))
    with qtbot.waitSignal(panel.import_flow.finished, timeout=20_000) as blocker:
        pass
    assert blocker.args[0].added == 20
    assert (
        "05-002 第二職員組合 の見積り: 20 行を読み込み、追加 20 件" in prompts[-2][2]
    )  # the review
    assert ctx.estimates.count(camp.id) == 40
    assert panel.model.rowCount() == 20
    assert page.undo_stack.count() == 1 and "別紙2 の取り込み" in page.undo_stack.undoText()
    page.undo_stack.undo()  # the whole import is one step: its 20 estimates go
    assert ctx.estimates.count(camp.id) == 20 and panel.model.rowCount() == 0
    page.undo_stack.redo()
    assert ctx.estimates.count(camp.id) == 40 and panel.model.rowCount() == 20
    rows = [list(r) for r in seed_sheet_rows()]
    rows[2][9] = "半年"
    before = ctx.estimates.count(camp.id)
    assert panel.import_file(write_csv(tmp_path / "bad.csv", rows))
    with qtbot.waitSignal(panel.import_flow.finished, timeout=20_000):
        pass
    assert ctx.estimates.count(camp.id) == before
    assert prompts[-1][0] == "dialog" and "支払「半年」" in prompts[-1][2]


def test_outputs_write_pdf_and_excel(page, prompts, tmp_path, qtbot):
    from kyosai_desktop.ui.estimates.estimate_outputs import save_pdf, save_xlsx, table_doc

    panel = page.list_panel
    page.tabs.setCurrentWidget(panel)
    panel.union_combo.setCurrentIndex(1)
    prompts.answers["save_file"] = str(tmp_path / "list.pdf")
    task = save_pdf(panel, table_doc(panel.list_table), "x")
    with qtbot.waitSignal(task.finished, timeout=20_000):
        pass
    assert "この一覧は、単組の学習会や募集活動には使用できません" in pdf_text(tmp_path / "list.pdf")
    prompts.answers["save_file"] = str(tmp_path / "b3.xlsx")
    assert save_xlsx(panel, panel.report_table, "x", landscape=False) is not None
    prompts.answers["save_file"] = str(tmp_path / "all.pdf")
    task = page.save_all_reports()
    with qtbot.waitSignal(task.finished, timeout=20_000) as blocker:
        pass
    assert blocker.args == ["done"] and "all.pdf に保存しました (1 ページ)" in prompts[-1][2]
    assert len(PdfReader(str(tmp_path / "all.pdf")).pages) == 1


def test_closing_tab_filters_by_days(page, ctx):
    camp = page.campaign()
    soon = (date.today() + timedelta(days=10)).isoformat()
    later = (date.today() + timedelta(days=200)).isoformat()
    first, second = ctx.estimates.list(camp.id)[:2]
    ctx.estimates.update(first.id, policy_maturity=soon)
    ctx.estimates.update(second.id, policy_maturity=later)
    page.tabs.setCurrentWidget(page.closing_tab)
    page.within_check.setChecked(True)
    page.within_days.setValue(30)
    page.refresh_closing()
    # the other estimates' past maturities roll forward a year at a time (yearly policies):
    # some of them renew within 30 days too, always after ``first`` (10 days)
    report = page.closing_view.report
    assert report.row_keys[0] == first.id and second.id not in report.row_keys
    assert all(0 <= d <= 30 for d in report.column_values("days"))
    page.within_days.setValue(365)
    assert (
        first.id in page.closing_view.report.row_keys
        and second.id in page.closing_view.report.row_keys
    )
    page.within_check.setChecked(False)
    assert len(page.closing_view.report.rows) == 20


def test_anonymise_needs_confirmation_and_keeps_totals(page, ctx, prompts, qtbot):
    camp = page.campaign()
    before = summary_json(ctx, camp.id)
    page.anonymise()  # no end date yet: refused with a reason
    assert any(k == "warning" and "終了日がありません" in t for k, _, t in prompts)
    ctx.campaigns.update(camp.id, period_from="2024-10-01", period_to="2024-12-31")
    prompts.answers["confirm"] = False
    page.anonymise()
    assert ctx.estimates.list(camp.id)[0].name == "A"
    prompts.answers["confirm"] = True
    page.anonymise()  # on the background runner
    qtbot.waitUntil(lambda: not runner.busy(), timeout=20_000)
    assert ctx.estimates.list(camp.id)[0].name is None
    assert summary_json(ctx, camp.id) == before
    panel = page.list_panel
    page.tabs.setCurrentWidget(panel)
    assert panel.model.index(0, COLUMN_INDEX["name"]).data() == "(匿名)"
    assert not panel.add_button.isEnabled()
    assert "匿名化済" in page.header.text()


def test_campaign_form_creates_a_campaign_with_unions(page, ctx, prompts):
    extra = add_union(ctx, "05", "003", "第三職員組合")

    def answer(dialog):
        dialog.name.setText("2025 見積りキャンペーン")
        dialog.kind.setCurrentText("見積りキャンペーン")
        dialog.period_from.setText("2025年4月1日")
        dialog.period_to.setText("2025-06-30")
        dialog.union_filter.setText("第三")
        dialog._check_visible(True)
        dialog.save()
        return dialog.result() == dialog.DialogCode.Accepted

    prompts.answers["dialog"] = answer
    page.add_campaign()
    camp = ctx.campaigns.find("2025 見積りキャンペーン")
    assert camp.kind == "見積りキャンペーン" and camp.period_from == "2025-04-01"
    assert ctx.campaigns.union_ids(camp.id) == [extra.id]
    assert page.campaign().id == camp.id


def test_a_refused_campaign_edit_changes_nothing(page, ctx, prompts):
    """The form's name and unions are one edit: when a union with estimates cannot be
    removed, the new name is not kept either."""
    camp = page.campaign()

    def answer(dialog):
        dialog.name.setText("改名したキャンペーン")
        for r in range(dialog.model.rowCount()):
            dialog.model.item(r).setCheckState(Qt.CheckState.Unchecked)  # even the locked union
        dialog.save()
        return dialog.result() == dialog.DialogCode.Accepted

    prompts.answers["dialog"] = answer
    page.edit_campaign()
    assert any(k == "warning" and "外せません" in t for k, _, t in prompts)
    assert ctx.campaigns.get(camp.id).name == CAMPAIGN
    assert ctx.campaigns.union_ids(camp.id) == [page.union.id]


def test_campaign_form_offers_only_the_branch_unions(page, ctx):
    add_union(ctx, "05", "003", "第三職員組合")
    add_union(ctx, "41", "002", "高知市職員労働組合")  # stored by a national model-union import
    dialog = page._campaign_dialog()
    offered = [dialog.model.item(i).text() for i in range(dialog.model.rowCount())]
    assert "05-003 第三職員組合" in offered
    assert not any(text.startswith("41-") for text in offered)
    dialog.close()


def test_lists_follow_estimates_written_elsewhere(page, ctx):
    """The lists are kept between refreshes; estimates edited, added, deleted or restored
    elsewhere (announced on the bus) are put in place — the same list as read afresh."""
    from kyosai_desktop.services.ops import estimates as est_ops
    from kyosai_desktop.services.ops.replay import replay

    panel = page.list_panel
    page.tabs.setCurrentWidget(panel)
    page.bus.changed.connect(page.refresh)
    camp = page.campaign()

    def shown() -> list[tuple]:
        return [(e.id, e.union_id, e.seq, e.name, e.status, e.car) for e in panel.model.estimates]

    def afresh(union_id=None) -> list[tuple]:
        return [
            (e.id, e.union_id, e.seq, e.name, e.status, e.car)
            for e in ctx.estimates.list(camp.id, union_id)
        ]

    panel.union_combo.setCurrentIndex(0)  # すべての単組
    assert shown() == afresh() and len(shown()) > 3
    first = panel.model.estimates[0]
    page.bus.announce(est_ops.edit_estimate(ctx, first.id, {"car": "プリウス改"}))
    assert shown() == afresh()
    added, changes = est_ops.add_estimate(ctx, camp.id, first.union_id, {"name": "新規 花子"})
    page.bus.announce(changes)
    assert shown() == afresh() and added.id in [row[0] for row in shown()]
    deleted = est_ops.delete_estimates(ctx, [first.id])
    page.bus.announce(deleted)
    assert shown() == afresh() and first.id not in [row[0] for row in shown()]
    page.bus.announce(replay(ctx, deleted, undo=True))  # restored (an undo elsewhere)
    assert shown() == afresh() and first.id in [row[0] for row in shown()]
    panel.union_combo.setCurrentIndex(1)  # one union's list, kept as well
    assert shown() == afresh(panel.current_union())


def test_a_long_union_name_in_the_list_shows_whole_on_hover(page):
    from kyosai_desktop.ui.estimates.estimate_models import COLUMN_INDEX

    page.tabs.setCurrentWidget(page.list_panel)
    model = page.list_panel.model
    tip = model.index(0, COLUMN_INDEX["union"]).data(Qt.ItemDataRole.ToolTipRole)
    shown = model.index(0, COLUMN_INDEX["union"]).data()
    assert tip == shown and len(shown) > 8
    assert model.index(0, COLUMN_INDEX["seq"]).data(Qt.ItemDataRole.ToolTipRole) is None


def test_campaign_list_period_in_the_one_date_style(page, ctx):
    """The list's short period reads like every other date on screen (年月), not 2025/10〜."""
    ctx.campaigns.add("年内", "その他", period_from="2025-10-01", period_to="2025-12-31")
    ctx.campaigns.add("年度", "その他", period_from="2024-10-01", period_to="2025-03-31")
    ctx.campaigns.add("始まりだけ", "その他", period_from="2026-01-05")
    page.reload_campaigns()
    model = page.campaign_model
    shown = {model.index(r, 0).data(): model.index(r, 2).data() for r in range(model.rowCount())}
    assert shown["年内"] == "2025年10月〜12月"
    assert shown["年度"] == "2024年10月〜2025年3月"
    assert shown["始まりだけ"] == "2026年1月〜"
    assert "/" not in "".join(shown.values())
    row = next(r for r in range(model.rowCount()) if model.index(r, 0).data() == "年内")
    assert "2025年10月1日〜2025年12月31日" in model.index(row, 0).data(Qt.ItemDataRole.ToolTipRole)


def test_summary_headers_wrap_only_between_words(page, qtbot):
    """「1人あたり平均」 is not cut into 「1人あたり平」 over 「均」: every column is at least as
    wide as the longest word of its title; a title with a space breaks at the space."""
    from PySide6.QtGui import QFont, QFontMetrics
    from PySide6.QtWidgets import QStyleOptionHeader

    from kyosai_desktop.services.report_table import TITLE_WORD_CAP_EM, title_words

    page.tabs.setCurrentIndex(0)
    view = page.summary_view
    report = view.report
    header = view.table.horizontalHeader()
    bold = QFont(view.font())
    bold.setBold(True)
    metrics = QFontMetrics(bold)
    cap = TITLE_WORD_CAP_EM * view.fontMetrics().horizontalAdvance("あ")
    for i, col in enumerate(report.columns):
        longest = max(metrics.horizontalAdvance(w) for w in title_words(col.title))
        assert header.sectionSize(i) >= min(longest, cap), col.title
    assert "1人あたり平均" in [c.title for c in report.columns]
    saving = report.index("saving")
    header.resizeSection(saving, metrics.horizontalAdvance("節約総額") + 14)
    option = QStyleOptionHeader()
    header.initStyleOptionForIndex(option, saving)
    assert option.text == "節約総額\n(円/年)"
    qtbot.wait(50)
    view.grab().save("/tmp/wrap_summary_header.png")
