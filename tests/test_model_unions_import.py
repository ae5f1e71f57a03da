"""Import of headquarters' model-union sheet: the sample's figures, header variants, the
recomputed checks with cell addresses, dry run, and refusal of bad sheets with nothing written."""

from __future__ import annotations

import shutil
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from kyosai_desktop.services.model_union_import import import_model_unions
from kyosai_desktop.services.model_union_report import build_report
from kyosai_desktop.services.tabular import ImportFailed
from tests.model_union_fixtures import SAMPLE, Unit, digest, sample_units, write_sheet


def dan(ctx) -> int:
    return ctx.model_unions.product_id()


def test_sample_gives_the_readme_figures(ctx):
    result = import_model_unions(ctx, SAMPLE, 2024)
    assert (result.rows, result.sheet_start_month, result.as_of) == (9, 6, "2025-02")
    assert result.warnings == []  # the sample is consistent
    assert len(result.created_unions) == 9 and len(result.designated) == 9
    report = build_report(ctx, 2024, "2025-02")
    t = report.totals
    assert (t.count, t.members, t.holdings, t.join_rate) == (9, 11622, 6918, Decimal("59.5"))
    assert (t.cumulative, t.target, t.rate, t.yoy, t.achieved_count) == (
        286,
        476,
        Decimal("60.1"),
        -49,
        1,
    )
    # codes stay text with their zeros; the unions of other prefectures are created
    tomakomai = ctx.unions.find("01", "039")
    assert (
        tomakomai is not None
        and tomakomai.name == "苫小牧市立病院職員組合"
        and tomakomai.members == 370
    )
    assert tomakomai.effective_month == 10
    # the monthly counts are the 団体生命共済 results, by calendar month, audited as imports
    kochi = ctx.unions.find("41", "002")
    assert ctx.results.get(kochi.id, dan(ctx), "2024-07") == 17
    assert ctx.results.get(kochi.id, dan(ctx), "2024-01") == 41  # 2023年度 1月
    history = ctx.audit.history("results", f"{kochi.id}:{dan(ctx)}:2024-07")
    assert [(h.source, h.old, h.new) for h in history] == [("import", None, "17")]
    info = ctx.model_unions.year_info(2024)
    assert (info.as_of, info.sheet_start_month, info.source) == ("2025-02", 6, SAMPLE.name)


def test_dry_run_reports_and_writes_nothing(ctx, db_path):
    before = digest(db_path)
    result = import_model_unions(ctx, SAMPLE, 2024, dry_run=True)
    assert result.dry_run and len(result.created_unions) == 9 and result.counts_written == 52
    assert "試行" in result.text()
    assert digest(db_path) == before
    again = import_model_unions(ctx, SAMPLE, 2024)
    assert again.counts_written == 52
    third = import_model_unions(ctx, SAMPLE, 2024)
    assert third.counts_written == 0 and third.designated == [] and third.changed == []


def test_dry_run_lists_counts_a_clerk_entered(ctx):
    ctx.settings.set_branch("41")
    kochi = ctx.unions.add("41", "002", "高知市職員労働組合", members=1552, holdings=1200)
    ctx.results.set(kochi.id, dan(ctx), "2024-07", 15)  # typed by the clerk; the sheet says 17
    ctx.results.set(kochi.id, dan(ctx), "2024-08", 3)  # same as the sheet
    result = import_model_unions(ctx, SAMPLE, 2024, dry_run=True)
    assert result.own_changes == ["41-002 高知市職員労働組合 2024年7月: 15 → 17"]
    assert "入力済みの件数が変わります" in result.text()
    assert ctx.results.get(kochi.id, dan(ctx), "2024-07") == 15
    import_model_unions(ctx, SAMPLE, 2024)
    assert ctx.results.get(kochi.id, dan(ctx), "2024-07") == 17
    # the clerk's master figures are not replaced by the sheet's; the year's record keeps the sheet's
    assert ctx.unions.get(kochi.id).holdings == 1200
    assert ctx.model_unions.get(2024, kochi.id).holdings == 1132


def test_every_derived_column_is_checked_with_its_cell(ctx, tmp_path):
    units = sample_units()
    path = write_sheet(
        tmp_path / "hq.xlsx",
        units,
        overrides={
            (3, "残件数"): 27,  # seed 004: 目標 60 − 累積 23 = 37, printed 27
            (1, "加入率"): 0.9,
            (2, "累積件数"): 46,
            (4, "実績"): 99,
            (0, "達成率"): 0.3,
            (-1, "目標件数"): 176,  # the 合計 row
            (-1, "2024年度7月"): 999,
        },
    )
    result = import_model_unions(ctx, path, 2024)
    text = [str(w) for w in result.warnings]
    ws = load_workbook(path).active
    col = {ws.cell(3, j).value: j for j in range(1, ws.max_column + 1) if ws.cell(3, j).value}

    def addr(title: str, row: int) -> str:
        from openpyxl.utils import get_column_letter

        return f"{get_column_letter(col[title])}{row}"

    assert any(
        f"セル {addr('残件数', 7)}" in t and "シートの値 27 と計算値 37" in t for t in text
    ), text
    assert any(f"セル {addr('加入率', 5)}" in t and "82.6%" in t for t in text)
    assert any(f"セル {addr('累積件数', 6)}" in t and "計算値 47" in t for t in text)
    assert any(f"セル {addr('実績', 8)}" in t and "前年比" in t for t in text)
    assert any(f"セル {addr('達成率', 4)}" in t and "26.7%" in t for t in text)
    assert any("合計行 目標件数" in t for t in text)
    assert any("合計行 2024年7月" in t and "999" in t for t in text)
    # the totals of the counts the sheet derives are wrong too (累積 changed) — reported, not trusted
    assert len(text) >= 7
    # the import keeps the counts: 岡山 has 23 of 60
    report = build_report(ctx, 2024, "2025-02", pref_code="33")
    assert (report.rows[0].cumulative, report.rows[0].remaining) == (23, 37)


def test_header_variants(ctx, tmp_path):
    """No title, no band row, codes as numbers, extra column, text numbers with commas and
    full-width digits, labels with spaces — the same figures as the tidy sheet."""
    units = sample_units()
    tidy = write_sheet(tmp_path / "tidy.xlsx", units)
    messy = write_sheet(
        tmp_path / "messy.xlsx",
        units,
        title=False,
        band_row=False,
        extra=True,
        overrides={
            (0, "自治労県コード"): 4,
            (0, "単組コード"): 13,
            (2, "組合員数"): "5,101",
            (2, "団生保有"): "５２０",
            (1, "発効"): "１月",
            (4, "組合員数"): "1,552",
        },
    )
    wb = load_workbook(messy)
    ws = wb.active
    for j in range(1, ws.max_column + 1):  # "組合員数" → "組合員 数", full-width label
        if ws.cell(1, j).value == "組合員数":
            ws.cell(1, j).value = "組合員　数"
        if ws.cell(1, j).value == "単組コード":
            ws.cell(1, j).value = "単組ｺｰﾄﾞ"
    wb.save(messy)
    a = import_model_unions(ctx, tidy, 2024, dry_run=True)
    b = import_model_unions(ctx, messy, 2024)
    assert a.warnings == [] and b.warnings == []
    assert b.as_of == "2025-02" and b.sheet_start_month == 6
    assert ctx.unions.find("04", "013") is not None
    assert ctx.model_unions.get(2024, ctx.unions.find("15", "002").id).members == 5101
    assert ctx.model_unions.get(2024, ctx.unions.find("05", "021").id).effective_month == 1
    report = build_report(ctx, 2024, "2025-02")
    assert report.totals.cumulative == sum(u for u in (r.cumulative for r in report.rows))
    assert [r.cumulative for r in report.rows] == [
        4,
        sum(v for m, v in units[1].counts.items() if "2024-06" <= m <= "2025-02"),
        47,
        23,
        sum(v for m, v in units[4].counts.items() if "2024-06" <= m <= "2025-02"),
    ]


def test_reordered_columns_and_merged_prefecture_cells(ctx, tmp_path):
    units = sample_units()[:2] + [
        Unit(
            "05",
            "043",
            "宮城県社会福祉協議会労働組合",
            314,
            163,
            1,
            10,
            {"2024-06": 2, "2025-01": 4},
        )
    ]
    path = write_sheet(tmp_path / "hq.xlsx", units)
    wb = load_workbook(path)
    ws = wb.active
    ws.move_range("A3:D8", cols=ws.max_column + 2)  # identity columns moved to the far right
    ws.cell(6, ws.max_column - 3).value = None  # 05 written once for its two unions
    wb.save(path)
    result = import_model_unions(ctx, path, 2024)
    assert result.rows == 3 and result.warnings == []
    assert ctx.model_unions.get(2024, ctx.unions.find("05", "043").id).target == 10


def test_five_month_start_sheet_lands_in_the_same_calendar_months(ctx, tmp_path):
    units = sample_units()
    for u in units:
        u.counts["2024-05"] = u.counts.get("2024-05", 0) + 1
    path = write_sheet(tmp_path / "five.xlsx", units, start=5)
    result = import_model_unions(ctx, path, 2024)
    assert result.sheet_start_month == 5 and result.start_month == 6 and result.warnings == []
    assert any("5月開始" in n for n in result.notes)
    kochi = ctx.unions.find("41", "002")
    assert ctx.results.get(kochi.id, dan(ctx), "2024-05") == units[4].counts["2024-05"]
    six = build_report(ctx, 2024, "2025-02")
    five = build_report(ctx, 2024, "2025-02", start_month=5)
    assert five.totals.cumulative - six.totals.cumulative == sum(u.counts["2024-05"] for u in units)


def test_start_month_option_sets_the_year(ctx):
    import_model_unions(ctx, SAMPLE, 2024, start_month=5, dry_run=True)
    assert ctx.fiscal_years.model_year(2024).start_month == 6
    result = import_model_unions(ctx, SAMPLE, 2024, start_month=5)
    assert result.start_month == 5
    assert ctx.fiscal_years.model_year(2024).start_month == 5
    assert ctx.audit.history("fiscal_years", "2024")[-1].new == "6/5"


def test_shaho_roren_after_the_total_and_notes(ctx, tmp_path):
    units = sample_units()
    shaho = [
        Unit(
            "60",
            "001",
            "日本年金機構職員労働組合",
            6003,
            2012,
            12,
            80,
            {"2024-07": 30, "2024-12": 23},
        )
    ]
    path = write_sheet(tmp_path / "hq.xlsx", units, after_totals=shaho)
    wb = load_workbook(path)
    ws = wb.active
    ws.insert_rows(ws.max_row)
    ws.cell(ws.max_row - 1, 1).value = "※社保労連は加入拡大モデル単組の全国集計には含まない"
    wb.save(path)
    result = import_model_unions(ctx, path, 2024)
    assert result.rows == 6 and result.other_rows == 1 and result.warnings == []
    assert any("社保労連" in n for n in result.notes)
    report = build_report(ctx, 2024, "2025-02")
    assert len(report.rows) == 6 and report.totals.count == 5
    assert report.totals.target == sum(u.target for u in units)


def test_a_sheet_of_only_shaho_roren_checks_its_total_as_the_report_totals_it(ctx, tmp_path):
    """With no national rows the 合計 covers the rows shown (totals_scope), in the check as in the report."""
    shaho = [
        Unit(
            "60",
            "001",
            "日本年金機構職員労働組合",
            6003,
            2012,
            12,
            80,
            {"2024-07": 30, "2024-12": 23},
        ),
        Unit("60", "002", "全国健康保険協会労働組合", 1500, 600, 4, 20, {"2024-09": 5}),
    ]
    result = import_model_unions(ctx, write_sheet(tmp_path / "shaho.xlsx", shaho), 2024)
    assert result.other_rows == 2 and result.warnings == []
    report = build_report(ctx, 2024, "2025-02")
    assert (report.totals.count, report.totals.cumulative, report.totals.target) == (2, 58, 100)


def test_units_left_out_are_undesignated(ctx, tmp_path):
    units = sample_units()
    import_model_unions(ctx, write_sheet(tmp_path / "a.xlsx", units), 2024)
    result = import_model_unions(
        ctx, write_sheet(tmp_path / "b.xlsx", units[:-1]), 2024, dry_run=True
    )
    assert result.removed == ["41-002 高知市職員労働組合"]
    import_model_unions(ctx, write_sheet(tmp_path / "b.xlsx", units[:-1]), 2024)
    assert len(ctx.model_unions.designations(2024)) == 4


# ------------------------------------------------------------------ refused sheets


def refused(ctx, db_path, path, fy=2024) -> str:
    before = digest(db_path)
    with pytest.raises(ImportFailed) as err:
        import_model_unions(ctx, path, fy)
    assert digest(db_path) == before
    return err.value.summary()


def test_missing_columns(ctx, db_path, tmp_path):
    text = refused(
        ctx,
        db_path,
        write_sheet(tmp_path / "x.xlsx", sample_units(), drop=("目標件数", "団生保有")),
    )
    assert "必要な列がありません" in text and "目標件数" in text and "団生保有" in text
    assert "データは変更していません" in text


def test_text_in_number_cells(ctx, db_path, tmp_path):
    path = write_sheet(
        tmp_path / "x.xlsx",
        sample_units(),
        overrides={(1, "2024年度8月"): "三", (2, "組合員数"): "多数", (3, "累積件数"): "abc"},
    )
    text = refused(ctx, db_path, path)
    ws = load_workbook(path).active
    cells = [
        c.coordinate for row in ws.iter_rows() for c in row if c.value in ("三", "多数", "abc")
    ]
    assert len(cells) == 3
    for coordinate in cells:
        assert f"セル {coordinate}" in text
    assert "数値ではありません" in text


def test_duplicate_unions(ctx, db_path, tmp_path):
    units = sample_units()
    units.append(Unit("05", "021", "角田市職員労働組合", 242, 200, 1, 20))
    text = refused(ctx, db_path, write_sheet(tmp_path / "x.xlsx", units))
    assert "05-021 が 5行目と重複しています" in text


def test_empty_and_non_excel_files(ctx, db_path, tmp_path):
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    assert "ファイルが空です" in refused(ctx, db_path, empty)
    png = tmp_path / "photo.xlsx"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    assert "Excel ファイルとして読めません" in refused(ctx, db_path, png)
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(b"%PDF-1.4\n\x00\x01\x02binary")
    assert "CSV でも Excel でもありません" in refused(ctx, db_path, pdf)
    text = tmp_path / "memo.txt"
    text.write_text("これは表ではありません\n", encoding="utf-8")
    assert "見出し行が見つかりません" in refused(ctx, db_path, text)
    headers_only = write_sheet(tmp_path / "h.xlsx", [], totals=False)
    assert "単組の行がありません" in refused(ctx, db_path, headers_only)


def test_wrong_year_unknown_prefecture_and_broken_bands(ctx, db_path, tmp_path):
    sheet = write_sheet(tmp_path / "x.xlsx", sample_units())
    assert "2024年度で、指定の 2025年度と違います" in refused(ctx, db_path, sheet, fy=2025)
    bad_pref = write_sheet(
        tmp_path / "p.xlsx", sample_units(), overrides={(0, "自治労県コード"): "02"}
    )
    assert "自治労県コード「02」は存在しません" in refused(ctx, db_path, bad_pref)
    path = write_sheet(tmp_path / "m.xlsx", sample_units())
    wb = load_workbook(path)
    ws = wb.active
    for j in range(1, ws.max_column + 1):
        if ws.cell(3, j).value == "3月":
            ws.cell(3, j).value = "備考"
            break
    wb.save(path)
    assert "2022年度の月の列が12か月そろっていません (足りない月: 3月)" in refused(
        ctx, db_path, path
    )
    no_name = write_sheet(
        tmp_path / "n.xlsx", sample_units(), overrides={(1, "加入拡大モデル単組"): " "}
    )
    assert "単組名 (加入拡大モデル単組) が空です" in refused(ctx, db_path, no_name)


def test_bad_codes_get_one_japanese_message_each(ctx, db_path, tmp_path):
    """A blank 単組コード is "空です" (not "コード「None」"), a malformed 県コード is not also "空"."""
    path = write_sheet(
        tmp_path / "c.xlsx",
        sample_units(),
        overrides={(1, "単組コード"): None, (3, "自治労県コード"): "AB", (2, "発効"): "13月"},
    )
    text = refused(ctx, db_path, path)
    lines = text.splitlines()[1:]
    assert "None" not in text
    assert lines == [
        "  - 5行目 セル C5: 単組コードが空です。",
        "  - 6行目 セル H6: 発効月「13月」は 1〜12 の月で入力してください。",
        "  - 7行目 セル A7: 自治労県コード「AB」は2桁までの数字で入力してください。",
    ]


def test_csv_copy_of_the_sheet_is_read_too(ctx, tmp_path):
    """A CSV saved from the workbook (UTF-8 BOM) keeps the band row and imports the same."""
    import csv

    src = write_sheet(tmp_path / "hq.xlsx", sample_units())
    ws = load_workbook(src).active
    out = tmp_path / "hq.csv"
    with out.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows(
            [["" if v is None else v for v in row] for row in ws.iter_rows(values_only=True)]
        )
    result = import_model_unions(ctx, out, 2024)
    assert result.rows == 5 and result.warnings == []
    shutil.copy(out, tmp_path / "again.csv")


def test_seed_004_five_month_total_row_error_is_found(ctx, tmp_path):
    """Seed 004's 5月開始 合計 row prints 2023年度実績 2,487; its months add up to 2,451."""
    from tests.test_model_unions_domain import SEED_MONTHS

    nation = Unit("15", "900", "全国 (seed 004 合計行)", 128620, 58786, 4, 3447, dict(SEED_MONTHS))
    path = write_sheet(
        tmp_path / "seed004_5.xlsx",
        [nation],
        start=5,
        totals=False,
        overrides={(0, "2023年度実績"): 2487},
    )
    result = import_model_unions(ctx, path, 2024, dry_run=True)
    ws = load_workbook(path).active
    col = next(c.column_letter for c in ws[3] if c.value == "2023年度実績")
    assert [str(w) for w in result.warnings] == [
        f"4行目 セル {col}4: 15-900 2023年度実績: シートの値 2487 と計算値 2451 が違います"
    ]
    assert result.sheet_start_month == 5


def test_bulk_counts_are_audited_compactly_with_every_cells_history(ctx, tmp_path):
    """One audit row per union for the monthly counts of an import, yet each cell's history is whole."""
    units = sample_units()
    first = import_model_unions(ctx, write_sheet(tmp_path / "a.xlsx", units), 2024)
    rows = ctx.conn.execute("SELECT count(*) FROM audit WHERE table_name = 'results'").fetchone()[0]
    assert first.counts_written > 3 * len(units) and rows <= len(units)
    kochi = ctx.unions.find("41", "002")
    key = f"{kochi.id}:{dan(ctx)}:2024-07"
    v = ctx.results.get(kochi.id, dan(ctx), "2024-07")
    assert [(h.source, h.old, h.new) for h in ctx.audit.history("results", key)] == [
        ("import", None, str(v))
    ]
    ctx.results.set(
        kochi.id, dan(ctx), "2024-07", v + 1, source="entry"
    )  # a clerk's edit in between
    import_model_unions(ctx, write_sheet(tmp_path / "b.xlsx", units), 2024)
    assert [(h.source, h.old, h.new) for h in ctx.audit.history("results", key)] == [
        ("import", None, str(v)),
        ("entry", str(v), str(v + 1)),
        ("import", str(v + 1), str(v)),
    ]
    assert ctx.results.get(kochi.id, dan(ctx), "2024-07") == v


def test_a_collector_still_gets_every_cell_of_a_compact_import(ctx, tmp_path):
    from kyosai_desktop.store import audit

    with audit.collecting(ctx.conn) as rows:
        result = import_model_unions(ctx, write_sheet(tmp_path / "a.xlsx", sample_units()), 2024)
    cells = [r for r in rows if r.table == "results"]
    assert len(cells) == result.counts_written > 0
    assert ctx.conn.execute("SELECT count(*) FROM audit WHERE table_name = 'results'").fetchone()[
        0
    ] < len(cells)


def test_a_reimport_that_changes_counts_is_undone_cell_by_cell(ctx, tmp_path):
    """The bulk writer's change set (typed old → new per cell, the audit compact) undoes
    exactly: every count back as the first import left it, the new cells gone."""
    from dataclasses import replace

    from kyosai_desktop.services.import_plan import import_changes
    from kyosai_desktop.services.model_union_import import plan_model_unions
    from kyosai_desktop.services.ops.replay import replay

    units = sample_units()
    import_model_unions(ctx, write_sheet(tmp_path / "a.xlsx", units), 2024)
    product = ctx.products.resolve("団生").id

    def counts():
        return {
            (u, m): c
            for u, m, c in ctx.conn.execute(
                "SELECT union_id, month, count FROM results WHERE product_id = ?", (product,)
            )
        }

    before = counts()
    changed = [replace(u, counts=dict(u.counts)) for u in units]
    first = changed[0]
    month = next(m for m, v in first.counts.items() if v)
    first.counts[month] += 5  # an overwritten figure
    from tests.model_union_fixtures import fy_months

    empty = next(m for m in fy_months(2024, 6)[:9] if not changed[1].counts.get(m))
    changed[1].counts[empty] = 4  # a new figure where a 0 was printed
    changed[1].target += 4  # keeps the sheet's own checks consistent enough to import
    plan = plan_model_unions(ctx, write_sheet(tmp_path / "b.xlsx", changed), 2024)
    report = plan.commit(ctx)
    after = counts()
    assert after != before
    rows = [r for r in report.op_changes.rows if r.table == "results"]
    assert {(r.old, r.new) for r in rows} == {
        (before[(k_u, k_m)] if (k_u, k_m) in before else None, v)
        for (k_u, k_m), v in after.items()
        if before.get((k_u, k_m)) != v
    }
    assert all(isinstance(r.new, int) for r in rows)
    # (the import as a whole is not undoable: its sheet record and designations are not
    # replayable; its cells are, and are what the bulk writer hands over)
    replay(ctx, import_changes(rows), undo=True)
    assert counts() == before
    history = ctx.audit.history("results", rows[0].key)
    assert [e.source for e in history][-2:] == ["import", "undo"]


def _trail_since(ctx, last_id: int) -> list[tuple]:
    """Every audit entry written after ``last_id``, compact rows opened cell by cell."""
    import json

    from kyosai_desktop.store.audit import COMPACT

    out = []
    for table, key, field, old, new in ctx.conn.execute(
        "SELECT table_name, record_key, field, old_value, new_value FROM audit WHERE id > ?"
        " ORDER BY id",
        (last_id,),
    ):
        if key.endswith(COMPACT):
            prefix = key[: -len(COMPACT)]
            out += [(table, f"{prefix}:{m}", field, o, n) for m, (o, n) in json.loads(new).items()]
        else:
            out.append((table, key, field, old, new))
    return out


def test_the_trail_sqlite_writes_is_the_change_set_the_window_undoes(ctx, tmp_path):
    """The bulk writers make their audit rows in SQL or as text (created unions, new
    designations, compact counts) and hand the typed rows to the window's collector
    separately: both must say the same, entry for entry, in a first import (everything
    created) and in a re-import over it (figures overwritten, new figures, a designation
    changed, a 0 printed where nothing is stored)."""
    from dataclasses import replace

    from kyosai_desktop.services.model_union_import import plan_model_unions
    from tests.model_union_fixtures import fy_months

    def last_id():
        return ctx.conn.execute("SELECT ifnull(max(id), 0) FROM audit").fetchone()[0]

    units = sample_units()
    start = last_id()
    report = plan_model_unions(ctx, write_sheet(tmp_path / "a.xlsx", units), 2024).commit(ctx)
    collected = [
        (r.table, r.key, r.field, r.stored_old(), r.stored_new()) for r in report.op_changes.rows
    ]
    assert {r[0] for r in collected} >= {"unions", "model_unions", "results"}
    assert sorted(_trail_since(ctx, start)) == sorted(collected)

    changed = [replace(u, counts=dict(u.counts)) for u in units]
    month = next(m for m, v in changed[0].counts.items() if v)
    changed[0].counts[month] += 5
    empty = next(m for m in fy_months(2024, 6)[:9] if not changed[1].counts.get(m))
    changed[1].counts[empty] = 4
    changed[1].target += 4
    start = last_id()
    report = plan_model_unions(ctx, write_sheet(tmp_path / "b.xlsx", changed), 2024).commit(ctx)
    collected = [
        (r.table, r.key, r.field, r.stored_old(), r.stored_new()) for r in report.op_changes.rows
    ]
    kinds = {(r[0], r[3] is None) for r in collected}
    assert ("results", False) in kinds and ("results", True) in kinds  # overwritten and new
    assert ("model_unions", False) in kinds  # the target changed
    assert sorted(_trail_since(ctx, start)) == sorted(collected)


def test_the_command_line_import_checks_the_sheet_beside_the_write(ctx, db_path, tmp_path):
    """Without a preview the sheet is checked on a second thread while SQLite inserts the
    counts: the same warnings as a dry run's, also when a re-import has no count to write,
    and a check that fails rolls the whole import back (nothing written, no thread left)."""
    import threading

    from kyosai_desktop.services import model_union_import as mui

    path = write_sheet(
        tmp_path / "hq.xlsx", sample_units(), overrides={(3, "残件数"): 27, (-1, "目標件数"): 176}
    )
    dry = [str(w) for w in import_model_unions(ctx, path, 2024, dry_run=True).warnings]
    assert len(dry) == 2

    threads: list[str] = []
    check = mui.check_sheet

    def recording(sheet):
        threads.append(threading.current_thread().name)
        return check(sheet)

    mui.check_sheet = recording
    try:
        first = import_model_unions(ctx, path, 2024)
        again = import_model_unions(ctx, path, 2024)  # nothing left to write
    finally:
        mui.check_sheet = check
    assert [str(w) for w in first.warnings] == dry
    assert first.counts_written > 0 and threads[0] == "beside-sql"
    assert [str(w) for w in again.warnings] == dry
    assert again.counts_written == 0 and threads[1] == threading.current_thread().name

    units = sample_units()
    for unit in units:  # new figures, so the failing check runs beside their insert
        month = next(m for m, v in unit.counts.items() if v)
        unit.counts[month] += 1
        unit.target += 1
    other = write_sheet(tmp_path / "other.xlsx", units)
    before = digest(db_path)

    def failing(sheet):
        threads.append(threading.current_thread().name)
        raise RuntimeError("検算の途中で失敗")

    mui.check_sheet = failing
    try:
        with pytest.raises(RuntimeError, match="検算の途中で失敗"):
            import_model_unions(ctx, other, 2024)
    finally:
        mui.check_sheet = check
    assert threads[2] == "beside-sql" and digest(db_path) == before
    assert not [t for t in threading.enumerate() if t.name == "beside-sql"]


def test_a_designation_without_a_target_reads_mokuhyo_nashi_in_the_trail(ctx):
    """The trail shows a designation as 目標 N, or 目標なし (never Python's "None"), both in
    the row SQLite writes and in the change set the window gets."""
    from kyosai_desktop.store import audit
    from kyosai_desktop.store.model_unions import Designation

    union = ctx.unions.add("05", "001", "秋田市職員労働組合")
    other = ctx.unions.add("05", "002", "能代市職員労働組合")
    with audit.collecting(ctx.conn) as rows:
        ctx.model_unions.designate_many(
            [Designation(2024, union.id, None), Designation(2024, other.id, 7)]
        )
    assert [r.stored_new() for r in rows] == ["目標なし", "目標 7"]
    assert [e.new for e in ctx.audit.history("model_unions", f"2024:{union.id}")] == ["目標なし"]
    ctx.model_unions.remove(2024, union.id)
    assert [e.old for e in ctx.audit.history("model_unions", f"2024:{union.id}")][-1] == "目標なし"
