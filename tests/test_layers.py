"""One import direction: ui → render → services → store → domain.

Only ui/ imports widgets; render/ (paper and PDF) may use QtCore/QtGui, never QtWidgets;
domain/, store/ and services/ import no Qt at all, and the CLI never imports ui/.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "kyosai_desktop"
# layer -> packages it must never import
FORBIDDEN = {
    "domain": (
        "PySide6",
        "kyosai_desktop.store",
        "kyosai_desktop.services",
        "kyosai_desktop.ui",
        "kyosai_desktop.cli",
        "sqlite3",
        "sqlite_utils",
    ),
    "store": ("PySide6", "kyosai_desktop.services", "kyosai_desktop.ui", "kyosai_desktop.cli"),
    "services": ("PySide6", "kyosai_desktop.render", "kyosai_desktop.ui", "kyosai_desktop.cli"),
    "render": (
        "PySide6.QtWidgets",
        "PySide6.QtPrintSupport",
        "kyosai_desktop.ui",
        "kyosai_desktop.cli",
    ),
    "cli": ("kyosai_desktop.ui",),
}


# The one permitted crossing: `kyosai` with no subcommand starts the GUI.
ALLOWED = {("cli/__init__.py", "kyosai_desktop.ui.app")}


def imports_of(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports(layer):
    bad = []
    for path in sorted((PKG / layer).rglob("*.py")):
        for name in imports_of(path):
            if (str(path.relative_to(PKG)), name) in ALLOWED:
                continue
            if any(name == f or name.startswith(f + ".") for f in FORBIDDEN[layer]):
                bad.append(f"{path.relative_to(PKG)} imports {name}")
    assert not bad, "\n".join(bad)


def test_pyside_only_in_ui():
    offenders = [
        str(p.relative_to(PKG))
        for p in PKG.rglob("*.py")
        if p.relative_to(PKG).parts[0] not in ("ui", "render", "cli")
        and any(n.split(".")[0] == "PySide6" for n in imports_of(p))
    ]
    assert not offenders, offenders
