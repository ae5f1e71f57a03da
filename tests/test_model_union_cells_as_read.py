"""The model-union parser reads an xlsx's cells as calamine gave them (whole numbers still
float, empty cells "") and converts each cell it uses once; the result must be exactly what
the converted rows give — every value, every warning, every refusal with its cell address."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from kyosai_desktop.cli import main
from kyosai_desktop.services.model_union_sheet_parser import parse_sheet
from kyosai_desktop.services.sheet_reader import SheetRows, _values, plain_value
from kyosai_desktop.services.tabular import ImportFailed, Table, read_table
from tests.model_union_fixtures import sample_units, write_sheet

# Cells a clerk or another program may leave in a sheet that still imports.
SOFT = {
    (0, "2024年度6月"): "３",  # full-width text
    (0, "2024年度7月"): " 2 ",
    (1, "2022年度8月"): None,  # blank band month
    (1, "2024年度3月"): 4,  # after the as-of month: a late count
    (1, "2024年度4月"): "—",
    (2, "単組コード"): 2,  # a code typed as a number
    (2, "発効"): "１０月",
    (2, "団生保有"): None,
    (3, "目標件数"): "—",
    (3, "加入率"): "#DIV/0!",
    (3, "実績"): -7,  # a signed derived figure
    (4, "達成率"): "45.7%",
    (4, "累積件数"): "1,234",
    (4, "2023年度累計"): 0.0,
    (-1, "組合員数"): "たくさん",  # a 合計 cell that is not a number: a warning
}
# …and cells that refuse the whole import, each with its address.
HARD = {
    (0, "2024年度8月"): "三",
    (0, "2023年度9月"): -2,
    (1, "2022年度10月"): 2**63,
    (1, "組合員数"): 1.5,
    (2, "2024年度1月"): True,
    (2, "団生保有"): dt.datetime(2024, 5, 1),
    (3, "目標件数"): -1,
    (3, "2024年度9月"): -3,  # the row's only bad month
    (3, "累積件数"): "abc",
    (0, "2022年度実績"): 10**16,
    (1, "2024年度2月"): 2.5,
    (4, "自治労県コード"): 5.5,  # (the rest of a row with a bad code is not read)
}


def _outcome(table: Table, prefectures) -> object:
    try:
        parsed = parse_sheet(table, 2024, prefectures)
    except ImportFailed as exc:
        return ("refused", [str(p) for p in exc.problems])
    return (
        "read",
        [dataclasses.asdict(r) for r in parsed.rows],
        parsed.totals and parsed.totals.stated,
        parsed.as_of,
        parsed.notes,
        [str(p) for p in parsed.warnings],
    )


@pytest.mark.parametrize("cells", [SOFT, HARD, {**SOFT, **HARD}], ids=["soft", "hard", "both"])
def test_cells_as_read_give_exactly_what_the_converted_rows_give(ctx, tmp_path, cells):
    path = write_sheet(tmp_path / "odd.xlsx", sample_units(), overrides=cells)
    prefectures = {p.code: (p.name, p.in_national) for p in ctx.prefectures.all()}
    table = read_table(path)
    assert isinstance(table.rows, SheetRows)
    converted = Table(rows=[_values(r) for r in table.rows.raw], is_excel=True, source=table.source)
    as_read = _outcome(table, prefectures)
    assert as_read == _outcome(converted, prefectures)
    if cells is SOFT:
        assert as_read[0] == "read" and len(as_read[1]) == 5
    else:
        problems = as_read[1]
        assert as_read[0] == "refused" and len(problems) == len(HARD)
        assert "5行目 セル O5: 「9.22337e+18」が大きすぎます" in "\n".join(problems)


def test_plain_value_is_the_readers_conversion_cell_by_cell():
    values = ["", " ", "x", 0.0, -0.0, 3.0, -3.0, 1.5, 2.0**53, 2.0**53 + 2, -(2.0**63)]
    values += [float("nan"), float("inf"), True, False, dt.date(2024, 5, 1)]
    values += [dt.datetime(2024, 5, 1, 9), dt.time(9, 30), dt.timedelta(hours=2)]
    converted = _values(values)
    assert [plain_value(v) for v in values][:-4] == converted[:-4]  # nan != nan: by type and text
    assert [repr(plain_value(v)) for v in values] == [repr(v) for v in converted]
    assert [type(plain_value(v)) for v in values] == [type(v) for v in converted]
    rows = SheetRows([values, ["", 1.0]])
    assert rows[1] == [None, 1] and rows[-1] is rows[1] and rows[:1] == [converted][:1]
    assert rows == [converted, [None, 1]] and len(rows) == 2


def test_the_cli_refuses_an_odd_sheet_with_every_cell_named(tmp_path, capsys):
    path = write_sheet(tmp_path / "odd.xlsx", sample_units(), overrides=HARD)
    db = tmp_path / "k.sqlite3"
    assert main(["--db", str(db), "init", "--branch", "05"]) == 0
    before = db.read_bytes()
    capsys.readouterr()
    assert main(["--db", str(db), "import", "model-unions", str(path), "--fy", "2024"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and db.read_bytes() == before
    assert err.count("セル ") >= len(HARD)


def test_a_repeated_header_and_a_total_named_in_another_column(ctx, tmp_path):
    """A printed sheet's repeated header row is skipped; the 合計 row is found by any of its
    labels in any identity column (spaces and full-width ignored); a union whose name holds
    計 is a union."""
    units = sample_units()
    units[3].name = "会計課職員組合"
    header_again = {
        (1, "自治労県コード"): "自治労県コード",
        (1, "県名"): "県名",
        (1, "単組コード"): "単組 コード",
        (1, "加入拡大モデル単組"): "加入拡大モデル単組",
        (2, "自治労県コード"): "自治労県コード",  # again, its code cell left blank
        (2, "県名"): None,
        (2, "単組コード"): " ",
        (2, "加入拡大モデル単組"): "加入拡大モデル単組",
    }
    total_by_name = {(-1, "自治労県コード"): None, (-1, "加入拡大モデル単組"): "全国　計"}
    path = write_sheet(tmp_path / "x.xlsx", units, overrides={**header_again, **total_by_name})
    prefectures = {p.code: (p.name, p.in_national) for p in ctx.prefectures.all()}
    table = read_table(path)
    parsed = parse_sheet(table, 2024, prefectures)
    assert [r.name for r in parsed.rows] == [units[0].name, "会計課職員組合", units[4].name]
    assert parsed.totals is not None and parsed.totals.index == 3 + len(
        units
    )  # title, band, header
    converted = Table(rows=[_values(r) for r in table.rows.raw], is_excel=True, source=table.source)
    assert _outcome(table, prefectures) == _outcome(converted, prefectures)
