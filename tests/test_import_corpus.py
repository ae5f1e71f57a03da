"""≥ 1,500 malformed files over the five importers: 0 tracebacks, 0 changed databases, every
message Japanese — through the service API and through the ``kyosai`` command (issue 12)."""

from __future__ import annotations

import contextlib
import hashlib
import io
import re
import sqlite3
import traceback
from collections import Counter
from pathlib import Path

import pytest
from estimate_fixtures import HEADER as ESTIMATE_HEADER
from estimate_fixtures import seed_sheet_rows

from kyosai_desktop.cli import main
from kyosai_desktop.services.context import open_context
from kyosai_desktop.services.estimate_import import import_estimates
from kyosai_desktop.services.master_import import import_results, import_targets, import_unions
from kyosai_desktop.services.model_union_import import import_model_unions
from kyosai_desktop.services.tabular import ImportFailed, read_table
from tests.import_corpus import Case, Seed, build_corpus, csv_bytes, write_case
from tests.model_union_fixtures import sample_units, write_sheet

UNIONS = [
    [
        "自治労県コード",
        "単組コード",
        "単組名",
        "組合員数",
        "団生保有",
        "発効月",
        "基準日",
        "組織加入",
    ],
    ["05", "001", "仙台市職員労働組合", 4210, 2400, 6, "2025-04-01", "○"],
    ["05", "017", "石巻市職員労働組合", 1200, 610, 4, "令和7年4月1日", ""],
]
TARGETS = [
    ["年度", "商品", "目標件数", "版", "自治労県コード", "単組コード"],
    [2024, "団生", 100, "第1次", "05", "001"],
    [2024, "マイカー共済", 90, "第2次", "05", "017"],
]
RESULTS = [
    ["自治労県コード", "単組コード", "商品", "発効年月", "件数"],
    ["05", "001", "団体生命共済", "2024-06", 12],
    ["05", "017", "団体生命共済", "2024-09", 7],
]

SERVICES = {
    "unions": lambda ctx, p, dry: import_unions(ctx, p, dry_run=dry),
    "targets": lambda ctx, p, dry: import_targets(ctx, p, dry_run=dry),
    "results": lambda ctx, p, dry: import_results(ctx, p, dry_run=dry),
    "model-unions": lambda ctx, p, dry: import_model_unions(ctx, p, 2024, dry_run=dry),
    "estimates": lambda ctx, p, dry: import_estimates(
        ctx, p, campaign="夏の見積り", union="05-001", dry_run=dry
    ),
}
COMMANDS = {
    "unions": lambda p: ["unions", "import", p],
    "targets": lambda p: ["targets", "import", p],
    "results": lambda p: ["results", "import", p],
    "model-unions": lambda p: ["import", "model-unions", p, "--fy", "2024"],
    "estimates": lambda p: [
        "estimates",
        "import",
        p,
        "--campaign",
        "夏の見積り",
        "--union",
        "05-001",
    ],
}

JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
QUOTED = re.compile(r"「[^」]*」")
ENGLISH = re.compile(r"[A-Za-z]{3,}(?:[ ,:;'()-]+[A-Za-z]{2,}){2,}")


def seeds(tmp_path: Path) -> list[Seed]:
    model = read_table(write_sheet(tmp_path / "hq.xlsx", sample_units())).rows
    model_header = next(
        i for i, row in enumerate(model) if "単組コード" in [str(v).strip() for v in row if v]
    )
    model_labels = [str(v).strip() if v is not None else "" for v in model[model_header]]
    month = next(lab for lab in model_labels if lab.endswith("月") and lab[:-1].isdigit())
    estimate = seed_sheet_rows(with_foot=False)
    est_header = estimate.index(ESTIMATE_HEADER)
    est_data = [i for i, row in enumerate(estimate) if row and str(row[0]).isdigit()]
    return [
        Seed(
            "unions",
            UNIONS,
            0,
            {
                "自治労県コード": "code",
                "単組コード": "code",
                "単組名": "name",
                "組合員数": "count",
                "団生保有": "count",
                "発効月": "month_of_year",
                "基準日": "date",
                "組織加入": "flag",
            },
            [1, 2],
        ),
        Seed(
            "targets",
            TARGETS,
            0,
            {
                "年度": "year",
                "商品": "product",
                "目標件数": "count",
                "版": "version",
                "自治労県コード": "code",
                "単組コード": "code",
            },
            [1, 2],
        ),
        Seed(
            "results",
            RESULTS,
            0,
            {
                "自治労県コード": "code",
                "単組コード": "code",
                "商品": "product",
                "発効年月": "month",
                "件数": "count",
            },
            [1, 2],
        ),
        Seed(
            "model-unions",
            model,
            model_header,
            {
                "自治労県コード": "code",
                "単組コード": "code",
                "加入拡大モデル単組": "name",
                "組合員数": "count",
                "団生保有": "count",
                "目標件数": "count",
                "発効": "month_of_year",
                month: "count",
            },
            [model_header + 1, len(model) - 2],
        ),
        Seed(
            "estimates",
            estimate,
            est_header,
            {
                "No.": "seq",
                "氏名": "name",
                "年齢": "age",
                "他社掛金": "yen",
                "じちろう掛金": "yen",
                "支払": "payment",
                "保険(共済)満期日": "date",
                "車検満了日": "date",
            },
            [est_data[0], est_data[-1]],
        ),
    ]


def digest(path: Path) -> str:
    """Every row of every table, read through a connection of its own (SQLite's own ``sqlite_stat1``
    left out: the query planner's statistics, refreshed by ``PRAGMA optimize`` when a connection closes)."""
    con = sqlite3.connect(path)
    try:
        tables = [
            r[0]
            for r in con.execute(
                "SELECT name FROM sqlite_master WHERE type='table'"
                " AND name NOT LIKE 'sqlite_stat%' ORDER BY name"
            )
        ]
        h = hashlib.sha256()
        for t in tables:
            h.update(repr(con.execute(f'SELECT * FROM "{t}"').fetchall()).encode())
        return h.hexdigest()
    finally:
        con.close()


def check_message(text: str) -> str | None:
    """Why ``text`` is not an acceptable refusal, or None."""
    if "Traceback" in text or not JAPANESE.search(text):
        return "not Japanese"
    english = ENGLISH.search(QUOTED.sub("", text))
    if english:
        return f"English: {english.group()}"
    return None


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> tuple[Path, list[tuple[Case, Path]], Path]:
    work = tmp_path_factory.mktemp("corpus")
    db = work / "branch.sqlite3"
    ctx = open_context(db)
    ctx.settings.set_branch("05")
    good = work / "unions.csv"
    good.write_bytes(csv_bytes(UNIONS))
    import_unions(ctx, good)
    ctx.close()
    cases = build_corpus(seeds(work))
    files = work / "files"
    files.mkdir()
    return db, [(case, write_case(files, i, case)) for i, case in enumerate(cases)], work


def test_the_corpus_is_large_and_covers_every_importer(corpus):
    _, cases, _ = corpus
    per = Counter(case.importer for case, _ in cases)
    assert len(cases) >= 1500 and set(per) == set(SERVICES) and min(per.values()) >= 200, per


def test_every_malformed_file_is_refused_in_japanese_through_the_service(corpus):
    db, cases, _ = corpus
    ctx = open_context(db)
    failures: list[str] = []
    refused = Counter()
    try:
        before = digest(db)
        for case, path in cases:
            try:
                SERVICES[case.importer](ctx, path, case.may_pass)
            except ImportFailed as exc:
                refused[case.importer] += 1
                why = check_message(exc.summary())
                if why:
                    failures.append(f"{case.importer} {case.name}: {why}: {exc.summary()[:300]}")
            except Exception:
                failures.append(
                    f"{case.importer} {case.name}: TRACEBACK\n{traceback.format_exc()[-800:]}"
                )
            else:
                if not case.may_pass:
                    failures.append(f"{case.importer} {case.name}: accepted")
            if ctx.conn.in_transaction:
                failures.append(f"{case.importer} {case.name}: transaction left open")
                ctx.conn.rollback()
        after = digest(db)
    finally:
        ctx.close()
    assert not failures, f"{len(failures)} of {len(cases)}:\n" + "\n".join(failures[:40])
    assert after == before
    assert sum(refused.values()) >= 1400


def test_the_command_refuses_with_exit_code_2_and_changes_nothing(corpus):
    """Every case through ``kyosai … import`` in-process (the same ``main`` the console script runs)."""
    db, cases, _ = corpus
    before = digest(db)
    failures: list[str] = []
    for case, path in cases:
        args = ["--db", str(db), *COMMANDS[case.importer](str(path))]
        if case.may_pass:
            args.append("--dry-run")
        err = io.StringIO()
        try:
            with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
                code = main(args)
        except BaseException:
            failures.append(
                f"{case.importer} {case.name}: TRACEBACK\n{traceback.format_exc()[-600:]}"
            )
            continue
        if case.may_pass and code == 0:
            continue
        why = check_message(err.getvalue())
        if code != 2 or why:
            failures.append(
                f"{case.importer} {case.name}: exit {code} {why or ''}: {err.getvalue()[:200]}"
            )
    assert not failures, f"{len(failures)} of {len(cases)}:\n" + "\n".join(failures[:40])
    assert digest(db) == before


def test_a_sample_through_the_gui_flow_reaches_the_clerk_as_a_review(corpus, prompts, qtbot):
    """Every 10th file through the GUI's one import flow (planned on the runner, the real review
    dialog): each ends in the review dialog in Japanese — never an error box — and writes nothing."""
    from kyosai_desktop.services.estimate_import import plan_estimates
    from kyosai_desktop.services.master_import import plan_results, plan_targets, plan_unions
    from kyosai_desktop.services.model_union_import import plan_model_unions
    from kyosai_desktop.ui.shared import runner
    from kyosai_desktop.ui.shared.import_flow import ImportFlow

    planners = {
        "unions": lambda p: lambda c, progress: plan_unions(c, p, progress=progress),
        "targets": lambda p: lambda c, progress: plan_targets(c, p, progress=progress),
        "results": lambda p: lambda c, progress: plan_results(c, p, progress=progress),
        "model-unions": lambda p: (
            lambda c, progress: plan_model_unions(c, p, 2024, progress=progress)
        ),
        "estimates": lambda p: (
            lambda c, progress: plan_estimates(
                c, p, campaign="夏の見積り", union="05-001", progress=progress
            )
        ),
    }
    db, cases, _ = corpus
    before = digest(db)
    prompts.answers["dialog"] = False  # a plan that could be imported is not imported
    ctx = open_context(db)
    flow = ImportFlow(ctx, None, None)
    failures: list[str] = []
    sample = cases[::10]
    try:
        for case, path in sample:
            n = len(prompts)
            with qtbot.waitSignal(flow.finished, timeout=20_000) as blocker:
                flow.start("取り込み", path.name, planners[case.importer](path))
            qtbot.waitUntil(lambda: not runner.busy(), timeout=20_000)
            shown = prompts[n:]
            text = "\n".join(t for _, _, t in shown)
            why = check_message(text)
            if blocker.args != [None] or [k for k, _, _ in shown] != ["dialog"] or why:
                failures.append(
                    f"{case.importer} {case.name}: {[k for k, _, _ in shown]} {why}: {text[:200]}"
                )
    finally:
        ctx.close()
    assert len(sample) >= 150
    assert not failures, f"{len(failures)} of {len(sample)}:\n" + "\n".join(failures[:20])
    assert digest(db) == before
