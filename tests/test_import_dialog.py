"""The GUI import: dry run → summary → confirmation → import; a bad file lists every problem."""

from __future__ import annotations

import csv

import pytest
from foundation_fixtures import digest, isolated_settings  # noqa: F401 - fixture
from openpyxl import Workbook

from kyosai_desktop.ui.master.master_page import MasterPage
from kyosai_desktop.ui.shared.events import DataBus
from kyosai_desktop.ui.shared.import_dialog import ImportFlow

UNIONS = [
    ["自治労県コード", "単組コード", "単組名", "組合員数", "団生保有", "発効月"],
    ["05", "001", "仙台市職員労働組合", "4,210", "2,400", "6"],
    ["05", "007", "七ヶ浜町職員労働組合", "120", "80", "10"],
]


def write_csv(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


@pytest.fixture
def flow(ctx, qtbot):
    bus = DataBus()
    page = MasterPage(ctx, bus)
    qtbot.addWidget(page)
    page.emitted = []
    bus.changed.connect(page.emitted.append)
    return page


def test_dry_run_then_confirm_then_import(flow, ctx, db_path, tmp_path, prompts):
    path = write_csv(tmp_path / "unions.csv", UNIONS)
    before = digest(db_path)
    prompts.answers["open_file"] = str(path)
    summary = flow.import_tab.run("unions")
    kinds = [k for k, _t, _x in prompts]
    assert kinds == ["open_file", "confirm", "information"]
    question = prompts[1][2]
    assert "2 行を読み込み、追加 2 件" in question and "追加 05-007 七ヶ浜町職員労働組合" in question
    assert summary.added == 2 and not summary.dry_run
    assert digest(db_path) != before
    assert ctx.unions.find("05", "007").members == 120          # code kept with zeros
    assert flow.emitted == ["unions"]
    assert "最後の取り込み" in flow.import_tab.result.text()
    # The same file again: nothing to change, no confirmation asked.
    prompts.clear()
    again = flow.import_tab.run("unions", path)
    assert again.added == again.updated == 0 and [k for k, _t, _x in prompts] == ["information"]


def test_declining_the_confirmation_writes_nothing(flow, db_path, tmp_path, prompts):
    path = write_csv(tmp_path / "unions.csv", UNIONS)
    before = digest(db_path)
    prompts.answers["confirm"] = False
    assert flow.import_tab.run("unions", path) is None
    assert digest(db_path) == before
    assert flow.emitted == []


def test_refused_file_lists_every_problem_and_writes_nothing(flow, ctx, db_path, tmp_path, prompts):
    ctx.unions.add("05", "001", "仙台市職員労働組合")
    wb = Workbook()
    ws = wb.active
    ws.append(["自治労県コード", "単組コード", "商品", "発効年月", "件数"])
    ws.append(["05", "001", "団体生命共済", "2025-02", 3])      # fine on its own
    ws.append(["05", "001", "宇宙共済", "2025-02", 1])          # unknown product
    ws.append(["05", "999", "団体生命共済", "2025-02", 1])      # unknown union
    ws.append(["05", "001", "マイカー共済", "2025-13", 1])      # impossible month
    ws.append(["05", "001", "火災共済", "2025-02", "三"])       # text in a number cell
    path = tmp_path / "results.xlsx"
    wb.save(path)
    before = digest(db_path)
    assert flow.import_tab.run("results", path) is None
    assert digest(db_path) == before
    dialog = flow.import_tab.flow.last_problems
    rows = [[dialog.tree.topLevelItem(i).text(c) for c in range(3)] for i in range(dialog.tree.topLevelItemCount())]
    assert [r[:2] for r in rows] == [["3行目", "C3"], ["4行目", "B4"], ["5行目", "D5"], ["6行目", "E6"]]
    assert "宇宙共済" in rows[0][2] and "05-999" in rows[1][2] and "2025-13" in rows[2][2] and "三" in rows[3][2]
    assert prompts[-1][0] == "problems" and "データは変更していません" in prompts[-1][2]
    assert flow.emitted == []


@pytest.mark.parametrize("content, reason", [
    (b"", "空です"),
    (b"\x00\x01\x02binary", "バイナリ"),
    ("自治労県コード,単組コード\n05,001\n".encode(), "必要な列がありません"),
])
def test_unreadable_files_are_refused(flow, db_path, tmp_path, prompts, content, reason):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    before = digest(db_path)
    assert flow.import_tab.run("unions", path) is None
    assert reason in prompts[-1][2]
    assert digest(db_path) == before


def test_flow_is_reusable_with_a_bus(ctx, tmp_path, prompts, qtbot):
    bus = DataBus()
    seen = []
    bus.changed.connect(seen.append)
    targets = write_csv(tmp_path / "t.csv", [["年度", "商品", "目標件数", "版"], ["2025", "団生", "120", "第2次"]])
    summary = ImportFlow(ctx, bus, None).run("targets", targets)
    assert summary.added == 1 and seen == ["targets"]
    assert ctx.targets.get(2025, ctx.products.resolve("団生").id, "第2次") == 120
