"""The GUI import through the one flow: check in the background → review dialog → import.

Every test drives the production path: the file is planned on the runner's worker thread,
the real review dialog opens through the interaction seam and the test presses its real
buttons (取り込む, キャンセル, 一覧をコピー, or Enter).
"""

from __future__ import annotations

import csv
import threading

import pytest
from foundation_fixtures import digest, isolated_settings  # noqa: F401 - fixture
from openpyxl import Workbook
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from kyosai_desktop.services.import_plan import ImportPlan
from kyosai_desktop.store.unions import UnionRepository
from kyosai_desktop.ui.master.master_page import MasterPage
from kyosai_desktop.ui.shared import runner
from kyosai_desktop.ui.shared.events import DataBus
from kyosai_desktop.ui.shared.import_dialog import MasterImport
from kyosai_desktop.ui.shared.import_flow import ImportFlow
from kyosai_desktop.ui.shared.import_review import ImportReviewDialog

UNIONS = [
    ["自治労県コード", "単組コード", "単組名", "組合員数", "団生保有", "発効月"],
    ["05", "001", "仙台市職員労働組合", "4,210", "2,400", "6"],
    ["05", "007", "七ヶ浜町職員労働組合", "120", "80", "10"],
]
WAIT_MS = 20_000


def write_csv(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def press(qtbot, button):
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def click_import(qtbot):
    """A dialog answer that presses the review dialog's 取り込む button."""

    def answer(dialog):
        assert isinstance(dialog, ImportReviewDialog)
        press(qtbot, dialog.import_button)

    return answer


@pytest.fixture
def page(ctx, qtbot):
    bus = DataBus()
    page = MasterPage(ctx, bus)
    qtbot.addWidget(page)
    page.emitted = []
    bus.changed.connect(lambda e: page.emitted.append(",".join(sorted(k.value for k in e.kinds))))
    return page


def run_import(qtbot, page, kind, path=None):
    """Start an import from the 取り込み tab and wait for its end; returns the report or None."""
    with qtbot.waitSignal(page.import_tab.flow.finished, timeout=WAIT_MS) as blocker:
        page.import_tab.run(kind, path)
    qtbot.waitUntil(lambda: not runner.busy(), timeout=WAIT_MS)
    return blocker.args[1]


def test_check_then_review_then_import(page, ctx, db_path, tmp_path, prompts, qtbot):
    path = write_csv(tmp_path / "unions.csv", UNIONS)
    ctx.unions.add("05", "001", "仙台市職員労働組合", members=4000)
    before = digest(db_path)
    prompts.answers["open_file"] = str(path)
    prompts.answers["dialog"] = click_import(qtbot)
    report = run_import(qtbot, page, "unions")
    assert [k for k, _t, _x in prompts] == ["open_file", "dialog", "information"]
    review = prompts[1][2]
    assert (
        "2 行を読み込み、追加 1 件・変更 1 件" in review
        and "追加 05-007 七ヶ浜町職員労働組合" in review
    )
    # The figure a clerk had entered and that the file overwrites is shown old → new.
    assert "05-001 仙台市職員労働組合 組合員数: 4000 → 4210" in review
    assert report.added == 1 and report.updated == 1
    assert digest(db_path) != before
    assert ctx.unions.find("05", "007").members == 120  # code kept with zeros
    assert page.emitted == ["unions"]
    assert "最後の取り込み" in page.import_tab.result.text()
    # The same file again: the review says nothing changes and offers only 閉じる.
    prompts.clear()
    prompts.answers["dialog"] = lambda dialog: (
        dialog.import_button,
        press(qtbot, dialog.buttons.buttons()[0]),
    )[0]
    assert run_import(qtbot, page, "unions", path) is None
    assert [k for k, _t, _x in prompts] == ["dialog"] and "変更 0 件" in prompts[0][2]
    assert prompts.dialogs[-1].import_button is None


def test_enter_in_the_review_cancels_and_writes_nothing(page, db_path, tmp_path, prompts, qtbot):
    path = write_csv(tmp_path / "unions.csv", UNIONS)
    before = digest(db_path)

    def press_enter(dialog):
        dialog.activateWindow()
        qtbot.keyClick(dialog, Qt.Key.Key_Return)  # キャンセル is the default button

    prompts.answers["dialog"] = press_enter
    assert run_import(qtbot, page, "unions", path) is None
    assert prompts.dialogs[-1].result() == ImportReviewDialog.DialogCode.Rejected
    assert digest(db_path) == before
    assert page.emitted == []


def test_refused_file_lists_every_problem_and_writes_nothing(
    page, ctx, db_path, tmp_path, prompts, qtbot
):
    ctx.unions.add("05", "001", "仙台市職員労働組合")
    wb = Workbook()
    ws = wb.active
    ws.append(["自治労県コード", "単組コード", "商品", "発効年月", "件数"])
    ws.append(["05", "001", "団体生命共済", "2025-02", 3])  # fine on its own
    ws.append(["05", "001", "宇宙共済", "2025-02", 1])  # unknown product
    ws.append(["05", "999", "団体生命共済", "2025-02", 1])  # unknown union
    ws.append(["05", "001", "マイカー共済", "2025-13", 1])  # impossible month
    ws.append(["05", "001", "火災共済", "2025-02", "三"])  # text in a number cell
    path = tmp_path / "results.xlsx"
    wb.save(path)
    before = digest(db_path)
    assert run_import(qtbot, page, "results", path) is None
    assert digest(db_path) == before
    dialog = prompts.dialogs[-1]
    tree = dialog.tabs.widget(0)
    rows = [
        [tree.topLevelItem(i).text(c) for c in range(3)] for i in range(tree.topLevelItemCount())
    ]
    assert [r[:2] for r in rows] == [
        ["3行目", "C3"],
        ["4行目", "B4"],
        ["5行目", "D5"],
        ["6行目", "E6"],
    ]
    assert (
        "宇宙共済" in rows[0][2]
        and "05-999" in rows[1][2]
        and "2025-13" in rows[2][2]
        and "三" in rows[3][2]
    )
    assert dialog.import_button is None and "データベースは変更していません" in prompts[-1][2]
    assert page.emitted == []


def test_copy_puts_the_whole_review_on_the_clipboard(page, ctx, tmp_path, prompts, qtbot):
    ctx.unions.add("05", "001", "仙台市職員労働組合")
    ctx.results.set(ctx.unions.find("05", "001").id, ctx.products.resolve("団生").id, "2025-02", 3)
    path = write_csv(
        tmp_path / "r.csv",
        [
            ["自治労県コード", "単組コード", "商品", "発効年月", "件数"],
            ["05", "001", "団生", "2025-02", "5"],
            ["05", "001", "団生", "2025-03", "2"],
        ],
    )
    QApplication.clipboard().clear()

    def copy_then_cancel(dialog):
        press(qtbot, dialog.copy_button)
        return False

    prompts.answers["dialog"] = copy_then_cancel
    assert run_import(qtbot, page, "results", path) is None
    assert QApplication.clipboard().text().splitlines() == [
        "実績の取り込み: r.csv",
        "2 行を読み込み、追加 1 件・変更 1 件・変更なし 0 件",
        "",
        "■ 入力済みの数字が変わります (1 件)",
        "  05-001 仙台市職員労働組合 団体生命共済 2025年2月: 3 → 5",
    ]
    assert (
        ctx.results.get(ctx.unions.find("05", "001").id, ctx.products.resolve("団生").id, "2025-02")
        == 3
    )


def test_cancel_midway_through_the_write_leaves_the_database_as_it_was(
    page, db_path, tmp_path, prompts, qtbot, monkeypatch
):
    rows = [UNIONS[0]] + [["05", f"{i:03d}", f"単組{i}", "10", "1", "6"] for i in range(1, 41)]
    path = write_csv(tmp_path / "many.csv", rows)
    before = digest(db_path)
    # The worker stops inside the real commit, after the first rows are written, until the
    # clerk has pressed キャンセル on the progress dialog.
    writing, go_on = threading.Event(), threading.Event()
    real_add = UnionRepository.add
    committing = {"on": False}

    def add(self, *args, **kwargs):
        result = real_add(self, *args, **kwargs)
        if committing["on"] and args[1] == "005":
            writing.set()
            go_on.wait(WAIT_MS / 1000)
        return result

    monkeypatch.setattr(UnionRepository, "add", add)

    def accept(dialog):
        committing["on"] = True
        press(qtbot, dialog.import_button)

    prompts.answers["dialog"] = accept
    with qtbot.waitSignal(page.import_tab.flow.finished, timeout=WAIT_MS) as blocker:
        page.import_tab.run("unions", path)
        qtbot.waitUntil(writing.is_set, timeout=WAIT_MS)
        task = runner._RUNNER.current
        qtbot.waitUntil(lambda: task.dialog.isVisible(), timeout=WAIT_MS)
        cancel = next(
            b
            for b in task.dialog.findChildren(type(page.import_tab.buttons["unions"]))
            if b.text() == "キャンセル"
        )
        press(qtbot, cancel)
        go_on.set()
    assert blocker.args[1] is None
    assert prompts[-1][0] == "information" and "キャンセルしました" in prompts[-1][2]
    assert digest(db_path) == before
    assert page.emitted == []


def test_an_error_in_the_worker_reaches_the_clerk_in_japanese(ctx, db_path, prompts, qtbot):
    before = digest(db_path)
    where = []

    def planner(worker_ctx, progress):
        where.append((threading.current_thread() is threading.main_thread(), worker_ctx is ctx))
        raise PermissionError(13, "Permission denied", "C:/共有/単組.xlsx")

    flow = ImportFlow(ctx, None, None)
    with qtbot.waitSignal(flow.finished, timeout=WAIT_MS) as blocker:
        flow.start("単組の取り込み", "単組.xlsx", planner)
    assert blocker.args == [None]
    kind, title, text = prompts[-1]
    assert kind == "critical" and title == "単組の取り込み"
    assert "単組.xlsx を取り込めませんでした。データは変更していません。" in text
    assert "ファイルにアクセスできません" in text and "Traceback" not in text
    assert where == [(False, False)]  # off the UI thread, on its own connection
    assert digest(db_path) == before


@pytest.mark.parametrize(
    "content, reason",
    [
        (b"", "空です"),
        (b"\x00\x01\x02binary", "バイナリ"),
        ("自治労県コード,単組コード\n05,001\n".encode(), "必要な列がありません"),
    ],
)
def test_unreadable_files_are_refused(page, db_path, tmp_path, prompts, qtbot, content, reason):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    before = digest(db_path)
    assert run_import(qtbot, page, "unions", path) is None
    assert reason in prompts[-1][2]
    assert digest(db_path) == before


def test_flow_is_reusable_with_a_bus(ctx, tmp_path, prompts, qtbot):
    bus = DataBus()
    seen = []
    bus.changed.connect(lambda e: seen.append(",".join(sorted(k.value for k in e.kinds))))
    targets = write_csv(
        tmp_path / "t.csv", [["年度", "商品", "目標件数", "版"], ["2025", "団生", "120", "第2次"]]
    )
    flow = MasterImport(ctx, bus, None)
    prompts.answers["dialog"] = click_import(qtbot)
    with qtbot.waitSignal(flow.finished, timeout=WAIT_MS) as blocker:
        flow.run("targets", targets)
    assert blocker.args[1].added == 1 and seen == ["targets"]
    assert ctx.targets.get(2025, ctx.products.resolve("団生").id, "第2次") == 120


def test_plan_text_is_the_same_in_the_cli_and_the_dialog(ctx, tmp_path):
    from kyosai_desktop.services.master_import import plan_unions

    plan = plan_unions(ctx, write_csv(tmp_path / "u.csv", UNIONS))
    assert isinstance(plan, ImportPlan) and plan.has_changes
    assert plan.text().splitlines()[:2] == [
        "単組の取り込み: u.csv",
        "2 行を読み込み、追加 2 件・変更 0 件・変更なし 0 件",
    ]
    assert ctx.unions.find("05", "001") is None  # planning wrote nothing
    report = plan.commit(ctx)
    assert report.added == 2 and ctx.unions.find("05", "001").members == 4210
