"""Blank import templates: each one's header row is what its importer reads, and a template
filled with one row goes back in through the real importer (``kyosai template`` writes them).

The templates are real xlsx files written by ``kyosai template KIND --out`` and read back
with openpyxl; the filled copy is imported with the production planners
(``services/master_import``, ``estimate_import``, ``model_union_import``) and committed.
"""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from kyosai_desktop.cli import main as cli
from kyosai_desktop.services import templates
from kyosai_desktop.services.estimate_import import plan_estimates
from kyosai_desktop.services.master_import import plan_results, plan_targets, plan_unions
from kyosai_desktop.services.model_union_import import plan_model_unions

# The columns the README documents for each import (``kyosai … import FILE  # …``).
README_HEADERS = {
    "unions": ["自治労県コード", "単組コード", "単組名", "組合員数", "団生保有", "発効月"],
    "targets": ["年度", "商品", "目標件数", "版", "単組コード"],
    "results": ["自治労県コード", "単組コード", "商品", "発効年月", "件数"],
    "estimates": [
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
    ],
}


def make(tmp_path, kind, *extra):
    out = tmp_path / f"{kind}.xlsx"
    assert cli(["template", kind, "--out", str(out), *extra]) == 0
    return out


def fill(path, values: dict[str, object]):
    """Type one row under the header, by header name (as a clerk would in Excel)."""
    wb = load_workbook(path)
    ws = wb.active
    header_row = next(
        r
        for r in range(1, 5)
        if any(ws.cell(r, c).value in values for c in range(1, ws.max_column + 1))
    )
    headers = [ws.cell(header_row, c).value for c in range(1, ws.max_column + 1)]
    for name, value in values.items():
        ws.cell(header_row + 1, headers.index(name) + 1, value)
    wb.save(path)
    return path


@pytest.mark.parametrize("kind", sorted(README_HEADERS))
def test_first_row_is_exactly_the_documented_headers(tmp_path, kind):
    ws = load_workbook(make(tmp_path, kind)).active
    assert [c.value for c in ws[1]] == README_HEADERS[kind]
    assert ws.max_row == 1 and ws.freeze_panes == "A2"
    if kind in ("unions", "results"):  # codes typed into the template keep their leading zeros
        assert ws.column_dimensions["A"].number_format == "@"


def test_unions_template_filled_and_reimported(ctx, tmp_path):
    path = fill(
        make(tmp_path, "unions"),
        {
            "自治労県コード": "05",
            "単組コード": "001",
            "単組名": "仙台市職員労働組合",
            "組合員数": 4210,
            "団生保有": 2400,
            "発効月": 6,
        },
    )
    plan_unions(ctx, path).commit(ctx)
    union = ctx.unions.find("05", "001")
    assert union is not None and union.name == "仙台市職員労働組合" and union.members == 4210


def test_targets_and_results_templates_filled_and_reimported(ctx, tmp_path):
    ctx.unions.add("05", "001", "仙台市職員労働組合", members=4210)
    plan_targets(
        ctx, fill(make(tmp_path, "targets"), {"年度": 2024, "商品": "団生", "目標件数": 120})
    ).commit(ctx)
    product = ctx.products.resolve("団生").id
    assert ctx.targets.get(2024, product, "第1次", None) == 120
    path = fill(
        make(tmp_path, "results"),
        {
            "自治労県コード": "05",
            "単組コード": "001",
            "商品": "団生",
            "発効年月": "2025-02",
            "件数": 7,
        },
    )
    plan_results(ctx, path).commit(ctx)
    assert ctx.results.get(ctx.unions.find("05", "001").id, product, "2025-02") == 7


def test_estimates_template_filled_and_reimported(ctx, tmp_path):
    ctx.unions.add("05", "001", "仙台市職員労働組合", members=4210)
    path = fill(
        make(tmp_path, "estimates"),
        {
            "No.": 1,
            "氏名": "A",
            "年齢": 28,
            "車名": "アクセラ",
            "現在等級": "11",
            "適応等級": "11",
            "他社掛金": 49690,
            "じちろう掛金": 23870,
            "支払": "年",
            "保険(共済)満期日": "2025/2/14",
            "車検満了日": "2026/2/23",
        },
    )
    report = plan_estimates(ctx, path, campaign="2024執行部", union="05-001").commit(ctx)
    assert report.added == 1
    (row,) = ctx.conn.execute("SELECT name, other_premium FROM estimates").fetchall()
    assert tuple(row) == ("A", 49690)


def test_model_union_template_is_the_hq_layout_and_reimports(ctx, tmp_path):
    path = make(tmp_path, "model-unions", "--fy", "2024")
    ws = load_workbook(path).active
    assert ws["A1"].value == "2024年度 加入拡大モデル単組 (6月開始)"
    header = [c.value for c in ws[3]]
    assert header == templates.model_union_headers(6)
    assert header[header.index("6月") - 1] == "発効" and header[-1] == "目標件数"
    fill(
        path,
        {
            "自治労県コード": "05",
            "県名": "宮城",
            "単組コード": "001",
            "加入拡大モデル単組": "仙台市職員労働組合",
            "組合員数": 4210,
            "団生保有": 2400,
            "発効": 6,
            "6月": 3,
            "7月": 2,
            "目標件数": 40,
        },
    )
    plan_model_unions(ctx, path, 2024).commit(ctx)
    union = ctx.unions.find("05", "001")
    assert union is not None
    product = ctx.products.resolve("団生").id
    assert (
        ctx.results.get(union.id, product, "2024-06") == 3
        and ctx.results.get(union.id, product, "2024-07") == 2
    )


def test_unknown_kind_is_refused_in_japanese(tmp_path, capsys):
    with pytest.raises(SystemExit):
        cli(["template", "payroll", "--out", str(tmp_path / "x.xlsx")])
    assert not (tmp_path / "x.xlsx").exists()
