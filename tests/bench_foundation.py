"""Benchmark (not collected by pytest): start-up and the branch progress view, national scale.

    .venv/bin/python tests/bench_foundation.py [--runs N]

Start-up is measured the way ``kyosai`` starts the GUI (``run_gui``: optional numpy/pandas
skipped, as in the Windows build).

1. Builds the national-scale database (tests/national_data.py: ~3,000 unions × 15 products ×
   36 months) in a temporary folder.
2. Start to a usable main window, measured in a fresh subprocess each run (offscreen): from
   the moment the parent launches the process until the main window is shown and its first
   page has painted.  Measured opening on the 月次入力 page (the default) and on the 県支部実績
   page (when it was the last page used).  Target < 1 s, and — measured in the same run, the
   runs interleaved so the machine's load falls on both alike — within 3× a bare PySide6
   window's first paint (a fresh process that imports PySide6, shows a QMainWindow with a
   label and reports its first paint the same way).
   Bytecode is cached (in the temporary folder) and the first round is a warm-up, not counted.
3. Branch progress view refresh (県支部実績, the largest branch): the report built from the
   database and redrawn in the view, as after an entry, timed to the end of one paint (the
   paint count is printed), median of ``max(runs, 10)`` after a warm-up.  Target < 200 ms.
   Floors in the same run: "SQL" (the two totals queries the report reads, alone) and "bare"
   (a plain QTableView of the same size and shape with a constant model, one paint).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

START_TARGET_S = 1.0
BARE_RATIO_TARGET = 3.0
REFRESH_TARGET_MS = 200.0

# Runs in the child process: open the real window the way ``kyosai`` does and report when the
# first page has painted (seconds since the parent's launch time, passed in argv).
CHILD = r"""
import sys, time, json
launched = float(sys.argv[1]); db = sys.argv[2]; settings_dir = sys.argv[3]; page = sys.argv[4]
from PySide6.QtCore import QEvent, QObject, QSettings, QTimer
QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, settings_dir)
from kyosai_desktop.ui.app import make_application, open_main_window, skip_unused_optional_modules
skip_unused_optional_modules()   # as run_gui() does
app = make_application()
QSettings().setValue("main/last_page", page)
t_app = time.time() - launched
window = open_main_window(db, confirm_after_paint=True)   # as run_gui() does
t_window = time.time() - launched
marks = {}

class FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and "painted" not in marks:
            marks["painted"] = time.time() - launched
            QTimer.singleShot(0, app.quit)
        return False

spy = FirstPaint()
current = window.stack.currentWidget()
for w in [current, *current.findChildren(QObject)]:
    if hasattr(w, "installEventFilter") and w.isWidgetType():
        w.installEventFilter(spy)
window.show()
marks["shown"] = time.time() - launched
app.exec()
gate = getattr(window, "startup_gate", None)
assert gate is None or gate.confirm(), "the integrity check failed"
marks["confirmed"] = time.time() - launched   # the integrity check passed: the window is usable
window.ctx.close()
print(json.dumps({"app": t_app, "window_built": t_window, "shown": marks["shown"],
                  "painted": marks.get("painted"), "confirmed": marks["confirmed"],
                  "page": window.current_page_key()}))
"""


# The floor: a bare PySide6 window, started and timed the same way.
BARE = r"""
import sys, time, json
launched = float(sys.argv[1])
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow
app = QApplication(sys.argv[:1])
t_app = time.time() - launched
window = QMainWindow()
label = QLabel("bare")
window.setCentralWidget(label)
window.resize(1280, 800)
t_window = time.time() - launched
marks = {}

class FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and "painted" not in marks:
            marks["painted"] = time.time() - launched
            QTimer.singleShot(0, app.quit)
        return False

spy = FirstPaint()
label.installEventFilter(spy)
window.show()
marks["shown"] = time.time() - launched
app.exec()
print(json.dumps({"app": t_app, "window_built": t_window, "shown": marks["shown"],
                  "painted": marks.get("painted"), "page": "bare"}))
"""


def build_db(folder: Path) -> Path:
    import national_data

    path = folder / "national.sqlite3"
    start = time.perf_counter()
    ctx = national_data.build(path)
    n_unions = ctx.conn.execute("SELECT count(*) FROM unions").fetchone()[0]
    n_cells = ctx.conn.execute("SELECT count(*) FROM results").fetchone()[0]
    ctx.close()
    print(
        f"national database: {n_unions:,} unions, {n_cells:,} result cells, "
        f"built in {time.perf_counter() - start:.1f} s"
    )
    return path


def _run_child(code: str, args: list[str], env: dict) -> dict:
    launched = time.time()
    proc = subprocess.run(
        [sys.executable, "-c", code, repr(launched), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )
    if proc.returncode != 0:
        raise SystemExit(f"start-up run failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def measure_start(db: Path, pages: list[str], runs: int, folder: Path) -> dict[str, list[dict]]:
    """Whole processes, interleaved: bare window, then each page, ``runs`` rounds (plus a warm-up)."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    # As installed (the Windows build ships compiled bytecode): cache .pyc files — in the
    # temporary folder, not the source tree — so the warm-up round compiles once.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(folder / "pycache")
    out: dict[str, list[dict]] = {"bare": [], **{p: [] for p in pages}}
    for i in range(runs + 1):  # the first round warms the OS file cache and is not counted
        bare = _run_child(BARE, [], env)
        got = {"bare": bare}
        for page in pages:
            settings_dir = folder / f"settings-{page}-{i}"
            settings_dir.mkdir()
            got[page] = _run_child(CHILD, [str(db), str(settings_dir), page], env)
        if i:
            for key, result in got.items():
                out[key].append(result)
    return out


def measure_refresh(db: Path, runs: int) -> dict:
    """The branch progress view refreshed as after an entry, to the end of one paint (medians
    after a warm-up), and its floors in the same run: the view's SQL alone and a bare table."""
    from bench_floors import bare_table_ms, median_ms, timed_paints

    from kyosai_desktop.services.branch_report import branch_progress, branch_report_table
    from kyosai_desktop.services.context import open_context
    from kyosai_desktop.services.ops import ChangeKind
    from kyosai_desktop.ui.app import make_application
    from kyosai_desktop.ui.progress.progress_page import ProgressPage
    from kyosai_desktop.ui.shared.events import DataBus, event

    app = make_application()
    ctx = open_context(db)
    branch = ctx.conn.execute(
        "SELECT pref_code FROM unions GROUP BY pref_code ORDER BY count(*) DESC LIMIT 1"
    ).fetchone()[0]
    ctx.settings.set_branch(branch)
    n_unions = len(ctx.unions.list(branch))
    page = ProgressPage(ctx, DataBus())
    page.resize(1280, 760)
    page.show()
    app.processEvents()
    latest = ctx.results.latest_month(branch)
    page.select(page.year_of(latest), latest)
    app.processEvents()
    year = ctx.fiscal_years.results_year(page.fiscal_year)
    ly_first, ly_last = year.same_period_last_year(page.as_of)

    def sql() -> None:  # the queries the report reads: this year's and last year's totals
        for first, last in ((year.first, page.as_of), (ly_first, ly_last)):
            ctx.conn.execute(
                "SELECT r.product_id, sum(r.count) FROM results r JOIN unions u ON u.id = r.union_id"
                " WHERE r.month BETWEEN ? AND ? AND u.pref_code = ? GROUP BY r.product_id",
                (first, last, branch),
            ).fetchall()

    def service() -> None:
        branch_report_table(branch_progress(ctx, page.fiscal_year, page.as_of, branch))

    table = page.view.table
    viewport = table.viewport()

    def refresh() -> None:
        page.refresh(event(ChangeKind.RESULTS))  # what an entry triggers through the data bus
        viewport.update()  # one paint, whether or not anything changed
        app.processEvents()

    floor_sql, _ = median_ms(sql, runs)
    service_ms, _ = median_ms(service, runs)
    refresh_ms, refresh_runs, paints = timed_paints(refresh, viewport, runs)
    model = table.model()
    floor_bare = bare_table_ms(app, model.rowCount(), model.columnCount(), table.size())
    ctx.close()
    return {
        "branch": branch,
        "unions": n_unions,
        "as_of": latest,
        "sql_ms": floor_sql,
        "bare_ms": floor_bare,
        "service_ms": service_ms,
        "refresh_ms": refresh_ms,
        "refresh_runs": refresh_runs,
        "paints": paints,
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    from bench_floors import Figures

    ok = True
    with tempfile.TemporaryDirectory(prefix="kyosai-bench-") as tmp:
        folder = Path(tmp)
        db = build_db(folder)
        print(
            f"\nstart to a usable main window (subprocess, offscreen, median of {args.runs}; target < {START_TARGET_S:.1f} s)"
        )
        pages = ["entry", "progress"]
        results = measure_start(db, pages, args.runs, folder)
        bare = statistics.median(r["painted"] for r in results["bare"])
        print(
            f"  bare PySide6 window    Qt ready {statistics.median(r['app'] for r in results['bare']):.3f} s · "
            f"first paint {bare:.3f} s  (the floor)"
        )
        for page in pages:
            runs = results[page]
            painted = statistics.median(r["painted"] for r in runs)
            app_ready = statistics.median(r["app"] for r in runs)
            built = statistics.median(r["window_built"] for r in runs)
            confirmed = statistics.median(r["confirmed"] for r in runs)
            ratio = painted / bare
            fast = painted < START_TARGET_S and ratio <= BARE_RATIO_TARGET
            ok &= fast
            print(
                f"  opening on {runs[0]['page']:<9} Qt ready {app_ready:.3f} s · window built {built:.3f} s · "
                f"first page painted {painted:.3f} s = {ratio:.2f}× bare (target ≤ {BARE_RATIO_TARGET:.0f}×)  "
                f"{'OK' if fast else 'SLOW'}"
            )
            print(
                f"  {'':<20} integrity check confirmed {confirmed:.3f} s = {confirmed / bare:.2f}× bare "
                "(after the first paint; no input reaches the window before)"
            )
        r = measure_refresh(db, max(args.runs, 10))
        print(
            f"\nbranch progress view refresh (branch {r['branch']}, {r['unions']} unions, as of {r['as_of']}; "
            f"median of {len(r['refresh_runs'])} after a warm-up)"
        )
        figures = Figures(width=44)
        floors = {"SQL": r["sql_ms"], "bare": r["bare_ms"]}
        figures.line("report from the database (no screen)", r["service_ms"], {"SQL": r["sql_ms"]})
        figures.line(
            "refresh to the end of one paint",
            r["refresh_ms"],
            floors,
            goal_ms=REFRESH_TARGET_MS,
            runs=r["refresh_runs"],
            paints=r["paints"],
        )
        ok &= figures.ok
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
