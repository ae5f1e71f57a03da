"""Import of headquarters' model-union sheet (加入拡大モデル単組 過去2年実績, DOMAIN §5).

The sheet is read by its labels, not by cell positions: the header row holds 自治労県コード,
単組コード, 加入拡大モデル単組, 組合員数, 団生保有, 目標件数 … and the month columns ("6月" …);
the merged row above it names the year of each band ("2022年度" …).  Without that row the
month runs are assigned from the right (the last twelve months are the import's year).
The as-of month comes from the "N月累計" label.

Every figure the sheet derives (加入率, 年度実績, N月累計, 累積件数, 前年比, 達成率, 残件数 and
the whole 合計 row) is recomputed with the rules of ``domain/model_unions`` and each
disagreement is reported with its cell address as a warning; the import keeps the counts.
Problems that make the sheet unusable (missing columns, text in a number cell, duplicate
or unknown unions …) refuse the whole import.  ``plan_model_unions`` reads and checks the
sheet once and returns an :class:`ImportPlan` whose preview performs every write and rolls
it back, so it reports exactly what the import would change — including counts a clerk had
entered for the branch's own unions that the sheet would overwrite; ``commit`` writes the
same parsed sheet.  ``sheet_year`` reads which year and start month the sheet says it is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from operator import attrgetter
from pathlib import Path

from kyosai_desktop.domain.model_unions import (
    YEARS_SHOWN,
    ModelUnionInput,
    ModelUnionRow,
    ModelUnionTotals,
    TableLayout,
    compute_row,
    compute_totals,
    totals_scope,
)
from kyosai_desktop.domain.months import month_label
from kyosai_desktop.domain.rates import format_percent
from kyosai_desktop.services.context import AppContext
from kyosai_desktop.services.import_plan import ImportPlan, ImportReport, Progress, report_progress
from kyosai_desktop.services.model_union_sheet_parser import (
    ParsedSheet,
    SheetRow,
    parse_sheet,
    sniff_sheet,
)
from kyosai_desktop.services.tabular import (
    ImportFailed,
    PendingTable,
    Problem,
    Table,
    norm_label,
    read_table,
)
from kyosai_desktop.store.model_unions import Designation
from kyosai_desktop.store.unions import Union

__all__ = [
    "ImportFailed",
    "ModelUnionImportResult",
    "check_sheet",
    "import_model_unions",
    "plan_model_unions",
    "sheet_year",
]

TITLE = "加入拡大モデル単組シートの取り込み"


@dataclass
class ModelUnionImportResult:
    """What the import changed (or, in a dry run, would change), and every warning."""

    fiscal_year: int
    source: str
    dry_run: bool
    sheet_start_month: int
    start_month: int
    as_of: str
    rows: int = 0
    other_rows: int = 0  # 社保労連 rows (not in the national total)
    created_unions: list[str] = field(default_factory=list)
    designated: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    counts_written: int = 0
    counts_unchanged: int = 0
    own_changes: list[str] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def headline(self) -> str:
        head = "【試行 (dry-run): 何も書き込んでいません】\n" if self.dry_run else ""
        return (
            f"{head}{self.source}: {self.fiscal_year}年度 加入拡大モデル単組 {self.rows} 単組"
            f" (うち全国集計外 {self.other_rows})、{self.sheet_start_month}月開始のシート、"
            f"{month_label(self.as_of)}現在"
        )

    def summary_lines(self) -> list[str]:
        return [
            self.headline(),
            f"  指定: 追加 {len(self.designated)}・変更 {len(self.changed)}・解除 {len(self.removed)}"
            f"  / 新しい単組 {len(self.created_unions)}"
            f"  / 月別件数 (団体生命共済): 書き込み {self.counts_written}・変更なし {self.counts_unchanged}",
            f"  集計の開始月: {self.start_month}月開始",
        ]

    def text(self, limit: int = 200) -> str:
        lines = self.summary_lines()
        for title, items in (
            ("県支部の単組で入力済みの件数が変わります", self.own_changes),
            ("新しく登録する単組", self.created_unions),
            ("指定を解除する単組", self.removed),
            ("指定内容が変わる単組", self.changed),
        ):
            if items:
                lines.append(f"■ {title} ({len(items)} 件)")
                lines += [f"  {x}" for x in items[:limit]]
                if len(items) > limit:
                    lines.append(f"  … ほか {len(items) - limit} 件")
        if self.warnings:
            lines.append(
                f"■ シートの値と計算値の不一致など ({len(self.warnings)} 件、取り込みは続行)"
            )
            lines += [f"  {p}" for p in self.warnings[:limit]]
            if len(self.warnings) > limit:
                lines.append(f"  … ほか {len(self.warnings) - limit} 件")
        lines += [f"※ {n}" for n in self.notes]
        return "\n".join(lines)


# ------------------------------------------------------------------ checks


_TOLERANCE = Decimal("0.051")


def _percent_matches(stated: object, computed: Decimal | None) -> bool:
    """A rate cell may hold 0.457 (Excel percent), 45.7, "45.7%" or "—"."""
    if isinstance(stated, str):  # an Excel error such as #DIV/0!
        return computed is None
    if computed is None:
        return stated is None or stated == 0
    if stated is None:
        return False
    value = stated if type(stated) is Decimal else Decimal(str(stated))
    tolerance = _TOLERANCE
    return abs(value * 100 - computed) < tolerance or abs(value - computed) < tolerance


def _fmt_rate(value: object) -> str:
    if value is None:
        return "空欄"
    if isinstance(value, Decimal) and abs(value) <= 10 and value != value.to_integral():
        return f"{value * 100:.1f}%"
    return str(value)


def check_sheet(sheet: ParsedSheet) -> list[Problem]:
    """Recompute every derived column and the 合計 row; one warning per disagreement."""
    layout = TableLayout(sheet.fiscal_year, sheet.start_month, sheet.as_of)
    warnings: list[Problem] = list(sheet.warnings)
    computed = []
    # the figures a union's row states; yoy only when the sheet has the previous year's band
    figure_of = _figures(sheet, target="unit.target", yoy=sheet.fiscal_year - 1 in sheet.years)
    for row in sheet.rows:
        unit = ModelUnionInput(
            0,
            row.pref_code,
            row.pref_name or "",
            row.union_code,
            row.name,
            row.members,
            row.holdings,
            row.effective_month,
            row.target,
            row.in_national,
        )
        # (the months after as-of that counts() adds are not in any derived figure)
        figures = compute_row(unit, row.values, layout)
        computed.append(figures)
        for key, (col, value) in row.stated.items():
            figure = figure_of.get(key)
            if figure is None:
                continue
            want = figure(figures)
            if value == want and key not in _RATE_KEYS:
                continue  # the common case: the sheet agrees
            if not _matches(key, value, want):
                who = f"{row.pref_code}-{row.union_code}"
                warnings.append(_mismatch(sheet, row.index, col, key, value, want, who))
        if row.late_counts:
            late = [m for m, v in row.late_counts.items() if v]
            if late:
                warnings.append(
                    sheet.table.problem(
                        row.index,
                        row.month_cols[late[0]],
                        f"{row.pref_code}-{row.union_code}: 基準月 ({month_label(sheet.as_of)})"
                        f" より後の月に件数があります ({', '.join(month_label(m) for m in late)})。"
                        "取り込みます。",
                    )
                )
    if sheet.totals is not None:
        totals = compute_totals(totals_scope(computed), layout)
        expected = {
            key: figure(totals)
            for key, figure in _figures(sheet, target="target", yoy=True).items()
        }
        expected["members"] = totals.members
        expected["holdings"] = totals.holdings
        for i, months in enumerate(totals.months):
            year = layout.years[i]
            for m, v in zip(year.months(), months, strict=True):
                if v is not None:
                    expected[f"month:{m}"] = v
        warnings += _compare(sheet, sheet.totals.index, sheet.totals.stated, expected, "合計行")
    return warnings


_RATE_KEYS = frozenset({"join_rate", "rate"})


Figures = ModelUnionRow | ModelUnionTotals


def _figures(
    sheet: ParsedSheet, *, target: str, yoy: bool
) -> dict[str, Callable[[Figures], object]]:
    """How to read each derived figure a row or the 合計 states (the keys of ``stated``) from
    its recomputed :class:`ModelUnionRow` / :class:`ModelUnionTotals` — worked out once per
    sheet, not once per row.  ``target``: where the figures hold their 目標件数."""
    first = sheet.fiscal_year - (YEARS_SHOWN - 1)
    out: dict[str, Callable[[Figures], object]] = {
        "join_rate": attrgetter("join_rate"),
        "cumulative": attrgetter("cumulative"),
        "rate": attrgetter("rate"),
        "remaining": attrgetter("remaining"),
        "target": attrgetter(target),
    }
    if yoy:
        out["yoy"] = attrgetter("yoy")
    for i in range(YEARS_SHOWN - 1):
        out[f"year_total:{first + i}"], out[f"to_date:{first + i}"] = _previous_year(i)
    return out


def _previous_year(
    i: int,
) -> tuple[Callable[[Figures], object], Callable[[Figures], object]]:
    """Readers of the ``i``-th previous year's 年度実績 and N月累計."""

    def year_total(f: Figures) -> object:
        return f.year_totals[i]

    def to_date(f: Figures) -> object:
        return f.to_date[i]

    return year_total, to_date


_LABELS = {
    "join_rate": "加入率",
    "cumulative": "累積件数",
    "yoy": "前年比",
    "rate": "達成率",
    "remaining": "残件数",
    "target": "目標件数",
    "members": "組合員数",
    "holdings": "団生保有",
}


def _label(sheet: ParsedSheet, key: str) -> str:
    if key in _LABELS:
        return _LABELS[key]
    kind, _, arg = key.partition(":")
    if kind == "year_total":
        return f"{arg}年度実績"
    if kind == "to_date":
        return f"{arg}年度 {int(sheet.as_of[5:])}月累計"
    if kind == "month":
        return month_label(arg)
    return key


def _matches(key: str, value: object, want: object) -> bool:
    if key in _RATE_KEYS:
        return _percent_matches(value, want)  # type: ignore[arg-type]
    return (value if value is not None else (0 if want is not None else None)) == want


def _mismatch(
    sheet: ParsedSheet, index: int, col: int, key: str, value: object, want: object, who: str
) -> Problem:
    if key in _RATE_KEYS:
        shown_want, shown_value = format_percent(want), _fmt_rate(value)  # type: ignore[arg-type]
    else:
        shown_want, shown_value = str(want), "空欄" if value is None else str(value)
    return sheet.table.problem(
        index,
        col,
        f"{who} {_label(sheet, key)}: シートの値 {shown_value} と計算値 {shown_want} が違います",
    )


def _compare(
    sheet: ParsedSheet,
    index: int,
    stated: dict[str, tuple[int, object]],
    expected: dict[str, object],
    who: str,
) -> list[Problem]:
    return [
        _mismatch(sheet, index, col, key, value, expected[key], who)
        for key, (col, value) in stated.items()
        if key in expected and not _matches(key, value, expected[key])
    ]


# ------------------------------------------------------------------ import


def import_model_unions(
    ctx: AppContext,
    path: Path | str | PendingTable,
    fiscal_year: int,
    *,
    start_month: int | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    sheet: str | None = None,
) -> ModelUnionImportResult:
    """The CLI's one call: check the sheet, then write it (a dry run stops after the preview).

    Raises :class:`ImportFailed` listing every problem when the sheet cannot be used.
    ``start_month`` (6 or 5) sets the fiscal year's model-union start month; by default the
    configured one is kept.
    """
    plan = plan_model_unions(
        ctx,
        path,
        fiscal_year,
        start_month=start_month,
        preview=dry_run,
        progress=progress,
        sheet=sheet,
    )
    report = plan.preview if dry_run else plan.commit(ctx, progress, undoable=False)
    result = report.result
    assert isinstance(result, ModelUnionImportResult)
    result.dry_run = dry_run
    return result


def sheet_year(table: Table) -> tuple[int | None, int | None]:
    """(fiscal year, start month) the sheet itself states, each None when it does not say."""
    return sniff_sheet(table)


def plan_model_unions(
    ctx: AppContext,
    source: Path | str | Table | PendingTable,
    fiscal_year: int,
    *,
    start_month: int | None = None,
    preview: bool = True,
    progress: Progress | None = None,
    sheet: str | None = None,
) -> ImportPlan:
    """Read and check the sheet once; the plan's preview says exactly what the import changes.

    Without a preview (the command line's import) the sheet is checked while SQLite inserts
    its counts, on a second thread (``ResultRepository.write_bulk``'s ``meanwhile``): the
    warnings are then in the plan and the result once ``commit`` returns."""
    if start_month is not None and not 1 <= start_month <= 12:
        raise ImportFailed(f"開始月は 1〜12 で指定してください: {start_month}")
    if not 2000 <= fiscal_year <= 2100:
        raise ImportFailed(f"年度 {fiscal_year} は西暦4桁で指定してください。")
    report_progress(progress, 0, 3, "シートを読んでいます…")
    if isinstance(source, PendingTable):
        table = source.result()
    elif isinstance(source, Table):
        table = source
    else:
        table = read_table(source, sheet=sheet)
    prefs = {p.code: p for p in ctx.prefectures.all()}
    parsed = parse_sheet(table, fiscal_year, {c: (p.name, p.in_national) for c, p in prefs.items()})
    warnings: list[Problem] = []
    check = _Once(lambda: warnings.extend(check_sheet(parsed)))
    if preview:
        report_progress(progress, 1, 3, "シートの値を検算しています…")
        check.run()
    configured = ctx.fiscal_years.model_year(fiscal_year).start_month
    target_start = start_month or configured
    name = Path(table.source).name

    def write(ctx: AppContext, report: ImportReport, progress: Progress | None) -> None:
        report_progress(progress, 2, 3, "書き込んでいます…")
        result = ModelUnionImportResult(
            fiscal_year=fiscal_year,
            source=name,
            dry_run=False,
            sheet_start_month=parsed.start_month,
            start_month=target_start,
            as_of=parsed.as_of,
            rows=len(parsed.rows),
            other_rows=sum(1 for r in parsed.rows if not r.in_national),
            warnings=warnings,
            notes=list(parsed.notes),
        )
        if parsed.start_month != target_start:
            result.notes.append(
                f"シートは {parsed.start_month}月開始の並びですが、{fiscal_year}年度の集計は {target_start}月開始です。"
                " 月別件数は暦月で取り込むので、どちらの並びでも表示できます。"
                + (
                    ""
                    if start_month
                    else f" 集計開始月をシートに合わせるときは、{parsed.start_month}月開始を選んで"
                    "取り込み直してください。"
                )
            )
        _write(ctx, parsed, result, start_month, configured, meanwhile=check.run)
        check.run()  # (done already, beside the counts' insert)
        report.result = result
        report.rows = result.rows
        report.added = len(result.designated) + len(result.created_unions)
        report.updated = len(result.changed) + len(result.removed) + result.counts_written
        report.unchanged = result.counts_unchanged
        report.changes = list(result.own_changes)
        report.details = (
            [f"新しい単組 {x}" for x in result.created_unions]
            + [f"指定を追加 {x}" for x in result.designated]
            + [f"指定内容の変更 {x}" for x in result.changed]
            + [f"指定を解除 {x}" for x in result.removed]
        )
        report.notes = list(result.notes)
        report_progress(progress, 3, 3, "書き込みました")

    def summarise(report: ImportReport) -> list[str]:
        result = report.result
        assert isinstance(result, ModelUnionImportResult)
        return result.summary_lines()

    plan = ImportPlan.prepare(
        ctx,
        title=TITLE,
        source=name,
        write=write,
        warnings=warnings,
        kinds=("model_unions", "results"),
        summarise=summarise,
        preview=preview,
        progress=progress,
    )
    plan.warnings = warnings  # the same list: filled by the commit when there was no preview
    return plan


class _Once:
    """Work that runs once, the first time :meth:`run` is called."""

    def __init__(self, work: Callable[[], object]) -> None:
        self._work: Callable[[], object] | None = work

    def run(self) -> None:
        work, self._work = self._work, None
        if work is not None:
            work()


def _write(
    ctx: AppContext,
    sheet: ParsedSheet,
    result: ModelUnionImportResult,
    start_month: int | None,
    configured: int,
    *,
    meanwhile: Callable[[], object] | None = None,
) -> None:
    """Write the parsed sheet; ``meanwhile`` runs beside the counts' insert (see
    :meth:`ModelUnionRepository.write_counts`)."""
    fy = sheet.fiscal_year
    ctx.fiscal_years.ensure(fy)
    if start_month is not None and start_month != configured:
        results_start = ctx.fiscal_years.results_year(fy).start_month
        ctx.fiscal_years.set_start_months(fy, results_start, start_month)
        result.notes.append(
            f"{fy}年度の集計開始月を {configured}月 → {start_month}月 に変更します。"
        )
    branch = ctx.branch
    existing = {(u.pref_code, u.union_code): u for u in ctx.unions.list()}
    labels = {
        (r.pref_code, r.union_code): f"{r.pref_code}-{r.union_code} {r.name}" for r in sheet.rows
    }
    new_rows = []
    for row in sheet.rows:
        union = existing.get((row.pref_code, row.union_code))
        if union is None:
            new_rows.append(
                (
                    row.pref_code,
                    row.union_code,
                    row.name,
                    {
                        "members": row.members,
                        "holdings": row.holdings,
                        "effective_month": row.effective_month,
                    },
                )
            )
            result.created_unions.append(labels[(row.pref_code, row.union_code)])
            continue
        _fill_missing(ctx, union, row)
        if norm_label(union.name) != norm_label(row.name):
            result.notes.append(
                f"{row.pref_code}-{row.union_code} の名称は登録済みの「{union.name}」のままです"
                f" (シート: 「{row.name}」)。"
            )
    ids = {key: u.id for key, u in existing.items()}
    ids.update(ctx.model_unions.add_unions(new_rows, source="import"))
    who: dict[int, SheetRow] = {}
    designations = []
    values: dict[int, dict[str, int]] = {}
    for row in sheet.rows:
        union_id = ids[(row.pref_code, row.union_code)]
        who[union_id] = row
        designations.append(
            Designation(fy, union_id, row.target, row.members, row.holdings, row.effective_month)
        )
        values[union_id] = row.counts()
    added, changed = ctx.model_unions.designate_many(designations, source="import")
    result.designated = [labels[(who[i].pref_code, who[i].union_code)] for i in added]
    result.changed = [labels[(who[i].pref_code, who[i].union_code)] for i in changed]
    keep = list(who)
    for union_id in ctx.model_unions.remove_missing(fy, keep, source="import"):
        u = ctx.unions.get(union_id)
        result.removed.append(f"{u.key} {u.name}" if u else str(union_id))
    written, unchanged, overwritten = ctx.model_unions.write_counts(
        values, source="import", meanwhile=meanwhile
    )
    result.counts_written, result.counts_unchanged = written, unchanged
    own = [c for c in overwritten if who[c.union_id].pref_code == branch]
    for c in sorted(own, key=lambda c: (who[c.union_id].union_code, c.month)):
        row = who[c.union_id]
        result.own_changes.append(
            f"{row.pref_code}-{row.union_code} {row.name} {month_label(c.month)}: {c.old} → {c.new}"
        )
    ctx.model_unions.set_year_info(
        fy, as_of=sheet.as_of, sheet_start_month=sheet.start_month, source=result.source
    )


def _fill_missing(ctx: AppContext, union: Union, row: SheetRow) -> None:
    """Fill only the master fields that are still empty; a clerk's figures are never replaced."""
    fill = {
        k: v
        for k, v in (
            ("members", row.members),
            ("holdings", row.holdings),
            ("effective_month", row.effective_month),
        )
        if v is not None and getattr(union, k) is None
    }
    if fill:
        ctx.unions.update(union.id, source="import", **fill)
