"""別紙3 and the money of the estimate forms as the seed prints them (seed 002 L1131–1345).

Real files read back: the 別紙3 workbook through openpyxl (its cells, merged ranges, number
formats and print setup), written by ``kyosai report estimates --kind report --out x.xlsx``
and by the page's Excel に保存; a printed table rasterised by ``pdftoppm`` for its colours.
"""

from __future__ import annotations

import subprocess

import pytest
from estimate_fixtures import add_union, seed_csv
from openpyxl import load_workbook
from PySide6.QtGui import QImage

from kyosai_desktop.cli import main as cli
from kyosai_desktop.services.estimate_import import import_estimates
from kyosai_desktop.services.estimate_reports import REPORT_CAUTION
from kyosai_desktop.services.report_table import SIGNED, YEN, Column, ReportTable, cell


@pytest.fixture
def db(ctx, tmp_path, db_path):
    add_union(ctx)
    import_estimates(
        ctx,
        seed_csv(tmp_path),
        campaign="2024執行部",
        union="05-001",
        kind="単組執行部見積り強化月間",
    )
    return db_path


def report(db_path, tmp_path, kind, suffix):
    out = tmp_path / f"{kind}.{suffix}"
    assert (
        cli(
            [
                "--db",
                str(db_path),
                "report",
                "estimates",
                "--campaign",
                "2024執行部",
                "--union",
                "05-001",
                "--kind",
                kind,
                "--out",
                str(out),
            ]
        )
        == 0
    )
    return out


def test_betsushi3_xlsx_is_laid_out_as_the_form(db, tmp_path):
    ws = load_workbook(report(db, tmp_path, "report", "xlsx")).active
    texts = [
        ws.cell(r, c).value
        for r in range(1, ws.max_row + 1)
        for c in range(1, 9)
        if isinstance(ws.cell(r, c).value, str)
    ]
    assert texts[:2] == ["2024執行部", "<別紙3>"]
    order = [
        "<執行部見積り実施結果報告>",
        "組合員全員の可処分所得の向上を！",
        "～ じちろうマイカー共済 ～",
        "執行部（18人）の掛金見積りを実施した結果、以下の通りとなりました",
        "★他保険・他共済の保険料総額",
        "※他保険に加入している18件の合計",
        "★じちろうマイカー共済の掛金見積総額",
        "※じちろうマイカー共済の見積りをした18件の合計",
        "★マイカー共済に移行した場合の年間あたりの節約総額",
        "【可処分所得の向上額】",
        "※掛金が未確定の 2 件は集計に含めていません。",
        "〇〇〇職員労働組合",
        "(注意)",
        REPORT_CAUTION,
    ]
    assert [t for t in texts if t in order] == order
    figures = [
        (c.value, c.number_format)
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, int)
    ]
    assert figures == [
        (1233150, '#,##0"円/年"'),
        (788650, '#,##0"円/年"'),
        (444500, '#,##0"円/年"'),
        (24694, '"※1人あたり平均"#,##0"円"'),
    ]
    assert "A5:H5" in {
        str(r) for r in ws.merged_cells.ranges
    }  # the headline spans the page as on the form
    assert ws.page_setup.orientation == "portrait" and ws.sheet_properties.pageSetUpPr.fitToPage
    assert not {"A", "B", "C"} & set(texts)  # no person's name on 別紙3


def _red_pixels(report_table, tmp_path) -> int:
    from kyosai_desktop.render.paper import render_pdf
    from kyosai_desktop.render.paper_table import TablePaper

    pdf = tmp_path / "t.pdf"
    render_pdf(TablePaper(report_table), pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "100", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "t")],
        check=True,
    )
    image = QImage(str(next(tmp_path.glob("t*.png"))))
    red = 0
    for y in range(0, image.height(), 1):
        for x in range(0, image.width(), 2):
            c = image.pixelColor(x, y)
            red += c.red() > 150 and c.green() < 90 and c.blue() < 90
    return red


@pytest.mark.parametrize(("kind", "red"), [(YEN, False), (SIGNED, True)])
def test_negative_money_prints_black_as_the_seed_forms(app_font, tmp_path, kind, red):
    values = [-25_820, -16_200, -424_660, 25_080]
    table = ReportTable(
        title="年間差額",
        columns=[Column("v", "年間差額", kind, width=8)],
        rows=[[cell(v, kind)] for v in values],
    )
    assert (table.rows[0][0].text == "¥-25,820") == (kind == YEN)  # the seed's ¥-25,820
    assert (_red_pixels(table, tmp_path) > 20) is red  # a count difference stays red
