"""Benchmark: printing 110 単組進捗シート against LibreOffice printing the same job (not collected
by pytest).

    .venv/bin/python tests/bench_print.py [--runs 5] [--keep DIR]

Both sides are whole processes, measured in one run, alternately, after one warm-up each
(bytecode cached, LibreOffice's profile made):

* ours: ``kyosai --db DB report union-sheets --fy 2024 --as-of 2025-02 --out sheets.pdf`` on a
  national database (3,000 unions × 15 products × 36 months, 110 of them model unions);
* LibreOffice: ``soffice --headless --convert-to pdf`` of an equivalent workbook — one A4
  worksheet per union holding the same strings and figures (facts, the model year's months
  beside last year's, the products table, the open estimates, the notes lines), bordered and
  shaded, each fitted to one page.

Prints each median, the ratio LibreOffice ÷ ours per pair (its median is the result; the goal
is ≥ 10×) and both page counts (they must be equal: 110).  Without ``soffice`` the comparison
is skipped with a note.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FY, AS_OF = 2024, "2025-02"


def national_db(folder: Path, sheets: int) -> Path:
    """3,000 unions with 36 months of results, ``sheets`` of them model unions (cached)."""
    db = folder / f"national_{sheets}.sqlite3"
    if db.exists():
        return db
    from kyosai_desktop.services.model_union_import import import_model_unions
    from tests import national_data
    from tests.model_union_fixtures import generated_units, write_sheet

    tmp = folder / "building.sqlite3"
    ctx = national_data.build(tmp, unions=3000)
    hq = write_sheet(folder / f"hq_{sheets}.xlsx", generated_units(sheets))
    import_model_unions(ctx, hq, FY)
    ctx.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    ctx.close()
    tmp.rename(db)
    return db


def equivalent_workbook(db: Path, out: Path) -> int:
    """One worksheet per union sheet with the same content; returns the number of worksheets."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    from kyosai_desktop.domain.months import split_month
    from kyosai_desktop.domain.rates import DASH, format_count, format_percent, format_signed
    from kyosai_desktop.services.context import open_context
    from kyosai_desktop.services.union_progress_sheet import build_union_sheets, model_union_ids

    ctx = open_context(db)
    sheets = build_union_sheets(ctx, model_union_ids(ctx, FY), FY, AS_OF)
    ctx.close()
    thin = Side(style="thin", color="A6A6A6")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    head = PatternFill("solid", fgColor="DDEBF7")
    bold = Font(name="KyosaiGothic", bold=True, size=9)  # the app's font, given to LibreOffice
    body = Font(name="KyosaiGothic", size=9)
    wb = Workbook()
    wb.remove(wb.active)
    for n, s in enumerate(sheets, start=1):
        ws = wb.create_sheet(f"{s.union.pref_code}-{s.union.union_code}")
        rows: list[tuple[list[object], bool]] = [
            (
                [
                    "単組進捗シート",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    f"{s.fiscal_year}年度　{s.as_of_text}",
                ],
                True,
            ),
            ([f"{s.pref_name}　{s.union.pref_code}-{s.union.union_code}　{s.union.name}"], True),
            (["単組の概要"], True),
            (
                [
                    "組合員数",
                    s.members,
                    "団生保有",
                    s.holdings,
                    "加入率",
                    format_percent(s.join_rate),
                    "発効",
                    f"{s.effective_month}月" if s.effective_month else DASH,
                ],
                False,
            ),
            (["組織加入", s.org.text], False),
        ]
        if s.model is not None:
            m = s.model
            rows += [
                ([f"加入拡大モデル単組 — {m.fiscal_year}年度 ({m.start_label})"], True),
                (
                    [
                        "目標件数",
                        m.target,
                        "累積件数",
                        m.cumulative,
                        "達成率",
                        format_percent(m.rate),
                        "残件数",
                        m.remaining,
                        "前年比",
                        format_signed(m.yoy),
                    ],
                    False,
                ),
                (["月 (発効)", *[f"{split_month(x)[1]}月" for x in m.months], "累計"], True),
                (["今年度", *[c if c is not None else "" for c in m.counts], m.cumulative], False),
                (["前年度", *m.last_year, m.previous], False),
            ]
        rows += [
            (["商品別 新規件数"], True),
            (
                ["商品", *[f"{split_month(x)[1]}月" for x in s.months], "実績", "目標", "達成率"],
                True,
            ),
        ]
        for line in s.products:
            rows.append(
                (
                    [
                        line.product,
                        *[v if v is not None else "" for v in line.months],
                        line.total,
                        format_count(line.target),
                        format_percent(line.rate),
                    ],
                    False,
                )
            )
        rows += [
            (["未完了の見積り"], True),
            (["No", "氏名", "区分", "車名", "満期日", "状況", "キャンペーン"], True),
        ]
        for e in s.estimates[:14]:
            rows.append(
                ([e.seq, e.name, e.role, e.car, e.maturity or DASH, e.status, e.campaign], False)
            )
        rows += [(["メモ"], True)] + [([""], False)] * 6
        rows.append(([f"{n} / {len(sheets)} ページ"], False))
        for r, (values, is_head) in enumerate(rows, start=1):
            for c, value in enumerate(values, start=1):
                cell = ws.cell(row=r, column=c, value=value)
                cell.font = bold if is_head else body
                cell.border = box
                cell.alignment = Alignment(vertical="center", shrink_to_fit=True)
                if is_head:
                    cell.fill = head
        for c in range(1, 17):
            ws.column_dimensions[chr(64 + c)].width = 14 if c == 1 else 6.5
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.orientation = "portrait"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 1
        ws.sheet_properties.pageSetUpPr.fitToPage = True
    wb.save(out)
    return len(sheets)


def libreoffice_env(work: Path) -> dict[str, str]:
    """LibreOffice's environment: its own profile, and the app's Japanese font made visible to
    it through fontconfig (a machine without Japanese fonts would print boxes, a smaller job)."""
    from kyosai_desktop.paths import font_path

    fonts = work / "lo_fonts"
    fonts.mkdir(exist_ok=True)
    shutil.copy(font_path(), fonts / font_path().name)
    conf = work / "lo_fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>'
        f"<dir>{fonts}</dir><cachedir>{work / 'lo_fontcache'}</cachedir></fontconfig>",
        encoding="utf-8",
    )
    env = {**os.environ, "HOME": str(work / "lo_home"), "FONTCONFIG_FILE": str(conf)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def pages(pdf: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(pdf).pages)


def run(cmd: list[str], env: dict[str, str] | None = None) -> float:
    if env is None:  # ours: bytecode written on the warm-up and read afterwards
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    start = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, timeout=900, env=env)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sheets", type=int, default=110)
    parser.add_argument("--keep", type=Path, help="reuse / keep the generated files here")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench_print_"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"load: {os.getloadavg()[0]:.2f} (2 cores); files in {work}", flush=True)
    db = national_db(work, args.sheets)
    kyosai = Path(sys.executable).with_name("kyosai")
    ours_cmd = [
        str(kyosai) if kyosai.exists() else sys.executable,
        *([] if kyosai.exists() else ["-m", "kyosai_desktop"]),
        "--db",
        str(db),
        "report",
        "union-sheets",
        "--fy",
        str(FY),
        "--as-of",
        AS_OF,
        "--out",
        str(work / "ours.pdf"),
    ]
    run(ours_cmd)  # warm-up: bytecode compiled and cached
    ours_pages = pages(work / "ours.pdf")

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        ours = [run(ours_cmd) for _ in range(args.runs)]
        print(f"ours (whole process, {ours_pages} pages): median {statistics.median(ours):.2f} s")
        print(
            "LibreOffice (soffice) not installed: comparison skipped "
            "(apt-get install libreoffice-calc-nogui)"
        )
        return 0
    book = work / "equivalent.xlsx"
    if not book.exists():
        equivalent_workbook(db, book)
    lo_env = libreoffice_env(work)
    lo_cmd = [
        soffice,
        "--headless",
        "--norestore",
        "--convert-to",
        "pdf",
        "--outdir",
        str(work / "lo"),
        str(book),
    ]
    run(lo_cmd, env=lo_env)  # warm-up: LibreOffice's profile made
    lo_pages = pages(work / "lo" / "equivalent.pdf")

    ours, lo, ratios = [], [], []
    for _ in range(args.runs):
        a = run(ours_cmd)
        b = run(lo_cmd, env=lo_env)
        ours.append(a)
        lo.append(b)
        ratios.append(b / a)
    print(
        f"{'ours: kyosai report union-sheets (whole process)':<56} median {statistics.median(ours):6.2f} s"
        f"   runs {' '.join(f'{t:.2f}' for t in ours)}"
    )
    print(
        f"{'LibreOffice: soffice --convert-to pdf (whole process)':<56} median {statistics.median(lo):6.2f} s"
        f"   runs {' '.join(f'{t:.2f}' for t in lo)}"
    )
    ratio = statistics.median(ratios)
    print(
        f"{'ratio LibreOffice ÷ ours (median of pairs) — goal ≥ 10×':<56} {ratio:6.1f} ×"
        f"   pairs {' '.join(f'{r:.1f}' for r in ratios)}"
    )
    same = ours_pages == lo_pages == args.sheets
    print(
        f"pages: ours {ours_pages}, LibreOffice {lo_pages}{'' if same else '   ← NOT EQUAL: comparison invalid'}"
    )
    print(f"load after: {os.getloadavg()[0]:.2f}")
    return 0 if same and ratio >= 10 else 1


if __name__ == "__main__":
    raise SystemExit(main())
