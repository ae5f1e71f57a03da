"""``kyosai estimates …`` and ``kyosai report estimates …`` end to end on a real database file."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest
from estimate_fixtures import seed_csv, seed_sheet_rows, seed_xlsx, write_csv
from openpyxl import load_workbook
from pypdf import PdfReader

from kyosai_desktop.cli import main

KEYS = [
    "rows",
    "rows_in_totals",
    "rows_flagged",
    "other_total",
    "jichiro_total",
    "saving_total",
    "saving_average",
    "flags",
    "returned",
    "contracts",
    "conversion_rate",
]


def run(db: Path, *args: str) -> int:
    return main(["--db", str(db), *args])


def digest(path: Path) -> str:
    con = sqlite3.connect(path)
    try:
        parts = [
            repr(con.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall())
            for t in (
                "estimate_campaigns",
                "estimate_campaign_unions",
                "estimates",
                "audit",
                "unions",
            )
        ]
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()
    finally:
        con.close()


@pytest.fixture
def db(tmp_path, qapp):
    """A branch database with two unions.  ``qapp`` first: a PDF rendered by the CLI would
    otherwise create a bare QGuiApplication, and later widget tests in the run would abort."""
    path = tmp_path / "cli.sqlite3"
    assert run(path, "init", "--branch", "05") == 0
    unions = write_csv(
        tmp_path / "u.csv",
        [
            ["自治労県コード", "単組コード", "単組名"],
            ["05", "001", "〇〇〇職員労働組合"],
            ["05", "002", "第二職員組合"],
        ],
    )
    assert run(path, "unions", "import", str(unions)) == 0
    return path


def test_import_creates_the_campaign_and_summary_prints_one_json_object(db, tmp_path, capsys):
    assert (
        run(
            db,
            "estimates",
            "import",
            str(seed_xlsx(tmp_path)),
            "--campaign",
            "2024執行部",
            "--union",
            "05-001",
            "--kind",
            "単組執行部見積り強化月間",
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "キャンペーン「2024執行部」を新しく登録しました" in out and "¥-424,660" in out
    assert run(db, "estimates", "summary", "--campaign", "2024執行部", "--json") == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1
    data = json.loads(lines[0])
    assert list(data) == KEYS
    assert data == {
        "rows": 20,
        "rows_in_totals": 18,
        "rows_flagged": 2,
        "other_total": 1_233_150,
        "jichiro_total": 788_650,
        "saving_total": 444_500,
        "saving_average": 24_694,
        "flags": 18,
        "returned": 0,
        "contracts": 0,
        "conversion_rate": None,
    }
    con = sqlite3.connect(db)
    assert (
        con.execute("SELECT kind FROM estimate_campaigns").fetchone()[0]
        == "単組執行部見積り強化月間"
    )


def test_unknown_campaign_defaults_to_kind_sonota_and_union_filter(db, tmp_path, capsys):
    assert (
        run(
            db,
            "estimates",
            "import",
            str(seed_csv(tmp_path)),
            "--campaign",
            "秋の見積り",
            "--union",
            "05-002",
        )
        == 0
    )
    con = sqlite3.connect(db)
    assert (
        con.execute("SELECT kind FROM estimate_campaigns WHERE name = '秋の見積り'").fetchone()[0]
        == "その他"
    )
    capsys.readouterr()
    assert (
        run(db, "estimates", "summary", "--campaign", "秋の見積り", "--union", "05-001", "--json")
        == 0
    )
    assert json.loads(capsys.readouterr().out)["rows"] == 0
    assert (
        run(db, "estimates", "summary", "--campaign", "秋の見積り", "--union", "05-002", "--json")
        == 0
    )
    assert json.loads(capsys.readouterr().out)["saving_total"] == 444_500


def test_bad_sheet_exits_2_lists_problems_and_writes_nothing(db, tmp_path, capsys):
    rows = [list(r) for r in seed_sheet_rows()]
    rows[2][9] = "半年"
    rows[3][7] = "-5250"
    before = digest(db)
    code = run(
        db,
        "estimates",
        "import",
        str(write_csv(tmp_path / "bad.csv", rows)),
        "--campaign",
        "x",
        "--union",
        "05-001",
    )
    err = capsys.readouterr().err
    assert code == 2
    assert "3行目" in err and "支払「半年」" in err and "4行目" in err and "負の数" in err
    assert digest(db) == before


def test_unknown_union_exits_2_and_writes_nothing(db, tmp_path, capsys):
    before = digest(db)
    assert (
        run(
            db,
            "estimates",
            "import",
            str(seed_csv(tmp_path)),
            "--campaign",
            "x",
            "--union",
            "05-404",
        )
        == 2
    )
    assert "単組 05-404 は登録されていません" in capsys.readouterr().err
    assert digest(db) == before


def test_report_list_and_report_as_pdf_and_xlsx(db, tmp_path, capsys):
    assert (
        run(
            db,
            "estimates",
            "import",
            str(seed_csv(tmp_path)),
            "--campaign",
            "c",
            "--union",
            "05-001",
            "--kind",
            "単組執行部見積り強化月間",
        )
        == 0
    )
    for kind in ("list", "report"):
        for ext in ("pdf", "xlsx"):
            out = tmp_path / f"{kind}.{ext}"
            assert (
                run(
                    db,
                    "report",
                    "estimates",
                    "--campaign",
                    "c",
                    "--union",
                    "05-001",
                    "--kind",
                    kind,
                    "--out",
                    str(out),
                )
                == 0
            ), capsys.readouterr().err
            assert out.stat().st_size > 1000
    assert len(PdfReader(str(tmp_path / "report.pdf")).pages) == 1
    ws = load_workbook(tmp_path / "list.xlsx").active
    assert -444_500 in [c for row in ws.iter_rows(values_only=True) for c in row]
    ws = load_workbook(tmp_path / "report.xlsx").active
    values = [c for row in ws.iter_rows(values_only=True) for c in row]
    assert 444_500 in values and 24_694 in values and "A" not in values


def test_report_summary_and_closing(db, tmp_path, capsys):
    assert (
        run(
            db,
            "estimates",
            "import",
            str(seed_csv(tmp_path)),
            "--campaign",
            "c",
            "--union",
            "05-001",
        )
        == 0
    )
    assert (
        run(
            db,
            "report",
            "estimates",
            "--campaign",
            "c",
            "--kind",
            "summary",
            "--out",
            str(tmp_path / "s.pdf"),
        )
        == 0
    )
    assert len(PdfReader(str(tmp_path / "s.pdf")).pages) == 2
    assert (
        run(
            db,
            "report",
            "estimates",
            "--campaign",
            "c",
            "--kind",
            "closing",
            "--out",
            str(tmp_path / "c.xlsx"),
        )
        == 0
    )
    ws = load_workbook(tmp_path / "c.xlsx").active
    assert "A" in [c for row in ws.iter_rows(values_only=True) for c in row]


def test_report_refusals(db, tmp_path, capsys):
    assert (
        run(
            db,
            "estimates",
            "import",
            str(seed_csv(tmp_path)),
            "--campaign",
            "c",
            "--union",
            "05-001",
        )
        == 0
    )
    assert (
        run(
            db,
            "report",
            "estimates",
            "--campaign",
            "c",
            "--kind",
            "list",
            "--out",
            str(tmp_path / "l.pdf"),
        )
        == 1
    )
    assert "--union" in capsys.readouterr().err
    assert (
        run(
            db,
            "report",
            "estimates",
            "--campaign",
            "なし",
            "--union",
            "05-001",
            "--kind",
            "list",
            "--out",
            str(tmp_path / "l.pdf"),
        )
        == 1
    )
    assert "キャンペーン「なし」は登録されていません" in capsys.readouterr().err
    assert (
        run(
            db,
            "report",
            "estimates",
            "--campaign",
            "c",
            "--union",
            "05-001",
            "--kind",
            "list",
            "--out",
            str(tmp_path / "l.docx"),
        )
        == 1
    )
    assert ".pdf か .xlsx" in capsys.readouterr().err


def test_anonymise_needs_yes_and_a_finished_campaign(db, tmp_path, capsys):
    assert (
        run(
            db,
            "estimates",
            "import",
            str(seed_csv(tmp_path)),
            "--campaign",
            "c",
            "--union",
            "05-001",
        )
        == 0
    )
    capsys.readouterr()
    assert run(db, "estimates", "anonymise", "--campaign", "c", "--yes") == 1
    assert "終了日がありません" in capsys.readouterr().err
    con = sqlite3.connect(db)
    with con:
        con.execute("UPDATE estimate_campaigns SET period_to = '2024-12-31'")
    con.close()
    assert run(db, "estimates", "anonymise", "--campaign", "c") == 1
    assert "--yes" in capsys.readouterr().err
    assert run(db, "estimates", "summary", "--campaign", "c", "--json") == 0
    before = capsys.readouterr().out
    assert (
        run(db, "estimates", "anonymise", "--campaign", "c", "--yes", "--today", "2025-02-01") == 0
    )
    capsys.readouterr()
    assert run(db, "estimates", "summary", "--campaign", "c", "--json") == 0
    assert capsys.readouterr().out == before
