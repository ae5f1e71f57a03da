"""At a branch: the national figures headquarters sends back (全国 目標 · 実績 per product).

One row per fiscal year × product × 県コード: ``00`` is 全国, any other code one branch's
figures when HQ's national CSV lists them (used for the branch's place among branches).
An import replaces a fiscal year's figures as a whole, in the caller's transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

NATIONAL = "00"


@dataclass(frozen=True)
class NationalFigure:
    fiscal_year: int
    product_id: int
    pref_code: str
    as_of: str
    target: int | None
    actual: int
    branches_reached: int | None = None


class NationalFiguresRepository:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def figures(self, fiscal_year: int) -> list[NationalFigure]:
        rows = self.conn.execute(
            "SELECT fiscal_year, product_id, pref_code, as_of, target, actual, branches_reached"
            " FROM national_figures WHERE fiscal_year = ? ORDER BY product_id, pref_code",
            (fiscal_year,),
        ).fetchall()
        return [NationalFigure(*r) for r in rows]

    def source(self, fiscal_year: int) -> tuple[str | None, str] | None:
        row = self.conn.execute(
            "SELECT source, imported_at FROM national_imports WHERE fiscal_year = ?", (fiscal_year,)
        ).fetchone()
        return None if row is None else (row[0], row[1])

    def replace_year(
        self,
        fiscal_year: int,
        figures: Iterable[NationalFigure],
        *,
        source: str | None,
        imported_at: str,
    ) -> int:
        """Replace the year's figures (inside the caller's transaction); return the rows removed."""
        removed = self.conn.execute(
            "DELETE FROM national_figures WHERE fiscal_year = ?", (fiscal_year,)
        ).rowcount
        self.conn.executemany(
            "INSERT INTO national_figures (fiscal_year, product_id, pref_code, as_of, target, actual,"
            " branches_reached) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                (
                    f.fiscal_year,
                    f.product_id,
                    f.pref_code,
                    f.as_of,
                    f.target,
                    f.actual,
                    f.branches_reached,
                )
                for f in figures
            ),
        )
        self.conn.execute(
            "INSERT INTO national_imports (fiscal_year, source, imported_at) VALUES (?, ?, ?)"
            " ON CONFLICT (fiscal_year) DO UPDATE SET source = excluded.source,"
            " imported_at = excluded.imported_at",
            (fiscal_year, source, imported_at),
        )
        return removed
