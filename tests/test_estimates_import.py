"""Import of the seed's 別紙2 sheet (xlsx and CSV) into a real database; refusals change nothing."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from estimate_fixtures import (
    HEADER,
    JICHIRO_TOTAL,
    OTHER_TOTAL,
    SAVING_TOTAL,
    SEED_ROWS,
    add_union,
    seed_csv,
    seed_sheet_rows,
    seed_xlsx,
    write_csv,
    write_xlsx,
)

from kyosai_desktop.services.estimate_import import import_estimates
from kyosai_desktop.services.estimate_reports import summary_json
from kyosai_desktop.services.tabular import ImportFailed

TABLES = ("estimate_campaigns", "estimate_campaign_unions", "estimates", "audit", "unions")


def digest(ctx) -> str:
    parts = [
        repr([tuple(r) for r in ctx.conn.execute(f"SELECT * FROM {t} ORDER BY 1")]) for t in TABLES
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


@pytest.fixture
def union(ctx):
    return add_union(ctx)


@pytest.mark.parametrize("writer", [seed_xlsx, seed_csv], ids=["xlsx", "csv"])
def test_seed_sheet_imports_with_its_figures(ctx, union, tmp_path, writer):
    result = import_estimates(
        ctx,
        writer(tmp_path),
        campaign="2024 執行部見積り強化月間",
        union="05-001",
        kind="単組執行部見積り強化月間",
    )
    assert (result.rows, result.added, result.campaign_created) == (20, 20, True)
    assert result.skipped_notes == 2  # the 【注意】 notice and the "↑(1年間差額)" caption
    camp = ctx.campaigns.find("2024 執行部見積り強化月間")
    assert camp.kind == "単組執行部見積り強化月間"
    rows = ctx.estimates.list(camp.id, union.id)
    assert [e.name for e in rows] == [r[1] for r in SEED_ROWS]
    n14 = rows[13]
    assert (n14.grade_now, n14.grade_new, n14.vehicle_cover) == ("6(5)", "6(5)", True)
    assert rows[15].grade_now == "-" and rows[0].policy_maturity == "2022-02-14"
    assert rows[0].role == "執行部"
    assert rows[7].status == "依頼受付" and rows[0].status == "見積作成"
    s = summary_json(ctx, camp.id)
    assert (s["other_total"], s["jichiro_total"], s["saving_total"]) == (
        OTHER_TOTAL,
        JICHIRO_TOTAL,
        SAVING_TOTAL,
    )
    assert (s["rows_in_totals"], s["rows_flagged"], s["saving_average"]) == (18, 2, 24_694)


def test_every_row_agrees_and_only_the_seed_foot_line_is_reported(ctx, union, tmp_path):
    """The seed's 別紙2 foot (¥-424,660) belongs to 別紙3's data set: reported, with its cell."""
    result = import_estimates(ctx, seed_xlsx(tmp_path), campaign="c", union="05-001")
    assert len(result.warnings) == 1
    w = result.warnings[0]
    assert w.row == 24 and w.cell == "K24"
    assert "¥-424,660" in w.message and "¥-444,500" in w.message


def test_each_derived_disagreement_is_reported_with_its_cell(ctx, union, tmp_path):
    rows = seed_sheet_rows(with_foot=False)
    rows[2] = list(rows[2])
    rows[2][10] = "¥-25,000"  # No.1: 年間差額 should be ¥-25,820
    rows[3] = list(rows[3])
    rows[3][11] = "-25.0%"  # No.2: 引下率 should be -25.7%
    result = import_estimates(
        ctx, write_xlsx(tmp_path / "x.xlsx", rows), campaign="c", union="05-001"
    )
    cells = sorted((w.cell, w.message) for w in result.warnings)
    assert [c for c, _ in cells] == ["K3", "L4"]
    assert "¥-25,000" in cells[0][1] and "¥-25,820" in cells[0][1]
    assert "-25.0%" in cells[1][1] and "-25.7%" in cells[1][1]
    assert result.added == 20  # a derived column is never stored: the import still goes through


def test_reimport_updates_by_number_without_duplicates(ctx, union, tmp_path):
    import_estimates(ctx, seed_csv(tmp_path), campaign="c", union="05-001")
    rows = seed_sheet_rows()
    rows[2] = list(rows[2])
    rows[2][8] = "¥23,000"  # No.1 じちろう掛金 corrected
    rows[2][10] = ""
    rows[2][11] = ""
    second = import_estimates(
        ctx, write_csv(tmp_path / "v2.csv", rows), campaign="c", union="05-001"
    )
    assert (second.added, second.updated, second.unchanged) == (0, 1, 19)
    camp = ctx.campaigns.find("c")
    assert ctx.estimates.count(camp.id) == 20
    e1 = ctx.estimates.find_seq(camp.id, union.id, 1)
    assert e1.jichiro_premium == 23_000
    history = ctx.audit.history("estimates", str(e1.id))
    assert any(
        h.field == "jichiro_premium"
        and h.old == "23870"
        and h.new == "23000"
        and h.source == "import"
        for h in history
    )


def test_dry_run_writes_nothing(ctx, union, tmp_path):
    before = digest(ctx)
    result = import_estimates(
        ctx, seed_xlsx(tmp_path), campaign="new", union="05-001", dry_run=True
    )
    assert result.added == 20 and result.dry_run
    assert digest(ctx) == before


def _bad(rows: list[list[str]], row_no: str, col: int, value: str) -> None:
    for r in rows:
        if r and r[0] == row_no:
            r[col] = value


BAD_CASES = {
    "payment": (9, "半年", "支払「半年」は 年 か 月"),
    "negative": (7, "-49690", "負の数"),
    "text premium": (8, "未定", "金額ではありません"),
    "impossible date": (12, "2022年2月30日", "存在しない日付"),
}


@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_bad_input_is_refused_with_its_cell_and_nothing_written(ctx, union, tmp_path, case):
    col, value, expected = BAD_CASES[case]
    rows = [list(r) for r in seed_sheet_rows()]
    _bad(rows, "3", col, value)
    before = digest(ctx)
    with pytest.raises(ImportFailed) as info:
        import_estimates(ctx, write_xlsx(tmp_path / "bad.xlsx", rows), campaign="c", union="05-001")
    problems = info.value.problems
    assert len(problems) == 1 and expected in problems[0].message
    assert problems[0].row == 5  # title, header, rows 1–2, then No.3 on sheet row 5
    assert problems[0].cell == f"{'ABCDEFGHIJKLMN'[col]}5"
    assert "データは変更していません" in info.value.summary()
    assert digest(ctx) == before


def test_every_problem_is_listed_at_once(ctx, union, tmp_path):
    rows = [list(r) for r in seed_sheet_rows()]
    _bad(rows, "1", 9, "週")
    _bad(rows, "2", 7, "-1")
    _bad(rows, "5", 13, "2021-02-29")
    _bad(rows, "6", 0, "5")  # duplicate No.
    before = digest(ctx)
    with pytest.raises(ImportFailed) as info:
        import_estimates(ctx, write_csv(tmp_path / "bad.csv", rows), campaign="c", union="05-001")
    text = info.value.summary()
    assert len(info.value.problems) == 4
    assert "支払「週」" in text and "負の数" in text and "存在しない日付" in text and "重複" in text
    assert digest(ctx) == before


def test_unknown_union_is_refused_and_no_campaign_is_created(ctx, union, tmp_path):
    before = digest(ctx)
    with pytest.raises(ImportFailed) as info:
        import_estimates(ctx, seed_xlsx(tmp_path), campaign="new", union="05-999")
    assert "単組 05-999 は登録されていません" in info.value.summary()
    assert digest(ctx) == before
    assert ctx.campaigns.find("new") is None


def test_missing_columns_are_named(ctx, union, tmp_path):
    header = [h for h in HEADER if h not in ("支払", "車検満了日")]
    before = digest(ctx)
    with pytest.raises(ImportFailed) as info:
        import_estimates(
            ctx, write_csv(tmp_path / "h.csv", [header, ["1", "A"]]), campaign="c", union="05-001"
        )
    assert "支払" in info.value.summary() and "車検満了日" in info.value.summary()
    assert digest(ctx) == before


@pytest.mark.parametrize("content", [b"", b"\x00\x01\x02binary", b"PK\x03\x04broken"])
def test_unreadable_files_are_refused(ctx, union, tmp_path, content):
    path = tmp_path / ("f.xlsx" if content.startswith(b"PK") else "f.csv")
    path.write_bytes(content)
    before = digest(ctx)
    with pytest.raises(ImportFailed):
        import_estimates(ctx, path, campaign="c", union="05-001")
    assert digest(ctx) == before


def test_premiums_without_payment_are_refused(ctx, union, tmp_path):
    rows = [list(r) for r in seed_sheet_rows()]
    _bad(rows, "1", 9, "")
    with pytest.raises(ImportFailed) as info:
        import_estimates(ctx, write_csv(tmp_path / "p.csv", rows), campaign="c", union="05-001")
    assert "支払 (年/月) が空" in info.value.summary()


def test_optional_columns_status_role_contact(ctx, union, tmp_path):
    header = HEADER + ["区分", "連絡先", "状況", "返却日", "申込日"]
    row = SEED_ROWS[0] + ["組合員", "090-0000-0000", "成約", "2024-11-01", "2024年12月3日"]
    import_estimates(
        ctx, write_csv(tmp_path / "o.csv", [header, row]), campaign="c", union="05-001"
    )
    e = ctx.estimates.list(ctx.campaigns.find("c").id)[0]
    assert (e.role, e.contact, e.status, e.returned_on, e.closed_on) == (
        "組合員",
        "090-0000-0000",
        "成約",
        "2024-11-01",
        "2024-12-03",
    )


def test_anonymised_campaign_refuses_imports(ctx, union, tmp_path):
    import_estimates(ctx, seed_csv(tmp_path), campaign="c", union="05-001")
    camp = ctx.campaigns.find("c")
    ctx.estimates.anonymise_campaign(camp.id)
    before = digest(ctx)
    with pytest.raises(ImportFailed) as info:
        import_estimates(ctx, seed_csv(tmp_path), campaign="c", union="05-001")
    assert "匿名化済み" in info.value.summary()
    assert digest(ctx) == before


def test_file_path_is_kept_as_given(tmp_path):
    assert isinstance(seed_csv(tmp_path), Path)


def test_kind_of_an_existing_campaign_is_kept_and_said(ctx, union, tmp_path):
    import_estimates(
        ctx, seed_csv(tmp_path), campaign="c", union="05-001", kind="見積りキャンペーン"
    )
    again = import_estimates(
        ctx, seed_csv(tmp_path), campaign="c", union="05-001", kind="成約キャンペーン"
    )
    assert ctx.campaigns.find("c").kind == "見積りキャンペーン"
    assert again.kind_ignored == "見積りキャンペーン" and "使っていません" in again.text()


def test_own_list_export_reimports_without_a_phantom_total_row(ctx, union, tmp_path):
    """別紙2 exported by the app (its foot reads "合計 (N人)") imports back as the same people."""
    from kyosai_desktop.services.estimate_reports import list_report
    from kyosai_desktop.services.xlsx_report import write_report_xlsx

    first = import_estimates(ctx, seed_xlsx(tmp_path), campaign="夏の見積り", union="05-001")
    camp = ctx.campaigns.find("夏の見積り")
    out = write_report_xlsx(list_report(ctx, camp.id, union.id), tmp_path / "export.xlsx")
    again = import_estimates(ctx, out, campaign="夏の見積り", union="05-001", dry_run=True)
    assert again.rows == first.rows and again.added == 0
    other = import_estimates(ctx, out, campaign="別の見積り", union="05-001")
    assert other.rows == first.rows
    names = [e.name for e in ctx.estimates.list(ctx.campaigns.find("別の見積り").id)]
    assert not any(n and n.startswith("合計") for n in names)


def test_a_hand_made_total_label_is_a_footer(ctx, union, tmp_path):
    rows = seed_sheet_rows(with_foot=False)
    width = len(rows[-1])
    total = ["合計", "", "", "", "", "", "", "999999", "999999"] + [""] * (width - 9)
    result = import_estimates(
        ctx,
        write_xlsx(tmp_path / "hand.xlsx", [*rows, total]),
        campaign="手作り",
        union="05-001",
        dry_run=True,
    )
    assert result.rows == len(SEED_ROWS)
