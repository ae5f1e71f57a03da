"""``kyosai import model-unions`` starts calamine on the sheet before the rest of the command
loads: file_reading and sheet_reader import only what reading needs, so the modules the
import itself uses (dataclasses, typing, pathlib, zipfile, csv, datetime …) load while
calamine reads (tests/bench_model_union_import.py; each is milliseconds before it could start)."""

from __future__ import annotations

import os
import subprocess
import sys

from kyosai_desktop.cli import main
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
    run = subprocess.run(
        [
            sys.executable,
            "-X",
            "importtime",
            "-c",
            "import sys; from kyosai_desktop.cli import main; sys.exit(main(sys.argv[1:]))",
            *["--db", str(db), "import", "model-unions", str(sheet), "--fy", "2024"],
        ],
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
        timeout=120,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    order = [  # modules in the order their import finished
        line.rsplit("|", 1)[1].strip()
        for line in run.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    ]
    started = order.index("python_calamine")  # imported just before its thread starts
    assert order.index("kyosai_desktop.services.file_reading") < started
    for module in LATER:  # loaded after calamine started, if at all
        assert module not in order[:started], module
    assert {"dataclasses", "typing", "decimal"} <= set(order[started:])
