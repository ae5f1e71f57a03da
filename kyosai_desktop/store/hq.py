"""Headquarters mode: the role setting, the packages held per branch, and the roll-up's SQL.

A headquarters database is an ordinary database whose setting ``role`` is ``hq``: it holds
every branch's unions, results, per-union targets and model-union designations in the
ordinary tables, plus (``db/006_hq.sql``) the package each branch sent last, the branches'
own targets and each branch's monthly totals per product (for the national report).
Bulk writes here run inside the caller's all-or-nothing transaction.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

ROLE_KEY = "role"
ROLE_HQ = "hq"


@contextmanager
def bulk_writes(conn: sqlite3.Connection) -> Iterator[None]:
    """Foreign-key checks off and a larger page cache for a package import (outside its
    transaction), restored after.

    A national year is ~900,000 result cells; checking two foreign keys per cell more than
    doubles the write time (tests/bench_hq.py).  The import resolves every union and
    product id against this database itself before writing, so the references hold.
    """
    if conn.in_transaction:
        raise RuntimeError("bulk_writes must start outside a transaction")
    cache = conn.execute("PRAGMA cache_size").fetchone()[0]
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("PRAGMA cache_size = -131072")  # 128 MB: the results B-trees stay in memory
    try:
        yield
    finally:
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute(f"PRAGMA cache_size = {int(cache)}")


@dataclass(frozen=True)
class HeldPackage:
    pref_code: str
    fiscal_year: int
    first_month: str
    last_month: str
    created_at: str
    imported_at: str
    file_name: str | None
    sha256: str
    app_version: str | None
    schema_version: int | None
    counts: dict[str, int]


class HQRepository:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    # ------------------------------------------------------------ role
    def is_hq(self) -> bool:
        row = self.conn.execute("SELECT value FROM settings WHERE key = ?", (ROLE_KEY,)).fetchone()
        return row is not None and row[0] == ROLE_HQ

    # ------------------------------------------------------------ packages
    def packages(self) -> dict[str, HeldPackage]:
        rows = self.conn.execute(
            "SELECT pref_code, fiscal_year, first_month, last_month, created_at, imported_at, file_name,"
            " sha256, app_version, schema_version, counts FROM hq_packages"
        ).fetchall()
        return {
            r[0]: HeldPackage(
                r[0],
                r[1],
                r[2],
                r[3],
                r[4],
                r[5],
                r[6],
                r[7],
                r[8],
                r[9],
                json.loads(r[10] or "{}"),
            )
            for r in rows
        }

    def held(self, pref_code: str) -> HeldPackage | None:
        return self.packages().get(pref_code)

    def save_package(self, p: HeldPackage) -> None:
        self.conn.execute(
            "INSERT INTO hq_packages (pref_code, fiscal_year, first_month, last_month, created_at,"
            " imported_at, file_name, sha256, app_version, schema_version, counts)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (pref_code) DO UPDATE SET"
            " fiscal_year = excluded.fiscal_year, first_month = excluded.first_month,"
            " last_month = excluded.last_month, created_at = excluded.created_at,"
            " imported_at = excluded.imported_at, file_name = excluded.file_name,"
            " sha256 = excluded.sha256, app_version = excluded.app_version,"
            " schema_version = excluded.schema_version, counts = excluded.counts",
            (
                p.pref_code,
                p.fiscal_year,
                p.first_month,
                p.last_month,
                p.created_at,
                p.imported_at,
                p.file_name,
                p.sha256,
                p.app_version,
                p.schema_version,
                json.dumps(p.counts, ensure_ascii=False),
            ),
        )

    # ------------------------------------------------------------ replacing a branch
    def union_ids(self, pref_code: str) -> dict[str, int]:
        return {
            code: uid
            for uid, code in self.conn.execute(
                "SELECT id, union_code FROM unions WHERE pref_code = ?", (pref_code,)
            )
        }

    def upsert_unions(self, pref_code: str, rows: Sequence[tuple]) -> int:
        """(union_code, name, members, holdings, figures_as_of, effective_month, org_joined, active):
        insert or update the branch's unions in one statement; returns how many were new."""
        known = self.union_ids(pref_code)
        self.conn.executemany(
            "INSERT INTO unions (pref_code, union_code, name, members, holdings, figures_as_of,"
            " effective_month, org_joined, active) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (pref_code, union_code) DO UPDATE SET name = excluded.name,"
            " members = excluded.members, holdings = excluded.holdings,"
            " figures_as_of = excluded.figures_as_of, effective_month = excluded.effective_month,"
            " org_joined = excluded.org_joined, active = excluded.active",
            [(pref_code, *row) for row in rows],
        )
        return sum(1 for row in rows if row[0] not in known)

    def clear_branch(self, pref_code: str, years: Sequence[int], first: str, last: str) -> None:
        """Remove the branch's targets, designations and monthly totals in the years and months
        a package covers (its unions' figures: :meth:`replace_union_results`)."""
        unions = "SELECT id FROM unions WHERE pref_code = ?"
        marks = ",".join("?" * len(years))
        self.conn.execute(
            f"DELETE FROM targets WHERE union_id IN ({unions}) AND fiscal_year IN ({marks})",
            (pref_code, *years),
        )
        self.conn.execute(
            f"DELETE FROM model_unions WHERE union_id IN ({unions}) AND fiscal_year IN ({marks})",
            (pref_code, *years),
        )
        self.conn.execute(
            f"DELETE FROM hq_branch_targets WHERE pref_code = ? AND fiscal_year IN ({marks})",
            (pref_code, *years),
        )
        self.conn.execute(
            "DELETE FROM hq_branch_results WHERE pref_code = ? AND month BETWEEN ? AND ?",
            (pref_code, first, last),
        )

    def replace_union_results(
        self, pref_code: str, first: str, last: str, rows: Iterable[tuple[int, int, str, int]]
    ) -> int:
        """Drop the branch's per-union figures in [first, last] and insert ``rows`` (union_id,
        product_id, month, count) in bulk; return the cells dropped.  Audited by the caller,
        once for the whole package (a national year is ~900,000 cells)."""
        removed = self.conn.execute(
            "DELETE FROM hq_union_results WHERE union_id IN (SELECT id FROM unions WHERE pref_code = ?)"
            " AND month BETWEEN ? AND ?",
            (pref_code, first, last),
        ).rowcount
        self.conn.executemany(
            "INSERT INTO hq_union_results (union_id, product_id, month, count) VALUES (?, ?, ?, ?)",
            rows,
        )
        return removed

    def union_result_count(self) -> int:
        return self.conn.execute("SELECT count(*) FROM hq_union_results").fetchone()[0]

    def insert_branch_results(self, pref_code: str, rows: Iterable[tuple[int, str, int]]) -> None:
        self.conn.executemany(
            "INSERT INTO hq_branch_results (pref_code, product_id, month, count) VALUES (?, ?, ?, ?)",
            ((pref_code, p, m, c) for p, m, c in rows),
        )

    def insert_targets(
        self, pref_code: str, branch_rows: Iterable[tuple], union_rows: Iterable[tuple]
    ) -> None:
        """branch_rows: (fiscal_year, product_id, version, target);
        union_rows: (fiscal_year, product_id, version, union_id, target)."""
        self.conn.executemany(
            "INSERT INTO hq_branch_targets (pref_code, fiscal_year, product_id, version, target)"
            " VALUES (?, ?, ?, ?, ?)",
            ((pref_code, *r) for r in branch_rows),
        )
        self.conn.executemany(
            "INSERT INTO targets (fiscal_year, product_id, version, union_id, target) VALUES (?, ?, ?, ?, ?)",
            union_rows,
        )

    def insert_model_unions(self, rows: Iterable[tuple]) -> None:
        """(fiscal_year, union_id, target, members, holdings, effective_month)."""
        self.conn.executemany(
            "INSERT INTO model_unions (fiscal_year, union_id, target, members, holdings, effective_month)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            rows,
        )

    # ------------------------------------------------------------ the roll-up
    def branch_targets(self, fiscal_year: int) -> dict[tuple[str, int], int]:
        """{(pref, product): target}, 第2次 over 第1次 (as at a branch)."""
        out: dict[tuple[str, int], int] = {}
        for pref, product, _version, target in self.conn.execute(
            "SELECT pref_code, product_id, version, target FROM hq_branch_targets"
            " WHERE fiscal_year = ? ORDER BY version",
            (fiscal_year,),
        ):
            out[(pref, product)] = target
        return out

    def branch_actuals(self, first: str, last: str) -> list[tuple[str, int, str, int]]:
        """(pref, product, month, count) for every branch's monthly totals in [first, last]."""
        return self.conn.execute(
            "SELECT pref_code, product_id, month, count FROM hq_branch_results"
            " WHERE month BETWEEN ? AND ?",
            (first, last),
        ).fetchall()

    def latest_month(self) -> str | None:
        """The latest effective month any branch has a figure for."""
        return self.conn.execute("SELECT max(month) FROM hq_branch_results").fetchone()[0]
