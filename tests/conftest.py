"""Shared fixtures: offscreen Qt, a fresh temporary database per test, prompt capture."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from kyosai_desktop.services.context import AppContext, open_context  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def _qapplication(qapp):
    """One QApplication for the whole run, made before anything renders.

    The paper renderers only need a QGuiApplication and make one if none exists; widgets
    need a QApplication, and Qt allows one application object per process.
    """
    return qapp


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "branch.sqlite3"


@pytest.fixture
def ctx(db_path) -> AppContext:
    context = open_context(db_path)
    context.settings.set_branch("05")
    yield context
    context.close()


class PromptLog(list):
    """Recorded prompts as (kind, title, text); ``answers[kind]`` sets the reply for a kind."""

    def __init__(self) -> None:
        super().__init__()
        self.answers: dict[str, object] = {}


@pytest.fixture
def prompts(monkeypatch):
    """Answer every prompt automatically; the list records (kind, title, text)."""
    from kyosai_desktop.ui.shared import interaction

    log = PromptLog()
    monkeypatch.setattr(interaction, "LOG", log)
    monkeypatch.setattr(interaction, "AUTO", lambda kind, title, text: log.answers.get(kind, True))
    return log


@pytest.fixture
def app_font(qapp):
    from kyosai_desktop.render.fonts import install_app_font

    return install_app_font(qapp)
