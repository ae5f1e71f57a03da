"""47 branch databases → report packages → headquarters → the national report of seed 004 §1.

The branch figures are generated from the seed's table (tests/hq_fixtures.py); the national
report must reproduce every product's 目標 / 実績 / 到達率 as printed, the number of branches
that reached their target and each of them with its figures — each product cut at its own
as-of month, 社保労連 (60) left out.
"""

from __future__ import annotations

import csv
import shutil
import sqlite3
import subprocess
import sys
import zipfile

import pytest

from kyosai_desktop.cli import main as cli_main
from kyosai_desktop.services.context import open_context
from kyosai_desktop.services.hq_import import import_packages, init_hq
from kyosai_desktop.services.national_report import (
    CSV_HEADERS,
    build_national_report,
    national_report_table,
)
from kyosai_desktop.services.report_package import build_package
from tests import hq_fixtures as hf


@pytest.fixture(scope="module")
def national(tmp_path_factory):
    folder = tmp_path_factory.mktemp("national")
    return folder, hf.build_national(folder)


@pytest.fixture
def hq(tmp_path, national):
    ctx = open_context(tmp_path / "hq.sqlite3")
    init_hq(ctx)
    yield ctx
    ctx.close()


def _seed_as_of(ctx) -> dict[int, str]:
    return {ctx.products.resolve(line.product).id: line.as_of for line in hf.seed_lines()}


def _assert_seed(report) -> None:
    lines = hf.seed_lines()
    assert sorted(p.product for p in report.products) == sorted(line.product for line in lines)
    assert len(report.products) == len(lines) == 11
    for line in lines:
        p = report.product(line.product)
        assert (p.as_of, p.target, p.actual, f"{p.reach}%", len(p.reached)) == (
            line.as_of,
            line.target,
            line.actual,
            line.rate,
            line.reached,
        ), line.product
        assert [
            (b.pref_name, b.target, b.actual, f"{b.reach}%") for b in p.reached
        ] == hf.SEED_REACHED.get(line.product, []), line.product


def test_roll_up_reproduces_seed_004_section_1(hq, national):
    _folder, packages = national
    outcomes = import_packages(hq, list(packages.values()))
    assert [o.refused for o in outcomes if o.refused] == []
    assert all(o.imported for o in outcomes) and len(outcomes) == 48
    _assert_totals_match_unions(hq)
    report = build_national_report(hq, 2024, "2025-01", _seed_as_of(hq))
    _assert_seed(report)
    assert report.senders == 47
    assert set(report.excluded) == {"60"}  # 社保労連 has figures, never in the total
    # the §1 form: the national line then the reached branches (or なし), per product
    table = national_report_table(report)
    texts = table.display_rows()
    i = texts.index(["交通災害共済", "2024年12月", "全国", "3,903", "3,323", "85.13%", "5 県"])
    assert [r[2:6] for r in texts[i + 1 : i + 6]] == [
        ["北海道", "13", "14", "107.69%"],
        ["福井", "10", "394", "3940.00%"],
        ["徳島", "192", "207", "107.81%"],
        ["福岡", "45", "106", "235.55%"],
        ["佐賀", "18", "990", "5500.00%"],
    ]
    j = texts.index(["自賠責共済", "2024年12月", "全国", "12,824", "5,931", "46.24%", "0 県"])
    assert texts[j + 1][2] == "なし"


def _assert_totals_match_unions(hq) -> None:
    """The branch totals the report reads are the sums of the unions' figures as received."""
    mismatch = hq.conn.execute(
        "SELECT count(*) FROM (SELECT u.pref_code, r.product_id, r.month, sum(r.count) AS s"
        " FROM hq_union_results r JOIN unions u ON u.id = r.union_id GROUP BY 1, 2, 3) x"
        " FULL OUTER JOIN hq_branch_results b USING (pref_code, product_id, month)"
        " WHERE x.s IS NOT b.count"
    ).fetchone()[0]
    assert mismatch == 0
    assert hq.conn.execute("SELECT count(*) FROM results").fetchone()[0] == 0


def test_one_as_of_month_for_all_products_differs(hq, national):
    """The per-product cut matters: all products at 2025-01 give other figures for マイカー."""
    import_packages(hq, list(national[1].values()))
    same = build_national_report(hq, 2024, "2025-01")
    assert same.product("マイカー共済").actual > 13039


def test_resending_replaces_without_double_counting(hq, national, tmp_path):
    folder, packages = national
    import_packages(hq, list(packages.values()))
    # 秋田 adds 5 団生 contracts in July 2024 and sends a new package
    work = tmp_path / "akita.sqlite3"
    shutil.copy(folder / "branch_06.sqlite3", work)
    branch = open_context(work)
    pid = branch.products.resolve("団生").id
    union = branch.unions.find("06", "001")
    branch.results.set(
        union.id, pid, "2024-07", (branch.results.get(union.id, pid, "2024-07") or 0) + 5
    )
    newer = build_package(branch, 2024, tmp_path / "06-new.kyosai-report").path
    branch.close()
    audit_before = hq.audit.count()
    cells_before = hq.conn.execute("SELECT count(*) FROM hq_union_results").fetchone()[0]
    dry = import_packages(hq, [newer], dry_run=True)[0]
    assert dry.refused is None and not dry.imported and dry.replaced is not None
    assert hq.audit.count() == audit_before  # a dry run writes nothing
    [done] = import_packages(hq, [newer])
    assert done.imported and done.cells_removed > 0
    assert hq.conn.execute("SELECT count(*) FROM hq_union_results").fetchone()[0] == cells_before
    assert hq.audit.count() == audit_before + 1  # one audit row per import
    entry = hq.audit.history("hq_packages", "06")[-1]
    assert "06-new.kyosai-report" in entry.new and "06.kyosai-report" in entry.old
    report = build_national_report(hq, 2024, "2025-01", _seed_as_of(hq))
    p = report.product("団体生命共済")
    assert p.actual == 8312 + 5 and p.target == 12441
    assert [(b.pref_name, b.actual) for b in p.reached][0] == ("秋田", 149)
    # the older package again is refused; the same package again changes nothing
    [old] = import_packages(hq, [packages["06"]])
    assert old.refused and "古いパッケージ" in old.refused
    [same] = import_packages(hq, [newer])
    assert same.unchanged and hq.audit.count() == audit_before + 1
    assert (
        build_national_report(hq, 2024, "2025-01", _seed_as_of(hq)).product("団体生命共済").actual
        == 8317
    )
    _assert_totals_match_unions(hq)


def test_damaged_package_is_refused_and_changes_nothing(hq, national, tmp_path):
    _folder, packages = national
    import_packages(hq, [packages["05"]])
    before = hq.conn.execute("SELECT sum(count) FROM hq_union_results").fetchone()[0]
    truncated = tmp_path / "05-cut.kyosai-report"
    truncated.write_bytes(packages["05"].read_bytes()[:-200])
    tampered = tmp_path / "05-edit.kyosai-report"
    with zipfile.ZipFile(packages["05"]) as src, zipfile.ZipFile(tampered, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "results.csv":
                data = data.replace(b",2024-07,", b",2024-07,9", 1)
            dst.writestr(info, data)
    outcomes = import_packages(hq, [truncated, tampered])
    assert "途中で切れています" in outcomes[0].refused
    assert "チェックサムが一致しません" in outcomes[1].refused
    assert hq.conn.execute("SELECT sum(count) FROM hq_union_results").fetchone()[0] == before


def test_cli_round_trip_and_national_csv(hq, national, tmp_path, capsys):
    _folder, packages = national
    path = str(hq.path)
    hq.close()
    assert cli_main(["--db", path, "hq", "import", *map(str, packages.values()), "--dry-run"]) == 0
    assert "試行のため書き込んでいません" in capsys.readouterr().out
    assert cli_main(["--db", path, "hq", "import", *map(str, packages.values())]) == 0
    out = tmp_path / "national.csv"
    args = [
        "--db",
        path,
        "report",
        "national",
        "--fy",
        "2024",
        "--as-of",
        "2025-01",
        "--out",
        str(out),
    ]
    for line in hf.seed_lines():
        if line.as_of != "2025-01":
            alias = {"マイカー共済": "じちろうマイカー共済"}.get(line.product, line.product)
            args += ["--product-as-of", f"{alias}={line.as_of}"]
    assert cli_main(args) == 0
    with open(out, encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == CSV_HEADERS
    totals = {r[0]: r for r in rows[1:] if r[2] == "00"}
    for line in hf.seed_lines():
        assert totals[line.product] == [
            line.product,
            line.as_of,
            "00",
            "全国",
            str(line.target),
            str(line.actual),
            line.rate,
            "",
            str(line.reached),
        ]
    traffic = [r for r in rows if r[0] == "交通災害共済" and r[2] != "00"]
    assert len(traffic) == 47 and all(r[8] == "" for r in traffic)  # every branch with a target
    assert [r[3] for r in traffic if r[7] == "○"] == ["北海道", "福井", "徳島", "福岡", "佐賀"]
    assert not any(r[2] == "60" for r in rows)
    # a branch reads it back: its report gets 全国到達率
    branch = tmp_path / "branch.sqlite3"
    shutil.copy(_folder / "branch_14.sqlite3", branch)
    assert cli_main(["--db", str(branch), "national", "import", str(out)]) == 0
    rep = tmp_path / "branch.csv"
    assert (
        cli_main(
            [
                "--db",
                str(branch),
                "report",
                "branch",
                "--fy",
                "2024",
                "--as-of",
                "2025-01",
                "--out",
                str(rep),
            ]
        )
        == 0
    )
    with open(rep, encoding="utf-8-sig") as fh:
        branch_rows = list(csv.reader(fh))
    assert branch_rows[0][-1] == "全国到達率"
    assert [r for r in branch_rows if r[0] == "団体生命共済"][0][-1] == "66.81%"
    ctx = open_context(branch)
    try:
        from kyosai_desktop.services.branch_report import branch_progress

        row = next(
            r for r in branch_progress(ctx, 2024, "2025-01").rows if r.product == "団体生命共済"
        )
        assert row.national.place == "1位／47"  # 東京 131.65 % is the best 団生 rate
    finally:
        ctx.close()


def test_pdf_and_xlsx_of_the_national_report(hq, national, tmp_path):
    import_packages(hq, list(national[1].values()))
    path = str(hq.path)
    hq.close()
    base = [
        "--db",
        path,
        "report",
        "national",
        "--fy",
        "2024",
        "--as-of",
        "2025-01",
        "--product-as-of",
        "交通災害共済=2024-12",
    ]
    pdf = tmp_path / "national.pdf"
    assert cli_main([*base, "--out", str(pdf)]) == 0
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "交通災害共済" in text and "5500.00%" in text and "235.55%" in text and "5 県" in text
    xlsx = tmp_path / "national.xlsx"
    assert cli_main([*base, "--out", str(xlsx)]) == 0
    from openpyxl import load_workbook

    ws = load_workbook(xlsx).active
    values = [c for row in ws.iter_rows(values_only=True) for c in row if c is not None]
    assert "佐賀" in values and 990 in values and 12441 in values
    matrix = tmp_path / "matrix.pdf"
    assert cli_main([*base, "--matrix", "--out", str(matrix)]) == 0
    mtext = subprocess.run(
        ["pdftotext", "-layout", str(matrix), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "沖縄" in mtext and "全国" in mtext


def test_a_branch_database_is_not_a_headquarters_one(ctx, national, capsys):
    with pytest.raises(Exception, match="本部用ではありません"):
        import_packages(ctx, [national[1]["05"]])
    path = str(ctx.path)
    ctx.close()
    assert cli_main(["--db", path, "init", "--hq"]) == 2
    assert "宮城県支部" in capsys.readouterr().err
    con = sqlite3.connect(path)
    assert con.execute("SELECT value FROM settings WHERE key = 'role'").fetchone() is None
    con.close()


def test_pandas_is_not_imported_at_start_up():
    code = (
        "import sys; import kyosai_desktop.cli as c; c.build_parser();"
        "import kyosai_desktop.services.national_report, kyosai_desktop.services.hq_import;"
        "print('pandas' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "False"


def test_national_report_refuses_a_month_outside_the_year(hq, capsys):
    path = str(hq.path)
    hq.close()
    base = ["--db", path, "report", "national", "--fy", "2024", "--out", "/tmp/never.csv"]
    assert cli_main([*base, "--as-of", "2025-06"]) == 1
    assert "2024年度 (2024年6月〜2025年5月) が終わった後" in capsys.readouterr().err
    assert cli_main([*base, "--as-of", "2025-01", "--product-as-of", "マイカー=2024-05"]) == 1
    assert "が始まる前" in capsys.readouterr().err
    assert cli_main([*base, "--as-of", "2025-01", "--product-as-of", "なぞ共済=2024-12"]) == 1
    assert "なぞ共済" in capsys.readouterr().err
