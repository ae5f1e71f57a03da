"""Master-data edits the settings screen needs beyond the basic repositories.

The 支援県支部 flag of a prefecture, product aliases for display, fiscal-year labels and
new years, and a whole year's targets in one query (for the target grids).  Every write
is one commit and one audit row per changed field, like the other repositories.
"""

from __future__ import annotations

import sqlite3

from kyosai_desktop.store import audit
from kyosai_desktop.store.master import DEFAULT_START_MONTH, default_model_start_month
from kyosai_desktop.store.tx import transaction

TargetKey = tuple[int, str, int | None]  # (product_id, version, union_id or None for the branch)


class MasterAdminRepository:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    # ------------------------------------------------------------ prefectures
    def support_branch(self, pref_code: str) -> bool:
        row = self.conn.execute(
            "SELECT support_branch FROM prefectures WHERE code = ?", (pref_code,)
        ).fetchone()
        return bool(row[0]) if row else False

    def record_counts(self, pref_code: str | None) -> tuple[int, int, int]:
        """(unions of the prefecture, monthly figures, audit rows) for the settings screen."""
        row = self.conn.execute(
            "SELECT (SELECT count(*) FROM unions WHERE pref_code = ?), (SELECT count(*) FROM results),"
            " (SELECT count(*) FROM audit)",
            (pref_code,),
        ).fetchone()
        return row[0], row[1], row[2]

    def set_support_branch(self, pref_code: str, flag: bool, *, source: str = "master") -> None:
        old = self.conn.execute(
            "SELECT support_branch FROM prefectures WHERE code = ?", (pref_code,)
        ).fetchone()
        if old is None:
            raise ValueError(f"県コード「{pref_code}」は登録されていません。")
        if bool(old[0]) == bool(flag):
            return
        with transaction(self.conn):
            self.conn.execute(
                "UPDATE prefectures SET support_branch = ? WHERE code = ?",
                (int(bool(flag)), pref_code),
            )
            audit.record(
                self.conn,
                source=source,
                table="prefectures",
                key=pref_code,
                field="support_branch",
                old=bool(old[0]),
                new=bool(flag),
            )

    # ------------------------------------------------------------ products
    def product_aliases(self) -> dict[int, list[str]]:
        out: dict[int, list[str]] = {}
        for product_id, alias in self.conn.execute(
            "SELECT product_id, alias FROM product_aliases ORDER BY product_id, alias"
        ):
            out.setdefault(product_id, []).append(alias)
        return out

    # ------------------------------------------------------------ fiscal years
    def fiscal_years(self) -> list[tuple[int, str, int, int]]:
        """(year, label, start_month, model_start_month) for every configured year."""
        return [
            tuple(r)
            for r in self.conn.execute(
                "SELECT year, label, start_month, model_start_month FROM fiscal_years ORDER BY year"
            )
        ]

    def add_fiscal_year(self, year: int, *, source: str = "master") -> bool:
        """Add a year with the default start months; False when it already exists."""
        if self.conn.execute("SELECT 1 FROM fiscal_years WHERE year = ?", (year,)).fetchone():
            return False
        label = f"{year}年度"
        start, model_start = DEFAULT_START_MONTH, default_model_start_month(year)
        with transaction(self.conn):
            self.conn.execute(
                "INSERT INTO fiscal_years (year, label, start_month, model_start_month)"
                " VALUES (?, ?, ?, ?)",
                (year, label, start, model_start),
            )
            audit.record(
                self.conn,
                source=source,
                table="fiscal_years",
                key=str(year),
                field="*",
                old=None,
                new=f"{label} {start}/{model_start}",
            )
        return True

    def set_fiscal_year_label(self, year: int, label: str, *, source: str = "master") -> None:
        row = self.conn.execute("SELECT label FROM fiscal_years WHERE year = ?", (year,)).fetchone()
        if row is None:
            raise ValueError(f"{year}年度は登録されていません。")
        if row[0] == label:
            return
        with transaction(self.conn):
            self.conn.execute("UPDATE fiscal_years SET label = ? WHERE year = ?", (label, year))
            audit.record(
                self.conn,
                source=source,
                table="fiscal_years",
                key=str(year),
                field="label",
                old=row[0],
                new=label,
            )

    # ------------------------------------------------------------ targets
    def target_years(self) -> list[int]:
        """The fiscal years holding any target, ascending."""
        return [
            r[0]
            for r in self.conn.execute(
                "SELECT DISTINCT fiscal_year FROM targets ORDER BY fiscal_year"
            )
        ]

    def year_targets(self, fiscal_year: int) -> dict[TargetKey, int]:
        """Every target of one year: {(product_id, version, union_id | None): target}."""
        rows = self.conn.execute(
            "SELECT product_id, version, union_id, target FROM targets WHERE fiscal_year = ?",
            (fiscal_year,),
        )
        return {(p, v, u): t for p, v, u, t in rows}
