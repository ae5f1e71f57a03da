"""First launch: choose the branch, then start empty, import files or load demo data."""

from __future__ import annotations

import csv

from foundation_fixtures import isolated_settings, on_disk  # noqa: F401 - fixture

from kyosai_desktop.services.context import open_context
from kyosai_desktop.ui import app as app_module
from kyosai_desktop.ui.setup_dialog import DEMO, EMPTY, IMPORT, SetupDialog


def drive_setup(qtbot, prompts, action, log: list) -> None:
    """Answer the setup dialog (opened through the interaction seam) with ``action(dialog)``,
    as a clerk would act, and wait until it closes (the demo loads in the background)."""

    def answer(dialog) -> bool:
        if not isinstance(dialog, SetupDialog):
            return True
        try:
            action(dialog)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            log.append(exc)
            dialog.reject()
        qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=20_000)
        return False

    prompts.answers["dialog"] = answer


def test_branch_and_demo_data_open_the_main_window(tmp_path, qtbot, prompts):
    path = tmp_path / "first.sqlite3"
    errors: list = []

    def clerk(dialog: SetupDialog) -> None:
        assert dialog.branch_list.count() == 48  # 47 prefectures + 社保労連
        assert dialog.branch_list.item(47).text() == "60 社保労連"
        assert not dialog.next_button.isEnabled()  # nothing chosen yet
        dialog.filter_edit.setText("宮城")
        assert dialog.chosen_code() == "05"
        dialog.next()
        assert "宮城" in dialog.chosen_label.text()
        dialog.mode_buttons[DEMO].setChecked(True)
        dialog.next()

    drive_setup(qtbot, prompts, clerk, errors)
    window = app_module.open_main_window(path)
    assert not errors, errors
    qtbot.addWidget(window)
    assert window is not None and "宮城県支部" in window.windowTitle()
    assert "宮城県支部【デモデータ】 — " in window.windowTitle()  # never mistaken for real figures
    assert "宮城県支部 (05)" in window.branch_label.text()
    assert window.ctx.branch == "05"
    assert 30 <= len(window.ctx.unions.list("05")) <= 60
    page = window.page("progress")
    window.show_page("progress")
    report = page.report
    assert report is not None and report.title.startswith("2025年度 宮城県支部")
    actual = {r[0].text: r[report.index("actual")].value for r in report.rows}
    assert actual["団体生命共済"] > 0 and actual["マイカー共済"] > 0
    window.ctx.close()


def test_cancel_leaves_the_database_without_a_branch(tmp_path, qtbot, prompts):
    path = tmp_path / "first.sqlite3"
    errors: list = []

    def clerk(dialog: SetupDialog) -> None:
        dialog.choose("05")
        dialog.next()
        dialog.mode_buttons[IMPORT].setChecked(True)
        dialog.next()  # the branch is set for the imports …
        assert dialog.ctx.branch == "05"
        dialog.cancel_button.click()  # … and taken back on cancel

    drive_setup(qtbot, prompts, clerk, errors)
    assert app_module.open_main_window(path) is None
    assert not errors, errors
    assert on_disk(path, "SELECT value FROM settings WHERE key = 'branch_pref_code'") in (
        [],
        [(None,)],
    )
    assert on_disk(path, "SELECT count(*) FROM unions") == [(0,)]
    # Next start asks again; an empty start then opens the window.
    drive_setup(
        qtbot,
        prompts,
        lambda d: (d.choose("60"), d.next(), d.mode_buttons[EMPTY].setChecked(True), d.next()),
        errors,
    )
    window = app_module.open_main_window(path)
    assert not errors, errors
    qtbot.addWidget(window)
    assert window.windowTitle().startswith("社保労連 — ")
    window.ctx.close()


def test_import_files_during_setup(tmp_path, qtbot, prompts):
    ctx = open_context(tmp_path / "first.sqlite3")
    unions = tmp_path / "u.csv"
    with open(unions, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(
            [
                ["自治労県コード", "単組コード", "単組名", "組合員数", "団生保有", "発効月"],
                ["05", "001", "仙台市職員労働組合", "4210", "2400", "6"],
            ]
        )
    dialog = SetupDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.choose("05")
    dialog.next()
    dialog.mode_buttons[IMPORT].setChecked(True)
    dialog.next()
    assert dialog.stack.currentIndex() == 2 and dialog.next_button.text() == "完了"
    with qtbot.waitSignal(dialog.flow.finished, timeout=20_000) as blocker:
        assert dialog.import_file("unions", unions)
    assert blocker.args[1].added == 1 and "取り込み済み" in dialog.import_status["unions"].text()
    assert [k for k, _t, _x in prompts] == ["dialog", "information"]
    dialog.next()
    assert dialog.result() == SetupDialog.DialogCode.Accepted
    assert ctx.branch == "05" and ctx.unions.find("05", "001").members == 4210
    ctx.close()


def test_demo_is_refused_when_the_branch_already_has_unions(tmp_path, qtbot, prompts):
    ctx = open_context(tmp_path / "first.sqlite3")
    ctx.unions.add("05", "001", "仙台市職員労働組合")
    dialog = SetupDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.choose("05")
    dialog.next()
    dialog.mode_buttons[DEMO].setChecked(True)
    dialog.next()  # the demo is tried in the background …
    qtbot.waitUntil(lambda: len(prompts) > 0, timeout=20_000)
    assert prompts[-1][0] == "warning" and "既に単組" in prompts[-1][2]  # … and refused by message
    assert dialog.result() != SetupDialog.DialogCode.Accepted and dialog.stack.currentIndex() == 1
    assert len(ctx.unions.list("05")) == 1
    dialog.reject()
    assert ctx.branch is None
    ctx.close()
