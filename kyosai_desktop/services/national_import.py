"""At a branch: importing headquarters' national figures (`kyosai national import FILE`).

Two layouts are read, CSV (UTF-8 or Shift_JIS) or xlsx:

* headquarters' summary as in ``../shared/samples/national_results_2025-02.csv``:
  ``product,as_of,target,actual,reach_rate_printed,branches_reached`` (one line per product);
* the national CSV that ``kyosai report national`` writes:
  ``商品,集計月,県支部コード,県支部,目標,実績,到達率,目標達成,目標達成県支部数`` (a 全国 line per
  product, code 00, then one line per branch with a target).

Each line's fiscal year follows from its 集計月 and the year's start month.  Every problem
is listed with its line and nothing is written; otherwise the fiscal years in the file are
replaced as a whole, in one transaction, with one audit row per year.  A printed 到達率 that
disagrees with 実績 ÷ 目標 (truncated) is reported as a warning, never trusted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from kyosai_desktop.domain.months import parse_month
from kyosai_desktop.domain.rates import format_percent, reach_rate
from kyosai_desktop.services.context import AppContext
from kyosai_desktop.services.import_plan import ImportPlan, ImportReport, Progress
from kyosai_desktop.services.tabular import (
    ImportFailed,
    Problem,
    data_rows,
    find_header,
    is_blank,
    read_table,
)
from kyosai_desktop.store import audit
from kyosai_desktop.store.national import NATIONAL, NationalFigure

ALIASES = {
    "商品": ["product"],
    "集計月": ["as_of"],
    "目標": ["target"],
    "実績": ["actual"],
    "到達率": ["reach_rate_printed", "reach_rate"],
    "目標達成県支部数": ["branches_reached", "目標達成県支部"],
    "県支部コード": ["pref_code"],
}


@dataclass
class NationalImportSummary:
    source: str
    dry_run: bool
    years: dict[int, int] = field(default_factory=dict)  # fiscal year → products
    branch_rows: int = 0
    replaced: dict[int, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def text(self) -> str:
        verb = "取り込みます (試行、書き込みなし)" if self.dry_run else "取り込みました"
        years = "、".join(f"{y}年度 {n} 商品" for y, n in sorted(self.years.items()))
        extra = f"、県支部別 {self.branch_rows} 行" if self.branch_rows else ""
        again = "" if not self.replaced else " (前回の全国実績を置き換え)"
        lines = [f"全国実績 {self.source} を{verb}: {years}{extra}{again}。"]
        lines += [f"  注意: {w}" for w in self.warnings]
        return "\n".join(lines)


def _count(value: object, what: str, problems: list[Problem], line: int) -> int | None:
    if is_blank(value):
        return None
    text = str(value).strip().replace(",", "").removesuffix("件").strip()
    try:
        number = int(text)
    except ValueError:
        number = -1
    if number < 0 or number > 10**9:
        problems.append(Problem(f"{what}「{value}」が 0 以上の整数ではありません", line))
        return None
    return number


def plan_national(
    ctx: AppContext, path: Path | str, *, progress: Progress | None = None, preview: bool = True
) -> ImportPlan:
    """Read and check the file into an ImportPlan; ``commit`` replaces the years it holds."""
    path = Path(path)
    if ctx.is_hq:
        raise ImportFailed(
            "このデータベースは本部用です。全国実績は県支部のデータベースに取り込んでください。"
        )
    table = read_table(path)
    header = find_header(
        table,
        ["商品", "集計月", "目標", "実績"],
        ["到達率", "目標達成県支部数", "県支部コード"],
        aliases=ALIASES,
    )
    problems: list[Problem] = []
    summary = NationalImportSummary(path.name, not preview)
    figures: dict[tuple[int, int, str], NationalFigure] = {}
    for i, row in data_rows(table, header):
        line = table.line(i)
        name = header.get(row, "商品")
        product = ctx.products.resolve(str(name)) if not is_blank(name) else None
        if product is None:
            problems.append(Problem(f"商品「{name}」は登録されていません", line))
            continue
        try:
            as_of = parse_month(str(header.get(row, "集計月")))
        except ValueError as exc:
            problems.append(Problem(str(exc), line))
            continue
        code_raw = header.get(row, "県支部コード")
        code = NATIONAL if is_blank(code_raw) else str(code_raw).strip().zfill(2)
        if not (len(code) == 2 and code.isdigit()) or (
            code != NATIONAL and ctx.prefectures.name_of(code) is None
        ):
            problems.append(Problem(f"県支部コード「{code_raw}」が正しくありません", line))
            continue
        target = _count(header.get(row, "目標"), "目標", problems, line)
        actual = _count(header.get(row, "実績"), "実績", problems, line)
        reached = _count(header.get(row, "目標達成県支部数"), "目標達成県支部数", problems, line)
        if actual is None:
            if not any(p.row == line for p in problems):
                problems.append(Problem("実績が空です", line))
            continue
        year = ctx.fiscal_years.results_year_of(as_of)
        key = (year, product.id, code)
        if key in figures:
            problems.append(Problem(f"{product.name} ({code}) の行が重複しています", line))
            continue
        printed = header.get(row, "到達率")
        if not is_blank(printed) and target:
            computed = format_percent(reach_rate(actual, target))
            if str(printed).strip().replace(" ", "") != computed:
                summary.warnings.append(
                    f"{line}行目 {product.name}: 到達率 {printed} は 実績 ÷ 目標 = {computed} と違います (計算値を使います)"
                )
        figures[key] = NationalFigure(
            year, product.id, code, as_of, target, actual, reached if code == NATIONAL else None
        )
    if not any(k[2] == NATIONAL for k in figures) and not problems:
        problems.append(Problem("全国 (県支部コード 00) の行がありません"))
    if problems:
        raise ImportFailed(problems)
    by_year: dict[int, list[NationalFigure]] = {}
    for f in figures.values():
        by_year.setdefault(f.fiscal_year, []).append(f)

    def write(ctx: AppContext, report: ImportReport, progress: Progress | None) -> None:
        done = NationalImportSummary(path.name, False, warnings=list(summary.warnings))
        report.result = done
        now = datetime.now().isoformat(timespec="seconds")
        for year, items in sorted(by_year.items()):
            before = ctx.national.source(year)
            removed = ctx.national.replace_year(year, items, source=path.name, imported_at=now)
            if removed:
                done.replaced[year] = removed
                report.changes.append(
                    f"{year}年度の全国実績 (前回 {before[0] if before else ''}) を置き換えます"
                )
            done.years[year] = sum(1 for f in items if f.pref_code == NATIONAL)
            done.branch_rows += sum(1 for f in items if f.pref_code != NATIONAL)
            audit.record(
                ctx.conn,
                source="import",
                table="national_figures",
                key=str(year),
                field="source",
                old=None if before is None else f"{before[0]} ({before[1]})",
                new=f"{path.name} ({now})",
                at=now,
            )
        report.rows = len(figures)
        report.added = len(figures)
        report.details += [f"{year}年度 {n} 商品" for year, n in sorted(done.years.items())]
        report.notes += done.warnings

    def summarise(report: ImportReport) -> list[str]:
        done = report.result
        return (
            done.text().splitlines()
            if isinstance(done, NationalImportSummary)
            else [report.counts()]
        )

    return ImportPlan.prepare(
        ctx,
        title="全国実績の取り込み",
        source=path.name,
        write=write,
        kinds=("national",),
        summarise=summarise,
        progress=progress,
        preview=preview,
    )


def import_national(
    ctx: AppContext, path: Path | str, *, dry_run: bool = False
) -> NationalImportSummary:
    """The command line's way: the plan previewed (``dry_run``) or committed."""
    plan = plan_national(ctx, path, preview=dry_run)
    report = plan.preview if dry_run else plan.commit(ctx)
    done = report.result
    assert isinstance(done, NationalImportSummary)
    done.dry_run = dry_run
    return done
