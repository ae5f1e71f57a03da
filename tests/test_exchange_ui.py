"""The exchange in the main window: ファイル menu actions, the review in the one import review
dialog, the conflict list, and a laptop copy's title and status bar.  Screenshots of the
review and the conflict list go to $EXCHANGE_SHOTS when it is set."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from exchange_fixtures import PASSPHRASE, build_office
from foundation_fixtures import isolated_settings  # noqa: F401 - fixture
from PySide6.QtCore import QItemSelectionModel, Qt

from kyosai_desktop.services import exchange
from kyosai_desktop.services.context import open_context
from kyosai_desktop.ui.main_window import MainWindow

SHOTS = os.environ.get("EXCHANGE_SHOTS")


def shot(widget, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        widget.grab().save(str(Path(SHOTS) / f"{name}.png"))


@pytest.fixture
def office_and_laptop(tmp_path):
    office, laptop = tmp_path / "office.sqlite3", tmp_path / "laptop.sqlite3"
    build_office(office)
    return office, laptop


def window_on(path: Path, qtbot) -> MainWindow:
    win = MainWindow(open_context(path))
    qtbot.addWidget(win)
    win.show()
    return win


def test_checkout_export_import_and_settle_in_the_window(
    office_and_laptop, tmp_path, qtbot, prompts, isolated_settings, app_font
):  # noqa: F811
    office, laptop = office_and_laptop
    prompts.answers["passphrase"] = PASSPHRASE
    win = window_on(office, qtbot)
    assert not win.export_changes_action.isEnabled() and win.checkout_action.isEnabled()
    assert "持ち出し用コピー" not in win.windowTitle()
    info = win.exchange.checkout(tmp_path / "copy.kyosai")
    assert info is not None and (tmp_path / "copy.kyosai").exists()
    assert [k for k, *_ in prompts].count("passphrase") == 2  # set, then confirmed

    # the laptop: an empty database opens the copy from the same menu item
    lap = window_on(laptop, qtbot)
    prompts.clear()
    assert lap.exchange.import_package(tmp_path / "copy.kyosai")["refreshed"] is False
    assert "【持ち出し用コピー】" in lap.windowTitle()
    assert lap.exchange_label.text().startswith(
        "持ち出し用コピー 未送信の変更 0 件 · 最終やり取り "
    )
    ctx = lap.ctx
    union = ctx.unions.list()[0]
    p = ctx.products.resolve("団生")
    old = ctx.results.get(union.id, p.id, "2024-06")
    ctx.results.set(union.id, p.id, "2024-06", 91)
    ctx.results.set(union.id, p.id, "2024-11", 5)
    lap.update_title()
    assert "未送信の変更 2 件" in lap.exchange_label.text()
    shot(lap, "exchange_laptop_window")
    assert lap.exchange.export(tmp_path / "changes.kyosai") is not None
    assert "未送信の変更 0 件" in lap.exchange_label.text()

    # the office changed the same cell: a conflict; the other cell is applied
    win.ctx.results.set(union.id, p.id, "2024-06", 77)
    seen = {}

    def review(dialog):
        seen["review"] = dialog.summary_text()
        shot(dialog, "exchange_review")
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
        return True

    def settle(dialog):
        seen["conflicts"] = dialog.model.rowCount()
        shot(dialog, "exchange_conflicts")
        dialog.view.selectionModel().select(
            dialog.model.index(0, 0),
            QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
        )
        qtbot.mouseClick(dialog.take_laptop, Qt.MouseButton.LeftButton)
        seen["after"] = dialog.model.rowCount()
        return False

    answers = iter([review, settle])
    prompts.answers["dialog"] = lambda d: next(answers)(d)
    res = win.exchange.import_package(tmp_path / "changes.kyosai")
    assert res is not None and (res["applied"], res["conflicts"]) == (1, 1)
    assert "競合 1 件" in seen["review"] and "2024-11" in seen["review"]
    assert "事務所 77 / ノートPC 91" in seen["review"]
    assert (seen["conflicts"], seen["after"]) == (1, 0)
    assert win.ctx.results.get(union.id, p.id, "2024-06") == 91  # laptop's taken
    assert win.ctx.results.get(union.id, p.id, "2024-11") == 5
    assert old != 91
    history = win.ctx.audit.history("results", f"{union.id}:{p.id}:2024-11")
    assert history[-1].source.startswith("exchange:")


def test_wrong_passphrase_is_a_message_and_nothing_changes(
    office_and_laptop, tmp_path, qtbot, prompts, isolated_settings
):  # noqa: F811
    office, laptop = office_and_laptop
    ctx = open_context(office)
    exchange.checkout(ctx.conn, tmp_path / "copy.kyosai", PASSPHRASE)
    ctx.close()
    exchange.open_copy(laptop, tmp_path / "copy.kyosai", PASSPHRASE)
    exchange.export_changes(laptop, tmp_path / "changes.kyosai", PASSPHRASE)
    win = window_on(office, qtbot)
    prompts.answers["passphrase"] = "wrong passphrase"
    assert win.exchange.import_package(tmp_path / "changes.kyosai") is None
    kinds = [k for k, *_ in prompts]
    assert "critical" in kinds and "dialog" not in kinds
    assert any("パスフレーズが違います" in text for k, _t, text in prompts if k == "critical")
    assert win.ctx.conn.execute("SELECT count(*) FROM exchange_imports").fetchone()[0] == 0


def test_laptop_refresh_keeps_unsent_changes_and_lists_the_conflict(
    office_and_laptop, tmp_path, qtbot, prompts, isolated_settings
):  # noqa: F811
    office, laptop = office_and_laptop
    ctx = open_context(office)
    exchange.checkout(ctx.conn, tmp_path / "copy.kyosai", PASSPHRASE)
    ctx.close()
    exchange.open_copy(laptop, tmp_path / "copy.kyosai", PASSPHRASE)
    lap = window_on(laptop, qtbot)
    union = lap.ctx.unions.list()[2]
    p = lap.ctx.products.resolve("団生")
    lap.ctx.unions.update(union.id, members=321)
    lap.ctx.results.set(union.id, p.id, "2025-03", 6)
    ctx = open_context(office)
    ctx.unions.update(union.id, members=123)
    exchange.checkout(ctx.conn, tmp_path / "copy2.kyosai", PASSPHRASE)
    ctx.close()
    prompts.answers["passphrase"] = PASSPHRASE
    seen = {}

    def conflicts(dialog):
        seen["rows"] = [dialog.model.text(c, col) for c in dialog.model.rows for col in (4, 6)]
        return False

    prompts.answers["dialog"] = conflicts
    res = lap.exchange.import_package(tmp_path / "copy2.kyosai")
    assert res["refreshed"] and res["conflicts"] == 1
    assert any(k == "confirm" for k, *_ in prompts)
    assert seen["rows"] == ["123", "321"]
    assert lap.ctx.results.get(union.id, p.id, "2025-03") == 6  # unsent, kept
    assert lap.ctx.unions.get(union.id).members == 123  # the office's until settled
    assert "未解決の競合 1 件" in lap.exchange_label.text()
    assert "【持ち出し用コピー】" in lap.windowTitle()


def test_changes_to_records_the_office_deleted_are_listed_and_taken_back(
    office_and_laptop, tmp_path, qtbot, prompts, isolated_settings, app_font
):  # noqa: F811
    office, laptop = office_and_laptop
    visit = "2024年度 訪問キャンペーン"
    ctx = open_context(office)
    ctx.campaigns.add(visit, "見積りキャンペーン")
    exchange.checkout(ctx.conn, tmp_path / "copy.kyosai", PASSPHRASE)
    ctx.close()
    exchange.open_copy(laptop, tmp_path / "copy.kyosai", PASSPHRASE, label="ノートPC1")
    ctx = open_context(laptop)
    u1, u4 = ctx.unions.find("05", "001").id, ctx.unions.find("05", "004").id
    p = ctx.products.resolve("団生").id
    est = ctx.estimates.add(
        ctx.campaigns.find(visit).id,
        u1,
        name="訪問先の依頼者",
        other_premium=6100,
        jichiro_premium=4100,
        payment="年",
    ).id
    ctx.results.set(u4, p, "2024-10", 3)
    ctx.results.set(u1, p, "2024-11", 8)
    ctx.close()
    exchange.export_changes(laptop, tmp_path / "changes.kyosai", PASSPHRASE)

    win = window_on(office, qtbot)
    win.ctx.campaigns.delete(win.ctx.campaigns.find(visit).id)
    with win.ctx.conn:  # a merger done outside the app (it has no union deletion)
        win.ctx.conn.execute("DELETE FROM unions WHERE id = ?", (u4,))
    prompts.answers["passphrase"] = PASSPHRASE
    seen: dict = {}

    def review(dialog):
        seen["review"] = dialog.summary_text()
        shot(dialog, "exchange_orphans_review")
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
        return True

    def settle(dialog):
        model = dialog.model
        seen["rows"] = [[model.text(c, col) for col in range(9)] for c in model.rows]
        shot(dialog, "exchange_orphans_conflicts")
        row = next(i for i, c in enumerate(model.rows) if c.table == "estimates")
        dialog.view.selectionModel().select(
            model.index(row, 0),
            QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
        )
        qtbot.mouseClick(dialog.take_laptop, Qt.MouseButton.LeftButton)
        seen["after"] = [c.table for c in dialog.model.rows]
        return False

    answers = iter([review, settle])
    prompts.answers["dialog"] = lambda d: next(answers)(d)
    res = win.exchange.import_package(tmp_path / "changes.kyosai")
    assert res is not None and res["conflicts"] == 3
    assert "キャンペーン「2024年度 訪問キャンペーン」 は事務所で削除されています" in seen["review"]
    assert "単組 05-004 第4市職員労働組合 は事務所で削除されています" in seen["review"]
    assert win.ctx.results.get(u1, p, "2024-11") == 8  # the rest arrived
    results_row = next(r for r in seen["rows"] if r[1] == "月次実績")
    assert results_row[2] == "05-004 第4市職員労働組合 (削除済み) 団体生命共済 2024-10"
    assert results_row[4] == "(削除: 単組 05-004 第4市職員労働組合)"
    assert results_row[6] == "3" and results_row[8] == "事務所で削除された記録への変更"
    assert len(seen["rows"]) == 3
    # the estimate was taken back: its campaign re-created, the other two still listed
    assert sorted(seen["after"]) == ["estimate_campaign_unions", "results"]
    got = win.ctx.conn.execute(
        "SELECT c.name, e.name FROM estimates e JOIN estimate_campaigns c ON c.id = e.campaign_id"
        " WHERE e.id = ?",
        (est,),
    ).fetchall()
    assert [tuple(r) for r in got] == [(visit, "訪問先の依頼者")]


def test_a_refused_take_is_a_message_and_nothing_changes(
    office_and_laptop, tmp_path, qtbot, prompts, isolated_settings, app_font
):  # noqa: F811
    office, laptop = office_and_laptop
    visit = "2024年度 訪問キャンペーン"
    ctx = open_context(office)
    ctx.campaigns.add(visit, "見積りキャンペーン")
    exchange.checkout(ctx.conn, tmp_path / "copy.kyosai", PASSPHRASE)
    ctx.close()
    exchange.open_copy(laptop, tmp_path / "copy.kyosai", PASSPHRASE, label="ノートPC1")
    ctx = open_context(laptop)
    ctx.campaigns.delete(ctx.campaigns.find(visit).id)  # empty on the laptop
    ctx.close()
    exchange.export_changes(laptop, tmp_path / "changes.kyosai", PASSPHRASE)

    win = window_on(office, qtbot)
    u1 = win.ctx.unions.find("05", "001").id
    win.ctx.estimates.add(
        win.ctx.campaigns.find(visit).id,
        u1,
        name="事務所の依頼者",
        other_premium=5000,
        jichiro_premium=4000,
        payment="月",
    )
    prompts.answers["passphrase"] = PASSPHRASE
    seen: dict = {}

    def review(dialog):
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
        return True

    def settle(dialog):
        seen["before"] = dump_tables(win.ctx.conn)
        dialog.view.selectionModel().select(
            dialog.model.index(0, 0),
            QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
        )
        qtbot.mouseClick(dialog.take_laptop, Qt.MouseButton.LeftButton)
        seen["rows"] = [[dialog.model.text(c, col) for col in range(9)] for c in dialog.model.rows]
        seen["after"] = dump_tables(win.ctx.conn)
        shot(dialog, "exchange_refused_take")
        return False

    answers = iter([review, settle])
    prompts.answers["dialog"] = lambda d: next(answers)(d)
    res = win.exchange.import_package(tmp_path / "changes.kyosai")
    assert res is not None and res["conflicts"] == 1
    (row,) = seen["rows"]  # still listed
    assert (
        row[1:4] == ["キャンペーン", visit, "記録"] and row[6] == "(削除 — 事務所に見積り 1 件あり)"
    )
    assert seen["after"] == seen["before"]
    (message,) = [text for k, _t, text in prompts if k == "critical"]
    assert "見積り 1 件" in message and "何も変更していません" in message
    assert win.ctx.campaigns.find(visit) is not None


def dump_tables(conn) -> list:
    return [
        conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall()
        for t in ("estimate_campaigns", "estimates", "estimate_campaign_unions", "audit")
        + ("exchange_conflicts",)
    ]


def test_laptop_refresh_lists_an_estimate_whose_campaign_the_office_deleted(
    office_and_laptop, tmp_path, qtbot, prompts, isolated_settings, app_font
):  # noqa: F811
    office, laptop = office_and_laptop
    visit = "2024年度 訪問キャンペーン"
    ctx = open_context(office)
    ctx.campaigns.add(visit, "見積りキャンペーン")
    exchange.checkout(ctx.conn, tmp_path / "copy.kyosai", PASSPHRASE)
    ctx.close()
    exchange.open_copy(laptop, tmp_path / "copy.kyosai", PASSPHRASE, label="ノートPC1")
    lap = window_on(laptop, qtbot)
    u2 = lap.ctx.unions.find("05", "002").id
    est = lap.ctx.estimates.add(
        lap.ctx.campaigns.find(visit).id,
        u2,
        name="持ち出し中の依頼者",
        other_premium=7000,
        jichiro_premium=5000,
        payment="年",
    ).id
    ctx = open_context(office)
    ctx.campaigns.delete(ctx.campaigns.find(visit).id)
    exchange.checkout(ctx.conn, tmp_path / "copy2.kyosai", PASSPHRASE)
    ctx.close()
    prompts.answers["passphrase"] = PASSPHRASE
    seen: dict = {}

    def conflicts(dialog):
        model = dialog.model
        seen["rows"] = [[model.text(c, col) for col in range(9)] for c in model.rows]
        shot(dialog, "exchange_orphans_laptop")
        row = next(i for i, c in enumerate(model.rows) if c.table == "estimates")
        dialog.view.selectionModel().select(
            model.index(row, 0),
            QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
        )
        qtbot.mouseClick(dialog.take_laptop, Qt.MouseButton.LeftButton)
        return False

    prompts.answers["dialog"] = conflicts
    res = lap.exchange.import_package(tmp_path / "copy2.kyosai")
    assert res["refreshed"] and res["conflicts"] == 2
    est_row = next(r for r in seen["rows"] if r[1] == "見積り")
    assert est_row[2] == f"{visit} (削除済み) 05-002 No.1"
    assert est_row[4] == f"(削除: キャンペーン「{visit}」)"
    assert "持ち出し中の依頼者" in est_row[6]
    joined = next(r for r in seen["rows"] if r[1] == "キャンペーン")
    assert joined[2] == f"{visit} (削除済み) 05-002" and joined[6] == "参加単組に登録"
    # taken back on the laptop: the campaign under the laptop's own id, one conflict left
    camp = lap.ctx.conn.execute(
        "SELECT c.id, c.name FROM estimates e JOIN estimate_campaigns c ON c.id = e.campaign_id"
        " WHERE e.id = ?",
        (est,),
    ).fetchone()
    assert camp[0] < 0 and camp[1] == visit
    lap.update_title()
    assert "未解決の競合 1 件" in lap.exchange_label.text()
