"""Benchmark of the model-union feature on national-scale data (not collected by pytest).

    .venv/bin/python tests/bench_model_unions.py [--unions 3000] [--sheets 110] [--runs 3] [--keep DIR]

Data: the national database (tests/national_data.py: 3,000 unions × 15 products × 36 months)
and a generated headquarters sheet of 3,000 model unions imported over it.  Each figure is the
median of ``--runs`` after one untimed warm-up (the import into a fresh copy of the national
database each run); screen figures end with one paint of the table (the most paint events one
timed run caused is printed).  Goals:

1. import of the 3,000-union sheet (the real import: read, check, write, commit) — goal < 2 s
2. the progress table of those 3,000 unions on screen (report built, view filled and
   painted): the first time (cold caches, measured once) and rebuilt after a change — < 300 ms
3. the 単組進捗シート PDF of 110 model unions                                       — goal < 5 s
4. the same 3,000-union table as our PDF (TablePaper) and as xlsx (info).

Floors measured in the same run, each figure printed with its ratio to them: "openpyxl" and
"calamine" (a plain read pass over the sheet with openpyxl read-only / python-calamine, in
process), "SQL" (the designations and 団生 counts the table reads, alone), "bare" (a plain
QTableView of the same size and shape with a constant model, one paint), "bare PDF" (a bare
QPdfWriter writing the same strings — read back from our PDF with pdftotext — onto the same
number of pages with the app's font) and "bare xlsx" (openpyxl write-only, the same values, no
styles).  Exits 1 when a goal is missed.

The whole-process import against an openpyxl pass is tests/bench_model_union_import.py; the
comparison with LibreOffice is tests/bench_print.py (whole processes, equal page counts); every
table against the 100 ms goal is tests/bench_tables.py.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import national_data  # noqa: E402
from bench_floors import (  # noqa: E402
    Figures,
    PaintCount,
    PdfTextFloor,
    bare_table_ms,
    load,
    median_ms,
    timed_paints,
)

from kyosai_desktop.services import model_union_report as mr  # noqa: E402
from kyosai_desktop.services.context import open_context  # noqa: E402
from kyosai_desktop.services.model_union_import import import_model_unions  # noqa: E402
from kyosai_desktop.services.union_progress_sheet import build_union_sheets  # noqa: E402
from tests.model_union_fixtures import generated_units, write_sheet  # noqa: E402


def main() -> int:  # noqa: C901
    parser = argparse.ArgumentParser()
    parser.add_argument("--unions", type=int, default=3000)
    parser.add_argument("--sheets", type=int, default=110)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="keep the generated files here")
    args = parser.parse_args()
    runs = args.runs
    work = Path(args.keep or tempfile.mkdtemp(prefix="bench_mu_"))
    work.mkdir(parents=True, exist_ok=True)

    print(f"generating the national database and a {args.unions:,}-union sheet …", flush=True)
    base = work / "national.sqlite3"
    ctx = national_data.build(base, unions=3000, branch="13")
    ctx.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    ctx.close()
    units = generated_units(args.unions)
    sheet = write_sheet(work / "hq_national.xlsx", units)
    print(f"  {sheet} ({sheet.stat().st_size / 1e6:.1f} MB); {load()}", flush=True)
    out = Figures(width=58)

    def openpyxl_pass() -> None:
        from openpyxl import load_workbook

        wb = load_workbook(sheet, read_only=True, data_only=True)
        [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
        wb.close()

    def calamine_pass() -> None:
        from python_calamine import CalamineWorkbook

        with CalamineWorkbook.from_path(str(sheet)) as wb:
            wb.get_sheet_by_index(0).to_python(skip_empty_area=False)

    read_floors = {"openpyxl": median_ms(openpyxl_pass, runs)[0]}
    try:
        read_floors["calamine"] = median_ms(calamine_pass, runs)[0]
    except ImportError:
        print("  (python-calamine not installed: no calamine floor)")

    n = iter(range(10_000))

    def fresh_copy():
        db = work / f"run{next(n)}.sqlite3"
        shutil.copyfile(base, db)
        return open_context(db)

    ctx = fresh_copy()
    median, times = median_ms(lambda: import_model_unions(ctx, sheet, 2024, dry_run=True), runs)
    preview = import_model_unions(ctx, sheet, 2024, dry_run=True)
    ctx.close()
    out.line(
        f"import dry run ({args.unions:,} unions)",
        median,
        read_floors,
        runs=times,
        note=f"{preview.counts_written:,} counts, {len(preview.warnings)} warnings",
    )
    imports, result = [], None
    for i in range(runs + 1):  # run 0 is the warm-up
        ctx = fresh_copy()
        start = time.perf_counter()
        result = import_model_unions(ctx, sheet, 2024)
        elapsed = (time.perf_counter() - start) * 1000
        if i:
            imports.append(elapsed)
        if i < runs:
            ctx.close()
    assert result is not None
    out.line(
        "import (read, check, write, commit)",
        statistics.median(imports),
        read_floors,
        goal_ms=2000,
        runs=imports,
        note=f"{result.rows:,} unions, {result.counts_written:,} counts, "
        f"{len(result.created_unions):,} new unions",
    )
    median, times = median_ms(lambda: import_model_unions(ctx, sheet, 2024), runs)
    again = import_model_unions(ctx, sheet, 2024)
    out.line(
        "re-import of the same sheet (nothing changes)",
        median,
        read_floors,
        runs=times,
        note=f"{again.counts_written} written",
    )

    # 2. on screen
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from kyosai_desktop.domain import model_unions as dmu
    from kyosai_desktop.ui.app import make_application
    from kyosai_desktop.ui.model_unions.model_unions_page import ModelUnionsPage

    app = make_application()
    page = ModelUnionsPage(ctx, None)
    page.resize(1400, 800)
    page.show()
    QApplication.processEvents()
    page.scope_combo.blockSignals(True)
    page.scope_combo.setCurrentIndex(page.scope_combo.findText("全国"))
    page.scope_combo.blockSignals(False)
    view = page.view.table
    viewport = view.viewport()

    def show_table() -> None:
        page.reports.drop()  # rebuilt from the database, as after a change
        page.reload()
        QApplication.processEvents()  # the one paint the new report scheduled

    for cached in (dmu.achievement_rate, dmu.join_rate, dmu.progress_tone):
        cached.cache_clear()
    counter = PaintCount(viewport)
    start = time.perf_counter()
    show_table()
    cold = (time.perf_counter() - start) * 1000
    cold_paints = counter.take()
    counter.close()
    report = page.report
    first, last = report.layout.years[0].first, report.layout.current.last

    def sql() -> None:
        ctx.model_unions.inputs(2024, None)
        ctx.model_unions.monthly_counts(None, first, last)

    screen_floors = {
        "SQL": median_ms(sql, runs)[0],
        "bare": bare_table_ms(app, len(report.rows), len(report.table.columns), view.size()),
    }
    out.line(
        "table on screen, first time (cold caches, once)",
        cold,
        screen_floors,
        goal_ms=300,
        paints=cold_paints,
    )
    median, times = median_ms(lambda: mr.build_report(ctx, 2024, "2025-02"), runs)
    out.line(
        f"table data: build_report ({len(report.rows):,} unions, {len(report.table.columns)} columns)",
        median,
        {"SQL": screen_floors["SQL"]},
        runs=times,
    )
    median, times, paints = timed_paints(show_table, viewport, runs)
    report = page.report
    out.line(
        "table rebuilt on screen (after a change)",
        median,
        screen_floors,
        goal_ms=300,
        runs=times,
        paints=paints,
        note=f"{len(report.rows):,} rows, summary: {report.table.summary}",
    )

    def refresh() -> None:
        page.reload()  # the cached report: nothing to rebuild
        viewport.update()
        QApplication.processEvents()

    median, times, paints = timed_paints(refresh, viewport, runs)
    out.line(
        "table refreshed, unchanged (cached report, one paint)",
        median,
        screen_floors,
        runs=times,
        paints=paints,
    )
    orders = iter(range(10_000))
    rate = report.table.index("rate")

    def sort() -> None:
        order = Qt.SortOrder.AscendingOrder if next(orders) % 2 else Qt.SortOrder.DescendingOrder
        view.sortByColumn(rate, order)
        QApplication.processEvents()

    median, times, paints = timed_paints(sort, viewport, runs)
    out.line(
        "sort by 達成率",
        median,
        {"bare": screen_floors["bare"]},
        runs=times,
        paints=paints,
    )

    # 3. the union sheets of 110 model unions
    ids = [r.unit.union_id for r in report.rows[:: max(1, len(report.rows) // args.sheets)]][
        : args.sheets
    ]
    from kyosai_desktop.render.paper import render_pdf
    from kyosai_desktop.render.paper_table import TablePaper
    from kyosai_desktop.render.union_sheet_paper import UnionSheetPaper

    def pdf_line(label: str, write, pdf: Path, goal_ms: float | None = None) -> None:
        median, times = median_ms(write, runs)
        floor = PdfTextFloor(pdf)
        bare = work / f"bare_{pdf.name}"
        floor_ms, _ = median_ms(lambda: floor.write(bare), runs)
        pages = floor.pdf_pages(pdf)
        assert floor.pdf_pages(bare) == pages
        out.line(
            f"{label}, {pages} pages",
            median,
            {"bare PDF": floor_ms},
            goal_ms=goal_ms,
            runs=times,
            note=f"{pdf.stat().st_size / 1e6:.1f} MB; bare PDF {floor.strings:,} strings",
        )

    sheets_pdf = work / "union_sheets.pdf"
    pdf_line(
        f"単組進捗シート PDF, {len(ids)} unions",
        lambda: render_pdf(
            UnionSheetPaper(build_union_sheets(ctx, ids, 2024, "2025-02")), sheets_pdf
        ),
        sheets_pdf,
        goal_ms=5000,
    )

    # 4. the whole table as our PDF and as xlsx
    table_pdf = work / "table_ours.pdf"
    pdf_line(
        "table PDF by TablePaper (A3)",
        lambda: render_pdf(TablePaper(report.table, paper="A3"), table_pdf),
        table_pdf,
    )

    def bare_xlsx() -> None:
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet()
        ws.append([c.title for c in report.table.columns])
        for row in [*report.table.rows, *report.table.totals]:
            ws.append([c.value if isinstance(c.value, (int, str)) else c.text for c in row])
        wb.save(work / "bare.xlsx")

    floor_xlsx, _ = median_ms(bare_xlsx, runs)
    median, times = median_ms(lambda: mr.write_xlsx(report, work / "table.xlsx", paper="A3"), runs)
    out.line(
        "table xlsx (write_report_xlsx, A3)",
        median,
        {"bare xlsx": floor_xlsx},
        runs=times,
    )
    page.close()
    ctx.close()
    print(f"files kept in {work}" if args.keep else load())
    print("all goals met" if out.ok else "SOME GOALS MISSED")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    del app
    return 0 if out.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
