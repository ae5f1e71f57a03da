"""The operations' frame: one transaction, audit rows through one function, typed changes.

Against a real SQLite file: the rows an operation returns are the audit rows on disk,
old → new with typed values; a rolled-back nested write leaves no row behind; and the
audit table and the results table each have one writer in the code base.
"""

from __future__ import annotations

import ast
import sqlite3
from pathlib import Path

import pytest

from kyosai_desktop.services.ops import ChangeKind, OpChanges, operation
from kyosai_desktop.store.results import CellChange
from kyosai_desktop.store.tx import transaction

PKG = Path(__file__).resolve().parents[1] / "kyosai_desktop"


def audit_on_disk(path, since=0):
    con = sqlite3.connect(path)
    try:
        return con.execute(
            "SELECT source, table_name, record_key, field, old_value, new_value FROM audit"
            " WHERE id > ? ORDER BY id",
            (since,),
        ).fetchall()
    finally:
        con.close()


def last_audit_id(ctx):
    return ctx.conn.execute("SELECT ifnull(max(id), 0) FROM audit").fetchone()[0]


def test_operation_returns_the_audited_rows_with_typed_values(ctx, db_path):
    union = ctx.unions.add("05", "001", "秋田市職員労働組合")
    product = ctx.products.resolve("団体生命共済").id
    since = last_audit_id(ctx)
    with operation(ctx.conn, "entry") as op:
        ctx.results.apply([CellChange(union.id, product, "2025-06", 7)], source="entry")
        ctx.unions.update(union.id, source="entry", members=120)
    changes = op.changes
    assert changes.kinds == frozenset({ChangeKind.RESULTS, ChangeKind.UNIONS})
    assert [(r.table, r.field, r.old, r.new) for r in changes.rows] == [
        ("results", "count", None, 7),
        ("unions", "members", None, 120),
    ]
    assert isinstance(changes.rows[0].new, int)  # typed, not the stored text
    assert audit_on_disk(db_path, since) == [
        ("entry", "results", f"{union.id}:{product}:2025-06", "count", None, "7"),
        ("entry", "unions", str(union.id), "members", None, "120"),
    ]


def test_a_failed_operation_writes_nothing_and_reports_nothing(ctx, db_path):
    union = ctx.unions.add("05", "001", "秋田市職員労働組合")
    product = ctx.products.resolve("団体生命共済").id
    since = last_audit_id(ctx)
    with pytest.raises(ValueError), operation(ctx.conn, "entry") as op:
        ctx.results.apply([CellChange(union.id, product, "2025-06", 7)], source="entry")
        ctx.results.apply([CellChange(union.id, product, "2025-07", -1)], source="entry")
    assert op.changes.empty
    assert audit_on_disk(db_path, since) == []
    assert ctx.results.get(union.id, product, "2025-06") is None


def test_a_rolled_back_savepoint_is_not_reported(ctx):
    union = ctx.unions.add("05", "001", "秋田市職員労働組合")
    with operation(ctx.conn, "master") as op:
        ctx.unions.update(union.id, source="master", members=10)
        try:
            with transaction(ctx.conn):
                ctx.unions.update(union.id, source="master", holdings=5)
                raise ValueError("refused")
        except ValueError:
            pass
    assert [(r.field, r.new) for r in op.changes.rows] == [("members", 10)]
    assert ctx.unions.get(union.id).holdings is None


def test_a_dry_run_reports_what_it_would_change_and_writes_nothing(ctx, db_path):
    union = ctx.unions.add("05", "001", "秋田市職員労働組合")
    since = last_audit_id(ctx)
    with operation(ctx.conn, "import", dry_run=True) as op:
        ctx.unions.update(union.id, source="import", name="秋田市職労")
    assert [(r.field, r.old, r.new) for r in op.changes.rows] == [
        ("name", "秋田市職員労働組合", "秋田市職労")
    ]
    assert audit_on_disk(db_path, since) == []
    assert ctx.unions.get(union.id).name == "秋田市職員労働組合"


def test_change_kinds_cover_every_audited_table():
    with pytest.raises(KeyError):
        OpChanges.from_rows([type("R", (), {"table": "no_such_table"})()])  # type: ignore[list-item]
    tables = set()
    for path in PKG.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.keyword)
                and node.arg == "table"
                and isinstance(node.value, ast.Constant)
            ):
                tables.add(node.value.value)
    assert tables, "no audited table found: the scan is broken"
    for table in tables:
        OpChanges.from_rows([type("R", (), {"table": table})()])  # type: ignore[list-item]


def _sql_strings(pattern: str) -> list[str]:
    found = []
    for path in sorted(PKG.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and pattern in node.value
            ):
                found.append(str(path.relative_to(PKG)))
    return found


@pytest.mark.parametrize(
    "statement, writer",
    [
        ("INSERT INTO audit", "store/audit.py"),
        ("INSERT INTO results", "store/results.py"),
        ("DELETE FROM results", "store/results.py"),
        ("UPDATE results", None),
    ],
)
def test_one_writer_of_the_audit_and_results_tables(statement, writer):
    assert set(_sql_strings(statement)) == ({writer} if writer else set())


def test_nested_collections_each_see_their_rows(ctx):
    from kyosai_desktop.store import audit

    union = ctx.unions.add("05", "001", "秋田市職員労働組合")
    with audit.collecting(ctx.conn) as outer:
        with audit.collecting(ctx.conn) as inner:
            pass  # two equal (empty) lists: the inner one leaves
        ctx.unions.update(union.id, source="master", members=3)
    assert [r.new for r in outer] == [3] and inner == []
