"""Imports of unions, targets and monthly results from CSV or xlsx (Japanese headers).

Each import validates every row first and lists every problem with its row (and cell for
xlsx); only a clean file is written, in one transaction.  ``plan_unions`` / ``plan_targets``
/ ``plan_results`` read and check the file once and return an :class:`ImportPlan` (see
``services/import_plan``) whose preview is exactly what ``commit`` will change; the
``import_*`` functions are the CLI's one-call form (``dry_run`` stops after the preview).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kyosai_desktop.domain import cells
from kyosai_desktop.domain.cells import CellError, parse_count, parse_month
from kyosai_desktop.domain.months import month_label
from kyosai_desktop.services.context import AppContext
from kyosai_desktop.services.import_plan import ImportPlan, ImportReport, Progress, report_progress
from kyosai_desktop.services.tabular import (
    ImportFailed,
    Problem,
    Table,
    data_rows,
    find_header,
    is_blank,
    read_table,
)
from kyosai_desktop.store.results import CellChange


@dataclass
class ImportSummary:
    """What an import changed (or, for a dry run, would change)."""

    kind: str
    rows: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = False
    details: list[str] = field(default_factory=list)

    def text(self) -> str:
        head = "【試行 (dry-run): 何も書き込んでいません】\n" if self.dry_run else ""
        return (
            f"{head}{self.kind}: {self.rows} 行を読み込み、追加 {self.added} 件・"
            f"変更 {self.updated} 件・変更なし {self.unchanged} 件"
        )

    @classmethod
    def of(cls, kind: str, report: ImportReport, *, dry_run: bool) -> ImportSummary:
        return cls(
            kind,
            report.rows,
            report.added,
            report.updated,
            report.unchanged,
            dry_run,
            list(report.details),
        )


def _code(value: object, width: int) -> str | None:
    """Codes are text with leading zeros; Excel may hand us 1 or 1.0 for "01"."""
    return cells.parse_code(value, width, label="自治労県コード" if width == 2 else "単組コード")


def _month_of_year(value: object) -> int | None:
    return cells.parse_month_of_year(value, label="発効月")


def _fiscal_year(value: object) -> int:
    return cells.parse_fiscal_year(value)


def _import(
    plan: Callable[..., ImportPlan],
    kind: str,
    ctx: AppContext,
    path: Path | str,
    dry_run: bool,
    sheet: str | None = None,
) -> ImportSummary:
    """The CLI's one call: plan (and, unless ``dry_run``, commit) one file."""
    p = plan(ctx, path, preview=dry_run, sheet=sheet)
    report = p.preview if dry_run else p.commit(ctx)
    return ImportSummary.of(kind, report, dry_run=dry_run)


def _cell(table: Table, problems: list[Problem], i: int, col: int | None, parse, value):
    try:
        return parse(value)
    except CellError as exc:
        problems.append(table.problem(i, col, str(exc)))
        return None


# ---------------------------------------------------------------- unions

UNION_HEADERS = ["自治労県コード", "単組コード", "単組名", "組合員数", "団生保有", "発効月"]
TARGET_HEADERS = ["年度", "商品", "目標件数", "版", "単組コード"]  # 版 and 単組コード optional
RESULT_HEADERS = ["自治労県コード", "単組コード", "商品", "発効年月", "件数"]


def import_unions(
    ctx: AppContext, path: Path | str, *, dry_run: bool = False, sheet: str | None = None
) -> ImportSummary:
    return _import(plan_unions, "単組", ctx, path, dry_run, sheet)


def plan_unions(
    ctx: AppContext,
    path: Path | str,
    *,
    preview: bool = True,
    progress: Progress | None = None,
    sheet: str | None = None,
) -> ImportPlan:
    table = read_table(path, sheet=sheet)
    header = find_header(
        table,
        UNION_HEADERS[:3],
        UNION_HEADERS[3:] + ["組織加入", "基準日"],
        aliases={"単組名": ["単組", "加入拡大モデル単組"], "発効月": ["発効"]},
    )
    col = header.columns
    problems: list[Problem] = []
    parsed: list[tuple[str, str, dict]] = []
    seen: dict[tuple[str, str], int] = {}
    known_prefs = {p.code for p in ctx.prefectures.all()}
    for i, row in data_rows(table, header):
        pref = _cell(
            table,
            problems,
            i,
            col["自治労県コード"],
            lambda v: _code(v, 2),
            header.get(row, "自治労県コード"),
        )
        code = _cell(
            table,
            problems,
            i,
            col["単組コード"],
            lambda v: _code(v, 3),
            header.get(row, "単組コード"),
        )
        name = header.get(row, "単組名")
        if pref is None or code is None:
            if (
                pref is None
                and "自治労県コード" in col
                and is_blank(header.get(row, "自治労県コード"))
            ):
                problems.append(table.problem(i, col["自治労県コード"], "自治労県コードが空です。"))
            if code is None and is_blank(header.get(row, "単組コード")):
                problems.append(table.problem(i, col["単組コード"], "単組コードが空です。"))
            continue
        if pref not in known_prefs:
            problems.append(
                table.problem(i, col["自治労県コード"], f"自治労県コード「{pref}」は存在しません。")
            )
        if is_blank(name):
            problems.append(table.problem(i, col["単組名"], "単組名が空です。"))
        else:
            name = _cell(
                table,
                problems,
                i,
                col["単組名"],
                lambda v: cells.parse_name(v, label="単組名"),
                name,
            )
        if (pref, code) in seen:
            problems.append(
                table.problem(
                    i,
                    col["単組コード"],
                    f"単組 {pref}-{code} が {table.line(seen[(pref, code)])}行目と重複しています。",
                )
            )
        seen[(pref, code)] = i
        values: dict[str, object] = {"name": str(name).strip() if name is not None else ""}
        for label, key in (("組合員数", "members"), ("団生保有", "holdings")):
            if label in col:
                values[key] = _cell(
                    table,
                    problems,
                    i,
                    col[label],
                    lambda v: parse_count(v, allow_blank=True),
                    header.get(row, label),
                )
        if "発効月" in col:
            values["effective_month"] = _cell(
                table, problems, i, col["発効月"], _month_of_year, header.get(row, "発効月")
            )
        if "組織加入" in col:
            values["org_joined"] = _cell(
                table,
                problems,
                i,
                col["組織加入"],
                lambda v: cells.parse_flag(v, label="組織加入"),
                header.get(row, "組織加入"),
            )
        if "基準日" in col and not is_blank(header.get(row, "基準日")):
            values["figures_as_of"] = _cell(
                table,
                problems,
                i,
                col["基準日"],
                lambda v: cells.parse_date(v, label="基準日"),
                header.get(row, "基準日"),
            )
        parsed.append((pref, code, values))
    if not parsed and not problems:
        problems.append(Problem(f"{table.source}: 見出しの下にデータの行がありません。"))
    if problems:
        raise ImportFailed(problems)
    labels = {
        "name": "単組名",
        "members": "組合員数",
        "holdings": "団生保有",
        "effective_month": "発効月",
        "org_joined": "組織加入",
        "figures_as_of": "基準日",
    }

    def write(ctx: AppContext, report: ImportReport, progress: Progress | None) -> None:
        report.rows = len(parsed)
        for n, (pref, code, parsed_values) in enumerate(parsed):
            report_progress(progress, n, len(parsed), "単組")
            values = dict(parsed_values)
            existing = ctx.unions.find(pref, code)
            if existing is None:
                name = values.pop("name")
                ctx.unions.add(pref, code, name, source="import", **values)
                report.added += 1
                report.details.append(f"追加 {pref}-{code} {name}")
            else:
                changed = {k: v for k, v in values.items() if getattr(existing, k) != v}
                if changed:
                    ctx.unions.update(existing.id, source="import", **changed)
                    report.updated += 1
                    report.details.append(f"変更 {pref}-{code} {', '.join(changed)}")
                    report.changes += [
                        f"{pref}-{code} {existing.name} {labels.get(k, k)}: "
                        f"{_shown(getattr(existing, k))} → {_shown(v)}"
                        for k, v in changed.items()
                    ]
                else:
                    report.unchanged += 1

    return ImportPlan.prepare(
        ctx,
        title="単組の取り込み",
        source=table.source,
        write=write,
        kinds=("unions",),
        preview=preview,
        progress=progress,
    )


def _shown(value: object) -> str:
    if value is None or value == "":
        return "空欄"
    if value is True:
        return "はい"
    if value is False:
        return "いいえ"
    return str(value)


# ---------------------------------------------------------------- targets


def import_targets(
    ctx: AppContext, path: Path | str, *, dry_run: bool = False, sheet: str | None = None
) -> ImportSummary:
    return _import(plan_targets, "目標", ctx, path, dry_run, sheet)


def plan_targets(
    ctx: AppContext,
    path: Path | str,
    *,
    preview: bool = True,
    progress: Progress | None = None,
    sheet: str | None = None,
) -> ImportPlan:
    table = read_table(path, sheet=sheet)
    header = find_header(
        table,
        TARGET_HEADERS[:3],
        ["版", "自治労県コード", "単組コード"],
        aliases={"目標件数": ["目標"]},
    )
    col = header.columns
    problems: list[Problem] = []
    parsed: list[tuple[int, int, str, int | None, int]] = []
    seen: dict[tuple, int] = {}
    for i, row in data_rows(table, header):
        fy = _cell(table, problems, i, col["年度"], _fiscal_year, header.get(row, "年度"))
        product = ctx.products.resolve(str(header.get(row, "商品") or ""))
        if product is None:
            problems.append(
                table.problem(
                    i,
                    col["商品"],
                    f"商品「{cells.shown(header.get(row, '商品'))}」は登録されていません。",
                )
            )
        target = _cell(
            table, problems, i, col["目標件数"], parse_count, header.get(row, "目標件数")
        )
        version = unicodedata.normalize("NFKC", str(header.get(row, "版") or "第1次")).strip()
        if version in ("1", "第1"):
            version = "第1次"
        elif version in ("2", "第2"):
            version = "第2次"
        if version not in ("第1次", "第2次"):
            problems.append(
                table.problem(
                    i, col.get("版"), f"版「{cells.shown(version)}」は 第1次 か 第2次 です。"
                )
            )
        union_id = None
        if not is_blank(header.get(row, "単組コード")):
            code = _cell(
                table,
                problems,
                i,
                col["単組コード"],
                lambda v: _code(v, 3),
                header.get(row, "単組コード"),
            )
            pref_raw = header.get(row, "自治労県コード")
            pref = (
                _cell(
                    table, problems, i, col.get("自治労県コード"), lambda v: _code(v, 2), pref_raw
                )
                if not is_blank(pref_raw)
                else ctx.branch
            )
            union = ctx.unions.find(pref or "", code or "") if code else None
            if code and union is None:
                problems.append(
                    table.problem(
                        i, col["単組コード"], f"単組 {pref}-{code} は登録されていません。"
                    )
                )
            union_id = union.id if union else None
        if fy is None or product is None or target is None:
            continue
        key = (fy, product.id, version, union_id)
        if key in seen:
            problems.append(
                table.problem(i, None, f"{table.line(seen[key])}行目と同じ目標が重複しています。")
            )
        seen[key] = i
        parsed.append((fy, product.id, version, union_id, target))
    if not parsed and not problems:
        problems.append(Problem(f"{table.source}: 見出しの下にデータの行がありません。"))
    if problems:
        raise ImportFailed(problems)

    def write(ctx: AppContext, report: ImportReport, progress: Progress | None) -> None:
        report.rows = len(parsed)
        for n, (fy, product_id, version, union_id, target) in enumerate(parsed):
            report_progress(progress, n, len(parsed), "目標")
            ctx.fiscal_years.ensure(fy)
            old = ctx.targets.get(fy, product_id, version, union_id)
            if old == target:
                report.unchanged += 1
                continue
            ctx.targets.set(fy, product_id, version, target, union_id, source="import")
            if old is None:
                report.added += 1
            else:
                report.updated += 1
                report.changes.append(
                    f"{fy}年度 {_product_name(ctx, product_id)} {version}"
                    f"{_union_label(ctx, union_id)}: 目標 {old} → {target}"
                )

    return ImportPlan.prepare(
        ctx,
        title="目標の取り込み",
        source=table.source,
        write=write,
        kinds=("targets",),
        preview=preview,
        progress=progress,
    )


def _product_name(ctx: AppContext, product_id: int) -> str:
    product = next((p for p in ctx.products.all() if p.id == product_id), None)
    return product.name if product else str(product_id)


def _union_label(ctx: AppContext, union_id: int | None) -> str:
    if union_id is None:
        return ""
    union = ctx.unions.get(union_id)
    return f" {union.key} {union.name}" if union else f" {union_id}"


# ---------------------------------------------------------------- results


def import_results(
    ctx: AppContext, path: Path | str, *, dry_run: bool = False, sheet: str | None = None
) -> ImportSummary:
    return _import(plan_results, "実績", ctx, path, dry_run, sheet)


def plan_results(
    ctx: AppContext,
    path: Path | str,
    *,
    preview: bool = True,
    progress: Progress | None = None,
    sheet: str | None = None,
) -> ImportPlan:
    table = read_table(path, sheet=sheet)
    header = find_header(table, RESULT_HEADERS)
    col = header.columns
    problems: list[Problem] = []
    changes: list[CellChange] = []
    seen: dict[tuple, int] = {}
    warnings: list[Problem] = []
    known = ctx.unions.list()
    unions = {(u.pref_code, u.union_code): u.id for u in known}
    members = {u.id: (u.members, f"{u.key} {u.name}") for u in known}
    for i, row in data_rows(table, header):
        pref = _cell(
            table,
            problems,
            i,
            col["自治労県コード"],
            lambda v: _code(v, 2),
            header.get(row, "自治労県コード"),
        )
        code = _cell(
            table,
            problems,
            i,
            col["単組コード"],
            lambda v: _code(v, 3),
            header.get(row, "単組コード"),
        )
        union_id = unions.get((pref, code)) if pref and code else None
        if pref and code and union_id is None:
            problems.append(
                table.problem(
                    i,
                    col["単組コード"],
                    f"単組 {pref}-{code} は登録されていません。先に単組を取り込んでください。",
                )
            )
        product = ctx.products.resolve(str(header.get(row, "商品") or ""))
        if product is None:
            problems.append(
                table.problem(
                    i,
                    col["商品"],
                    f"商品「{cells.shown(header.get(row, '商品'))}」は登録されていません。",
                )
            )
        month = _cell(
            table,
            problems,
            i,
            col["発効年月"],
            lambda v: parse_month(v, label="発効年月"),
            header.get(row, "発効年月"),
        )
        count = _cell(table, problems, i, col["件数"], parse_count, header.get(row, "件数"))
        if union_id is None or product is None or month is None or count is None:
            continue
        key = (union_id, product.id, month)
        if key in seen:
            problems.append(
                table.problem(
                    i, None, f"{table.line(seen[key])}行目と同じ単組・商品・発効年月です。"
                )
            )
        seen[key] = i
        changes.append(CellChange(union_id, product.id, month, count))
        size, name = members[union_id]
        if (
            size is not None and count > size
        ):  # allowed, but most likely a slip (an extra 0, a shifted row)
            warnings.append(
                table.problem(
                    i,
                    col["件数"],
                    f"件数 {count:,} は {name} の組合員数 {size:,}人より多い件数です。"
                    "取り込みますが、入力の誤りでないか確かめてください。",
                )
            )
    if not changes and not problems:
        problems.append(Problem(f"{table.source}: 見出しの下にデータの行がありません。"))
    if problems:
        raise ImportFailed(problems)

    def write(ctx: AppContext, report: ImportReport, progress: Progress | None) -> None:
        report.rows = len(changes)
        report_progress(progress, 0, len(changes), "実績")
        done = ctx.results.apply(changes, source="import")
        report.added = sum(1 for c in done if c.old is None)
        report.updated = len(done) - report.added
        report.unchanged = len(changes) - len(done)
        overwritten = [c for c in done if c.old is not None]
        if overwritten:
            names = {u.id: f"{u.key} {u.name}" for u in ctx.unions.list()}
            products = {p.id: p.name for p in ctx.products.all()}
            report.changes += [
                f"{names.get(c.union_id, c.union_id)} {products.get(c.product_id, c.product_id)} "
                f"{month_label(c.month)}: {c.old} → {c.new}"
                for c in overwritten
            ]
        report_progress(progress, len(changes), len(changes), "実績")

    return ImportPlan.prepare(
        ctx,
        title="実績の取り込み",
        source=table.source,
        write=write,
        kinds=("results",),
        warnings=warnings,
        preview=preview,
        progress=progress,
    )
