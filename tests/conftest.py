"""Shared fixtures: offscreen Qt, a fresh temporary database per test, prompt capture."""

from __future__ import annotations

import os
from pathlib import Path

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
def pw(tmp_path):
    """A passphrase file for the exchange commands (``--passphrase-file``)."""
    from exchange_fixtures import PASSPHRASE

    path = tmp_path / "pw.txt"
    path.write_text(PASSPHRASE + "\n", encoding="utf-8")
    return path


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
    """Recorded prompts as (kind, title, text); ``answers[kind]`` sets the reply for a kind.

    A dialog (kind "dialog") is really shown; a callable answer gets it and drives it — press
    its buttons with qtbot — and a dialog it leaves open is accepted when the answer returns
    a true value.  Without an answer a dialog is accepted, as if its default OK were pressed.
    A callable answer to "confirm" gets the question's text and returns the reply.
    """

    def __init__(self) -> None:
        super().__init__()
        self.answers: dict[str, object] = {}
        self.dialogs: list = []
        self.choices: tuple[list[str], str | None] | None = (
            None  # the last choose(): items, current
        )


def _recording_interaction(log: PromptLog):
    from PySide6.QtWidgets import QDialog

    from kyosai_desktop.ui.shared.interaction import Interaction

    class Recording(Interaction):
        def _ask(self, kind: str, title: str, text: str) -> object:
            log.append((kind, title, text))
            return log.answers.get(kind, True)

        def information(self, parent, title, text):
            self._ask("information", title, text)

        def warning(self, parent, title, text):
            self._ask("warning", title, text)

        def critical(self, parent, title, text):
            self._ask("critical", title, text)

        def confirm(self, parent, title, text):
            answer = self._ask("confirm", title, text)
            return bool(answer(text) if callable(answer) else answer)

        def open_file(self, parent, title, filters):
            answer = self._ask("open_file", title, filters)
            return Path(answer) if answer else None  # type: ignore[arg-type]

        def save_file(self, parent, title, suggested, filters):
            answer = self._ask("save_file", title, suggested)
            return Path(answer) if answer else None  # type: ignore[arg-type]

        def choose(self, parent, title, text, items, current=None):
            log.append(("choose", title, text))
            log.choices = (list(items), current)
            answer = log.answers.get("choose", current)
            return answer(items) if callable(answer) else answer

        def passphrase(self, parent, title, text):
            answer = self._ask("passphrase", title, text)
            return answer if isinstance(answer, str) else None

        def exec_dialog(self, dialog):
            text = dialog.summary_text() if hasattr(dialog, "summary_text") else ""
            answer = self._ask("dialog", dialog.windowTitle(), text)
            log.dialogs.append(dialog)
            dialog.show()
            if callable(answer):
                answer = answer(dialog)
            if dialog.isVisible():  # the answer did not press a button that closes it
                dialog.done(QDialog.DialogCode.Accepted if answer else QDialog.DialogCode.Rejected)
            return dialog.result() == QDialog.DialogCode.Accepted

    return Recording()


@pytest.fixture
def prompts(qapp):
    """Answer every prompt automatically; the list records (kind, title, text)."""
    from kyosai_desktop.ui.shared import interaction

    log = PromptLog()
    previous = interaction.install(_recording_interaction(log))
    yield log
    interaction.install(previous)
    for dialog in log.dialogs:
        dialog.close()


@pytest.fixture
def app_font(qapp):
    from kyosai_desktop.render.fonts import install_app_font

    return install_app_font(qapp)
