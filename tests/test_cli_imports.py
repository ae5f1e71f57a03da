"""No ``kyosai`` subcommand imports a library it does not use.

Each command runs in a fresh interpreter under ``python -X importtime``; the modules it
imported are read from that trace.  openpyxl (≈0.3 s) is for xlsx in and out only, Qt for
PDFs and the window only; pypdf and fontTools are test/build tools, never loaded at run time.
"""

from __future__ import annotations

import os

import pytest

from kyosai_desktop.services.model_union_import import import_model_unions
from tests.cli_trace import imported_in_order
from tests.model_union_fixtures import SAMPLE

NEVER = {"pypdf", "fontTools", "pypdfium2"}


def _imported(args: list[str], cwd) -> tuple[set[str], set[str]]:
    """(top-level packages, full module names) a command imported."""
    modules = set(
        imported_in_order(args, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"}, cwd=cwd)
    )
    names = {m.split(".")[0] for m in modules}
    assert "kyosai_desktop" in names
    return names, modules


@pytest.fixture
def loaded_db(ctx, db_path):
    import_model_unions(ctx, SAMPLE, 2024)
    ctx.close()
    return str(db_path)


@pytest.mark.parametrize(
    "command, qt, openpyxl",
    [
        (
            ["report", "union-sheets", "--fy", "2024", "--as-of", "2025-02", "--out", "s.pdf"],
            True,
            False,
        ),
        (
            ["report", "model-unions", "--fy", "2024", "--as-of", "2025-02", "--out", "t.pdf"],
            True,
            False,
        ),
        (
            ["report", "model-unions", "--fy", "2024", "--as-of", "2025-02", "--out", "t.csv"],
            False,
            False,
        ),
        (
            ["report", "branch", "--fy", "2024", "--as-of", "2025-02", "--out", "b.csv"],
            False,
            False,
        ),
        (["backup", "--out", "copy.sqlite3"], False, False),
        (
            ["report", "model-unions", "--fy", "2024", "--as-of", "2025-02", "--out", "t.xlsx"],
            False,
            True,
        ),
    ],
)
def test_subcommand_imports_only_what_it_uses(loaded_db, tmp_path, command, qt, openpyxl):
    names, modules = _imported(["--db", loaded_db, *command], tmp_path)
    assert ("PySide6" in names) == qt, sorted(names)
    assert ("openpyxl" in names) == openpyxl, sorted(names)
    assert not names & NEVER, sorted(names & NEVER)
    if not openpyxl:
        assert "PIL" not in names  # openpyxl loads Pillow when it is installed
    # our own modules of other commands: the file readers and the HQ package (their error
    # classes are imported only when such an error happens)
    for module in (
        "kyosai_desktop.services.tabular",
        "kyosai_desktop.services.report_package",
        "kyosai_desktop.services.ops.master",
    ):
        assert module not in modules, module
