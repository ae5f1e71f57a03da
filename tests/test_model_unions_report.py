"""The progress table as data, CSV, xlsx and PDF, and the ``kyosai`` commands end to end."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader as _PdfReader

from kyosai_desktop.cli import main
from kyosai_desktop.services.model_union_import import import_model_unions
from kyosai_desktop.services.model_union_report import (
    build_report,
    csv_headers,
    write_csv,
    write_xlsx,
)
from kyosai_desktop.services.report_table import PERCENT
from tests.model_union_fixtures import SAMPLE, digest

HEADERS_2024 = (
    "自治労県コード,県名,単組コード,加入拡大モデル単組,組合員数,団生保有,加入率,発効,"
    "2022年度実績,2023年度実績,累積件数,目標件数,前年比,達成率,残件数"
).split(",")


@pytest.fixture
def loaded(ctx):
    import_model_unions(ctx, SAMPLE, 2024)
    return ctx


class PdfReader(_PdfReader):
    """pypdf with page text (not normalised) without white space (the extractor breaks
    Japanese lines at random places)."""

    @property
    def pages(self):
        pages = super().pages

        class _Page:
            def __init__(self, page):
                self.page = page
                self.mediabox = page.mediabox

            def extract_text(self):
                return "".join(self.page.extract_text().split())

        return [_Page(p) for p in pages]


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def test_report_table_layout(loaded):
    report = build_report(loaded, 2024, "2025-02")
    table = report.table
    assert dict(table.summary) == {
        "取組単組": "9 単組",
        "目標": "476 件",
        "実績": "286 件",
        "到達率": "60.1%",
        "目標達成単組": "1 単組",
    }
    bands = [b for _, _, b in table.band_spans() if b]
    assert bands == ["2022年度", "2023年度", "2024年度"]
    titles = table.header_titles()
    assert titles[:8] == [
        "自治労県コード",
        "県名",
        "単組コード",
        "加入拡大モデル単組",
        "組合員数",
        "団生保有",
        "加入率",
        "発効",
    ]
    assert titles[-6:] == ["累積件数", "目標件数", "前年比", "達成率", "残件数", "県名"]
    assert titles.count("2月累計") == 2 and titles.count("6月") == 3
    assert [c.key for c in table.columns if c.frozen] == [
        "pref_code",
        "pref_name",
        "union_code",
        "name",
    ]
    rate = table.columns[table.index("rate")]
    assert rate.kind == PERCENT and rate.toned
    assert table.group_by == "pref_name"
    fukushima = table.rows[2]
    assert fukushima[table.index("union_code")].text == "001"
    assert fukushima[table.index("yoy")].text == "-101"
    assert (
        fukushima[table.index("rate")].text == "51.0%"
        and fukushima[table.index("rate")].tone == "behind"
    )
    yame = table.rows[7]
    assert (
        yame[table.index("remaining")].text == "-14"
        and yame[table.index("rate")].tone == "achieved"
    )
    assert yame[table.index("month:2025-03")].text == ""  # after the as-of month
    total = table.totals[0]
    assert total[0].text == "合計" and total[table.index("remaining")].text == "190"
    assert (
        total[table.index("join_rate")].text == "59.5%" and total[table.index("yoy")].text == "-49"
    )
    assert table.row_keys == [r.unit.union_id for r in report.rows]


def test_csv_headers_rows_and_total(loaded, tmp_path):
    report = build_report(loaded, 2024, "2025-02")
    rows = read_csv(write_csv(report, tmp_path / "mu.csv"))
    months = [
        "2024年6月",
        "2024年7月",
        "2024年8月",
        "2024年9月",
        "2024年10月",
        "2024年11月",
        "2024年12月",
        "2025年1月",
        "2025年2月",
        "2025年3月",
        "2025年4月",
        "2025年5月",
    ]
    assert rows[0] == HEADERS_2024 + months
    assert len(rows) == 1 + 9 + 1
    first = dict(zip(rows[0], rows[1], strict=True))
    assert (first["自治労県コード"], first["単組コード"], first["加入率"], first["発効"]) == (
        "01",
        "039",
        "0.0%",
        "10月",
    )
    kochi = dict(zip(rows[0], rows[7], strict=True))
    assert (kochi["累積件数"], kochi["前年比"], kochi["達成率"], kochi["残件数"]) == (
        "48",
        "7",
        "96.0%",
        "2",
    )
    assert kochi["2024年7月"] == "17" and kochi["2025年3月"] == ""
    total = dict(zip(rows[0], rows[-1], strict=True))
    assert rows[-1][0] == "合計"
    assert (total["組合員数"], total["団生保有"], total["加入率"]) == ("11622", "6918", "59.5%")
    assert (total["累積件数"], total["目標件数"], total["達成率"], total["前年比"]) == (
        "286",
        "476",
        "60.1%",
        "-49",
    )
    # the headers follow the report's year
    assert csv_headers(build_report(loaded, 2025, "2025-09").layout)[8:10] == [
        "2023年度実績",
        "2024年度実績",
    ]


def test_prefecture_filter_and_five_month_view(loaded):
    kochi = build_report(loaded, 2024, "2025-02", pref_code="41")
    assert [r.unit.key for r in kochi.rows] == ["41-002"] and kochi.scope_label == "高知"
    assert kochi.table.summary[0] == ("取組単組", "1 単組")
    five = build_report(loaded, 2024, "2025-02", start_month=5)
    assert five.table.title.endswith("(5月開始)")
    assert five.table.header_titles()[10] == "5月"
    # May 2024 is the 2023 band's last month in the 6月開始 sheet: 大分 7 + 八女 5 + 高知 2
    assert five.totals.cumulative == 286 + 14
    assert any("2022年5月 の件数は含まれていません" in n for n in five.table.notes)
    assert not any(
        "含まれていません" in n for n in build_report(loaded, 2024, "2025-02").table.notes
    )


def test_results_entered_later_show_at_once(loaded):
    kochi = loaded.unions.find("41", "002")
    product = loaded.model_unions.product_id()
    loaded.results.set(kochi.id, product, "2025-02", 2)  # an edit in the entry grid (1 → 2)
    report = build_report(loaded, 2024, "2025-02")
    assert report.totals.cumulative == 287
    assert next(r for r in report.rows if r.unit.key == "41-002").achieved is False
    loaded.results.set(kochi.id, product, "2025-01", 6)
    assert build_report(loaded, 2024, "2025-02").totals.achieved_count == 2


def test_xlsx_is_print_ready(loaded, tmp_path):
    report = build_report(loaded, 2024, "2025-02")
    path = write_xlsx(report, tmp_path / "mu.xlsx")
    ws = load_workbook(path).active
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows
    values = [[c.value for c in row] for row in ws.iter_rows()]
    header = next(i for i, row in enumerate(values) if "自治労県コード" in row)
    first = values[header + 2]
    assert first[0] == "01" and first[2] == "039"  # codes as text with zeros
    rate_col = values[header].index("達成率")  # merged over the band row and the month row
    last = next(row for row in values if row[0] == "合計")
    assert last[rate_col] == pytest.approx(0.601)
    fmt = ws.cell(header + 3, rate_col + 1).number_format
    assert fmt == "0.0%"
    assert ws.conditional_formatting
    a3 = load_workbook(write_xlsx(report, tmp_path / "a3.xlsx", paper="A3")).active
    assert a3.page_setup.paperSize == 8


def run(db: Path, *args: str) -> int:
    return main(["--db", str(db), *args])


def test_cli_end_to_end(db_path, tmp_path, capsys):
    assert run(db_path, "init", "--branch", "41") == 0
    assert run(db_path, "import", "model-unions", str(SAMPLE), "--fy", "2024", "--dry-run") == 0
    out = capsys.readouterr().out
    assert "試行" in out and "9 単組" in out
    assert (
        run(
            db_path,
            "report",
            "model-unions",
            "--fy",
            "2024",
            "--as-of",
            "2025-02",
            "--out",
            str(tmp_path / "none.csv"),
        )
        == 1
    )  # nothing imported yet
    assert run(db_path, "import", "model-unions", str(SAMPLE), "--fy", "2024") == 0
    assert (
        run(
            db_path,
            "report",
            "model-unions",
            "--fy",
            "2024",
            "--as-of",
            "2025-02",
            "--out",
            str(tmp_path / "mu.csv"),
        )
        == 0
    )
    rows = read_csv(tmp_path / "mu.csv")
    assert rows[-1][0] == "合計" and len(rows) == 11
    assert (
        run(
            db_path,
            "report",
            "model-unions",
            "--fy",
            "2024",
            "--as-of",
            "2025-02",
            "--pref",
            "41",
            "--out",
            str(tmp_path / "kochi.csv"),
        )
        == 0
    )
    assert len(read_csv(tmp_path / "kochi.csv")) == 3
    assert (
        run(
            db_path,
            "report",
            "model-unions",
            "--fy",
            "2024",
            "--as-of",
            "2025-02",
            "--out",
            str(tmp_path / "mu.xlsx"),
        )
        == 0
    )
    assert load_workbook(tmp_path / "mu.xlsx").active.page_setup.orientation == "landscape"
    assert (
        run(
            db_path,
            "report",
            "model-unions",
            "--fy",
            "2024",
            "--as-of",
            "2025-02",
            "--paper",
            "A3",
            "--out",
            str(tmp_path / "mu.pdf"),
        )
        == 0
    )
    pdf = PdfReader(tmp_path / "mu.pdf")
    box = pdf.pages[0].mediabox
    assert round(float(box.width)) == 1191 and round(float(box.height)) == 842  # A3 landscape
    text = "".join(p.extract_text() for p in pdf.pages)
    assert "取組単組9単組目標476件実績286件到達率60.1%目標達成単組1単組" in text
    assert "合計" in text and "苫小牧市立病院職員組合" in text and "2月累計" in text
    assert (
        run(
            db_path,
            "report",
            "model-unions",
            "--fy",
            "2024",
            "--as-of",
            "2025-02",
            "--out",
            str(tmp_path / "mu.txt"),
        )
        == 1
    )
    assert (
        run(
            db_path,
            "report",
            "model-unions",
            "--fy",
            "2024",
            "--as-of",
            "2025-02",
            "--pref",
            "99",
            "--out",
            str(tmp_path / "x.csv"),
        )
        == 1
    )
    assert "県コード「99」" in capsys.readouterr().err


def test_cli_refuses_an_as_of_month_before_the_year(db_path, tmp_path, capsys):
    """2025年2月 belongs to 2024年度: asked for 2025年度 it would print nothing but zeros."""
    run(db_path, "init", "--branch", "41")
    run(db_path, "import", "model-unions", str(SAMPLE), "--fy", "2024")
    capsys.readouterr()
    for what, out in (("model-unions", "x.csv"), ("union-sheets", "x.pdf")):
        assert (
            run(
                db_path,
                "report",
                what,
                "--fy",
                "2024",
                "--as-of",
                "2024-05",
                "--out",
                str(tmp_path / out),
            )
            == 1
        )
        assert (
            "集計月 2024年5月 は 2024年度 (2024年6月〜2025年5月) が始まる前です"
            in capsys.readouterr().err
        )
        assert not (tmp_path / out).exists()
    assert (
        run(
            db_path,
            "report",
            "model-unions",
            "--fy",
            "2024",
            "--as-of",
            "2024-05",
            "--start-month",
            "5",
            "--out",
            str(tmp_path / "five.csv"),
        )
        == 0
    )  # the 5月開始 view starts in May


def test_cli_refused_import_exits_2_and_changes_nothing(db_path, tmp_path, capsys):
    assert run(db_path, "init", "--branch", "05") == 0
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a workbook at all")
    before = digest(db_path)
    assert run(db_path, "import", "model-unions", str(bad), "--fy", "2024") == 2
    assert "Excel ファイルとして読めません" in capsys.readouterr().err
    assert digest(db_path) == before


def test_cli_union_sheets(db_path, tmp_path, capsys):
    run(db_path, "init", "--branch", "41")
    run(db_path, "import", "model-unions", str(SAMPLE), "--fy", "2024")
    assert (
        run(
            db_path,
            "report",
            "union-sheets",
            "--fy",
            "2024",
            "--as-of",
            "2025-02",
            "--out",
            str(tmp_path / "all.pdf"),
        )
        == 0
    )
    pdf = PdfReader(tmp_path / "all.pdf")
    assert len(pdf.pages) == 9
    box = pdf.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 portrait
    assert "苫小牧市立病院職員組合" in pdf.pages[0].extract_text()
    assert (
        run(
            db_path,
            "report",
            "union-sheets",
            "--fy",
            "2024",
            "--as-of",
            "2025-02",
            "--union",
            "41-002",
            "--out",
            str(tmp_path / "one.pdf"),
        )
        == 0
    )
    page = PdfReader(tmp_path / "one.pdf").pages[0].extract_text()
    assert "高知市職員労働組合" in page and "96.0%" in page
    assert (
        run(
            db_path,
            "report",
            "union-sheets",
            "--fy",
            "2024",
            "--as-of",
            "2025-02",
            "--pref",
            "01",
            "--out",
            str(tmp_path / "hokkaido.pdf"),
        )
        == 0
    )
    assert len(PdfReader(tmp_path / "hokkaido.pdf").pages) == 2
    assert (
        run(
            db_path,
            "report",
            "union-sheets",
            "--fy",
            "2024",
            "--as-of",
            "2025-02",
            "--union",
            "41-999",
            "--out",
            str(tmp_path / "x.pdf"),
        )
        == 1
    )
    assert not (tmp_path / "x.pdf").exists()


def test_reports_refuse_an_as_of_month_after_the_year(db_path, tmp_path, capsys):
    """2025年6月 is after 2024年度 (6月開始); the table and the sheets stopped at May silently."""
    import pytest

    from kyosai_desktop.domain.months import MonthOutsideYear
    from kyosai_desktop.services.context import open_context
    from kyosai_desktop.services.union_progress_sheet import build_union_sheets, model_union_ids

    run(db_path, "init", "--branch", "41")
    run(db_path, "import", "model-unions", str(SAMPLE), "--fy", "2024")
    capsys.readouterr()
    for what, out in (("model-unions", "x.csv"), ("union-sheets", "x.pdf")):
        assert (
            run(
                db_path,
                "report",
                what,
                "--fy",
                "2024",
                "--as-of",
                "2025-06",
                "--out",
                str(tmp_path / out),
            )
            == 1
        )
        assert (
            "集計月 2025年6月 は 2024年度 (2024年6月〜2025年5月) が終わった後です"
            in capsys.readouterr().err
        )
        assert not (tmp_path / out).exists()
    ctx = open_context(db_path)
    try:
        ids = model_union_ids(ctx, 2024)
        with pytest.raises(MonthOutsideYear, match="が終わった後です"):
            build_union_sheets(ctx, ids[:1], 2024, "2025-06")
        with pytest.raises(MonthOutsideYear, match="が始まる前です"):
            build_report(ctx, 2024, "2024-04", start_month=5)
        assert build_union_sheets(ctx, ids[:1], 2024, "2024-05")  # May is in the 5月開始 layout
    finally:
        ctx.close()


def test_csv_puts_shaho_rouren_after_the_total_under_its_note(loaded, tmp_path):
    from kyosai_desktop.store.model_unions import Designation

    shaho = loaded.unions.add("60", "001", "社保労連テスト単組", members=100, holdings=40)
    loaded.model_unions.designate_many([Designation(2024, shaho.id, 5, 100, 40, 10)])
    report = build_report(loaded, 2024, "2025-02")
    rows = read_csv(write_csv(report, tmp_path / "mu.csv"))
    names = [r[3] for r in rows[1:]]
    assert [r[0] for r in rows].index("合計") == len(rows) - 3  # 合計, then the note, then 60
    assert rows[-2][0].startswith("※ 社保労連 (60)") and rows[-1][0] == "60"
    assert names[-1] == "社保労連テスト単組" and names.count("社保労連テスト単組") == 1
    total = dict(zip(rows[0], rows[-3], strict=True))
    assert total["組合員数"] == "11622"  # the 合計 leaves 60 out


def test_xlsx_puts_shaho_rouren_after_the_total_under_its_note(loaded, tmp_path):
    from openpyxl import load_workbook

    from kyosai_desktop.services.model_union_report import OUTSIDE_NOTE, write_xlsx
    from kyosai_desktop.store.model_unions import Designation

    shaho = loaded.unions.add("60", "001", "社保労連テスト単組", members=100, holdings=40)
    loaded.model_unions.designate_many([Designation(2024, shaho.id, 5, 100, 40, 10)])
    ws = load_workbook(
        write_xlsx(build_report(loaded, 2024, "2025-02"), tmp_path / "mu.xlsx")
    ).active
    first_col = [ws.cell(r, 1).value for r in range(1, ws.max_row + 1)]
    names = [ws.cell(r, 4).value for r in range(1, ws.max_row + 1)]
    total = first_col.index("合計")
    assert first_col[total + 1] == OUTSIDE_NOTE and names[total + 2] == "社保労連テスト単組"
    assert names.count("社保労連テスト単組") == 1


def test_pdf_puts_shaho_rouren_after_the_total_under_its_note(loaded, db_path, tmp_path):
    """The national PDF (``kyosai report model-unions`` without --pref): the 合計 row, then the
    ※ note, then the 社保労連 (60) rows, as headquarters prints them (DOMAIN §5)."""
    import subprocess

    from kyosai_desktop.services.model_union_report import OUTSIDE_NOTE
    from kyosai_desktop.store.model_unions import Designation

    shaho = loaded.unions.add("60", "001", "社保労連テスト単組", members=100, holdings=40)
    loaded.model_unions.designate_many([Designation(2024, shaho.id, 5, 100, 40, 10)])
    out = tmp_path / "mu.pdf"
    assert (
        run(
            db_path,
            "report",
            "model-unions",
            "--fy",
            "2024",
            "--as-of",
            "2025-02",
            "--out",
            str(out),
        )
        == 0
    )
    text = subprocess.run(
        ["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    total = next(i for i, line in enumerate(lines) if line.startswith("合計"))
    note = next(i for i, line in enumerate(lines) if line.startswith("※ 社保労連 (60)"))
    shaho_rows = [i for i, line in enumerate(lines) if "社保労連テスト単組" in line]
    assert total < note < shaho_rows[0] and len(shaho_rows) == 1
    assert lines[note] == OUTSIDE_NOTE
    assert "11,622" in lines[total]  # the 合計 leaves 60 out
    assert not any(
        line.startswith("社保労連 (60)") for line in lines
    )  # the note is not printed twice


def test_xlsx_legend_row_is_tall_enough_for_its_wrapped_labels(loaded, tmp_path):
    """LibreOffice does not grow a row on opening: the legend row carries its own height."""
    from kyosai_desktop.domain.tones import LEGEND
    from kyosai_desktop.services.xlsx_report import LINE_PT, _lines

    report = build_report(loaded, 2024, "2025-02")
    ws = load_workbook(write_xlsx(report, tmp_path / "mu.xlsx")).active
    row = next(r for r in range(1, 8) if ws.cell(r, 1).value == "色分け")
    labels = [ws.cell(row, c).value for c in range(2, 2 + len(LEGEND))]
    assert labels == list(LEGEND.values())
    lines = max(
        _lines(label, ws.column_dimensions[ws.cell(row, c).column_letter].width or 8.43)
        for c, label in enumerate(labels, start=2)
    )
    assert lines >= 2  # 「大きな遅れ (経過割合の半分未満)」 does not fit one column's width
    assert ws.row_dimensions[row].height >= lines * LINE_PT
    assert all(ws.cell(row, c).alignment.wrap_text for c in range(2, 2 + len(labels)))
