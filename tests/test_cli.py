"""The ``kyosai`` command end to end: a fresh database file, real CSV/xlsx files in and out.

Figures follow DOMAIN §3/§4: FY2024 results count from June 2024 (6月開始), 到達率 is
実績 ÷ 目標 truncated to two decimals, 前年同期 is the same months one year earlier.
"""

from __future__ import annotations

import csv
import hashlib
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from kyosai_desktop.cli import main


def write_csv(path: Path, rows: list[list[object]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def run(db: Path, *args: str) -> int:
    return main(["--db", str(db), *args])


def digest(path: Path) -> str:
    """Content of every user table, to prove a refused command changed nothing."""
    con = sqlite3.connect(path)
    try:
        parts = []
        for table in ("unions", "targets", "results", "audit", "settings"):
            parts.append(repr(con.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()))
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()
    finally:
        con.close()


UNIONS = [
    ["自治労県コード", "単組コード", "単組名", "組合員数", "団生保有", "発効月"],
    ["05", "001", "仙台市職員労働組合", "4,210", "2,400", "6"],
    ["05", "017", "石巻市職員労働組合", "１２００", "610", "4"],
]
TARGETS = [
    ["年度", "商品", "目標件数", "版"],
    ["2024", "団生", "100", "第1次"],
    ["2024", "じちろうマイカー共済", "80", "第1次"],
    ["2024", "マイカー共済", "90", "第2次"],
]
RESULTS = [
    ["自治労県コード", "単組コード", "商品", "発効年月", "件数"],
    ["05", "001", "団体生命共済", "2024-05", "9"],  # May: still FY2023 under 6月開始
    ["05", "001", "団体生命共済", "2024-06", "12"],
    ["05", "017", "団体生命共済", "2024-09", "7"],
    ["05", "001", "団体生命共済", "2024-11", "5"],  # after the as-of month
    ["05", "001", "マイカー共済", "2024-07", "30"],
    ["05", "001", "車両損害補償", "2024-07", "24"],
    ["05", "001", "団体生命共済", "2023-08", "10"],  # same period last year
    ["05", "017", "団体生命共済", "2023-10", "4"],  # after the same-period end
]


@pytest.fixture
def loaded(tmp_path):
    db = tmp_path / "cli.sqlite3"
    assert run(db, "init", "--branch", "5") == 0
    assert run(db, "unions", "import", str(write_csv(tmp_path / "u.csv", UNIONS))) == 0
    assert run(db, "targets", "import", str(write_csv(tmp_path / "t.csv", TARGETS))) == 0
    assert run(db, "results", "import", str(write_csv(tmp_path / "r.csv", RESULTS))) == 0
    return db


def test_branch_report_csv_counts_from_the_fiscal_year_start(loaded, tmp_path, capsys):
    out = tmp_path / "branch.csv"
    assert (
        run(loaded, "report", "branch", "--fy", "2024", "--as-of", "2024-09", "--out", str(out))
        == 0
    )
    with out.open(encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["商品", "目標", "実績", "到達率", "前年同期実績", "前年同期差"]
    by_product = {r[0]: r for r in rows[1:]}
    # 団体生命共済: June–Sept 2024 = 12 + 7 (May and November excluded); last year June–Sept 2023 = 10.
    # The CSV convention: raw numbers (a difference is "9", not "+9"), rates as "19.00%".
    assert by_product["団体生命共済"] == ["団体生命共済", "100", "19", "19.00%", "10", "9"]
    # マイカー共済: the 第2次 target replaces 第1次 (DOMAIN §4); 30 / 90 = 33.33…% truncated.
    assert by_product["マイカー共済"] == ["マイカー共済", "90", "30", "33.33%", "0", "30"]
    assert by_product["車両損害補償"][2] == "24"
    assert len(rows) - 2 == 16  # every product of the 2025 list, in display order, then 合計
    assert all(
        r[1] == ""
        for r in rows[1:-1]
        if r[0] not in ("団体生命共済", "マイカー共済", "車両損害補償")
    )
    total = rows[-1]
    products = rows[1:-1]
    assert total[0] == "合計"
    assert int(total[2]) == sum(int(r[2]) for r in products)
    assert int(total[4]) == sum(int(r[4]) for r in products)
    assert int(total[5]) == int(total[2]) - int(total[4])


def test_branch_report_xlsx_reads_back(loaded, tmp_path):
    out = tmp_path / "branch.xlsx"
    assert (
        run(loaded, "report", "branch", "--fy", "2024", "--as-of", "2024-09", "--out", str(out))
        == 0
    )
    ws = load_workbook(out).active
    values = [[c.value for c in row] for row in ws.iter_rows()]
    header_row = next(i for i, r in enumerate(values) if r and r[0] == "商品")
    data = {r[0]: r for r in values[header_row + 1 :] if r and r[0]}
    assert data["団体生命共済"][1:3] in ([100, 19], ["100", "19"])
    # the same print-ready workbook as the screen's Excel export: real numbers, print titles
    assert data["団体生命共済"][3] == pytest.approx(0.19)  # 19 / 100 → 19.00 %
    assert ws.print_title_rows and ws.page_setup.fitToWidth == 1


def test_dry_run_writes_nothing(loaded, tmp_path, capsys):
    before = digest(loaded)
    more = write_csv(tmp_path / "more.csv", [RESULTS[0], ["05", "001", "団生", "2024-08", "3"]])
    assert run(loaded, "results", "import", str(more), "--dry-run") == 0
    assert "dry-run" in capsys.readouterr().out
    assert digest(loaded) == before
    assert run(loaded, "results", "import", str(more)) == 0
    assert digest(loaded) != before


def test_bad_file_lists_every_problem_and_writes_nothing(loaded, tmp_path, capsys):
    before = digest(loaded)
    bad = write_csv(
        tmp_path / "bad.csv",
        [
            RESULTS[0],
            ["05", "001", "団体生命共済", "2024-10", "3"],  # fine on its own
            ["05", "001", "火災共済X", "2024-10", "1"],  # unknown product
            ["05", "999", "団体生命共済", "2024-10", "1"],  # unknown union
            ["05", "017", "団体生命共済", "2024-13", "1"],  # impossible month
            ["05", "017", "団体生命共済", "2024-10", "三"],  # text in a number cell
            ["05", "017", "団体生命共済", "2024-10", "-2"],  # negative
        ],
    )
    assert run(loaded, "results", "import", str(bad)) == 2
    err = capsys.readouterr().err
    assert "データは変更していません" in err
    for line, word in ((3, "火災共済X"), (4, "05-999"), (5, "2024-13"), (6, "三"), (7, "-2")):
        assert any(f"{line}行目" in e and word in e for e in err.splitlines()), (line, word, err)
    assert digest(loaded) == before


def test_xlsx_import_reports_cell_addresses(loaded, tmp_path, capsys):
    wb = Workbook()
    ws = wb.active
    ws.append(["県支部 実績入力"])  # a title row above the header is tolerated
    ws.append(RESULTS[0])
    ws.append(["05", "001", "団体生命共済", "2024-10", "abc"])
    path = tmp_path / "r.xlsx"
    wb.save(path)
    before = digest(loaded)
    assert run(loaded, "results", "import", str(path)) == 2
    assert "E3" in capsys.readouterr().err
    assert digest(loaded) == before


def test_union_codes_keep_leading_zeros_and_alias_targets(loaded):
    con = sqlite3.connect(loaded)
    codes = sorted(r[0] for r in con.execute("SELECT union_code FROM unions"))
    members = dict(con.execute("SELECT union_code, members FROM unions"))
    con.close()
    assert codes == ["001", "017"]
    assert members["017"] == 1200  # full-width digits accepted


def test_commands_work_without_init_and_report_needs_a_branch(tmp_path, capsys):
    db = tmp_path / "fresh.sqlite3"
    assert run(db, "unions", "import", str(write_csv(tmp_path / "u.csv", UNIONS))) == 0
    out = tmp_path / "x.csv"
    assert run(db, "report", "branch", "--fy", "2024", "--as-of", "2024-09", "--out", str(out)) == 1
    assert "kyosai init --branch" in capsys.readouterr().err
    assert not out.exists()
    assert (
        run(
            db,
            "report",
            "branch",
            "--fy",
            "2024",
            "--as-of",
            "2024-09",
            "--out",
            str(out),
            "--pref",
            "05",
        )
        == 0
    )


def test_backup_command_makes_a_readable_copy(loaded, tmp_path):
    target = tmp_path / "copy.sqlite3"
    assert run(loaded, "backup", "--out", str(target)) == 0
    con = sqlite3.connect(target)
    assert con.execute("SELECT count(*) FROM results").fetchone()[0] == len(RESULTS) - 1
    con.close()


def test_installed_console_script(loaded, tmp_path):
    exe = shutil.which("kyosai", path=str(Path(sys.executable).parent))
    if exe is None:
        pytest.skip("console script not installed in this environment")
    out = tmp_path / "b.csv"
    proc = subprocess.run(
        [
            exe,
            "--db",
            str(loaded),
            "report",
            "branch",
            "--fy",
            "2024",
            "--as-of",
            "2024-09",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    assert "団体生命共済" in out.read_text(encoding="utf-8-sig")


def test_reports_refuse_an_as_of_month_outside_the_fiscal_year(loaded, tmp_path, capsys):
    """2024年度 runs 2024年6月〜2025年5月: 2024-03 printed zeros and "2024年6月〜2024年3月" before."""
    out = tmp_path / "b.csv"
    for as_of, where in (("2024-03", "が始まる前です"), ("2025-06", "が終わった後です")):
        assert (
            run(loaded, "report", "branch", "--fy", "2024", "--as-of", as_of, "--out", str(out))
            == 1
        )
        err = capsys.readouterr().err
        assert f"は 2024年度 (2024年6月〜2025年5月) {where}" in err and "--as-of" in err
        assert not out.exists()
    for as_of in ("2024-06", "2025-05"):  # the first and the last month are fine
        assert (
            run(loaded, "report", "branch", "--fy", "2024", "--as-of", as_of, "--out", str(out))
            == 0
        )


def _commands_added(module: str) -> set[str]:
    """The commands a cli module's register() adds, read from the parsers it built."""
    import argparse
    import importlib

    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers()
    groups = {
        "root": sub,
        "import": sub.add_parser("import").add_subparsers(),
        "report": sub.add_parser("report").add_subparsers(),
    }
    importlib.import_module(f"kyosai_desktop.cli.{module}").register(groups)
    out = {name for name in sub.choices if name not in ("import", "report")}
    for group in ("import", "report"):
        out |= {f"{group} {name}" for name in groups[group].choices}
    return out


def test_each_command_module_declares_exactly_the_commands_it_adds():
    from kyosai_desktop.cli import COMMAND_MODULES

    for module, declared in COMMAND_MODULES.items():
        assert _commands_added(module) == set(declared), module


def test_a_command_builds_only_its_own_module_and_help_lists_every_command(tmp_path, capsys):
    """The parser for ``import model-unions`` comes from model_unions alone; the help, an
    unknown or a missing command get the whole parser (every command listed)."""
    from kyosai_desktop import cli

    assert cli._module_for(["--db", "x.db", "import", "model-unions", "f.xlsx"]) == "model_unions"
    assert cli._module_for(["--db", "import", "estimates", "import", "f.csv"]) == "estimates"
    assert cli._module_for(["report", "branch", "--as-of", "2025-02"]) == "master"
    assert cli._module_for(["exchange", "status"]) == "exchange"
    for argv in (["--help"], ["import", "--help"], ["import"], ["nonsense"], ["--version"]):
        assert cli._module_for(argv) is None
    assert cli._module_for([]) == cli._module_for(["--db", "x.db"]) == ""  # the window
    with pytest.raises(SystemExit):
        main(["import", "--help"])
    out = capsys.readouterr().out
    assert "model-unions" in out  # the whole parser's import kinds
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for word in ("init", "estimates", "exchange", "hq", "restore", "template", "report"):
        assert word in out
    # a command found through one module still runs end to end
    db = tmp_path / "k.sqlite3"
    assert run(db, "init", "--branch", "05") == 0
    assert run(db, "import", "model-unions", str(tmp_path / "missing.xlsx"), "--fy", "2024") == 2
    assert "ファイルが見つかりません" in capsys.readouterr().err


def test_the_sheet_to_import_is_read_while_the_command_line_is_parsed(
    tmp_path, capsys, monkeypatch
):
    """``kyosai import model-unions FILE`` starts reading FILE before argparse loads; the
    command uses that read only for the file and sheet it parsed, a refusal found early is
    reported as before, and a usage error leaves no reading thread behind."""
    import threading

    from kyosai_desktop import cli
    from tests.model_union_fixtures import sample_units, write_sheet

    db = tmp_path / "k.sqlite3"
    assert run(db, "init", "--branch", "05") == 0
    sheet = write_sheet(tmp_path / "hq.xlsx", sample_units())
    argv = ["--db", str(db), "import", "model-unions", "--fy", "2024", str(sheet)]
    early = cli._read_early(argv)
    assert early is not None and early.file == str(sheet) and early.pending is not None
    assert early.take(tmp_path / "other.xlsx", None) is None  # another file: dropped
    assert early.pending is None
    assert cli._read_early(["--db", str(db), "report", "model-unions", "--fy", "2024"]) is None

    from kyosai_desktop.services import model_union_import

    taken, imported = [], []
    take, import_sheet = cli.EarlyRead.take, model_union_import.import_model_unions

    def spy_take(self, file, sheet):
        taken.append(take(self, file, sheet))
        return taken[-1]

    def spy_import(ctx, source, *args, **kwargs):
        imported.append(source)
        return import_sheet(ctx, source, *args, **kwargs)

    monkeypatch.setattr(cli.EarlyRead, "take", spy_take)
    monkeypatch.setattr(model_union_import, "import_model_unions", spy_import)
    assert run(db, "import", "model-unions", f"{tmp_path}/./hq.xlsx", "--fy", "2024") == 0
    assert taken[0] is not None and imported == taken  # the early read is the one imported
    before = digest(db)
    missing = str(tmp_path / "missing.xlsx")
    assert run(db, "import", "model-unions", missing, "--fy", "2024") == 2
    assert "ファイルが見つかりません" in capsys.readouterr().err
    with pytest.raises(SystemExit):  # --fy missing: argparse's own message
        cli.main(["--db", str(db), "import", "model-unions", str(sheet)])
    assert "--fy" in capsys.readouterr().err
    assert digest(db) == before
    assert not [t for t in threading.enumerate() if t.name == "sheet-read"]
