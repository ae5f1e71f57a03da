"""Production code never asks whether it runs under a test, and long work never spins the loop.

Prompts and dialogs open through one seam (``ui/shared/interaction``) that tests replace;
long work runs on the runner (``ui/shared/runner``) — no ``processEvents`` loop and no
nested ``QEventLoop`` anywhere in the package.
"""

from __future__ import annotations

import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "kyosai_desktop"
FORBIDDEN = {
    "a processEvents loop": re.compile(r"processEvents\s*\("),
    "a nested event loop": re.compile(r"\bQEventLoop\b"),
    "a test switch in the seam": re.compile(r"interaction\.AUTO\b|\bAUTO\s*[:=]"),
    "a question whether tests run": re.compile(
        r"PYTEST_CURRENT_TEST|[\"']pytest[\"']\s+in\s+sys\.modules|\bqtbot\b"
    ),
    "a direct modal exec": re.compile(r"(?<!app)\.exec\(\)"),
}
ALLOWED_EXEC = {"ui/shared/interaction.py", "ui/app.py"}  # the seam itself; the application loop


def offences() -> list[str]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for what, pattern in FORBIDDEN.items():
                if what == "a direct modal exec" and rel in ALLOWED_EXEC:
                    continue
                if pattern.search(line):
                    found.append(f"{rel}:{n}: {what}: {line.strip()}")
    return found


def test_no_test_branches_no_event_loop_spinning_no_direct_modal_dialogs():
    assert offences() == []


def test_the_check_finds_what_it_forbids(tmp_path, monkeypatch):
    bad = tmp_path / "kyosai_desktop" / "ui"
    bad.mkdir(parents=True)
    (bad / "x.py").write_text(
        "if interaction.AUTO is None:\n    dialog.exec()\nQApplication.processEvents()\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(__import__(__name__), "PACKAGE", tmp_path / "kyosai_desktop")
    assert [o.split(": ")[1] for o in offences()] == [
        "a test switch in the seam",
        "a direct modal exec",
        "a processEvents loop",
    ]
