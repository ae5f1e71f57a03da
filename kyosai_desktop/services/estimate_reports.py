"""Estimate outputs as data (no Qt): 別紙2, 別紙3, the campaign summary and the closing list.

* :func:`list_report` — 別紙2 (見積り結果一覧) of one union as a ReportTable, with the
  notice that it may not be used for study sessions or recruitment;
* :func:`union_report` / :func:`union_reports` — 別紙3 (見積り実施結果報告): aggregates
  only, in the seed's wording; it holds no name and no per-person figure;
* :func:`campaign_summary` — per union and in total: requests, estimates made, returned,
  成約, 成約率, saving, 横断旗; :meth:`CampaignSummary.table` is its ReportTable;
* :func:`closing_list` — open estimates by 保険(共済)満期日, optionally "within N days";
  :func:`read_open` keeps the open estimates (:class:`OpenEstimates`) that each "within N
  days" list filters and an edit updates row by row, as
  :func:`summary_with` updates a summary union by union;
* :func:`summary_json` — the object printed by ``kyosai estimates summary --json``.

All figures come from ``domain/estimates.py``.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Collection
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from pathlib import Path

from kyosai_desktop.domain.estimates import (
    MEMBER,
    OFFICER,
    Totals,
    conversion_rate,
    next_renewal,
    row_figures,
    totals,
    totals_from_sums,
)
from kyosai_desktop.domain.tones import FLAGGED, TOTAL
from kyosai_desktop.services.context import AppContext
from kyosai_desktop.services.report_table import (
    CODE,
    COUNT,
    DATE,
    PERCENT,
    SIGNED,
    TEXT,
    YEN,
    Cell,
    Column,
    LazyRows,
    ReportTable,
    cell,
)
from kyosai_desktop.store.estimates import Campaign, Estimate, OpenEstimate, StatusCounts
from kyosai_desktop.store.unions import Union

NOTICE = (
    "【注意】この一覧は、単組の学習会や募集活動には使用できません。"
    "県支部から単組に対し、見積り者の一覧として、個別の見積書とともにフィードバックするものです。"
)
REPORT_CAUTION = (
    "単組執行部学習会での見積り取得の取り組み結果を報告する場合は、"
    "個人ごとの比較はせずに、全体的な結果の報告にとどめること。"
)
ANONYMOUS = "(匿名)"

LIST_COLUMNS = [
    Column("seq", "No.", COUNT, width=2.5, frozen=True),
    Column("name", "氏名", TEXT, width=6, frozen=True),
    Column("age", "年齢", COUNT, width=2.5),
    Column("car", "車名", TEXT, width=8),
    Column("grade_now", "現在等級", CODE, width=3.5),
    Column("grade_new", "適応等級", CODE, width=3.5),
    Column("vehicle", "車両", CODE, width=2),
    Column("other", "他社掛金", YEN, width=5.5),
    Column("jichiro", "じちろう掛金", YEN, width=5.5),
    Column("payment", "支払", CODE, width=2),
    Column("difference", "年間差額", YEN, width=6),
    Column("rate", "引下率", PERCENT, width=4),
    Column("maturity", "保険(共済)満期日", DATE, width=8),
    Column("inspection", "車検満了日", DATE, width=8),
]


def role_label(roles: set[str]) -> str:
    if roles == {OFFICER}:
        return OFFICER
    if roles == {MEMBER}:
        return MEMBER
    if not roles:
        return OFFICER
    return "執行部・組合員"


def _union_name(u: Union | None) -> str:
    return u.name if u is not None else "(単組不明)"


# ---------------------------------------------------------------- 別紙2


def list_rows(estimates: list[Estimate]) -> list[list[Cell]]:
    """別紙2 cells of each estimate (flagged rows toned, the reason in the tooltip)."""
    out = []
    for e in estimates:
        f = row_figures(e.other_premium, e.jichiro_premium, e.payment)
        tone = FLAGGED if f.flags else None
        tip = ("集計外: " + "・".join(f.flags)) if f.flags else None
        name = e.name if e.name is not None else ANONYMOUS
        out.append(
            [
                cell(e.seq, COUNT, tone=tone, tooltip=tip),
                cell(name, tone=tone, tooltip=tip),
                cell(e.age, COUNT, tone=tone, text="" if e.age is None else str(e.age)),
                cell(e.car, tone=tone),
                cell(e.grade_now, CODE, tone=tone),
                cell(e.grade_new, CODE, tone=tone),
                cell("○" if e.vehicle_cover else None, CODE, tone=tone),
                cell(e.other_premium, YEN, tone=tone, text=_yen_or_blank(e.other_premium)),
                cell(e.jichiro_premium, YEN, tone=tone, text=_yen_or_blank(e.jichiro_premium)),
                cell(e.payment, CODE, tone=tone),
                cell(f.difference, YEN, tone=tone, text=_yen_or_blank(f.difference)),
                cell(f.rate, PERCENT, tone=tone, text="" if f.rate is None else f"{f.rate}%"),
                cell(e.policy_maturity, DATE, tone=tone),
                cell(e.inspection_due, DATE, tone=tone),
            ]
        )
    return out


def _yen_or_blank(value: int | None) -> str:
    return "" if value is None else f"¥{value:,}"


def list_report(ctx: AppContext, campaign_id: int, union_id: int) -> ReportTable:
    """別紙2 (執行部見積り結果一覧) of one union in one campaign."""
    camp = _campaign(ctx, campaign_id)
    union = ctx.unions.get(union_id)
    estimates = ctx.estimates.list(campaign_id, union_id)
    t = totals((e.other_premium, e.jichiro_premium, e.payment) for e in estimates)
    who = role_label({e.role for e in estimates})
    kind = "執行部見積り結果一覧" if who == OFFICER else "見積り結果一覧"
    blank = [Cell() for _ in LIST_COLUMNS]
    foot = list(blank)
    foot[1] = Cell("合計", f"合計 ({t.rows_in_totals}人)", TOTAL)
    foot[10] = cell(t.difference_total, YEN, tone=TOTAL)
    flagged = [
        e.seq for e in estimates if row_figures(e.other_premium, e.jichiro_premium, e.payment).flags
    ]
    notes = [NOTICE]
    if flagged:
        notes.append(
            f"※ 網掛けの行 (No. {', '.join(map(str, flagged))}) は掛金または支払が未記入のため、合計に含めていません。"
        )
    notes.append(
        "※ 年間差額 = (じちろう掛金 − 他社掛金) × 12 (月払) または × 1 (年払)。マイナスは掛金が下がる額です。"
    )
    return ReportTable(
        title=f"{_union_name(union)}　{kind}",  # the seed's sheet joins them with "_": a file name, not a title
        columns=LIST_COLUMNS,
        rows=list_rows(estimates),
        totals=[foot] if estimates else [],
        subtitle=f"<別紙2>　{camp.name} ({camp.kind}・{camp.period_text})",  # marked as the seed's form
        summary=[
            ("集計対象", f"{t.rows_in_totals}人"),
            ("集計外", f"{t.rows_flagged}人"),
            ("年間の節約総額", f"{t.saving_total:,}円"),
        ],
        notes=notes,
        row_keys=[e.id for e in estimates],
    )


def _campaign(ctx: AppContext, campaign_id: int) -> Campaign:
    camp = ctx.campaigns.get(campaign_id)
    if camp is None:
        raise ValueError("キャンペーンが見つかりません。")
    return camp


# ---------------------------------------------------------------- 別紙3


@dataclass(frozen=True)
class UnionReport:
    """別紙3: aggregate figures of one union's estimates (no names, no per-person figure)."""

    campaign: str
    union_key: str
    union_name: str
    role: str  # 執行部 / 組合員 / 執行部・組合員
    totals: Totals

    @property
    def people(self) -> int:
        return self.totals.rows_in_totals

    @property
    def heading(self) -> str:
        return "<執行部見積り実施結果報告>" if self.role == OFFICER else "<見積り実施結果報告>"

    @property
    def lead(self) -> str:
        return f"{self.role}（{self.people}人）の掛金見積りを実施した結果、以下の通りとなりました"

    def items(self) -> list[tuple[str, str, str]]:
        """(★ label, ※ note, figure) of the three boxes, in the seed's wording."""
        t = self.totals
        n = self.people
        return [
            (
                "★他保険・他共済の保険料総額",
                f"※他保険に加入している{n}件の合計",
                f"{t.other_total:,}円/年",
            ),
            (
                "★じちろうマイカー共済の掛金見積総額",
                f"※じちろうマイカー共済の見積りをした{n}件の合計",
                f"{t.jichiro_total:,}円/年",
            ),
            (
                "★マイカー共済に移行した場合の年間あたりの節約総額",
                "【可処分所得の向上額】",
                f"{t.saving_total:,}円/年",
            ),
        ]

    @property
    def average_text(self) -> str:
        avg = self.totals.saving_average
        return "※1人あたり平均 —" if avg is None else f"※1人あたり平均{avg:,}円"

    def texts(self) -> list[str]:
        """Every text printed on the page (tests check that no name is among them)."""
        out = [
            self.heading,
            "組合員全員の可処分所得の向上を！",
            "～ じちろうマイカー共済 ～",
            self.lead,
        ]
        for label, note, figure in self.items():
            out += [label, note, figure]
        out += [self.average_text, self.union_name, "(注意)", REPORT_CAUTION]
        return out

    def write_xlsx(self, path: Path | str) -> Path:
        """別紙3 as an Excel sheet laid out like the form (``services/estimate_form_xlsx``)."""
        from kyosai_desktop.services.estimate_form_xlsx import write_union_report_xlsx

        return write_union_report_xlsx(self, path)

    def table(self) -> ReportTable:
        """The same figures as a three-column table (the screen's view of it)."""
        t = self.totals
        cols = [
            Column("item", "項目", TEXT, width=26),
            Column("value", "金額・件数", YEN, width=10),
            Column("note", "備考", TEXT, width=24),
        ]
        rows = [
            [
                cell("他保険・他共済の保険料総額 (円/年)"),
                cell(t.other_total, YEN),
                cell(f"他保険に加入している{self.people}件の合計"),
            ],
            [
                cell("じちろうマイカー共済の掛金見積総額 (円/年)"),
                cell(t.jichiro_total, YEN),
                cell(f"じちろうマイカー共済の見積りをした{self.people}件の合計"),
            ],
            [
                cell("年間の節約総額【可処分所得の向上額】 (円/年)"),
                cell(t.saving_total, YEN),
                cell(""),
            ],
            [cell("1人あたり平均 (円)"), cell(t.saving_average, YEN), cell("円未満切り捨て")],
        ]
        return ReportTable(
            title=f"{self.union_name} {self.heading.strip('<>')}",
            columns=cols,
            rows=rows,
            subtitle=self.campaign,
            summary=[(self.role, f"{self.people}人の掛金見積り")],
            notes=[f"(注意) {REPORT_CAUTION}"],
        )


def union_reports(
    ctx: AppContext, campaign_id: int, union_ids: list[int] | None = None
) -> list[UnionReport]:
    """別紙3 of ``union_ids``, or of every union of the campaign that has estimates, by code."""
    camp = _campaign(ctx, campaign_id)
    one = union_ids[0] if union_ids is not None and len(union_ids) == 1 else None
    sums = ctx.estimates.premium_sums(campaign_id, one)
    roles = ctx.estimates.roles_by_union(campaign_id)
    unions = {u.id: u for u in ctx.unions.list()}
    ids = (
        union_ids
        if union_ids is not None
        else [u for u in ctx.campaigns.union_ids(campaign_id) if u in sums]
    )
    out = []
    for uid in ids:
        u = unions.get(uid)
        n, groups = sums.get(uid, (0, []))
        out.append(
            UnionReport(
                camp.name,
                u.key if u else "",
                _union_name(u),
                role_label(roles.get(uid, set())),
                totals_from_sums(n, groups),
            )
        )
    return out


def union_report(ctx: AppContext, campaign_id: int, union_id: int) -> UnionReport:
    return union_reports(ctx, campaign_id, [union_id])[0]


# ---------------------------------------------------------------- campaign summary


@dataclass(frozen=True)
class SummaryRow:
    union_id: int | None  # None for the 合計 row
    union_key: str
    union_name: str
    counts: StatusCounts
    totals: Totals

    @property
    def conversion(self) -> Decimal | None:
        return conversion_rate(self.counts.contracts, self.counts.returned)

    @property
    def flags(self) -> int:
        """横断旗: one crossing flag donated per estimate made (seed 003 L406)."""
        return self.counts.estimated


@dataclass
class CampaignSummary:
    campaign: Campaign
    rows: list[SummaryRow] = field(default_factory=list)
    total: SummaryRow | None = None

    def table(self) -> ReportTable:
        cols = [
            Column("code", "単組コード", CODE, width=4.5, frozen=True),
            Column("name", "単組名", TEXT, width=12, frozen=True),
            Column("requests", "依頼数", COUNT, width=3.5),
            Column("estimated", "見積作成", COUNT, width=3.5),
            Column("returned", "返却済", COUNT, width=3.5),
            Column("contracts", "成約", COUNT, width=3),
            Column("in_period", "うち期間内申込", COUNT, width=4),
            Column("declined", "不成約", COUNT, width=3),
            Column("conversion", "成約率", PERCENT, width=4),
            Column("in_totals", "集計対象", COUNT, width=3.5),
            Column("flagged", "集計外", COUNT, width=3),
            Column("saving", "節約総額 (円/年)", YEN, width=7),
            Column("average", "1人あたり平均", YEN, width=5.5),
            Column("flags", "横断旗", COUNT, width=3),
        ]

        def cells(r: SummaryRow, tone: str | None = None) -> list[Cell]:
            c, t = r.counts, r.totals
            return [
                cell(r.union_key, CODE, tone=tone),
                cell(r.union_name, tone=tone),
                cell(c.requests, COUNT, tone=tone),
                cell(c.estimated, COUNT, tone=tone),
                cell(c.returned, COUNT, tone=tone),
                cell(c.contracts, COUNT, tone=tone),
                cell(c.contracts_in_period, COUNT, tone=tone),
                cell(c.declined, COUNT, tone=tone),
                cell(r.conversion, PERCENT, tone=tone),
                cell(t.rows_in_totals, COUNT, tone=tone),
                cell(t.rows_flagged, COUNT, tone=tone),
                cell(t.saving_total, YEN, tone=tone),
                cell(t.saving_average, YEN, tone=tone),
                cell(r.flags, COUNT, tone=tone),
            ]

        camp = self.campaign
        total = self.total or _sum_rows(self.rows)
        return ReportTable(
            title=f"{camp.name} 集計表",
            columns=cols,
            rows=[cells(r) for r in self.rows],
            totals=[cells(total, TOTAL)],
            subtitle=f"{camp.kind}・{camp.period_text}",
            summary=[
                ("参加単組", f"{len(self.rows)}"),
                ("依頼", f"{total.counts.requests:,}件"),
                ("成約", f"{total.counts.contracts:,}件"),
                ("成約率", "—" if total.conversion is None else f"{total.conversion}%"),
                ("節約総額", f"{total.totals.saving_total:,}円/年"),
                ("横断旗", f"{total.flags:,}本"),
            ],
            notes=[
                CONVERSION_NOTE,
                FLAG_NOTE,
                "※ 節約総額・1人あたり平均は、両方の掛金と支払がある見積りだけで計算しています (平均は円未満切り捨て)。",
            ],
            row_keys=[r.union_id for r in self.rows],
        )


CONVERSION_NOTE = (
    "※ 成約率 = 成約 ÷ 返却済の見積り (返却済・成約・不成約の合計)、小数第1位を四捨五入。"
)
FLAG_NOTE = (
    "※ 横断旗 = 見積り1件につき1本 (見積作成以降の見積り数)。"
    "うち期間内申込 = 申込日がキャンペーン期間内の成約 (キャンペーンは申込日で数えます)。"
)


def _sum_rows(rows: list[SummaryRow]) -> SummaryRow:
    counts = StatusCounts(
        *(
            sum(getattr(r.counts, f) for r in rows)
            for f in (
                "requests",
                "estimated",
                "returned",
                "contracts",
                "declined",
                "contracts_in_period",
            )
        )
    )
    t = Totals()
    for r in rows:
        t = t + r.totals
    return SummaryRow(None, "", "合計", counts, t)


def campaign_summary(
    ctx: AppContext, campaign_id: int, union_id: int | None = None
) -> CampaignSummary:
    """Per participating union and in total (only ``union_id`` when given)."""
    camp = _campaign(ctx, campaign_id)
    counts = ctx.estimates.status_counts(campaign_id)
    sums = ctx.estimates.premium_sums(campaign_id, union_id)
    unions = {u.id: u for u in ctx.unions.list()}
    ids = [union_id] if union_id is not None else ctx.campaigns.union_ids(campaign_id)
    rows = []
    for uid in ids:
        u = unions.get(uid)
        n, groups = sums.get(uid, (0, []))
        rows.append(
            SummaryRow(
                uid,
                u.key if u else "",
                _union_name(u),
                counts.get(uid, StatusCounts()),
                totals_from_sums(n, groups),
            )
        )
    return CampaignSummary(camp, rows, _sum_rows(rows))


def summary_with(
    ctx: AppContext, summary: CampaignSummary, union_ids: Collection[int]
) -> CampaignSummary | None:
    """``summary`` with the rows of ``union_ids`` read again and the total summed again — the
    same queries as :func:`campaign_summary`, on a search of the (campaign, union, No.) index
    for just those unions (the ones an edit of a few estimates touched), so the figures are
    the ones a whole read gives.  None when one of them is not a row of ``summary`` (a union
    new to the campaign): then read the summary whole."""
    position = {r.union_id: n for n, r in enumerate(summary.rows)}
    wanted = sorted(set(union_ids))
    if any(uid not in position for uid in wanted):
        return None
    if not wanted:
        return summary
    campaign_id = summary.campaign.id
    counts = ctx.estimates.status_counts(campaign_id, wanted)
    sums = ctx.estimates.premium_sums(campaign_id, union_ids=wanted)
    rows = list(summary.rows)
    for uid in wanted:
        n, groups = sums.get(uid, (0, []))
        rows[position[uid]] = replace(
            rows[position[uid]],
            counts=counts.get(uid, StatusCounts()),
            totals=totals_from_sums(n, groups),
        )
    return CampaignSummary(summary.campaign, rows, _sum_rows(rows))


def summary_json(
    ctx: AppContext, campaign_id: int, union_id: int | None = None
) -> dict[str, object]:
    """The ``kyosai estimates summary --json`` object (yen as integers, rate as a number or null)."""
    s = campaign_summary(ctx, campaign_id, union_id)
    total = s.total
    assert total is not None
    t, c = total.totals, total.counts
    return {
        "rows": t.rows,
        "rows_in_totals": t.rows_in_totals,
        "rows_flagged": t.rows_flagged,
        "other_total": t.other_total,
        "jichiro_total": t.jichiro_total,
        "saving_total": t.saving_total,
        "saving_average": t.saving_average,
        "flags": total.flags,
        "returned": c.returned,
        "contracts": c.contracts,
        "conversion_rate": None if total.conversion is None else float(total.conversion),
    }


# ---------------------------------------------------------------- closing list


CLOSING_COLUMNS = [
    Column("renewal", "次の満期日", DATE, width=8, frozen=True),
    Column("days", "満期まで (日)", SIGNED, width=4),
    Column("maturity", "保険(共済)満期日 (記入)", DATE, width=8),
    Column("code", "単組コード", CODE, width=4.5),
    Column("union", "単組名", TEXT, width=11),
    Column("seq", "No.", COUNT, width=2.5),
    Column("name", "氏名", TEXT, width=6),
    Column("car", "車名", TEXT, width=7),
    Column("contact", "連絡先", TEXT, width=7),
    Column("other", "他社掛金", YEN, width=5.5),
    Column("jichiro", "じちろう掛金", YEN, width=5.5),
    Column("payment", "支払", TEXT, width=2.5),
    Column("status", "状況", TEXT, width=4),
    Column("returned", "返却日", DATE, width=8),
    Column("campaign", "キャンペーン", TEXT, width=10),
]


# A row of the closing lists (ClosingRow) is a plain tuple of plain values —
#   (order, key, next 満期日, days to it, rolled)
# order: (no date, next 満期日, 満期日 as entered, 県コード, 単組コード, No., id), the sort key;
# key: (id, union id, No., 満期日 as entered) of the estimate; rolled: its 満期日 is past and
# rolled forward to the next renewal.  A whole read makes one per open estimate (14,000 at
# national scale): tuples of plain values leave the garbage collector nothing to follow, where
# an object per row made every second or third read pay a full collection (25–40 ms).
ClosingRow = tuple
_ORDER, _KEY, _RENEWAL, _DAYS, _ROLLED = range(5)
# Positions in an open estimate's whole row (OpenEstimate's field order) and in its key.
_ID, _UNION_ID, _SEQ, _MATURITY = 0, 3, 4, 7
# Rows read at once when one of them is first shown (and a writer's pass over every row).
DETAIL_BLOCK = 128
_NONE5 = (None,) * 5


def _key_of(row: tuple) -> tuple:
    return (row[_ID], row[_UNION_ID], row[_SEQ], row[_MATURITY])


def _closing_row(
    key: tuple,
    unions: dict[int, Union],
    today: date,
    renewals: dict[str, tuple[date, int, bool]],
) -> ClosingRow:
    """An open estimate as a row of the closing list, from its ``key`` (id, union id, No.,
    満期日: ``open_estimate_rows(keys_only=True)``); ``renewals`` keeps each 満期日's next
    renewal, days from today and whether it rolled (a campaign's estimates share a few
    hundred dates)."""
    estimate_id, union_id, seq, maturity = key
    renewal: date | None = None
    days: int | None = None
    rolled = False
    if maturity:
        known = renewals.get(maturity)
        if known is None:
            next_date = next_renewal(date.fromisoformat(maturity), today)
            known = renewals[maturity] = (
                next_date,
                (next_date - today).days,
                next_date.isoformat() != maturity,
            )
        renewal, days, rolled = known
    u = unions.get(union_id)
    order = (
        renewal is None,
        renewal or today,
        maturity or "",
        u.pref_code if u else "",
        u.union_code if u else "",
        seq,
        estimate_id,
    )
    return (order, key, renewal, days, rolled)


def _order(row: ClosingRow) -> tuple:
    return row[_ORDER]


def _soon(row: ClosingRow) -> bool:
    """Next 満期日 within 30 days (toned)."""
    days = row[_DAYS]
    return days is not None and 0 <= days <= 30


def _closing_values(row: ClosingRow, o: OpenEstimate, u: Union | None) -> tuple:
    """The raw values of a closing row's cells (what they sort by), column by column."""
    renewal = row[_RENEWAL]
    return (
        renewal.isoformat() if renewal else None,
        row[_DAYS],
        o.policy_maturity,
        u.key if u else "",
        _union_name(u),
        o.seq,
        o.name if o.name is not None else ANONYMOUS,
        o.car,
        o.contact,
        o.other_premium,
        o.jichiro_premium,
        o.payment,
        o.status,
        o.returned_on,
        o.campaign,
    )


def _closing_cells(row: ClosingRow, v: tuple) -> list[Cell]:
    """The cells of a closing row whose raw values are ``v`` (:func:`_closing_values`)."""
    tone = FLAGGED if _soon(row) else None
    return [
        cell(v[0], DATE, tone=tone, text=None if v[0] else "未記入"),
        cell(v[1], SIGNED, tone=tone, text="" if v[1] is None else None),
        cell(
            v[2],
            DATE,
            tone=tone,
            text=None if v[2] else "",
            tooltip="1年ごとの更新として次の満期日に繰り越しました" if row[_ROLLED] else None,
        ),
        cell(v[3], CODE, tone=tone),
        cell(v[4], tone=tone),
        cell(v[5], COUNT, tone=tone),
        cell(v[6], tone=tone),
        cell(v[7], tone=tone),
        cell(v[8], tone=tone),
        cell(v[9], YEN, tone=tone, text=_yen_or_blank(v[9])),
        cell(v[10], YEN, tone=tone, text=_yen_or_blank(v[10])),
        cell(v[11], tone=tone),
        cell(v[12], tone=tone),
        cell(v[13], DATE, tone=tone),
        cell(v[14], tone=tone),
    ]


@dataclass
class OpenEstimates:
    """Every open estimate of a campaign (or of all) with its next 満期日 as of ``today``, in
    the closing list's order — read once, kept by the page; each "within N days" list is a
    filter of it (:meth:`within`), and an edit of a few estimates updates it in place
    (:meth:`with_estimates`) instead of reading every open estimate again.

    Only what the lists sort and filter by is read for every open estimate; the rest of an
    estimate is read (by id, a block of rows at a time) and its cells made when its row is
    first shown, sorted by or written out (:meth:`ClosingList.table`), and kept in
    ``estimates``, ``values`` (the cells' raw values) and ``cells`` by id.

    The order is by next 満期日, then 満期日 as entered, union code, No., id: the key
    :func:`_closing_row` makes, for a whole read and for a row put back alike — so an updated
    list is the list a whole read gives.
    """

    campaign_id: int | None
    union_id: int | None
    today: date
    where: list[str]
    unions: dict[int, Union]
    rows: list[ClosingRow]
    # reads the whole rows of open estimates by id (for the rows shown), or all (None)
    read_rows: Callable[[list[int] | None], list[tuple]] = field(repr=False, compare=False)
    estimates: dict[int, tuple] = field(default_factory=dict, repr=False, compare=False)
    values: dict[int, tuple] = field(default_factory=dict, repr=False, compare=False)
    cells: dict[int, list[Cell]] = field(default_factory=dict, repr=False, compare=False)

    def within(self, within_days: int | None) -> ClosingList:
        """The closing list of the next renewals from today to today + ``within_days``."""
        if within_days is not None and within_days < 0:
            raise ValueError("日数は0以上で指定してください。")
        rows = (
            self.rows
            if within_days is None
            else [r for r in self.rows if r[_DAYS] is not None and r[_DAYS] <= within_days]
        )
        return ClosingList(self, within_days, rows)

    def with_estimates(self, ctx: AppContext, estimate_ids: Collection[int]) -> OpenEstimates:
        """After ``estimate_ids`` were written (edited, added, deleted, closed or reopened):
        their rows out, their open ones read again (by id) and put in order.  Campaign names
        and unions are those of this list (a union it did not have is read): after a change
        to campaigns or unions, read it whole."""
        ids = set(estimate_ids)
        fresh = ctx.estimates.open_estimate_rows(
            campaign_id=self.campaign_id, union_id=self.union_id, ids=ids, ordered=False
        )
        rows = [r for r in self.rows if r[_KEY][0] not in ids]
        unions = self.unions
        missing = {o[_UNION_ID] for o in fresh} - unions.keys()
        if missing:  # an estimate of a union this list did not have
            unions = {**unions, **ctx.unions.by_ids(missing)}
        estimates = {k: v for k, v in self.estimates.items() if k not in ids}
        values = {k: v for k, v in self.values.items() if k not in ids}
        cells = {k: v for k, v in self.cells.items() if k not in ids}
        renewals: dict[str, tuple[date, int, bool]] = {}
        for o in fresh:
            estimates[o[_ID]] = o
            bisect.insort(rows, _closing_row(_key_of(o), unions, self.today, renewals), key=_order)
        return replace(
            self, unions=unions, rows=rows, estimates=estimates, values=values, cells=cells
        )

    def cells_of(self, rows: list[ClosingRow], i: int) -> list[Cell]:
        """The cells of ``rows[i]`` (a list of this source's rows), made once."""
        estimate_id = rows[i][_KEY][0]
        made = self.cells.get(estimate_id)
        if made is None:
            made = self.cells[estimate_id] = _closing_cells(rows[i], self._values(rows, i))
        return made

    def value_of(self, rows: list[ClosingRow], i: int, column: int) -> object:
        """The raw value of ``rows[i]``'s cell at ``column``, without making its cells."""
        return self._values(rows, i)[column]

    def _values(self, rows: list[ClosingRow], i: int) -> tuple:
        row = rows[i]
        estimate_id, union_id = row[_KEY][0], row[_KEY][1]
        values = self.values.get(estimate_id)
        if values is None:
            values = self.values[estimate_id] = _closing_values(
                row, self._estimate(rows, i), self.unions.get(union_id)
            )
        return values

    def read_all(self, rows: list[ClosingRow]) -> None:
        """Before a pass over every one of ``rows`` (a writer, a sort by a column): when more
        than a few blocks of them are not read yet, every open estimate of this source is
        read in one query (a fraction of the time of reading them block by block)."""
        estimates = self.estimates
        missing = sum(1 for r in rows if r[_KEY][0] not in estimates)
        if missing <= 8 * DETAIL_BLOCK:
            return
        wanted = {r[_KEY][0] for r in rows}
        for o in self.read_rows(None):
            if o[_ID] in wanted:
                estimates.setdefault(o[_ID], o)

    def _estimate(self, rows: list[ClosingRow], i: int) -> OpenEstimate:
        """``rows[i]``'s estimate; it, and those of its block of rows not read yet
        (``DETAIL_BLOCK``-aligned, scrolling either way), are read by id the first time
        (:attr:`read_rows`).  An estimate no longer open — deleted or closed since the list
        was read, before the page was told — shows only what the list knew of it (its
        dates, union and No.)."""
        estimates = self.estimates
        estimate_id = rows[i][_KEY][0]
        whole = estimates.get(estimate_id)
        if whole is None:
            start = i - i % DETAIL_BLOCK
            block = [
                r[_KEY] for r in rows[start : start + DETAIL_BLOCK] if r[_KEY][0] not in estimates
            ]
            for o in self.read_rows([k[0] for k in block]):
                estimates[o[_ID]] = o
            for k in block:  # not open any more: what the list knew of it
                if k[0] not in estimates:
                    estimates[k[0]] = (k[0], None, "", k[1], k[2], "", None, k[3], "", "", *_NONE5)
            whole = estimates[estimate_id]
        return OpenEstimate(*whole)


@dataclass
class ClosingList:
    """One closing list: the open estimates of ``source`` within ``within_days`` (or all)."""

    source: OpenEstimates
    within_days: int | None
    rows: list[ClosingRow]

    def with_estimates(self, ctx: AppContext, estimate_ids: Collection[int]) -> ClosingList:
        """This list after ``estimate_ids`` were written (:meth:`OpenEstimates.with_estimates`)."""
        return self.source.with_estimates(ctx, estimate_ids).within(self.within_days)

    def _cells_at(self, i: int) -> list[Cell]:
        return self.source.cells_of(self.rows, i)

    def _value_at(self, i: int, column: int) -> object:
        return self.source.value_of(self.rows, i, column)

    def _whole_pass(self) -> None:
        self.source.read_all(self.rows)

    def table(self) -> ReportTable:
        rows = self.rows
        soon = sum(1 for r in rows if _soon(r))
        rolled = sum(1 for r in rows if r[_ROLLED])
        source = self.source
        window = (
            f"{_jdate(source.today)}から{self.within_days}日以内に満期"
            if self.within_days is not None
            else "未成約の見積りすべて"
        )
        return ReportTable(
            title="クロージング対象一覧 (次の満期日順)",
            columns=CLOSING_COLUMNS,
            rows=LazyRows(
                range(len(rows)),
                self._cells_at,
                len(CLOSING_COLUMNS),
                self._value_at,
                self._whole_pass,
            ),
            subtitle="　".join([*source.where, window]),
            summary=[("対象", f"{len(rows)}人"), ("30日以内に満期", f"{soon}人")],
            notes=[
                "※ 成約・不成約になった見積りは載りません。満期前の適切な時期にクロージングを行ってください。",
                f"※ 次の満期日 = 保険(共済)満期日が過ぎている見積りは、1年ごとの更新として次の満期日に繰り越しています"
                f" ({rolled}人)。",
                "※ 個人情報を含みます。単組訪問の後は回収・廃棄してください。",
            ],
            row_keys=[r[_KEY][0] for r in rows],
            legend={FLAGGED: "30日以内に満期"},
        )


def read_open(
    ctx: AppContext,
    *,
    campaign_id: int | None = None,
    union_id: int | None = None,
    today: date | None = None,
    unions: dict[int, Union] | None = None,
) -> OpenEstimates:
    """Open estimates (not 成約/不成約) by their next 満期日, with the premiums.

    A yearly policy renews every year, so a 保険(共済)満期日 already past rolls forward to its
    next renewal (domain ``next_renewal``): the list is about the next chance to convert, not
    about a date gone.  ``unions`` (by id), when the caller holds them, saves reading the
    unions of these estimates.
    """
    today = today or date.today()
    keys = ctx.estimates.open_estimate_rows(
        campaign_id=campaign_id, union_id=union_id, ordered=False, keys_only=True
    )
    if unions is None:  # only the unions of these estimates
        wanted = {k[1] for k in keys}
        if union_id is not None:
            wanted.add(union_id)
        unions = ctx.unions.by_ids(wanted)
    renewals: dict[str, tuple[date, int, bool]] = {}
    rows = [_closing_row(k, unions, today, renewals) for k in keys]
    rows.sort(key=_order)
    where = []
    if campaign_id is not None:
        where.append(_campaign(ctx, campaign_id).name)
    if union_id is not None:
        where.append(_union_name(unions.get(union_id)))
    estimates = ctx.estimates

    def read_rows(ids: list[int] | None) -> list[tuple]:
        return estimates.open_estimate_rows(
            campaign_id=campaign_id, union_id=union_id, ids=ids, ordered=False
        )

    return OpenEstimates(campaign_id, union_id, today, where, unions, rows, read_rows)


def read_closing(
    ctx: AppContext,
    *,
    campaign_id: int | None = None,
    union_id: int | None = None,
    within_days: int | None = None,
    today: date | None = None,
) -> ClosingList:
    """The closing list: :func:`read_open`, within ``within_days`` (from today to today + N)."""
    if within_days is not None and within_days < 0:
        raise ValueError("日数は0以上で指定してください。")
    opened = read_open(ctx, campaign_id=campaign_id, union_id=union_id, today=today)
    return opened.within(within_days)


def closing_list(
    ctx: AppContext,
    *,
    campaign_id: int | None = None,
    union_id: int | None = None,
    within_days: int | None = None,
    today: date | None = None,
) -> ReportTable:
    """The closing list as a table (:func:`read_closing`)."""
    return read_closing(
        ctx, campaign_id=campaign_id, union_id=union_id, within_days=within_days, today=today
    ).table()


def _jdate(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"
