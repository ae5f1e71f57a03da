"""A branch imports headquarters' national figures; its 県支部実績 shows them beside its own."""

from __future__ import annotations

import csv

import pytest

from kyosai_desktop.cli import main as cli_main
from kyosai_desktop.services.branch_report import branch_progress, branch_report_table
from kyosai_desktop.services.national_import import import_national
from kyosai_desktop.services.tabular import ImportFailed
from tests.hq_fixtures import sample_path


def test_sample_csv_gives_the_national_reach_per_product(ctx):
    summary = import_national(ctx, sample_path())
    assert summary.years == {2024: 11} and summary.warnings == []
    rows = {r.product: r for r in branch_progress(ctx, 2024, "2025-02").rows}
    assert str(rows["団体生命共済"].national.reach) == "66.81"
    assert rows["マイカー共済"].national.as_of == "2024-12"  # じちろうマイカー共済 by alias
    assert str(rows["こども保障満期金付タイプ"].national.reach) == "26.16"
    assert rows["総合共済"].national is None
    assert rows["団体生命共済"].national.place == ""  # the summary lists no branches
    table = branch_report_table(branch_progress(ctx, 2024, "2025-02"))
    i = table.index("national_reach")
    texts = {r[0]: r[i] for r in table.display_rows()}
    assert texts["自賠責共済"] == "46.24%" and texts["総合共済"] == "—"
    assert ("全国", "2024年12月・2025年1月") in table.summary
    assert any("national_results_2025-02.csv" in n for n in table.notes)


def test_report_branch_csv_gets_the_column_only_after_import(ctx, tmp_path):
    path = str(ctx.path)
    ctx.close()
    out = tmp_path / "b.csv"
    cmd = [
        "--db",
        path,
        "report",
        "branch",
        "--fy",
        "2024",
        "--as-of",
        "2025-02",
        "--out",
        str(out),
    ]
    assert cli_main(cmd) == 0
    assert next(csv.reader(open(out, encoding="utf-8-sig")))[-1] == "前年同期差"
    assert cli_main(["--db", path, "national", "import", str(sample_path()), "--dry-run"]) == 0
    assert cli_main(cmd) == 0
    assert next(csv.reader(open(out, encoding="utf-8-sig")))[-1] == "前年同期差"  # dry run: nothing
    assert cli_main(["--db", path, "national", "import", str(sample_path())]) == 0
    assert cli_main(cmd) == 0
    rows = list(csv.reader(open(out, encoding="utf-8-sig")))
    assert rows[0][-1] == "全国到達率"
    assert {r[0]: r[-1] for r in rows[1:]}["税制適格年金"] == "51.30%"


def test_bad_national_file_is_refused_with_every_problem(ctx, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "product,as_of,target,actual,reach_rate_printed,branches_reached\n"
        "団体生命共済,2025-01,12441,8312,66.81%,4\n"
        "なぞの共済,2025-01,10,5,50.00%,0\n"
        "火災共済,2025-13,10,5,50.00%,0\n"
        "長期共済,2025-01,九千,5507,59.98%,1\n",
        encoding="utf-8",
    )
    with pytest.raises(ImportFailed) as info:
        import_national(ctx, bad)
    text = info.value.summary()
    assert "3行目" in text and "なぞの共済" in text and "4行目" in text and "5行目" in text
    assert ctx.national.figures(2024) == []


def test_printed_rate_that_disagrees_is_a_warning(ctx, tmp_path):
    f = tmp_path / "n.csv"
    f.write_text(
        "product,as_of,target,actual,reach_rate_printed,branches_reached\n"
        "団体生命共済,2025-01,12441,8312,66.82%,4\n",
        encoding="utf-8",
    )
    summary = import_national(ctx, f)
    assert "66.81%" in summary.warnings[0]
