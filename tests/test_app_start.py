"""Start-up: Qt's own Japanese strings, headless fallback, a refused database message."""

from __future__ import annotations

from PySide6.QtWidgets import QDialogButtonBox

from kyosai_desktop.ui import app as app_module


def test_standard_buttons_read_in_japanese(qapp):
    translators = app_module.install_translations(qapp)
    try:
        assert translators, "qtbase_ja が見つかりません"
        box = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        assert box.button(QDialogButtonBox.StandardButton.Cancel).text() == "キャンセル"
    finally:
        for t in translators:
            qapp.removeTranslator(t)


def test_headless_linux_falls_back_to_offscreen(capsys):
    env: dict[str, str] = {}
    assert app_module.choose_platform(env, "linux") == "offscreen"
    assert env["QT_QPA_PLATFORM"] == "offscreen"
    assert "offscreen" in capsys.readouterr().err
    assert app_module.choose_platform({"DISPLAY": ":0"}, "linux") is None
    assert app_module.choose_platform({}, "win32") is None
    assert app_module.choose_platform({"QT_QPA_PLATFORM": "xcb"}, "linux") == "xcb"


def test_newer_database_shows_japanese_message_and_opens_nothing(tmp_path, prompts, qapp):
    import sqlite3

    path = tmp_path / "newer.sqlite3"
    con = sqlite3.connect(path)
    con.execute("PRAGMA user_version = 999")
    con.close()
    before = path.read_bytes()
    prompts.answers["dialog"] = False  # the start-up dialog: 終了
    assert app_module.open_main_window(path) is None
    kind, title, text = prompts[-1]
    assert kind == "dialog" and "新しい" in text
    assert path.read_bytes() == before
