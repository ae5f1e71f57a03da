"""Every export is safe to open: user text is never written as a formula (issue 12, item 2).

Records whose text begins with ``=HYPERLINK(`` (union names, the campaign name, estimate
names, cars, contacts, notes), plus a control character and ``&D`` in names, go through
every export the command line offers; the workbooks are read back with openpyxl and the
CSVs with the csv module.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from kyosai_desktop.cli import main
from kyosai_desktop.services import safe_output
from kyosai_desktop.services.demo import load_demo
from kyosai_desktop.services.safe_output import csv_field, is_formula_like

EVIL = '=HYPERLINK("http://evil.example/x","click")'
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture
def hostile(ctx):
    """Demo data whose user texts are all formula-like, every union name with \\x01 in it."""
    load_demo(ctx)
    unions = ctx.unions.list(ctx.branch)
    for i, u in enumerate(unions):
        ctx.unions.update(u.id, name=f"{EVIL[:-1]}{i})\x01制御")
    camp = ctx.campaigns.list()[0]
    ctx.campaigns.update(camp.id, name=f"{EVIL} &D &P 見積り")
    for k, e in enumerate(ctx.estimates.list(camp.id)):
        ctx.estimates.update(
            e.id,
            name=f"{EVIL}{k}",
            car=f"+cmd|' /C calc'!A{k}",
            contact=f"@SUM(1+{k})",
            notes=f"-2+3+{k}",
        )
    return ctx


def cli(db: Path, *args: str) -> None:
    assert main(["--db", str(db), *args]) == 0


def exports(ctx, tmp_path: Path) -> tuple[list[Path], list[Path]]:
    """Run every export of the command line; returns (workbooks, CSVs)."""
    db = ctx.path
    camp = ctx.campaigns.list()[0]
    in_campaign = ctx.campaigns.union_ids(camp.id)
    union = next(u for u in ctx.unions.list(ctx.branch) if u.id in in_campaign)
    key = f"{union.pref_code}-{union.union_code}"
    ctx.close()
    out = tmp_path / "out"
    xlsx = [
        out / n
        for n in (
            "branch.xlsx",
            "mu.xlsx",
            "list.xlsx",
            "report.xlsx",
            "summary.xlsx",
            "closing.xlsx",
        )
    ]
    csvs = [out / "branch.csv", out / "mu.csv"]
    for path in (out / "branch.xlsx", out / "branch.csv"):
        cli(db, "report", "branch", "--fy", "2025", "--as-of", "2026-02", "--out", str(path))
    for path in (out / "mu.xlsx", out / "mu.csv"):
        cli(db, "report", "model-unions", "--fy", "2025", "--as-of", "2026-02", "--out", str(path))
    name = camp.name
    cli(
        db,
        "report",
        "estimates",
        "--campaign",
        name,
        "--union",
        key,
        "--kind",
        "list",
        "--out",
        str(xlsx[2]),
    )
    cli(
        db,
        "report",
        "estimates",
        "--campaign",
        name,
        "--union",
        key,
        "--kind",
        "report",
        "--out",
        str(xlsx[3]),
    )
    cli(db, "report", "estimates", "--campaign", name, "--kind", "summary", "--out", str(xlsx[4]))
    cli(db, "report", "estimates", "--campaign", name, "--kind", "closing", "--out", str(xlsx[5]))
    return xlsx, csvs


def test_no_export_holds_a_formula_from_user_text(hostile, tmp_path):
    xlsx, csvs = exports(hostile, tmp_path)
    seen_evil = {}
    for path in xlsx:
        wb = load_workbook(path)
        texts = []
        for ws in wb.worksheets:
            assert "\x01" not in ws.title
            for row in ws.iter_rows():
                for c in row:
                    assert c.data_type != "f", f"{path.name} {c.coordinate}: formula {c.value!r}"
                    if isinstance(c.value, str):
                        texts.append(c.value)
                        assert "\x01" not in c.value
                        if c.value.startswith(TRIGGERS):
                            assert c.quotePrefix, (
                                f"{path.name} {c.coordinate}: {c.value!r} without quote prefix"
                            )
            header = ws.oddHeader.center.text or ""
            # '&' of user text is doubled, so "&D" never becomes the printed date
            assert not re.search(r"(?<!&)&D", header.replace("&&", "")), header
        seen_evil[path.name] = any(t.startswith("=HYPERLINK(") for t in texts)
    # the hostile text really reached the files that show it (the check above is not vacuous)
    assert all(
        seen_evil[n]
        for n in ("mu.xlsx", "list.xlsx", "report.xlsx", "summary.xlsx", "closing.xlsx")
    ), seen_evil
    summary = load_workbook(xlsx[4]).active
    assert "&&D &&P" in summary.oddHeader.center.text
    assert any(
        isinstance(c.value, str) and c.value.startswith("+cmd|")
        for row in load_workbook(xlsx[2]).active.iter_rows()
        for c in row
    )
    for path in csvs:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh))
        for row in rows:
            for field in row:
                assert not is_formula_like(field), f"{path.name}: {field!r}"
                assert "\x01" not in field
    with csvs[1].open(encoding="utf-8-sig", newline="") as fh:
        names = [r[3] for r in csv.reader(fh)][1:-1]
    assert names and all(n.startswith("'=HYPERLINK(") for n in names)


def test_negative_numbers_stay_numbers(hostile, tmp_path):
    xlsx, csvs = exports(hostile, tmp_path)
    ws = load_workbook(xlsx[0]).active
    diffs = [
        c.value for row in ws.iter_rows() for c in row if isinstance(c.value, int) and c.value < 0
    ]
    with csvs[1].open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    col = rows[0].index("前年比")
    yoy = [r[col] for r in rows[1:]]
    assert any(v.startswith("-") for v in yoy) or diffs  # the demo has a fall somewhere
    assert all(re.fullmatch(r"-?\d+", v) for v in yoy), yoy  # raw, never "'-3"


def test_field_rules():
    assert csv_field(-17) == "-17" and csv_field("-17") == "-17" and csv_field("+3") == "+3"
    assert csv_field("46.24%") == "46.24%" and csv_field("-5.5%") == "-5.5%"
    for text in ("=1+1", "+cmd", "-2+3", "@SUM(A1)", "\tx", "\rx", "-", "=", "-1+1"):
        assert csv_field(text) == "'" + text
    assert csv_field("a\x00b\x1fc\x7f") == "abc\x7f"
    assert csv_field("改行\nあり") == "改行\nあり"
    assert safe_output.header_footer_text("A&B &D") == "A&&B &&D"
    assert len(safe_output.header_footer_text("&" * 400)) <= 250
    assert safe_output.sheet_title("a[b]:c*?/\\\x01'") == "a b  c"


def test_every_writer_goes_through_safe_output():
    """CSV writers and workbook saves live in services/safe_output.py only, so exports added later get its rules."""
    root = Path(__file__).resolve().parents[1] / "kyosai_desktop"
    pattern = re.compile(r"csv\.writer\(|csv\.DictWriter\(|\.to_csv\(|\bWorkbook\(\)|\bwb\.save\(")
    offenders = []
    for path in root.rglob("*.py"):
        if path.name == "safe_output.py":
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.search(line):
                offenders.append(f"{path.relative_to(root)}:{n}: {line.strip()}")
    assert not offenders, (
        "write CSV with safe_output.write_csv and workbooks with safe_output.new_workbook/"
        "save_workbook:\n" + "\n".join(offenders)
    )


def test_the_screens_excel_buttons_write_no_formula(hostile, tmp_path, qtbot, prompts):
    """The 見積りキャンペーン page's own Excel outputs (menu action 「Excel に保存…」 of each button)."""
    from PySide6.QtWidgets import QPushButton

    from kyosai_desktop.ui.estimates.estimates_page import EstimatesPage
    from kyosai_desktop.ui.shared.events import DataBus

    page = EstimatesPage(hostile, DataBus())
    qtbot.addWidget(page)
    page.resize(1400, 850)
    page.show()
    panel = page.list_panel
    page.tabs.setCurrentWidget(panel)
    panel.union_combo.setCurrentIndex(1)  # one union: 別紙2 and 別紙3 are per union
    written = {}
    for button in page.findChildren(QPushButton):
        if not button.objectName().startswith("output_") or button.menu() is None:
            continue
        action = next((a for a in button.menu().actions() if a.text().startswith("Excel")), None)
        if action is None:
            continue
        path = tmp_path / f"{button.objectName()}.xlsx"
        prompts.answers["save_file"] = str(path)
        action.trigger()
        if path.exists():
            written[button.objectName()] = path
    assert set(written) == {
        "output_集計表",
        "output_クロージング一覧",
        "output_別紙2 一覧",
        "output_別紙3 報告",
    }, written
    for name, path in written.items():
        texts = []
        for row in load_workbook(path).active.iter_rows():
            for c in row:
                assert c.data_type != "f", f"{name} {c.coordinate}: {c.value!r}"
                if isinstance(c.value, str):
                    texts.append(c.value)
                    assert "\x01" not in c.value
                    if c.value.startswith(TRIGGERS):
                        assert c.quotePrefix, f"{name} {c.coordinate}: {c.value!r}"
        assert any(t.startswith("=HYPERLINK(") for t in texts), name
