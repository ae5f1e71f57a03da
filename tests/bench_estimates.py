"""Benchmark: a campaign of 20,000 estimates over 300 unions in a national database (not
collected by pytest).

    .venv/bin/python tests/bench_estimates.py [--db PATH] [--runs 5]

Data: the national database (tests/national_data.py: 3,000 unions × 15 products × 36 months,
branch 13) and one campaign of 20,000 estimates over 300 of its unions (the branch's, then others').
Each figure is the median of ``--runs`` after one untimed warm-up; screen figures are timed
from the action to the end of one paint of the list (the most paint events of its viewport
one timed run caused is printed).  Goals (issue 4), exit 1 if one is missed:

* campaign summary (per union + total, the CLI JSON)                      < 200 ms
* the estimate list of the whole campaign on screen (query, model, paint)  < 300 ms
* every 別紙3 of the campaign (300 pages) into one PDF                     < 5 s

Floors measured in the same run, each figure printed with its ratio to them: "SQL" (one bare
SELECT reading what the figure needs: the campaign's rows grouped for the summary, the open
estimates for the closing list, all 20,000 rows for the list), "bare" (a plain QTableView of
the same size and shape with a constant model, one paint) and, for the PDF, "bare PDF" (a bare
QPdfWriter writing the same strings — read back from our PDF with pdftotext — onto the same
number of pages with the app's font; tests/bench_floors.py).  Other lines are "info".
"""

from __future__ import annotations

import argparse
import os
import random
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
    PdfTextFloor,
    bare_table_ms,
    load,
    median_ms,
    timed_paints,
)

from kyosai_desktop.services.context import AppContext  # noqa: E402
from kyosai_desktop.store.tx import transaction  # noqa: E402

UNIONS = 300
ESTIMATES = 20_000
GOALS_MS = {"summary": 200.0, "list_view": 300.0, "all_reports_pdf": 5000.0}
SURNAMES = [
    "佐藤",
    "鈴木",
    "高橋",
    "田中",
    "伊藤",
    "渡辺",
    "山本",
    "中村",
    "小林",
    "加藤",
    "吉田",
    "山田",
]
GIVEN = ["太郎", "花子", "一郎", "美咲", "翔", "陽子", "大輔", "由美", "誠", "愛", "聡", "恵"]
CARS = [
    "アクア",
    "プリウス",
    "N-BOX",
    "タント",
    "フィット",
    "ノート",
    "ヤリス",
    "セレナ",
    "ハスラー",
    "ワゴンR",
]
STEPS = ["依頼受付", "見積作成", "返却済", "成約", "不成約"]


def build(path: Path, seed: int = 4, *, unions: int = 3000) -> tuple[AppContext, int]:
    """The national database (``unions`` unions) with one campaign of 20,000 estimates over
    300 of them."""
    ctx = national_data.build(path, unions=unions, branch="13")
    rng = random.Random(seed)
    conn = ctx.conn
    with transaction(conn):
        union_ids = [
            r[0]
            for r in conn.execute(
                "SELECT id FROM unions ORDER BY pref_code <> ?, pref_code, union_code",
                (ctx.branch,),
            )
        ][:UNIONS]
        product = ctx.products.resolve("マイカー共済")
        cid = conn.execute(
            "INSERT INTO estimate_campaigns (name, kind, period_from, period_to, product_id)"
            " VALUES ('2024年度 単組執行部見積り強化月間', '単組執行部見積り強化月間', '2024-10-01', '2025-03-31', ?)",
            (product.id if product else None,),
        ).lastrowid
        conn.executemany(
            "INSERT INTO estimate_campaign_unions (campaign_id, union_id) VALUES (?, ?)",
            [(cid, u) for u in union_ids],
        )
        seqs = dict.fromkeys(union_ids, 0)
        rows = []
        for _ in range(ESTIMATES):
            uid = rng.choice(union_ids)
            seqs[uid] += 1
            monthly = rng.random() < 0.4
            other = rng.randint(3000, 9000) if monthly else rng.randint(30000, 120000)
            complete = rng.random() > 0.05
            status = rng.choices(STEPS, [5, 20, 45, 20, 10])[0] if complete else "依頼受付"
            rows.append(
                (
                    cid,
                    uid,
                    seqs[uid],
                    "執行部",
                    rng.choice(SURNAMES) + " " + rng.choice(GIVEN),
                    rng.randint(20, 65),
                    rng.choice(CARS),
                    str(rng.randint(6, 20)),
                    str(rng.randint(6, 20)),
                    int(rng.random() < 0.6),
                    other if complete else None,
                    int(other * rng.uniform(0.5, 1.05)) if complete else None,
                    ("月" if monthly else "年") if complete else None,
                    f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                    status,
                    "2024-10-15",
                )
            )
        conn.executemany(
            "INSERT INTO estimates (campaign_id, union_id, seq, role, name, age, car, grade_now, grade_new,"
            " vehicle_cover, other_premium, jichiro_premium, payment, policy_maturity, status, requested_on)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    conn.execute("ANALYZE")
    return ctx, cid


def main() -> int:  # noqa: C901
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    runs = args.runs
    folder = Path(tempfile.mkdtemp(prefix="bench-estimates-"))
    db = args.db or folder / "bench.sqlite3"
    t0 = time.perf_counter()
    ctx, cid = build(db)
    conn = ctx.conn
    n_unions = conn.execute("SELECT count(*) FROM unions").fetchone()[0]
    print(
        f"built {n_unions:,} unions, {ESTIMATES:,} estimates over {UNIONS} of them "
        f"in {time.perf_counter() - t0:.1f} s ({db}); {load()}",
        flush=True,
    )
    out = Figures(width=56)

    from kyosai_desktop.services import estimate_reports as er

    def sql(query: str) -> float:
        return median_ms(lambda: conn.execute(query, (cid,)).fetchall(), runs)[0]

    sql_summary = sql(
        "SELECT union_id, status, payment, count(*), sum(other_premium), sum(jichiro_premium)"
        " FROM estimates WHERE campaign_id = ? GROUP BY union_id, status, payment"
    )
    sql_open = sql(
        "SELECT * FROM estimates WHERE campaign_id = ?"
        " AND status IN ('依頼受付', '見積作成', '返却済') ORDER BY policy_maturity"
    )
    sql_all = sql("SELECT * FROM estimates WHERE campaign_id = ?")

    median, times = median_ms(lambda: er.summary_json(ctx, cid), runs)
    out.line(
        "summary (the CLI JSON)",
        median,
        {"SQL": sql_summary},
        goal_ms=GOALS_MS["summary"],
        runs=times,
    )
    print(f"  {er.summary_json(ctx, cid)}")
    median, times = median_ms(lambda: er.campaign_summary(ctx, cid), runs)
    out.line("  campaign summary per union + total", median, {"SQL": sql_summary}, runs=times)
    median, times = median_ms(lambda: er.campaign_summary(ctx, cid).table(), runs)
    out.line("  summary as ReportTable (screen/Excel)", median, {"SQL": sql_summary}, runs=times)
    closing = er.closing_list(ctx, campaign_id=cid)
    median, times = median_ms(lambda: er.closing_list(ctx, campaign_id=cid), runs)
    out.line(
        f"  closing list of {len(closing.rows):,} open estimates",
        median,
        {"SQL": sql_open},
        runs=times,
    )
    one = ctx.campaigns.union_ids(cid)[0]
    sql_union = median_ms(
        lambda: conn.execute(
            "SELECT * FROM estimates WHERE campaign_id = ? AND union_id = ? ORDER BY seq",
            (cid, one),
        ).fetchall(),
        runs,
    )[0]
    median, times = median_ms(lambda: er.list_report(ctx, cid, one), runs)
    out.line("  別紙2 of one union", median, {"SQL": sql_union}, runs=times)

    from kyosai_desktop.ui.app import make_application
    from kyosai_desktop.ui.estimates.estimates_page import EstimatesPage
    from kyosai_desktop.ui.shared.events import DataBus

    app = make_application()
    start = time.perf_counter()
    page = EstimatesPage(ctx, DataBus())
    page.resize(1400, 850)
    page.show()
    app.processEvents()
    cold = (time.perf_counter() - start) * 1000
    out.line("  page opened on the summary tab (summary, chart), cold", cold)
    page.tabs.setCurrentWidget(page.list_panel)
    app.processEvents()
    panel = page.list_panel
    viewport = panel.table.viewport()

    from bench_floors import PaintCount

    counter = PaintCount(viewport)

    def show_all() -> float:
        panel.union_combo.setCurrentIndex(1)
        app.processEvents()
        counter.take()  # the one-union list's paint is not part of the figure
        start = time.perf_counter()
        panel.union_combo.setCurrentIndex(0)  # すべての単組: 20,000 rows
        app.processEvents()  # the one paint the new rows scheduled
        return (time.perf_counter() - start) * 1000

    show_all()  # warm-up
    times, paints = [], 0
    for _ in range(runs):
        times.append(show_all())
        paints = max(paints, counter.take())
    counter.close()
    n_rows = panel.model.rowCount()
    bare_all = bare_table_ms(app, n_rows, panel.model.columnCount(), panel.table.size())
    out.line(
        f"list view (すべての単組, {n_rows:,} rows)",
        statistics.median(times),
        {"SQL": sql_all, "bare": bare_all},
        goal_ms=GOALS_MS["list_view"],
        runs=times,
        paints=paints,
    )

    unions = iter(range(10_000))

    def one_union() -> None:
        panel.union_combo.setCurrentIndex(2 + next(unions) % 2)
        app.processEvents()

    median, times, paints = timed_paints(one_union, viewport, runs)
    shown = panel.union_combo.currentData()
    sql_one = median_ms(
        lambda: conn.execute(
            "SELECT * FROM estimates WHERE campaign_id = ? AND union_id = ?", (cid, shown)
        ).fetchall(),
        runs,
    )[0]
    out.line(
        f"  list view of one union ({panel.model.rowCount()} rows)",
        median,
        {
            "SQL": sql_one,
            "bare": bare_table_ms(
                app, panel.model.rowCount(), panel.model.columnCount(), panel.table.size()
            ),
        },
        runs=times,
        paints=paints,
    )
    panel.union_combo.setCurrentIndex(0)
    app.processEvents()
    orders = iter(range(10_000))
    header = panel.table.horizontalHeader()
    from PySide6.QtCore import Qt

    def sort() -> None:
        order = Qt.SortOrder.AscendingOrder if next(orders) % 2 else Qt.SortOrder.DescendingOrder
        panel.table.sortByColumn(12, order)
        app.processEvents()

    median, times, paints = timed_paints(sort, viewport, runs)
    out.line(
        f"  sort {n_rows:,} rows by {panel.model.headerData(12, Qt.Orientation.Horizontal)}",
        median,
        {"bare": bare_all},
        runs=times,
        paints=paints,
    )
    del header
    words = iter(range(10_000))

    def filter_rows() -> None:
        panel.filter_edit.setText(["アクア", "プリウス"][next(words) % 2])
        app.processEvents()

    median, times, paints = timed_paints(filter_rows, viewport, runs)
    out.line(
        f"  filter {n_rows:,} rows (アクア / プリウス, {panel.proxy.rowCount():,} shown)",
        median,
        {"bare": bare_all},
        runs=times,
        paints=paints,
    )
    panel.filter_edit.setText("")
    app.processEvents()

    closing_viewport = page.closing_view.table.viewport()
    tabs = iter(range(10_000))

    def closing_tab() -> None:
        page.tabs.setCurrentWidget(page.closing_tab if next(tabs) % 2 == 0 else panel)
        app.processEvents()

    page.tabs.setCurrentWidget(panel)
    app.processEvents()
    counter = PaintCount(closing_viewport)
    closing_tab()  # warm-up: to the closing tab …
    closing_tab()  # … and back
    counter.take()
    times, paints = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        closing_tab()  # to the closing tab: timed
        times.append((time.perf_counter() - start) * 1000)
        paints = max(paints, counter.take())
        closing_tab()  # back to the list, untimed
    counter.close()
    table = page.closing_view.table
    out.line(
        f"  closing tab shown ({len(page.closing_view.report.rows):,} rows, 60 days)",
        statistics.median(times),
        {
            "SQL": sql_open,
            "bare": bare_table_ms(
                app, max(table.model().rowCount(), 1), table.model().columnCount(), table.size()
            ),
        },
        runs=times,
        paints=paints,
    )
    page.close()

    from kyosai_desktop.render.estimate_paper import UnionReportPaper
    from kyosai_desktop.render.paper import render_pdf

    pdf = folder / "all_reports.pdf"

    def all_reports() -> None:
        render_pdf(UnionReportPaper(er.union_reports(ctx, cid)), pdf)

    median, times = median_ms(all_reports, max(3, runs - 2))
    floor = PdfTextFloor(pdf)
    bare_pdf = folder / "bare.pdf"
    floor_ms, _ = median_ms(lambda: floor.write(bare_pdf), max(3, runs - 2))
    pages = floor.pdf_pages(pdf)
    assert floor.pdf_pages(bare_pdf) == pages, (pages, floor.pdf_pages(bare_pdf))
    out.line(
        f"all 別紙3 into one PDF ({pages} pages, {pdf.stat().st_size / 1e6:.1f} MB)",
        median,
        {"bare PDF": floor_ms},
        goal_ms=GOALS_MS["all_reports_pdf"],
        runs=times,
        note=f"bare PDF: {floor.strings:,} strings on {pages} pages",
    )
    ctx.close()
    print(load())
    print("all goals met" if out.ok else "SOME GOALS MISSED")
    return 0 if out.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
