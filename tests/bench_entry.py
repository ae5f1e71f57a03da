"""Benchmark of the monthly entry on national-scale data (not collected by pytest).

    .venv/bin/python tests/bench_entry.py [--db /tmp/national.sqlite3] [--reuse] [--runs 7]

Builds the national database (tests/national_data.py: 3,000 unions × 15 products × 36
months, branch 13), then measures on the real page, offscreen, each action timed to the end of
its paint (the most paint events of the grid one timed action caused is printed: 1), after one
untimed warm-up action:

* opening a month grid (query + model + view laid out and painted) for the branch's
  unions and, as a worst case, for all unions — goal < 200 ms;
* an edit committed through the page/model path (setData → check → ResultRepository.apply
  → COMMIT with synchronous=FULL → undo step → models/totals → data bus) — goal < 20 ms,
  over 200 edits; the same edit typed (3 digits + Enter) — goal < 20 ms;
* an undo (audited write, then the undone cell is selected and scrolled into view) — < 200 ms;
* a whole month pasted and its undo (info, median of 5);
* opening the union grid (one union, one fiscal year) — goal < 200 ms.

The goals are judged, as before, on the slowest run (max); the median is printed beside the
floors measured in the same run (medians of ``--runs``): "SQL" (the query that reads the grid,
alone), "bare" (a plain QTableView of the same size and shape with a constant model, one
paint) and, for writes, "write" (the same cells inserted and committed into a bare table of
the results' shape in the same database file, same connection settings).  Exits 1 when a goal
is missed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import national_data  # noqa: E402
from bench_floors import Figures, PaintCount, bare_table_ms, load, median_ms  # noqa: E402

from kyosai_desktop.domain.months import add_months  # noqa: E402
from kyosai_desktop.services.context import open_context  # noqa: E402
from kyosai_desktop.services.ops import ChangeKind  # noqa: E402
from kyosai_desktop.store.tx import transaction  # noqa: E402
from kyosai_desktop.ui.app import make_application  # noqa: E402
from kyosai_desktop.ui.entry.entry_page import EntryPage  # noqa: E402
from kyosai_desktop.ui.entry.entry_panels import MonthPanel  # noqa: E402
from kyosai_desktop.ui.shared.events import DataBus, event  # noqa: E402

TARGET_OPEN_MS = 200.0
TARGET_EDIT_MS = 20.0


def ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000


def settle(app) -> None:
    app.processEvents()
    app.processEvents()


def full_window(app, ctx, edits: int) -> None:
    """For information: the same edit in the real main window after every page was opened.

    Each write emits bus.changed("results") and the main window calls every built page's
    refresh(); pages that reload while hidden add their reload time to each keystroke.
    """
    try:
        from kyosai_desktop.ui.main_window import MainWindow
        from kyosai_desktop.ui.shared import interaction

        class Answering(interaction.Interaction):  # answer every prompt "yes" without showing it
            def information(self, *_):
                pass

            def warning(self, *_):
                pass

            def critical(self, *_):
                pass

            def confirm(self, *_):
                return True

            def exec_dialog(self, dialog):
                return True

        interaction.install(Answering())
        window = MainWindow(ctx)
        window.show()
        for i in range(len(window.specs)):
            window.nav.setCurrentRow(i)
            settle(app)
        costs = []
        for key, widget in window.pages.items():
            start = time.perf_counter()
            refresh = getattr(widget, "refresh", None)
            if refresh is not None:
                refresh(event(ChangeKind.RESULTS))
            costs.append(f"{key} {ms(start):.1f}")
        page = window.show_page("entry")
        settle(app)
        model = page.month_panel.model
        timings = []
        for i in range(min(edits, 50)):
            index = model.index_of(i % 20, 1)
            value = (model.value_at(index) or 0) + 1
            start = time.perf_counter()
            model.setData(index, str(value))
            settle(app)
            timings.append(ms(start))
        print(
            f"(info) edit in the main window, all pages open: median {statistics.median(timings):.1f} ms"
            f"  max {max(timings):.1f} ms; refresh('results') per page: {', '.join(costs)} ms"
        )
        window.close()
    except Exception as exc:  # noqa: BLE001 - informational only; other pages may be mid-change
        print(f"(info) main-window measurement skipped: {exc!r}")


def measured(action, items, viewport) -> tuple[list[float], int]:
    """Times ``action(item)`` for each item after one untimed warm-up on the first; returns the
    times in ms and the most paints of ``viewport`` one timed action caused."""
    counter = PaintCount(viewport)
    action(items[0])
    counter.take()
    times, paints = [], 0
    for item in items:
        start = time.perf_counter()
        action(item)
        times.append(ms(start))
        paints = max(paints, counter.take())
    counter.close()
    return times, paints


def main() -> int:  # noqa: C901
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="/tmp/kyosai_bench_entry.sqlite3")
    parser.add_argument("--reuse", action="store_true", help="reuse an existing generated database")
    parser.add_argument("--edits", type=int, default=200)
    parser.add_argument("--runs", type=int, default=7, help="runs of each floor (medians)")
    args = parser.parse_args()
    path = Path(args.db)
    app = make_application([])
    if not (args.reuse and path.exists()):
        start = time.perf_counter()
        national_data.build(path, unions=3000).close()
        print(f"national database built in {ms(start) / 1000:.1f} s: {path}")
    ctx = open_context(path)
    conn = ctx.conn
    n_unions = conn.execute("SELECT count(*) FROM unions").fetchone()[0]
    n_cells = conn.execute("SELECT count(*) FROM results").fetchone()[0]
    print(f"{n_unions} unions, {n_cells} result cells, branch {ctx.branch}; {load()}")
    bus = DataBus()
    out = Figures(width=50)

    def sql_ms(query: str, params: tuple) -> float:
        return median_ms(lambda: conn.execute(query, params).fetchall(), args.runs)[0]

    conn.execute(
        "CREATE TABLE IF NOT EXISTS bench_floor (union_id INTEGER, product_id INTEGER,"
        " month TEXT, count INTEGER, PRIMARY KEY (union_id, product_id, month)) WITHOUT ROWID"
    )

    def commit_ms(cells: list[tuple[int, int, str]]) -> float:
        """The write floor: the same cells inserted into a bare table of the results' shape in
        the same database file and committed on the app's connection (WAL, synchronous=FULL) —
        no checks, no audit, no undo step, no screen.  Emptied (untimed) between runs."""
        times = []
        for n in range(args.runs + 1):  # the first run is the warm-up
            start = time.perf_counter()
            with transaction(conn):
                conn.executemany(
                    "INSERT INTO bench_floor VALUES (?, ?, ?, 1)",
                    cells,
                )
            if n:
                times.append(ms(start))
            with transaction(conn):
                conn.execute("DELETE FROM bench_floor")
        return statistics.median(times)

    def goal_line(label: str, times: list[float], target: float, floors, paints=None) -> None:
        # the goal is judged on the slowest run, as before; the median is printed against the floors
        out.line(
            label,
            statistics.median(times),
            floors,
            goal_ms=target,
            judged=max(times),
            paints=paints,
            note=f"n={len(times)}, max {max(times):.1f} ms (the goal is on the max)",
        )

    start = time.perf_counter()
    page = EntryPage(ctx, bus)
    bus.changed.connect(page.refresh)
    page.resize(1280, 800)
    page.show()
    settle(app)
    print(f"{'page built and shown (first month grid), cold':<50} {ms(start):9,.1f} ms  info")
    panel = page.month_panel
    print(
        f"  branch grid: {panel.model.rowCount() - 1} unions × {panel.model.grid and len(panel.model.grid.columns)} products"
    )

    month = "2022-06"
    branch_sql = (
        "SELECT r.union_id, r.product_id, r.count FROM unions u"
        " JOIN results r ON r.union_id = u.id AND r.month = ? WHERE u.pref_code = ?"
    )

    def open_month(m: str, grid=panel) -> None:
        grid.set_month(m)
        settle(app)

    times, paints = measured(
        open_month, [add_months(month, i) for i in range(24)], panel.view.viewport()
    )
    floors = {
        "SQL": sql_ms(branch_sql, ("2024-07", ctx.branch)),
        "bare": bare_table_ms(
            app, panel.model.rowCount(), panel.model.columnCount(), panel.view.size()
        ),
    }
    goal_line(
        f"open month grid, branch ({panel.model.rowCount() - 1} unions)",
        times,
        TARGET_OPEN_MS,
        floors,
        paints,
    )

    everyone = MonthPanel(page.service, None)
    everyone.resize(1280, 800)
    everyone.show()
    settle(app)
    times, paints = measured(
        lambda m: open_month(m, everyone),
        [add_months(month, i) for i in range(12)],
        everyone.view.viewport(),
    )
    floors = {
        "SQL": sql_ms(
            "SELECT union_id, product_id, count FROM results WHERE month = ?", ("2024-07",)
        ),
        "bare": bare_table_ms(
            app, everyone.model.rowCount(), everyone.model.columnCount(), everyone.view.size()
        ),
    }
    goal_line(
        f"open month grid, all {everyone.model.rowCount() - 1} unions",
        times,
        TARGET_OPEN_MS,
        floors,
        paints,
    )
    everyone.close()

    panel.set_month("2025-02")
    settle(app)
    model = panel.model
    rows, cols = model.n_rows, model.n_cols
    grid = model.grid
    assert grid is not None
    cells = [
        (a.union_id, a.product_id, a.month)
        for a in (grid.address(r, c) for r in range(rows) for c in range(cols))
    ]
    one_cell = {"write": commit_ms(cells[:1])}

    def edit(i: int) -> None:
        r, c = i % rows, (i // rows) % cols
        index = model.index_of(r, c)
        current = model.value_at(index) or 0
        accepted = model.setData(index, str(current + 1))
        settle(app)
        assert accepted and model.value_at(index) == current + 1

    times, paints = measured(edit, list(range(args.edits)), panel.view.viewport())
    goal_line(
        "edit committed (setData → commit → undo step)", times, TARGET_EDIT_MS, one_cell, paints
    )
    print(f"  undo steps on the stack: {page.undo_stack.count()}")

    # the clerk's path: digits typed into the grid, Enter commits and moves down
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    view = panel.view
    view.setFocus()
    view.setCurrentIndex(model.index_of(0, 0))
    settle(app)
    timings, scrolled = [], []
    bar = view.verticalScrollBar()
    counter = PaintCount(view.viewport())
    paints = 0
    for i in range(min(60, rows)):  # the first Enter (row 0) is the warm-up
        before = bar.value()
        counter.take()
        start = time.perf_counter()
        for ch in str(100 + i):
            QTest.keyClick(view.current_editor() or view, ch)
        QTest.keyClick(view.current_editor() or view, Qt.Key.Key_Return)
        settle(app)
        elapsed = ms(start)
        if i:
            (scrolled if bar.value() != before else timings).append(elapsed)
            paints = max(paints, counter.take()) if bar.value() == before else paints
        assert model.value_at(model.index_of(i, 0)) == 100 + i, i
    counter.close()
    goal_line(
        "edit typed: 3 keys + Enter (editor, commit, move)",
        timings,
        TARGET_EDIT_MS,
        one_cell,
        paints,
    )
    if scrolled:
        # the Enter that moves past the bottom edge scrolls half a page: a full repaint
        goal_line("  … the Enters that scroll the grid", scrolled, TARGET_OPEN_MS, one_cell)

    def undo(_: int) -> None:
        page.undo_stack.undo()
        settle(app)

    times, paints = measured(undo, list(range(20)), view.viewport())
    # an undo also brings the undone cell into view: when that scrolls, the grid repaints
    goal_line("undo of one edit (write + show the cell)", times, TARGET_OPEN_MS, one_cell, paints)

    # a whole month pasted from Excel (all the branch's unions × all products): one step
    block = "".join(
        "\t".join(str((r * 7 + c) % 13) for c in range(cols)) + "\r\n" for r in range(rows)
    )
    paste_floor = {"write": commit_ms(cells)}

    def paste_and_undo() -> tuple[float, float]:
        view.setCurrentIndex(model.index_of(0, 0))
        steps = page.undo_stack.index()
        start = time.perf_counter()
        assert page.paste(panel, block)
        settle(app)
        pasted = ms(start)
        assert page.undo_stack.index() == steps + 1
        start = time.perf_counter()
        page.undo_stack.undo()
        settle(app)
        return pasted, ms(start)

    paste_and_undo()  # warm-up
    pairs = [paste_and_undo() for _ in range(5)]
    out.line(
        f"paste of a whole month ({rows} × {cols} cells), one step",
        statistics.median(p for p, _ in pairs),
        paste_floor,
        runs=[p for p, _ in pairs],
    )
    out.line(
        "  its undo (one commit)",
        statistics.median(u for _, u in pairs),
        paste_floor,
        runs=[u for _, u in pairs],
    )

    conn.execute("DROP TABLE bench_floor")
    page.tabs.setCurrentIndex(1)
    settle(app)
    union_panel = page.union_panel
    ids = [union_panel.union_combo.itemData(i) for i in range(union_panel.union_combo.count())]

    def open_union(union_id: int) -> None:
        union_panel.set_union(union_id, 2024)
        settle(app)

    times, paints = measured(open_union, ids[:30], union_panel.view.viewport())
    fy = ctx.fiscal_years.results_year(2024)
    floors = {
        "SQL": sql_ms(
            "SELECT product_id, month, count FROM results WHERE union_id = ? AND month BETWEEN ? AND ?",
            (ids[0], fy.first, fy.last),
        ),
        "bare": bare_table_ms(
            app,
            union_panel.model.rowCount(),
            union_panel.model.columnCount(),
            union_panel.view.size(),
        ),
    }
    goal_line("open union grid (1 union, FY2024)", times, TARGET_OPEN_MS, floors, paints)

    page.close()
    full_window(app, ctx, args.edits)
    ctx.close()
    print(load())
    print("all targets met" if out.ok else "SOME TARGETS MISSED")
    return 0 if out.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
