"""Headquarters-style model-union sheets for the tests and the benchmark.

``write_sheet`` lays units out like seed 004 / the sample workbook: a title row, a merged
year-band row over the month row, three bands of twelve months (the previous two with an
"N月累計" column), 累積件数 · 目標件数 · 実績(前年比) · 達成率 · 残件数 · 県名, and a 合計 row.
The derived columns are computed here independently of the app (plain sums), so a test
can also plant a wrong figure on purpose.
"""

from __future__ import annotations

import hashlib
import random
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

SAMPLE = Path("/work/shared/samples/model_unions_sample.xlsx")
if not SAMPLE.exists():  # a checkout elsewhere: the samples sit beside the repository
    SAMPLE = Path(__file__).resolve().parents[2] / "shared" / "samples" / "model_unions_sample.xlsx"


def _pref_names() -> dict[str, str]:
    import csv

    path = Path(__file__).resolve().parents[1] / "db" / "seed" / "prefectures.csv"
    with path.open(encoding="utf-8") as fh:
        return {r["pref_code"].zfill(2): r["pref_name"] for r in csv.DictReader(fh)}


PREF_NAMES = _pref_names()


@dataclass
class Unit:
    pref: str
    code: str
    name: str
    members: int
    holdings: int
    effective: int
    target: int
    counts: dict[str, int] = field(default_factory=dict)  # calendar month → count


def fy_months(year: int, start: int) -> list[str]:
    out = []
    for k in range(12):
        m = (start - 1 + k) % 12 + 1
        y = year if m >= start else year + 1
        out.append(f"{y:04d}-{m:02d}")
    return out


def to_date(months: list[str], as_of_month: int) -> list[str]:
    end = months.index(next(m for m in months if int(m[5:]) == as_of_month))
    return months[: end + 1]


def write_sheet(
    path: Path,
    units: list[Unit],
    *,
    fy: int = 2024,
    start: int = 6,
    as_of_month: int = 2,
    band_row: bool = True,
    title: bool = True,
    totals: bool = True,
    after_totals: list[Unit] = (),
    overrides: dict[tuple[int, str], object] | None = None,
    drop: tuple[str, ...] = (),
    extra: bool = False,
) -> Path:
    """Write the sheet; ``overrides[(unit index, column title)]`` replaces a cell's value.

    ``unit index`` −1 addresses the 合計 row; month titles are "2024年度6月" style.
    """
    overrides = overrides or {}
    years = [fy - 2, fy - 1, fy]
    month_lists = [fy_months(y, start) for y in years]
    fixed = [
        "自治労県コード",
        "県名",
        "単組コード",
        "加入拡大モデル単組",
        "組合員数",
        "団生保有",
        "加入率",
        "発効",
        f"{fy - 2}年度実績",
        f"{fy - 1}年度実績",
    ]
    if extra:
        fixed.insert(4, "備考")
    titles: list[str] = [t for t in fixed if t not in drop]
    keys: list[str] = list(titles)
    bands: list[str | None] = [None] * len(titles)
    for y, months in zip(years, month_lists, strict=True):
        for m in months:
            titles.append(f"{int(m[5:])}月")
            keys.append(f"{y}年度{int(m[5:])}月")
            bands.append(f"{y}年度")
        if y != fy:
            titles.append(f"{as_of_month}月累計")
            keys.append(f"{y}年度累計")
            bands.append(f"{y}年度")
    tail = [
        t for t in ["累積件数", "目標件数", "実績", "達成率", "残件数", "県名"] if t not in drop
    ]
    titles += tail
    keys += tail
    bands += [None] * len(tail)

    def values(u: Unit | None, rows: list[Unit]) -> dict[str, object]:
        sel = rows if u is None else [u]
        count = lambda ms: sum(x.counts.get(m, 0) for x in sel for m in ms)  # noqa: E731
        members = sum(x.members for x in sel)
        holdings = sum(x.holdings for x in sel)
        target = sum(x.target for x in sel)
        cum = count(to_date(month_lists[2], as_of_month))
        prev = count(to_date(month_lists[1], as_of_month))
        out: dict[str, object] = {
            "組合員数": members,
            "団生保有": holdings,
            "加入率": holdings / members if members else 0,
            f"{fy - 2}年度実績": count(month_lists[0]),
            f"{fy - 1}年度実績": count(month_lists[1]),
            "累積件数": cum,
            "目標件数": target,
            "実績": cum - prev,
            "達成率": cum / target if target else 0,
            "残件数": target - cum,
        }
        for y, months in zip(years, month_lists, strict=True):
            shown = months if y != fy else to_date(months, as_of_month)
            for m in months:
                out[f"{y}年度{int(m[5:])}月"] = count([m]) if m in shown else 0
            if y != fy:
                out[f"{y}年度累計"] = count(to_date(months, as_of_month))
        if u is not None:
            out.update(
                {
                    "自治労県コード": u.pref,
                    "県名": PREF_NAMES.get(u.pref, u.pref),
                    "単組コード": u.code,
                    "加入拡大モデル単組": u.name,
                    "発効": f"{u.effective}月",
                    "備考": "メモ",
                }
            )
        else:
            out["自治労県コード"] = "合計"
        return out

    wb = Workbook()
    ws = wb.active
    ws.title = "モデル単組"
    r = 1
    if title:
        ws.cell(r, 1, f"{fy}年度加入拡大モデル単組 過去2年実績({start}月開始)")
        r += 1
    if band_row:
        j = 0
        while j < len(bands):
            if bands[j] is None:
                j += 1
                continue
            k = j
            while k + 1 < len(bands) and bands[k + 1] == bands[j]:
                k += 1
            ws.cell(r, j + 1, bands[j])
            ws.merge_cells(f"{get_column_letter(j + 1)}{r}:{get_column_letter(k + 1)}{r}")
            j = k + 1
        r += 1
    for j, t in enumerate(titles, start=1):
        ws.cell(r, j, t)
    header_row = r
    body = list(units)
    rows_out: list[tuple[int, dict[str, object]]] = [
        (i, values(u, body)) for i, u in enumerate(body)
    ]
    if totals:
        rows_out.append((-1, values(None, body)))
    rows_out += [(100 + i, values(u, list(after_totals))) for i, u in enumerate(after_totals)]
    for idx, vals in rows_out:
        r += 1
        for j, key in enumerate(keys, start=1):
            title_key = titles[j - 1]
            value = vals.get(key)
            for o in ((idx, key), (idx, title_key)):
                if o in overrides:
                    value = overrides[o]
            if value is not None:
                ws.cell(r, j, value)
    ws.freeze_panes = ws.cell(header_row + 1, 1)
    wb.save(path)
    return path


def sample_units(rng: random.Random | None = None) -> list[Unit]:
    """A few units across prefectures with counts in all three years (6月開始 FY2024)."""
    rng = rng or random.Random(7)
    units = [
        Unit("04", "013", "自治労奥州市職員労働組合", 214, 160, 4, 15),
        Unit("05", "021", "角田市職員労働組合", 242, 200, 1, 20),
        Unit("15", "002", "千葉市職員労働組合", 5101, 520, 10, 30),
        Unit("33", "001", "岡山県関係職員労働組合連合", 3670, 904, 1, 60),
        Unit("41", "002", "高知市職員労働組合", 1552, 1132, 9, 50),
    ]
    for u in units:
        for month in [m for y in (2022, 2023) for m in fy_months(y, 6)] + fy_months(2024, 6)[:9]:
            if rng.random() < 0.4:
                u.counts[month] = rng.randint(1, 6)
    # Figures of seed 004: 奥州 4 of 15 (26.7 %), 千葉市 47 of 30 (-17), 岡山 23 of 60.
    set_cumulative(units[0], 4)
    set_cumulative(units[2], 47)
    set_cumulative(units[3], 23)
    return units


def set_cumulative(
    u: Unit, total: int, fy: int = 2024, start: int = 6, as_of_month: int = 2
) -> None:
    months = to_date(fy_months(fy, start), as_of_month)
    for m in months:
        u.counts.pop(m, None)
    for i in range(total):
        m = months[i % len(months)]
        u.counts[m] = u.counts.get(m, 0) + 1


def generated_units(n: int, seed: int = 3) -> list[Unit]:
    """``n`` units spread over the 47 prefectures (for the benchmark)."""
    rng = random.Random(seed)
    prefs = ["01"] + [f"{i:02d}" for i in range(3, 31)] + [f"{i:02d}" for i in range(32, 50)]
    out = []
    per = -(-n // len(prefs))
    months = [m for y in (2022, 2023, 2024) for m in fy_months(y, 6)][:33]
    for k in range(n):
        pref = prefs[k // per]
        members = rng.randint(50, 8000)
        u = Unit(
            pref,
            f"{k % per + 1:03d}",
            f"{pref}県 第{k % per + 1}職員労働組合",
            members,
            int(members * rng.uniform(0.05, 0.95)),
            rng.randint(1, 12),
            rng.choice([10, 20, 30, 50]),
        )
        for m in months:
            if rng.random() < 0.35:
                u.counts[m] = rng.randint(1, 9)
        out.append(u)
    return out


def digest(path: Path) -> str:
    """Content of every user table, to prove a refused import changed nothing."""
    con = sqlite3.connect(path)
    try:
        parts = []
        for table in (
            "unions",
            "targets",
            "results",
            "audit",
            "settings",
            "fiscal_years",
            "model_unions",
            "model_union_years",
        ):
            parts.append(repr(con.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()))
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()
    finally:
        con.close()
