"""Import of a 別紙2 list (執行部見積り結果一覧) from xlsx or CSV into one campaign × union.

The sheet has the seed's Japanese headers in the 別紙2 order (No. · 氏名 · 年齢 · 車名 ·
現在等級 · 適応等級 · 車両 · 他社掛金 · じちろう掛金 · 支払 · 年間差額 · 引下率 ·
保険(共済)満期日 · 車検満了日), optionally followed by 区分 · 連絡先 · 状況 · the step dates
and 備考.  Title lines above the header, the 【注意】 notice and a 合計 line are recognised.

年間差額 and 引下率 are never stored: when the sheet has them they are recomputed (DOMAIN §6)
and every disagreement is reported with its row and cell.  Every other problem (支払 other
than 年/月, a negative or text premium, an impossible date, an unknown union, a duplicate
No.) refuses the whole file with the full list; nothing is written.  A row whose No.
already exists in the campaign × union updates that estimate, so importing a corrected
sheet again does not duplicate people.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from kyosai_desktop.domain import cells
from kyosai_desktop.domain.cells import CellError
from kyosai_desktop.domain.estimate_values import (
    blank,
    grade_text,
    parse_age,
    parse_cover,
    parse_date,
    parse_payment,
    parse_percent_candidates,
    parse_yen,
)
from kyosai_desktop.domain.estimates import (
    CAMPAIGN_KINDS,
    DEFAULT_PRODUCT,
    ESTIMATED,
    OFFICER,
    OTHER_KIND,
    REQUESTED,
    ROLES,
    STATUSES,
    Totals,
    annual_difference,
    default_role,
    reduction_rate,
    totals,
)
from kyosai_desktop.services.context import AppContext
from kyosai_desktop.services.import_plan import ImportPlan, ImportReport, Progress, report_progress
from kyosai_desktop.services.tabular import (
    ImportFailed,
    Problem,
    Table,
    data_rows,
    find_header,
    read_table,
)
from kyosai_desktop.store.estimates import Campaign

LIST_COLUMNS = [
    "No.",
    "氏名",
    "年齢",
    "車名",
    "現在等級",
    "適応等級",
    "車両",
    "他社掛金",
    "じちろう掛金",
    "支払",
    "年間差額",
    "引下率",
    "保険(共済)満期日",
    "車検満了日",
]
DERIVED = ("年間差額", "引下率")
REQUIRED = [c for c in LIST_COLUMNS if c not in DERIVED]
EXTRA = ["区分", "連絡先", "状況", "依頼受付日", "見積作成日", "返却日", "申込日", "備考"]
ALIASES = {
    "No.": ["No", "NO", "番号", "№"],
    "他社掛金": ["他社保険料", "他保険・他共済掛金"],
    "じちろう掛金": ["じちろうマイカー共済掛金", "自治労掛金", "じちろう"],
    "車両": ["車両補償", "車両保険"],
    "保険(共済)満期日": ["保険満期日", "共済満期日", "満期日", "保険(共済)満期"],
    "車検満了日": ["車検満了", "車検満期日"],
    "区分": ["執行部/組合員", "役職"],
    "連絡先": ["電話", "TEL", "連絡先(TEL)"],
    "申込日": ["成約日", "成約・不成約日", "確定日"],
    "依頼受付日": ["依頼日", "受付日"],
    "見積作成日": ["見積日"],
    "返却日": ["返却済日"],
}
_FIELDS = {  # sheet column → estimate field
    "氏名": "name",
    "年齢": "age",
    "車名": "car",
    "現在等級": "grade_now",
    "適応等級": "grade_new",
    "車両": "vehicle_cover",
    "他社掛金": "other_premium",
    "じちろう掛金": "jichiro_premium",
    "支払": "payment",
    "保険(共済)満期日": "policy_maturity",
    "車検満了日": "inspection_due",
    "区分": "role",
    "連絡先": "contact",
    "状況": "status",
    "依頼受付日": "requested_on",
    "見積作成日": "estimated_on",
    "返却日": "returned_on",
    "申込日": "closed_on",
    "備考": "notes",
}


@dataclass
class EstimateImport:
    """What an import wrote (or, for a dry run, would write)."""

    campaign: str
    union: str
    rows: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped_notes: int = 0
    campaign_created: bool = False
    kind_ignored: str | None = None  # --kind given for a campaign that already has a kind
    dry_run: bool = False
    totals: Totals = field(default_factory=Totals)
    warnings: list[Problem] = field(default_factory=list)

    def text(self) -> str:
        lines = []
        if self.dry_run:
            lines.append("【試行 (dry-run): 何も書き込んでいません】")
        if self.campaign_created:
            lines.append(f"キャンペーン「{self.campaign}」を新しく登録しました。")
        if self.kind_ignored:
            lines.append(
                f"※ キャンペーン「{self.campaign}」は種類「{self.kind_ignored}」で登録済みのため、"
                "指定された種類は使っていません。"
            )
        lines.append(
            f"{self.union} の見積り: {self.rows} 行を読み込み、追加 {self.added} 件・"
            f"変更 {self.updated} 件・変更なし {self.unchanged} 件"
        )
        t = self.totals
        lines.append(
            f"集計対象 {t.rows_in_totals} 件 / 掛金未記入で集計外 {t.rows_flagged} 件 / "
            f"節約総額 {t.saving_total:,} 円/年"
        )
        if self.warnings:
            lines.append(
                f"シートの計算値との食い違い {len(self.warnings)} 件 (取り込みでは再計算した値を使います):"
            )
            lines += [f"  - {w}" for w in self.warnings]
        return "\n".join(lines)


@dataclass
class _Row:
    index: int
    seq: int | None
    values: dict[str, object]


def _seq(value: object) -> int | None:
    if blank(value):
        return None
    text = value.strip().removeprefix("No.").strip() if isinstance(value, str) else value
    try:
        seq = cells.parse_count(text, label="No.", maximum=99_999)
    except CellError as exc:
        raise CellError(f"No.「{cells.shown(value)}」は1以上の整数で入力してください。") from exc
    if seq is None or seq < 1:
        raise CellError(f"No.「{cells.shown(value)}」は1以上の整数で入力してください。")
    return seq


def _role(value: object) -> str | None:
    if blank(value):
        return None
    text = str(value).strip()
    if text in ("役員", "執行委員"):
        text = OFFICER
    if text not in ROLES:
        raise CellError(f"区分「{cells.shown(value)}」は 執行部 か 組合員 で入力してください。")
    return text


def _status(value: object) -> str | None:
    if blank(value):
        return None
    text = str(value).strip()
    if text not in STATUSES:
        raise CellError(
            f"状況「{cells.shown(value)}」は {' / '.join(STATUSES)} のいずれかで入力してください。"
        )
    return text


_LABEL_OF = {key: label for label, key in _FIELDS.items()}


def _shown(value: object) -> str:
    return "空欄" if value is None or value == "" else str(value)


_PARSERS = {
    "age": parse_age,
    "car": lambda v: cells.parse_text(v, label="車名"),
    "grade_now": grade_text,
    "grade_new": grade_text,
    "vehicle_cover": parse_cover,
    "payment": parse_payment,
    "contact": lambda v: cells.parse_text(v, label="連絡先"),
    "notes": lambda v: cells.parse_text(v, label="備考"),
    "name": lambda v: None if blank(v) else cells.parse_name(v, label="氏名"),
    "role": _role,
    "status": _status,
    "other_premium": lambda v: parse_yen(v, label="他社掛金"),
    "jichiro_premium": lambda v: parse_yen(v, label="じちろう掛金"),
}
_DATE_FIELDS = (
    "policy_maturity",
    "inspection_due",
    "requested_on",
    "estimated_on",
    "returned_on",
    "closed_on",
)


_TOTAL_LABEL = re.compile(r"(合計|総計|小計|計)([(（\[【].*)?")


def _is_total_label(value: object) -> bool:
    """A footer label: 合計, 計, "合計 (18人)" (our own 別紙2 export) …"""
    if not isinstance(value, str):
        return False
    return _TOTAL_LABEL.fullmatch("".join(unicodedata.normalize("NFKC", value).split())) is not None


def _is_data_row(row: list[object], col: dict[str, int]) -> bool:
    def get(name: str) -> object:
        i = col.get(name)
        return None if i is None or i >= len(row) else row[i]

    if _is_total_label(get("No.")) or _is_total_label(get("氏名")):
        return False
    if not blank(get("氏名")) or not blank(get("他社掛金")) or not blank(get("じちろう掛金")):
        return True
    try:
        return _seq(get("No.")) is not None
    except ValueError:
        return False


def parse_sheet(table: Table) -> tuple[list[_Row], list[Problem], list[Problem], int]:
    """(rows, problems, warnings, skipped note lines) of a 別紙2 sheet."""
    header = find_header(table, REQUIRED, [*DERIVED, *EXTRA], aliases=ALIASES)
    col = header.columns
    rows: list[_Row] = []
    problems: list[Problem] = []
    warnings: list[Problem] = []
    skipped = 0
    seen: dict[int, int] = {}
    sheet_total: tuple[int, int] | None = None
    for i, row in data_rows(table, header):
        if not _is_data_row(row, col):
            diff_cell = header.get(row, "年間差額")
            try:
                amount = parse_yen(diff_cell, label="年間差額", signed=True)
            except ValueError:
                amount = None
            if amount is not None:
                sheet_total = (i, amount)
            else:
                skipped += 1  # the 【注意】 notice, "↑(1年間差額)" and similar lines
            continue
        values: dict[str, object] = {}
        seq = None
        try:
            seq = _seq(header.get(row, "No."))
        except ValueError as exc:
            problems.append(table.problem(i, col["No."], str(exc)))
        if seq is not None:
            if seq in seen:
                problems.append(
                    table.problem(
                        i, col["No."], f"No. {seq} が {table.line(seen[seq])}行目と重複しています。"
                    )
                )
            seen[seq] = i
        for label, key in _FIELDS.items():
            if label not in col:
                continue
            raw = header.get(row, label)
            try:
                if key in _DATE_FIELDS:
                    values[key] = parse_date(raw, label=label)
                else:
                    values[key] = _PARSERS[key](raw)
            except ValueError as exc:
                problems.append(table.problem(i, col[label], str(exc)))
        if blank(values.get("name")):
            problems.append(table.problem(i, col["氏名"], "氏名が空です。"))
        both = values.get("other_premium") is not None and values.get("jichiro_premium") is not None
        if both and values.get("payment") is None and blank(header.get(row, "支払")):
            problems.append(
                table.problem(
                    i,
                    col["支払"],
                    "掛金があるのに支払 (年/月) が空です。年 か 月 を入力してください。",
                )
            )
        _check_derived(table, header, row, i, values, warnings, problems)
        rows.append(_Row(i, seq, values))
    if sheet_total is not None:
        total_row, amount = sheet_total
        computed = totals(_premiums(r.values) for r in rows).difference_total
        if amount != computed:
            warnings.append(
                table.problem(
                    total_row,
                    col.get("年間差額"),
                    f"合計行の年間差額 ¥{amount:,} と、集計対象行から計算した合計 ¥{computed:,} が違います。",
                )
            )
    return rows, problems, warnings, skipped


def _premiums(values: dict[str, object]) -> tuple[int | None, int | None, str | None]:
    return values.get("other_premium"), values.get("jichiro_premium"), values.get("payment")  # type: ignore[return-value]


def _check_derived(
    table: Table,
    header,
    row: list[object],
    i: int,
    values: dict[str, object],
    warnings: list[Problem],
    problems: list[Problem],
) -> None:
    other, jichiro, payment = _premiums(values)
    col = header.columns
    raw_diff = header.get(row, "年間差額")
    if "年間差額" in col and not blank(raw_diff):
        try:
            sheet = parse_yen(raw_diff, label="年間差額", signed=True)
        except ValueError as exc:
            problems.append(table.problem(i, col["年間差額"], str(exc)))
        else:
            computed = annual_difference(other, jichiro, payment)
            if computed is None:
                warnings.append(
                    table.problem(
                        i,
                        col["年間差額"],
                        f"年間差額 ¥{sheet:,} がありますが、掛金か支払が空のため計算できません。",
                    )
                )
            elif sheet != computed:
                warnings.append(
                    table.problem(
                        i,
                        col["年間差額"],
                        f"年間差額: シートの値 ¥{sheet:,} と計算値 ¥{computed:,} が違います。",
                    )
                )
    raw_rate = header.get(row, "引下率")
    if "引下率" in col and not blank(raw_rate):
        try:
            candidates = parse_percent_candidates(raw_rate)
        except ValueError as exc:
            problems.append(table.problem(i, col["引下率"], str(exc)))
            return
        rate = reduction_rate(other, jichiro)
        if rate is None:
            warnings.append(
                table.problem(
                    i,
                    col["引下率"],
                    f"引下率「{raw_rate}」がありますが、掛金が空のため計算できません。",
                )
            )
        elif not any(c == rate for c in candidates):
            shown = f"{candidates[0]}%" if candidates else str(raw_rate)
            warnings.append(
                table.problem(
                    i,
                    col["引下率"],
                    f"引下率: シートの値 {shown} と計算値 {_pct(rate)} が違います。",
                )
            )


def _pct(rate: Decimal) -> str:
    return f"{rate}%"


def import_estimates(
    ctx: AppContext,
    path: Path | str,
    *,
    campaign: str,
    union: str,
    kind: str | None = None,
    dry_run: bool = False,
    sheet: str | None = None,
) -> EstimateImport:
    """Import a 別紙2 sheet into ``campaign`` (created when unknown) for the union ``PP-UUU``."""
    plan = plan_estimates(
        ctx, path, campaign=campaign, union=union, kind=kind, preview=dry_run, sheet=sheet
    )
    report = plan.preview if dry_run else plan.commit(ctx)
    result = report.result
    assert isinstance(result, EstimateImport)
    result.dry_run = dry_run
    return result


def plan_estimates(
    ctx: AppContext,
    path: Path | str,
    *,
    campaign: str,
    union: str,
    kind: str | None = None,
    preview: bool = True,
    progress: Progress | None = None,
    sheet: str | None = None,
) -> ImportPlan:
    """Read and check a 別紙2 sheet once; the plan's preview is what ``commit`` will write."""
    problems: list[Problem] = []
    union_obj = None
    try:
        union_obj = ctx.unions.find_key(union)
        if union_obj is None:
            problems.append(
                Problem(f"単組 {union} は登録されていません。先に単組を登録してください。")
            )
    except ValueError as exc:
        problems.append(Problem(str(exc)))
    if kind is not None and kind not in CAMPAIGN_KINDS:
        problems.append(
            Problem(f"キャンペーンの種類「{kind}」は {' / '.join(CAMPAIGN_KINDS)} のいずれかです。")
        )
    if not campaign.strip():
        problems.append(Problem("キャンペーン名が空です。"))
    existing = ctx.campaigns.find(campaign) if campaign.strip() else None
    if existing is not None and existing.anonymised_at:
        problems.append(Problem(f"キャンペーン「{campaign}」は匿名化済みのため、取り込めません。"))
    table = read_table(path, sheet=sheet)
    rows, row_problems, warnings, skipped = parse_sheet(table)
    problems += row_problems
    if not rows and not row_problems:
        problems.append(Problem(f"{table.source} に見積りの行がありません。"))
    if problems:
        raise ImportFailed(problems)
    assert union_obj is not None
    union_id, union_label, name = (
        union_obj.id,
        f"{union_obj.key} {union_obj.name}",
        campaign.strip(),
    )

    def write(ctx: AppContext, report: ImportReport, progress: Progress | None) -> None:
        result = EstimateImport(
            campaign=name,
            union=union_label,
            rows=len(rows),
            skipped_notes=skipped,
            warnings=warnings,
            totals=totals(_premiums(r.values) for r in rows),
        )
        found = ctx.campaigns.find(name)
        camp = found or _create_campaign(ctx, name, kind)
        result.campaign_created = found is None
        if found is not None and kind is not None and kind != found.kind:
            result.kind_ignored = found.kind
        _write(ctx, camp, union_id, rows, result, report, progress)
        report.result = result
        report.rows, report.added, report.updated, report.unchanged = (
            result.rows,
            result.added,
            result.updated,
            result.unchanged,
        )
        if result.campaign_created:
            report.notes.append(f"キャンペーン「{name}」を新しく登録します。")
        if result.kind_ignored:
            report.notes.append(
                f"キャンペーン「{name}」は種類「{result.kind_ignored}」で登録済みのため、"
                "指定された種類は使いません。"
            )

    def summarise(report: ImportReport) -> list[str]:
        result = report.result
        assert isinstance(result, EstimateImport)
        t = result.totals
        return [
            f"{result.union} の見積り: {report.counts()}",
            f"集計対象 {t.rows_in_totals} 件 / 掛金未記入で集計外 {t.rows_flagged} 件 / "
            f"節約総額 {t.saving_total:,} 円/年",
        ]

    return ImportPlan.prepare(
        ctx,
        title="別紙2 の取り込み",
        source=table.source,
        write=write,
        warnings=warnings,
        kinds=("estimates",),
        summarise=summarise,
        preview=preview,
        progress=progress,
    )


def _create_campaign(ctx: AppContext, name: str, kind: str | None) -> Campaign:
    product = ctx.products.resolve(DEFAULT_PRODUCT)
    return ctx.campaigns.add(
        name, kind or OTHER_KIND, product_id=product.id if product else None, source="import"
    )


def _write(
    ctx: AppContext,
    camp: Campaign,
    union_id: int,
    rows: list[_Row],
    result: EstimateImport,
    report: ImportReport,
    progress: Progress | None,
) -> None:
    ctx.campaigns.add_unions(camp.id, [union_id], source="import")
    role_default = default_role(camp.kind)
    next_seq = max([ctx.estimates.next_seq(camp.id, union_id) - 1, *(r.seq or 0 for r in rows)]) + 1
    for n, row in enumerate(rows):
        report_progress(progress, n, len(rows), "見積り")
        values = dict(row.values)
        seq = row.seq
        if seq is None:
            seq, next_seq = next_seq, next_seq + 1
        old = ctx.estimates.find_seq(camp.id, union_id, seq)
        if old is None:
            values.setdefault("role", None)
            if values["role"] is None:
                values["role"] = role_default
            if values.get("status") is None:
                complete = (
                    values.get("other_premium") is not None
                    and values.get("jichiro_premium") is not None
                )
                values["status"] = ESTIMATED if complete else REQUESTED
            ctx.estimates.add(
                camp.id,
                union_id,
                seq=seq,
                source="import",
                **{k: v for k, v in values.items() if v is not None},
            )
            result.added += 1
            continue
        for key in ("role", "status"):
            if values.get(key) is None:
                values.pop(key, None)
        changed = {k: v for k, v in values.items() if getattr(old, k) != v}
        if changed:
            ctx.estimates.update(old.id, source="import", **changed)
            result.updated += 1
            who = f"No.{seq} {old.name or '(匿名)'}"
            report.changes += [
                f"{who} {_LABEL_OF.get(k, k)}: {_shown(getattr(old, k))} → {_shown(v)}"
                for k, v in changed.items()
            ]
        else:
            result.unchanged += 1
