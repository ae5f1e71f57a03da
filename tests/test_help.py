"""The user guide: F1 opens it on the page in front, every page and picture it links exists."""

from __future__ import annotations

import re

import pytest
from foundation_fixtures import isolated_settings  # noqa: F401 - fixture
from PySide6.QtCore import Qt

from kyosai_desktop.ui.main_window import MainWindow
from kyosai_desktop.ui.shared.help_window import PAGE_TOPICS, TOPICS, help_dir, topic_path


@pytest.fixture
def window(ctx, qtbot, isolated_settings):  # noqa: F811
    ctx.unions.add("05", "001", "仙台市職員労働組合", members=4210)
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.show()
    win.restore_last_page()
    qtbot.waitExposed(win)
    return win


def test_f1_opens_the_guide_on_the_page_in_front(window, qtbot):
    for spec in window.specs:
        qtbot.keyClick(window, getattr(Qt.Key, f"Key_{spec.shortcut}"))
        assert window.current_page_key() == spec.key
        qtbot.keyClick(window.focusWidget() or window, Qt.Key.Key_F1)
        guide = window.help_window
        assert guide.isVisible()
        assert guide.topic() == PAGE_TOPICS[spec.key]
        assert spec.title.split("・")[0] in guide.browser.toPlainText()
    assert window.findChildren(type(window.help_window)) == [
        window.help_window
    ]  # one window, reused


def test_contents_list_and_links_move_through_the_guide(window, qtbot):
    guide = window.show_help("index")
    assert guide.contents.count() == len(TOPICS)
    guide.contents.setCurrentRow([s for s, _ in TOPICS].index("backups"))
    assert guide.topic() == "backups" and "バックアップ" in guide.windowTitle()
    guide.back_button.click()
    assert guide.topic() == "index"
    guide.browser.setSource(guide.browser.source().resolved("entry.html"))
    assert guide.topic() == "entry" and guide.contents.currentItem().text().startswith("月次入力")


def test_every_topic_page_link_and_picture_exists():
    for stem, title in TOPICS:
        html = topic_path(stem).read_text(encoding="utf-8")
        assert f"<title>{title}</title>" in html, stem
        for target in re.findall(r'(?:href|src)="([^"#:]+)', html):
            assert (help_dir() / target).is_file(), f"{stem}.html -> {target}"
    for topic in PAGE_TOPICS.values():
        assert topic_path(topic).is_file()
