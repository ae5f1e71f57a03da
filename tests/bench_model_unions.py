"""Benchmark of the model-union feature on national-scale data (not collected by pytest).

    .venv/bin/python tests/bench_model_unions.py [--unions 3000] [--keep DIR]

1. import of a generated headquarters sheet of 3,000 unions (the real import: read, check,
   write, commit)                                                     — goal < 2 s
2. the progress table of those 3,000 unions on screen (report built, view filled and
   painted)                                                           — goal < 300 ms
3. the 単組進捗シート PDF of 110 model unions                           — goal < 5 s
4. the same 3,000-union table as our PDF (TablePaper) and as xlsx, timed.

The comparison with LibreOffice is tests/bench_print.py (whole processes, equal page counts:
LibreOffice paginates this table's workbook differently, so a ratio here would compare
different jobs); every table's time against its floors is tests/bench_tables.py.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kyosai_desktop.services import model_union_report as mr  # noqa: E402
from kyosai_desktop.services.context import open_context  # noqa: E402
from kyosai_desktop.services.model_union_import import import_model_unions  # noqa: E402
from kyosai_desktop.services.union_progress_sheet import build_union_sheets  # noqa: E402
from tests.model_union_fixtures import generated_units, write_sheet  # noqa: E402


def timed(fn, repeat: int = 1):
    best, result = None, None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
    return best, result


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--unions", type=int, default=3000)
    parser.add_argument("--sheets", type=int, default=110)
    parser.add_argument("--keep", type=Path, help="keep the generated files here")
    args = parser.parse_args()
    work = Path(args.keep or tempfile.mkdtemp(prefix="bench_mu_"))
    work.mkdir(parents=True, exist_ok=True)
    rows: list[tuple[str, float, str]] = []

    print(f"generating a {args.unions:,}-union sheet …", flush=True)
    units = generated_units(args.unions)
    sheet = write_sheet(work / "hq_national.xlsx", units)
    print(f"  {sheet} ({sheet.stat().st_size / 1e6:.1f} MB)")

    db = work / "bench.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    ctx = open_context(db)
    ctx.settings.set_branch("13")

    dry, preview = timed(lambda: import_model_unions(ctx, sheet, 2024, dry_run=True))
    rows.append(
        (
            "import dry run (3,000 unions)",
            dry,
            f"{preview.counts_written:,} counts, {len(preview.warnings)} warnings",
        )
    )
    real, result = timed(lambda: import_model_unions(ctx, sheet, 2024))
    rows.append(
        (
            "import (read, check, write, commit) — goal < 2 s",
            real,
            f"{result.rows:,} unions, {result.counts_written:,} counts, {len(result.created_unions):,} new unions",
        )
    )
    again, result2 = timed(lambda: import_model_unions(ctx, sheet, 2024))
    rows.append(
        (
            "re-import of the same sheet (nothing changes)",
            again,
            f"{result2.counts_written} written",
        )
    )

    # 2. on screen
    from PySide6.QtWidgets import QApplication

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

    def show_table():
        page.reports.drop()  # rebuilt from the database, as after a change
        page.reload()
        QApplication.processEvents()  # the one paint the new report scheduled
        return page.report

    from kyosai_desktop.domain import model_unions as dmu

    for cached in (dmu.achievement_rate, dmu.join_rate, dmu.progress_tone):
        cached.cache_clear()
    cold, report = timed(show_table)
    rows.append(("table on screen, first time (cold caches) — goal < 300 ms", cold, ""))
    build, report = timed(lambda: mr.build_report(ctx, 2024, "2025-02"), repeat=3)
    rows.append(("table data: build_report (3,000 unions, 68 columns)", build, ""))
    screen, report = timed(show_table, repeat=3)
    rows.append(
        (
            "table rebuilt on screen (after a change) — goal < 300 ms",
            screen,
            f"{len(report.rows):,} rows, summary: {report.table.summary}",
        )
    )

    def refresh():
        page.reload()  # the cached report: nothing to rebuild
        page.view.table.viewport().update()
        QApplication.processEvents()

    cached, _ = timed(refresh, repeat=3)
    rows.append(("table refreshed, unchanged (cached report, one paint)", cached, ""))
    from PySide6.QtCore import Qt

    sort, _ = timed(
        lambda: page.view.table.sortByColumn(
            report.table.index("rate"), Qt.SortOrder.DescendingOrder
        )
    )
    rows.append(("sort by 達成率", sort, ""))

    # 3. the union sheets of 110 model unions
    ids = [r.unit.union_id for r in report.rows[:: max(1, len(report.rows) // args.sheets)]][
        : args.sheets
    ]
    from kyosai_desktop.render.paper import render_pdf
    from kyosai_desktop.render.union_sheet_paper import UnionSheetPaper

    def sheets():
        data = build_union_sheets(ctx, ids, 2024, "2025-02")
        return render_pdf(UnionSheetPaper(data), work / "union_sheets.pdf")

    sheets_s, _ = timed(sheets)
    rows.append(
        (
            f"単組進捗シート PDF, {len(ids)} unions — goal < 5 s",
            sheets_s,
            f"{(work / 'union_sheets.pdf').stat().st_size / 1e6:.1f} MB",
        )
    )

    # 4. our PDF vs xlsx → LibreOffice PDF for the whole table
    from kyosai_desktop.render.paper_table import TablePaper

    ours, _ = timed(
        lambda: render_pdf(TablePaper(report.table, paper="A3"), work / "table_ours.pdf")
    )
    rows.append(("table PDF by TablePaper (A3)", ours, ""))
    xlsx_s, _ = timed(lambda: mr.write_xlsx(report, work / "table.xlsx", paper="A3"))
    rows.append(("table xlsx (write_report_xlsx, A3)", xlsx_s, ""))
    from pypdf import PdfReader

    ours_pages = len(PdfReader(work / "table_ours.pdf").pages)
    print()
    for name, seconds, note in rows:
        value = f"{seconds:8.2f} ×" if note == "×" else f"{seconds * 1000:8.0f} ms"
        print(f"{name:<58} {value}   {'' if note == '×' else note}")
    print(f"table PDF pages: {ours_pages}   (files in {work}); LibreOffice: tests/bench_print.py")
    ctx.close()
    del app
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
