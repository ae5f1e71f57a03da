"""Operations own the writes: no module in ui/ (or cli/) opens a transaction or calls a
repository's write method — they call ``services/ops`` and the services.

The write methods are found, not listed: every method of a ``*Repository`` class in store/
that executes INSERT / UPDATE / DELETE, opens a transaction, writes audit rows, or calls
another write method of its class.  A call is a repository write when its method has such
a name and its receiver is one of the repositories (``ctx.<repository>`` as AppContext
names them) — or, for names no builtin container uses, whatever the receiver.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "kyosai_desktop"
WRITE_SQL = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)
TX_FUNCTIONS = {"transaction", "all_or_nothing"}
# Method names of builtin containers: such a name is a repository write only on a repository.
COMMON = {name for t in (dict, list, set, str) for name in dir(t)} | {
    "write",
    "apply",
    "restore",
    "ensure",
    "set",
    "add",
    "update",
    "delete",
    "remove",
}


def _writes_directly(fn: ast.FunctionDef) -> bool:
    for node in ast.walk(fn):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and WRITE_SQL.match(node.value)
        ):
            return True
        if isinstance(node, ast.Call):
            f = node.func
            name = (
                f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
            )
            if name in TX_FUNCTIONS:
                return True
            if (
                isinstance(f, ast.Attribute)
                and isinstance(f.value, ast.Name)
                and f.value.id == "audit"
                and name in ("record", "write")
            ):
                return True
    return False


def _repository_calls(fn: ast.FunctionDef) -> set[str]:
    """Methods called on ``self`` or on a repository made on the spot (``ResultRepository(conn).write``)."""
    out = set()
    for n in ast.walk(fn):
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute):
            v = n.func.value
            if (isinstance(v, ast.Name) and v.id == "self") or (
                isinstance(v, ast.Call)
                and isinstance(v.func, ast.Name)
                and v.func.id.endswith("Repository")
            ):
                out.add(n.func.attr)
    return out


def repository_write_methods() -> set[str]:
    methods: list[ast.FunctionDef] = []
    for path in sorted((PKG / "store").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for cls in (
            n for n in tree.body if isinstance(n, ast.ClassDef) and n.name.endswith("Repository")
        ):
            methods += [f for f in cls.body if isinstance(f, ast.FunctionDef)]
    writes = {f.name for f in methods if _writes_directly(f)}
    grown = True
    while grown:  # a method calling a repository's write method writes too
        more = {f.name for f in methods if f.name not in writes and _repository_calls(f) & writes}
        writes |= more
        grown = bool(more)
    return writes


def repository_attributes() -> set[str]:
    """The repository fields of AppContext (ctx.results, ctx.unions, …)."""
    tree = ast.parse((PKG / "services" / "context.py").read_text(encoding="utf-8"))
    cls = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "AppContext")
    fields = {
        n.target.id
        for n in cls.body
        if isinstance(n, ast.AnnAssign)
        and isinstance(n.target, ast.Name)
        and isinstance(n.annotation, ast.Name)
        and n.annotation.id.endswith("Repository")
    }
    # made on first use: ``@cached_property def results(self) -> ResultRepository``
    lazy = {
        n.name
        for n in cls.body
        if isinstance(n, ast.FunctionDef)
        and isinstance(n.returns, ast.Name)
        and n.returns.id.endswith("Repository")
    }
    return fields | lazy


def offences(source: str, writes: set[str], repos: set[str]) -> list[str]:
    found = []
    tree = ast.parse(source)
    imported = {
        (a.asname or a.name).split(".")[0]
        for n in ast.walk(tree)
        if isinstance(n, ast.Import | ast.ImportFrom)
        for a in n.names
    }  # modules and functions: ``master_ops.set_branch`` is an operation
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        f = node.func
        if isinstance(f, ast.Name) and f.id in TX_FUNCTIONS:
            found.append(f"line {node.lineno}: {f.id}(")
        elif isinstance(f, ast.Attribute):
            if f.attr in TX_FUNCTIONS:
                found.append(f"line {node.lineno}: {f.attr}(")
            elif f.attr in writes:
                on_repository = (
                    isinstance(f.value, ast.Attribute) and f.value.attr in repos
                )  # ctx.unions.add
                on_other = (
                    not (isinstance(f.value, ast.Name) and f.value.id in imported)
                    and f.attr not in COMMON
                )
                if on_repository or on_other:
                    found.append(f"line {node.lineno}: {ast.unparse(f)}(")
        if (
            isinstance(node.func, ast.Attribute)
            and node.func.attr == "execute"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
            and (WRITE_SQL.match(node.args[0].value) or "BEGIN" in node.args[0].value.upper())
        ):
            found.append(f"line {node.lineno}: execute({node.args[0].value[:20]!r}")
    return found


def test_the_write_methods_are_found():
    writes = repository_write_methods()
    # a sample of each way a method writes: SQL, audit rows, a transaction, another write method
    assert {
        "apply",
        "write",
        "set",
        "update",
        "delete",
        "restore",
        "add_unions",
        "remove_union",
        "set_status",
        "set_status_many",
        "set_branch",
        "set_support_branch",
        "add_fiscal_year",
        "set_start_months",
        "designate_many",
        "write_counts",
        "anonymise_campaign",
        "ensure",
    } <= writes
    assert not {"get", "list", "history", "all", "month_grid", "find_seq", "union_ids"} & writes
    assert {
        "results",
        "unions",
        "estimates",
        "campaigns",
        "settings",
        "master_admin",
    } <= repository_attributes()


@pytest.mark.parametrize(
    "snippet",
    [
        "with transaction(self.ctx.conn):\n    pass\n",
        "with tx.all_or_nothing(conn, dry_run=True):\n    pass\n",
        "self.ctx.unions.update(1, name='x')\n",
        "self.ctx.results.apply([])\n",
        "self.admin.set_support_branch('05', True)\n",
        "self.ctx.conn.execute('DELETE FROM results')\n",
        "conn.execute('BEGIN IMMEDIATE')\n",
    ],
)
def test_the_scan_catches_a_write(snippet):
    assert offences(snippet, repository_write_methods(), repository_attributes())


def test_the_scan_lets_ordinary_calls_pass():
    ok = "seen.add(1)\nvalues.update(a=1)\nrows.remove(2)\nself.ctx.unions.list()\nops.edit(ctx, [])\n"
    assert offences(ok, repository_write_methods(), repository_attributes()) == []


@pytest.mark.parametrize("layer", ["ui", "cli"])
def test_no_transaction_or_repository_write_outside_the_services(layer):
    writes, repos = repository_write_methods(), repository_attributes()
    bad = [
        f"{path.relative_to(PKG)} {o}"
        for path in sorted((PKG / layer).rglob("*.py"))
        for o in offences(path.read_text(encoding="utf-8"), writes, repos)
    ]
    assert not bad, "\n".join(bad)
