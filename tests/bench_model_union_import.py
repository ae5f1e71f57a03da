"""Benchmark: the HQ-sheet import of 3,000 unions against a plain openpyxl read-only pass (issue 14).

    .venv/bin/python tests/bench_model_union_import.py [--unions 3000] [--runs 3]

Both sides are whole processes started the same way, with bytecode already compiled (one
warm-up run of each first), and timed alternately; the medians and their ratio are printed.

* floor — ``python -c`` that opens the sheet with ``openpyxl.load_workbook(read_only=True,
  data_only=True)`` and reads every row's values: what any import must at least do with openpyxl;
* ours — ``kyosai --db COPY import model-unions SHEET --fy 2024``: read (python-calamine), check
  every derived figure, write every designation, count and audit row, commit — into a fresh copy
  of an initialised database each run.

Goal: ours ≤ 0.6 × floor.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
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


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True)
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
    from tests.model_union_fixtures import generated_units, write_sheet

    work = Path(tempfile.mkdtemp(prefix="bench_mu_import_"))
    try:
        sheet = write_sheet(work / "hq_national.xlsx", generated_units(args.unions))
        base = work / "base.sqlite3"
        ctx = open_context(base)
        ctx.settings.set_branch("13")
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

        def floor() -> float:
            return timed([py, "-c", FLOOR, str(sheet)])

        def calamine() -> float:
            return timed([py, "-c", CALAMINE, str(sheet)])

        ours(-1)
        floor()  # warm-up: bytecode compiled, files in the page cache
        calamine()
        floors, imports, readers = [], [], []
        for i in range(args.runs):
            floors.append(floor())
            imports.append(ours(i))
            readers.append(calamine())
        f, o, c = (statistics.median(x) for x in (floors, imports, readers))

        def runs(xs: list[float]) -> str:
            return ", ".join(f"{x:.2f}" for x in xs)

        print(f"  openpyxl read-only pass (floor)      {f:7.2f} s   runs {runs(floors)}")
        print(f"  python-calamine read pass            {c:7.2f} s   runs {runs(readers)}")
        print(f"  kyosai import model-unions (whole)   {o:7.2f} s   runs {runs(imports)}")
        print(f"  ratio calamine pass / floor          {c / f:7.2f}")
        print(
            f"  ratio import / floor                 {o / f:7.2f}    goal ≤ 0.60 {'OK' if o / f <= 0.6 else 'NOT MET'}"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
