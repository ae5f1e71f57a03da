"""Benchmark: the HQ-sheet import of 3,000 unions against a plain openpyxl read-only pass (issue 14).

    .venv/bin/python tests/bench_model_union_import.py [--unions 3000] [--runs 3]

Both sides are whole processes started the same way, with bytecode already compiled (one
warm-up run of each first), and timed alternately; the medians and their ratio are printed.

* floor — ``python -c`` that opens the sheet with ``openpyxl.load_workbook(read_only=True,
  data_only=True)`` and reads every row's values: what any import must at least do with openpyxl;
* ours — ``kyosai --db COPY import model-unions SHEET --fy 2024``: read (python-calamine), check
  every derived figure, write every designation, count and audit row, commit — into a fresh copy
  of an initialised database each run (the first import: 3,000 unions created, ≈35,000 counts);
* the python-calamine read pass alone (whole process), for reference: the reader's share;
* the next month's import (info): the sheet HQ sends a month later (as of March: a third of the
  unions with a March figure, 1 % of earlier figures corrected) over a copy of the database the
  first import left — what a branch does every month after the first.

Goal: the first import ≤ 0.6 × floor.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FLOOR = (
    "import sys\n"
    "from openpyxl import load_workbook\n"
    "wb = load_workbook(sys.argv[1], read_only=True, data_only=True)\n"
    "rows = [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]\n"
    "wb.close()\n"
    "print(len(rows))\n"
)
# The fastest reader alone, for reference: what no import with this reader can go below.
CALAMINE = (
    "import sys\n"
    "from python_calamine import CalamineWorkbook\n"
    "with CalamineWorkbook.from_path(sys.argv[1]) as wb:\n"
    "    rows = wb.get_sheet_by_index(0).to_python(skip_empty_area=False)\n"
    "print(len(rows))\n"
)


# Both sides run with their bytecode cached, as an installed app does: an inherited
# PYTHONDONTWRITEBYTECODE would make every run compile the app's modules again.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, env=ENV)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{cmd[:4]} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--unions", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    from kyosai_desktop.services.context import open_context
    from kyosai_desktop.services.model_union_import import import_model_unions
    from tests.model_union_fixtures import generated_units, write_sheet

    work = Path(tempfile.mkdtemp(prefix="bench_mu_import_"))
    try:
        units = generated_units(args.unions)
        sheet = write_sheet(work / "hq_national.xlsx", units)
        base = work / "base.sqlite3"
        ctx = open_context(base)
        ctx.settings.set_branch("13")
        ctx.close()
        # next month: March figures for a third of the unions, a few earlier ones corrected
        rng = random.Random(11)
        later = [replace(u, counts=dict(u.counts)) for u in units]
        for u in later:
            if rng.random() < 0.35:
                u.counts["2025-03"] = rng.randint(1, 9)
            for m in list(u.counts):
                if m != "2025-03" and rng.random() < 0.01:
                    u.counts[m] += 1
        next_sheet = write_sheet(work / "hq_national_march.xlsx", later, as_of_month=3)
        imported = work / "imported.sqlite3"
        shutil.copyfile(base, imported)
        ctx = open_context(imported)
        import_model_unions(ctx, sheet, 2024)
        ctx.close()
        print(
            f"{args.unions:,} unions, {sheet.stat().st_size / 1e6:.1f} MB, {args.runs} runs each (medians)"
        )

        py = sys.executable
        kyosai = [py, "-c", "import sys; from kyosai_desktop.cli import main; sys.exit(main())"]

        def ours(i: int) -> float:
            db = work / f"run{i}.sqlite3"
            shutil.copyfile(base, db)
            return timed(
                [*kyosai, "--db", str(db), "import", "model-unions", str(sheet), "--fy", "2024"]
            )

        def monthly(i: int) -> float:
            db = work / f"month{i}.sqlite3"
            shutil.copyfile(imported, db)
            return timed(
                [
                    *kyosai,
                    "--db",
                    str(db),
                    "import",
                    "model-unions",
                    str(next_sheet),
                    "--fy",
                    "2024",
                ]
            )

        def floor() -> float:
            return timed([py, "-c", FLOOR, str(sheet)])

        def calamine() -> float:
            return timed([py, "-c", CALAMINE, str(sheet)])

        ours(-1)
        floor()  # warm-up: bytecode compiled, files in the page cache
        calamine()
        monthly(-1)
        floors, imports, readers, months = [], [], [], []
        for i in range(args.runs):
            floors.append(floor())
            imports.append(ours(i))
            readers.append(calamine())
            months.append(monthly(i))
        f, o, c, n = (statistics.median(x) for x in (floors, imports, readers, months))

        def runs(xs: list[float]) -> str:
            return ", ".join(f"{x:.2f}" for x in xs)

        print(f"  openpyxl read-only pass (floor)      {f:7.2f} s   runs {runs(floors)}")
        print(f"  python-calamine read pass            {c:7.2f} s   runs {runs(readers)}")
        print(f"  kyosai import model-unions (whole)   {o:7.2f} s   runs {runs(imports)}")
        print(f"  ratio calamine pass / floor          {c / f:7.2f}")
        print(
            f"  ratio import / floor                 {o / f:7.2f}    goal ≤ 0.60 {'OK' if o / f <= 0.6 else 'NOT MET'}"
        )
        print(f"  next month's sheet over it (info)    {n:7.2f} s   runs {runs(months)}")
        print(f"  ratio next month's import / floor    {n / f:7.2f}    (info)")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
