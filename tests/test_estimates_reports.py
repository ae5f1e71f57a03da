"""Estimate outputs: 別紙2 / 別紙3 / campaign summary / closing list, as data and as files.

PDFs are rendered through the real paper documents and read back with pypdf; workbooks
with openpyxl.  別紙3 must never carry a name or a per-person figure.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from estimate_fixtures import (
    SEED_ROWS,
    add_union,
    page_text,
    pdf_text,
    seed_csv,
    seed_sheet_rows,
    write_csv,
)
from openpyxl import load_workbook
from pypdf import PdfReader

from kyosai_desktop.services import estimate_reports as er
from kyosai_desktop.services.estimate_import import import_estimates
from kyosai_desktop.services.xlsx_report import write_report_xlsx

PEOPLE = [
    "山田太郎",
    "佐藤花子",
    "鈴木一郎",
    "高橋健",
    "田中美咲",
    "伊藤翔",
    "渡辺陽子",
    "中村大輔",
    "小林由美",
    "加藤誠",
    "吉田愛",
    "山口聡",
    "松本恵",
    "井上拓也",
    "木村真理",
    "林浩二",
    "斎藤明美",
    "清水隆",
    "森田优",
    "池田亮",
]


@pytest.fixture
def seeded(ctx, tmp_path):
    """The seed sample with Japanese names, imported for union 05-001."""
    union = add_union(ctx)
    rows = [list(r) for r in seed_sheet_rows()]
    i = 0
    for r in rows:
        if len(r) == 14 and r[0].isdigit():
            r[1] = PEOPLE[i]
            i += 1
    import_estimates(
        ctx,
        write_csv(tmp_path / "named.csv", rows),
        campaign="2024執行部",
        union="05-001",
        kind="単組執行部見積り強化月間",
    )
    camp = ctx.campaigns.find("2024執行部")
    return camp, union


def test_list_report_is_the_seed_list(ctx, seeded):
    camp, union = seeded
    table = er.list_report(ctx, camp.id, union.id)
    assert table.title == "〇〇〇職員労働組合　執行部見積り結果一覧"
    assert table.subtitle.startswith("<別紙2>　")
    assert [c.title for c in table.columns][:3] == ["No.", "氏名", "年齢"]
    assert [r[10].text for r in table.rows] == [r[10] for r in SEED_ROWS]
    assert [r[11].text for r in table.rows] == [r[11] for r in SEED_ROWS]
    assert [r[7].text for r in table.rows] == [r[7] for r in SEED_ROWS]
    assert table.rows[7][0].tone == "flagged" and table.rows[8][1].tone == "flagged"
    assert table.rows[0][0].tone is None
    assert table.totals[0][10].text == "¥-444,500"
    assert table.notes[0].startswith(
        "【注意】この一覧は、単組の学習会や募集活動には使用できません。"
    )
    assert "No. 8, 9" in table.notes[1]


def test_list_pdf_and_xlsx(ctx, seeded, tmp_path, qapp):
    from kyosai_desktop.render.paper import render_pdf
    from kyosai_desktop.render.paper_table import TablePaper

    camp, union = seeded
    table = er.list_report(ctx, camp.id, union.id)
    pdf = render_pdf(TablePaper(table), tmp_path / "list.pdf")
    text = pdf_text(pdf)
    assert "この一覧は、単組の学習会や募集活動には使用できません" in text
    assert "山田太郎" in text and "¥-25,820" in text and "119.4%" in text
    xlsx = write_report_xlsx(table, tmp_path / "list.xlsx")
    ws = load_workbook(xlsx).active
    values = [c for row in ws.iter_rows(values_only=True) for c in row]
    assert -25_820 in values and "山田太郎" in values and -444_500 in values


def test_union_report_figures_and_wording(ctx, seeded):
    camp, union = seeded
    rep = er.union_report(ctx, camp.id, union.id)
    assert rep.role == "執行部" and rep.people == 18
    assert rep.lead == "執行部（18人）の掛金見積りを実施した結果、以下の通りとなりました"
    labels = [i[0] for i in rep.items()]
    assert labels == [
        "★他保険・他共済の保険料総額",
        "★じちろうマイカー共済の掛金見積総額",
        "★マイカー共済に移行した場合の年間あたりの節約総額",
    ]
    assert [i[2] for i in rep.items()] == ["1,233,150円/年", "788,650円/年", "444,500円/年"]
    assert rep.items()[2][1] == "【可処分所得の向上額】"
    assert rep.average_text == "※1人あたり平均24,694円"


def test_union_report_pdf_has_no_name_and_no_individual_figure(ctx, seeded, tmp_path, qapp):
    from kyosai_desktop.render.estimate_paper import UnionReportPaper
    from kyosai_desktop.render.paper import render_pdf

    camp, union = seeded
    pdf = render_pdf(
        UnionReportPaper([er.union_report(ctx, camp.id, union.id)]), tmp_path / "b3.pdf"
    )
    compact = pdf_text(pdf)
    assert "1,233,150円/年" in compact and "444,500円/年" in compact and "24,694円" in compact
    assert "可処分所得の向上額" in compact and "〇〇〇職員労働組合" in compact
    for name in PEOPLE:
        assert name not in compact
    for row in SEED_ROWS:
        for money in (row[7], row[8], row[10]):
            if money:
                assert money.lstrip("¥") not in compact, money
        if row[3]:
            assert row[3].replace(" ", "") not in compact


def test_union_report_xlsx_has_only_aggregates(ctx, seeded, tmp_path):
    camp, union = seeded
    rep = er.union_report(ctx, camp.id, union.id)
    ws = load_workbook(write_report_xlsx(rep.table(), tmp_path / "b3.xlsx", landscape=False)).active
    values = [c for row in ws.iter_rows(values_only=True) for c in row if c is not None]
    assert 1_233_150 in values and 788_650 in values and 444_500 in values and 24_694 in values
    assert not any(isinstance(v, str) and any(n in v for n in PEOPLE) for v in values)


def _progress(ctx, camp, union):
    """Move estimates through the workflow: 6 returned, of which 2 成約 and 1 不成約."""
    es = ctx.estimates.list(camp.id, union.id)
    for e in es[:6]:
        ctx.estimates.set_status(e.id, "返却済", "2024-11-20")
    ctx.estimates.set_status(es[0].id, "成約", "2024-12-01")
    ctx.estimates.set_status(es[1].id, "成約", "2025-01-10")
    ctx.estimates.set_status(es[2].id, "不成約", "2025-01-15")
    return es


def test_campaign_summary_counts_and_conversion(ctx, seeded):
    camp, union = seeded
    other = add_union(ctx, "05", "002", "第二職員組合")
    ctx.campaigns.add_unions(camp.id, [other.id])
    _progress(ctx, camp, union)
    s = er.campaign_summary(ctx, camp.id)
    assert [r.union_key for r in s.rows] == ["05-001", "05-002"]
    c = s.total.counts
    assert (c.requests, c.estimated, c.returned, c.contracts, c.declined) == (20, 18, 6, 2, 1)
    assert s.total.conversion == Decimal("33.3")
    assert s.total.flags == 18
    assert c.contracts_in_period == 2  # no period: every 成約 counts
    ctx.campaigns.update(camp.id, period_from="2024-10-01", period_to="2024-12-31")
    # campaigns count by 申込日: the 成約 applied on 2025-01-10 is after the period
    assert er.campaign_summary(ctx, camp.id).total.counts.contracts_in_period == 1
    assert s.rows[1].counts.requests == 0 and s.rows[1].conversion is None
    table = s.table()
    assert table.totals[0][table.index("conversion")].text == "33.3%"
    assert table.totals[0][table.index("saving")].text == "¥444,500"
    j = er.summary_json(ctx, camp.id)
    assert j == {
        "rows": 20,
        "rows_in_totals": 18,
        "rows_flagged": 2,
        "other_total": 1_233_150,
        "jichiro_total": 788_650,
        "saving_total": 444_500,
        "saving_average": 24_694,
        "flags": 18,
        "returned": 6,
        "contracts": 2,
        "conversion_rate": 33.3,
    }


def test_summary_pdf_has_chart_page_and_table(ctx, seeded, tmp_path, qapp):
    from kyosai_desktop.render.estimate_paper import SummaryPaper
    from kyosai_desktop.render.paper import render_pdf

    camp, union = seeded
    _progress(ctx, camp, union)
    pdf = render_pdf(SummaryPaper(er.campaign_summary(ctx, camp.id)), tmp_path / "s.pdf")
    reader = PdfReader(str(pdf))
    assert len(reader.pages) == 2
    first = page_text(reader.pages[0])
    assert "2024執行部実施状況" in first and "横断旗" in first and "33.3%" in first
    assert "単組別" in first
    assert "1/2ページ" in first and "2/2ページ" in page_text(
        reader.pages[1]
    )  # counts the whole document
    assert "1/1ページ" not in page_text(reader.pages[1])
    for name in PEOPLE:
        assert name not in pdf_text(pdf)


def test_closing_list_orders_by_next_renewal_with_premiums_and_filters_days(ctx, seeded):
    camp, union = seeded
    es = _progress(ctx, camp, union)
    table = er.closing_list(ctx, campaign_id=camp.id, today=date(2020, 8, 20))
    renewals = table.column_values("renewal")
    known = [m for m in renewals if m]
    assert known == sorted(known) and min(known) >= "2020-08-20"  # past maturities rolled forward
    assert renewals[-2:] == [None, None]  # rows 8–9: no maturity, listed last
    assert len(table.rows) == 17  # 20 − 2 成約 − 1 不成約
    assert es[0].id not in table.row_keys
    by_name = {r[table.index("name")].text: r for r in table.rows}
    s = by_name[PEOPLE[18]]  # S: 保険満期 2019-12-28, a yearly policy
    assert (s[table.index("maturity")].value, s[table.index("renewal")].value) == (
        "2019-12-28",
        "2020-12-28",
    )
    assert s[table.index("days")].value == 130
    assert (
        s[table.index("other")].text,
        s[table.index("jichiro")].text,
        s[table.index("payment")].text,
    ) == ("¥4,020", "¥2,490", "月")
    assert any("繰り越しています" in n for n in table.notes)
    soon = er.closing_list(ctx, campaign_id=camp.id, within_days=14, today=date(2020, 8, 20))
    # open estimates renewing 2020-08-20 … 2020-09-03: R (08-24), J (08-25), E (08-31)
    assert [r[table.index("name")].text for r in soon.rows] == [PEOPLE[17], PEOPLE[9], PEOPLE[4]]
    assert [r[1].value for r in soon.rows] == [4, 5, 11]
    assert all(r[0].tone == "flagged" for r in soon.rows)
    later = er.closing_list(ctx, campaign_id=camp.id, within_days=14, today=date(2021, 8, 20))
    assert [r[table.index("name")].text for r in later.rows] == [
        PEOPLE[17],
        PEOPLE[9],
        PEOPLE[4],
    ]  # a year on


def test_next_renewal_rolls_a_yearly_policy_forward():
    from kyosai_desktop.domain.estimates import next_renewal

    assert next_renewal(date(2020, 9, 30), date(2020, 8, 20)) == date(2020, 9, 30)  # still ahead
    assert next_renewal(date(2019, 12, 28), date(2020, 8, 20)) == date(2020, 12, 28)
    assert next_renewal(date(2018, 8, 20), date(2020, 8, 20)) == date(2020, 8, 20)  # today counts
    assert next_renewal(date(2020, 2, 29), date(2021, 1, 1)) == date(2021, 2, 28)  # leap day


def test_open_for_union_is_what_the_progress_sheet_reads(ctx, seeded):
    camp, union = seeded
    _progress(ctx, camp, union)
    items = ctx.estimates.open_for_union(union.id)
    assert len(items) == 17
    first = items[0]
    assert (first.name, first.car, first.policy_maturity, first.campaign) == (
        PEOPLE[18],
        "ゼスト",
        "2019-12-28",
        "2024執行部",
    )
    assert first.status == "見積作成"


def test_all_union_reports_in_one_pdf(ctx, seeded, tmp_path, qapp):
    from kyosai_desktop.render.estimate_paper import UnionReportPaper
    from kyosai_desktop.render.paper import render_pdf

    camp, union = seeded
    second = add_union(ctx, "05", "002", "第二職員組合")
    import_estimates(ctx, seed_csv(tmp_path), campaign="2024執行部", union="05-002")
    reports = er.union_reports(ctx, camp.id)
    assert [r.union_key for r in reports] == ["05-001", "05-002"]
    assert second.id in ctx.campaigns.union_ids(camp.id)
    reader = PdfReader(str(render_pdf(UnionReportPaper(reports), tmp_path / "all.pdf")))
    assert len(reader.pages) == 2
    assert "第二職員組合" in page_text(reader.pages[1])


def test_sql_sums_give_the_same_totals_as_the_row_arithmetic(ctx):
    """The summary sums premiums per 支払 in SQL; it must agree with domain ``totals`` row by row."""
    import random

    from kyosai_desktop.domain.estimates import totals

    rng = random.Random(11)
    unions = [add_union(ctx, "05", f"{i:03d}", f"組合{i}") for i in range(1, 6)]
    camp = ctx.campaigns.add("乱数", "その他")
    for _ in range(300):
        u = rng.choice(unions)
        pay = rng.choice(["年", "月", None])
        ctx.estimates.add(
            camp.id,
            u.id,
            name="x",
            payment=pay,
            other_premium=rng.choice([None, rng.randint(0, 200_000)]),
            jichiro_premium=rng.choice([None, rng.randint(0, 200_000)]),
        )
    for rep in er.union_reports(ctx, camp.id):
        uid = ctx.unions.find_key(rep.union_key).id
        rows = [
            (e.other_premium, e.jichiro_premium, e.payment)
            for e in ctx.estimates.list(camp.id, uid)
        ]
        assert rep.totals == totals(rows)
    whole = er.campaign_summary(ctx, camp.id).total.totals
    assert whole == totals(
        (e.other_premium, e.jichiro_premium, e.payment) for e in ctx.estimates.list(camp.id)
    )


def test_contract_without_application_date_in_a_dated_campaign(ctx):
    """A union whose only estimates are 成約 without 申込日 (an imported 状況 column with no
    申込日) counts 0 within the period, and the summary still adds up."""
    union = add_union(ctx)
    camp = ctx.campaigns.add("期間あり", "その他", period_from="2024-10-01", period_to="2024-12-31")
    ctx.estimates.add(
        camp.id,
        union.id,
        name="x",
        other_premium=60_000,
        jichiro_premium=40_000,
        payment="年",
        status="成約",
    )
    counts = ctx.estimates.status_counts(camp.id)[union.id]
    assert (counts.contracts, counts.contracts_in_period) == (1, 0)
    j = er.summary_json(ctx, camp.id)
    assert j["contracts"] == 1 and j["saving_total"] == 20_000
    assert er.campaign_summary(ctx, camp.id).table().totals[0][6].text == "0"


def test_printed_summary_headers_wrap_only_between_words(ctx, seeded, qapp):
    """On paper too, each column is at least as wide as the longest word of its title."""
    from kyosai_desktop.render.paper import text_em
    from kyosai_desktop.render.paper_table import TablePaper
    from kyosai_desktop.services.report_table import TITLE_WORD_CAP_EM, title_words

    camp, union = seeded
    _progress(ctx, camp, union)
    table = er.campaign_summary(ctx, camp.id).table()
    paper = TablePaper(table)
    paper.page_count()  # lays the pages out
    for j, col in enumerate(table.columns):
        longest = min(max(text_em(w, bold=True) for w in title_words(col.title)), TITLE_WORD_CAP_EM)
        assert paper.col_w[j] >= longest * paper.font_pt, col.title
