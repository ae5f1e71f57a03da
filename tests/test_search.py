"""Global search: the FTS5 trigram index kept by triggers, and what anonymising leaves in it."""

from __future__ import annotations

import sqlite3

import pytest
from foundation_fixtures import isolated_settings  # noqa: F401 - fixture
from PySide6.QtCore import Qt

from kyosai_desktop.services.estimate_privacy import anonymise_campaign


@pytest.fixture
def data(ctx):
    sendai = ctx.unions.add("05", "001", "仙台市職員労働組合", members=4210)
    hospital = ctx.unions.add("05", "002", "宮城県立病院労働組合", members=900)
    other = ctx.unions.add("03", "017", "青森市職員労働組合")
    camp = ctx.campaigns.add(
        "2024年度 単組執行部見積り強化月間",
        "単組執行部見積り強化月間",
        period_from="2024-10-01",
        period_to="2024-12-26",
        note="県本部と共同",
    )
    est = ctx.estimates.add(camp.id, sendai.id, name="山田太郎", car="アクセラ", notes="車検が近い")
    ctx.estimates.add(camp.id, hospital.id, name="佐藤花子", car="ハリアー")
    return sendai, hospital, other, camp, est


def titles(ctx, query):
    return [(h.kind, h.title) for h in ctx.search.search(query)]


def test_finds_a_union_by_part_of_its_name_or_its_code(ctx, data):
    assert titles(ctx, "仙台市") == [("union", "05-001 仙台市職員労働組合")]
    assert titles(ctx, "病院") == [("union", "05-002 宮城県立病院労働組合")]  # two characters: LIKE
    assert [t for _k, t in titles(ctx, "職員労働")] == [
        "05-001 仙台市職員労働組合",
        "03-017 青森市職員労働組合",
    ]
    assert titles(ctx, "05-002") == [("union", "05-002 宮城県立病院労働組合")]
    assert titles(ctx, "職員 青森") == [
        ("union", "03-017 青森市職員労働組合")
    ]  # every word must occur
    hit = ctx.search.search("青森市")[0]
    assert hit.detail == "青森" and hit.kind_label == "単組"


def test_finds_an_estimate_by_the_persons_name_car_or_note(ctx, data):
    _s, _h, _o, camp, est = data
    hits = ctx.search.search("山田")
    assert [(h.kind, h.ref, h.title) for h in hits] == [("estimate", est.id, "山田太郎")]
    assert hits[0].detail == f"{camp.name} · 05-001 仙台市職員労働組合 No.1 · アクセラ · 依頼受付"
    assert titles(ctx, "ハリアー") == [("estimate", "佐藤花子")]
    assert titles(ctx, "車検が") == [("estimate", "山田太郎")]
    assert titles(ctx, "強化月間") == [("campaign", camp.name)]
    assert titles(ctx, "県本部と") == [("campaign", camp.name)]


def test_the_index_follows_every_edit_and_deletion(ctx, data):
    sendai, _h, _o, camp, est = data
    ctx.unions.update(sendai.id, name="仙台市役所職員組合")
    assert titles(ctx, "仙台市職員") == [] and titles(ctx, "市役所") == [
        ("union", "05-001 仙台市役所職員組合")
    ]
    ctx.estimates.update(est.id, name="鈴木一郎")
    assert titles(ctx, "山田") == [] and titles(ctx, "鈴木一郎") == [("estimate", "鈴木一郎")]
    ctx.estimates.delete(est.id)
    assert titles(ctx, "鈴木") == []
    assert titles(ctx, "") == [] and titles(ctx, "   ") == []
    assert titles(ctx, '"山田 OR') == []  # FTS syntax is text
    assert titles(ctx, "100%") == [] and titles(ctx, "_") == []  # LIKE wildcards too


def test_anonymising_leaves_no_name_in_the_index_or_its_segments(ctx, data, db_path):
    _s, _h, _o, camp, _e = data
    ctx.estimates.delete(ctx.search.search("佐藤花子")[0].ref)  # a deleted row's terms too
    assert anonymise_campaign(ctx, camp.id) == 1
    assert titles(ctx, "山田") == [] and titles(ctx, "佐藤") == [] and titles(ctx, "アクセラ") == []
    assert titles(ctx, "強化月間") == [("campaign", camp.name)]  # aggregates stay findable
    assert [h.title for h in ctx.search.search("執行部") if h.kind == "estimate"] == []
    con = sqlite3.connect(db_path)
    shadow = b"".join(
        bytes(r[0]) for r in con.execute("SELECT block FROM search_index_data") if r[0]
    )
    content = " ".join(str(r) for r in con.execute("SELECT * FROM search_index_content"))
    con.close()
    for name in ("山田", "佐藤", "アクセラ", "ハリアー", "車検"):
        assert name.encode() not in shadow and name not in content
    raw = db_path.read_bytes()
    for name in ("山田太郎", "佐藤花子"):
        assert name.encode() not in raw


def test_existing_records_are_indexed_by_the_migration(ctx):
    from kyosai_desktop.store.migrations import available_migrations

    ctx.unions.add("05", "001", "仙台市職員労働組合")
    migration = next(m for m in available_migrations() if m.path.name.endswith("_search.sql"))
    for (trigger,) in ctx.conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'search%'"
    ).fetchall():
        ctx.conn.execute(f"DROP TRIGGER {trigger}")
    ctx.conn.execute("DROP TABLE search_index")  # the database as it was before the migration
    ctx.conn.executescript(migration.sql())
    assert titles(ctx, "仙台") == [("union", "05-001 仙台市職員労働組合")]
    ctx.unions.add("05", "002", "仙台市立病院労働組合")
    assert len(titles(ctx, "仙台")) == 2


# ------------------------------------------------------------------ the window


@pytest.fixture
def window(ctx, data, qtbot, isolated_settings):  # noqa: F811
    from kyosai_desktop.ui.main_window import MainWindow

    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.show()
    win.restore_last_page()
    qtbot.waitExposed(win)
    return win


def _search(window, qtbot, text):
    qtbot.waitUntil(window.isActiveWindow)  # window shortcuts need their window active
    qtbot.keyClick(
        window,
        Qt.Key.Key_F,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    dialog = window.search_dialog
    assert dialog.isVisible() and dialog.focusWidget() is dialog.edit
    dialog.edit.clear()
    dialog.edit.insert(text)  # Japanese arrives through the input method, not key by key
    assert dialog._timer.isActive()  # results follow the typing after a short pause
    qtbot.waitUntil(lambda: not dialog._timer.isActive())
    return dialog


def test_search_jumps_to_the_union_in_monthly_entry(window, qtbot, data):
    sendai = data[0]
    dialog = _search(window, qtbot, "仙台市")
    assert [h.title for h in dialog.hits()] == ["05-001 仙台市職員労働組合"]
    qtbot.keyClick(dialog.edit, Qt.Key.Key_Return)
    assert not dialog.isVisible()
    page = window.pages["entry"]
    assert window.current_page_key() == "entry"
    assert page.current_panel() is page.union_panel and page.union_panel.union_id == sendai.id


def test_search_jumps_to_an_estimate_by_the_persons_name(window, qtbot, data):
    _s, _h, _o, camp, est = data
    dialog = _search(window, qtbot, "山田")
    assert [(h.kind, h.title) for h in dialog.hits()] == [("estimate", "山田太郎")]
    qtbot.keyClick(dialog.edit, Qt.Key.Key_Return)
    page = window.pages["estimates"]
    assert window.current_page_key() == "estimates" and page.campaign_id == camp.id
    assert page.tabs.currentWidget() is page.list_panel
    assert page.list_panel.selected_ids() == [est.id]


def test_search_jumps_to_another_prefectures_union_in_the_master(window, qtbot, data):
    other = data[2]
    dialog = _search(window, qtbot, "青森")
    qtbot.keyClick(dialog.edit, Qt.Key.Key_Return)
    tab = window.pages["master"].union_tab
    assert window.current_page_key() == "master" and tab.all_prefs.isChecked()
    index = tab.proxy.mapToSource(tab.table.currentIndex())
    assert tab.model.rows[index.row()].id == other.id
    dialog = _search(window, qtbot, "存在しない名前")
    assert dialog.results.count() == 0 and dialog.status.text() == "見つかりませんでした。"


def test_ctrl_f_reaches_the_filter_of_the_page_in_front(window, qtbot):
    qtbot.keyClick(window, Qt.Key.Key_F6)
    window.pages["master"].tabs.setCurrentWidget(window.pages["master"].union_tab)
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.focusWidget() is window.pages["master"].union_tab.filter_edit
    qtbot.keyClick(window, Qt.Key.Key_F5)
    page = window.pages["estimates"]
    page.tabs.setCurrentWidget(page.list_panel)
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.focusWidget() is page.list_panel.filter_edit
    qtbot.keyClick(window, Qt.Key.Key_F2)  # the entry grid has no filter: the search opens
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.search_dialog.isVisible()
