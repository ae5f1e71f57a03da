"""``kyosai import model-unions`` starts calamine on the sheet before the rest of the command
loads: file_reading and sheet_reader import only what reading needs, so the modules the
import itself uses (dataclasses, typing, pathlib, zipfile, csv, datetime …) load while
calamine reads (tests/bench_model_union_import.py; each is milliseconds before it could start)."""

from __future__ import annotations

import os

from kyosai_desktop.cli import main
from tests.cli_trace import imported_in_order
from tests.model_union_fixtures import sample_units, write_sheet

LATER = (
    "dataclasses",
    "typing",
    "csv",
    "datetime",
    "xml.etree.ElementTree",
    "decimal",
    "zipfile",
    "pathlib",
)


def test_calamine_starts_before_the_import_loads_its_modules(tmp_path):
    sheet = write_sheet(tmp_path / "hq.xlsx", sample_units())
    db = tmp_path / "k.sqlite3"
    assert main(["--db", str(db), "init", "--branch", "05"]) == 0
    order = imported_in_order(  # modules in the order their import finished
        ["--db", str(db), "import", "model-unions", str(sheet), "--fy", "2024"],
        env={k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
    )
    started = order.index("python_calamine")  # imported just before its thread starts
    assert order.index("kyosai_desktop.services.file_reading") < started
    for module in LATER:  # loaded after calamine started, if at all
        assert module not in order[:started], module
    assert {"dataclasses", "typing", "decimal"} <= set(order[started:])
