"""Targets per product per fiscal year: the branch's (union NULL) and per union, 第1次/第2次."""

from __future__ import annotations

import sqlite3

from kyosai_desktop.store import audit
from kyosai_desktop.store.ids import new_id
from kyosai_desktop.store.tx import transaction

VERSIONS = ("第1次", "第2次")


class TargetRepository:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def get(
        self, fiscal_year: int, product_id: int, version: str, union_id: int | None = None
    ) -> int | None:
        row = self.conn.execute(
            "SELECT target FROM targets WHERE fiscal_year = ? AND product_id = ? AND version = ?"
            " AND ifnull(union_id, 0) = ?",
            (fiscal_year, product_id, version, union_id or 0),
        ).fetchone()
        return None if row is None else row[0]

    def set(
        self,
        fiscal_year: int,
        product_id: int,
        version: str,
        target: int | None,
        union_id: int | None = None,
        *,
        source: str = "master",
    ) -> None:
        if version not in VERSIONS:
            raise ValueError(f"版は 第1次 または 第2次 です: {version!r}")
        old = self.get(fiscal_year, product_id, version, union_id)
        if old == target:
            return
        with transaction(self.conn):
            if target is None:
                self.conn.execute(
                    "DELETE FROM targets WHERE fiscal_year = ? AND product_id = ? AND version = ?"
                    " AND ifnull(union_id, 0) = ?",
                    (fiscal_year, product_id, version, union_id or 0),
                )
            elif old is None:
                self.conn.execute(
                    "INSERT INTO targets (id, fiscal_year, product_id, version, union_id, target)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        new_id(self.conn, "targets"),
                        fiscal_year,
                        product_id,
                        version,
                        union_id,
                        target,
                    ),
                )
            else:
                self.conn.execute(
                    "UPDATE targets SET target = ? WHERE fiscal_year = ? AND product_id = ?"
                    " AND version = ? AND ifnull(union_id, 0) = ?",
                    (target, fiscal_year, product_id, version, union_id or 0),
                )
            audit.record(
                self.conn,
                source=source,
                table="targets",
                key=f"{fiscal_year}:{product_id}:{version}:{union_id or ''}",
                field="target",
                old=old,
                new=target,
            )

    def effective(self, fiscal_year: int, union_id: int | None = None) -> dict[int, int]:
        """Per product, the latest version present (第2次 over 第1次)."""
        rows = self.conn.execute(
            "SELECT product_id, version, target FROM targets WHERE fiscal_year = ?"
            " AND ifnull(union_id, 0) = ? ORDER BY version",
            (fiscal_year, union_id or 0),
        ).fetchall()
        out: dict[int, int] = {}
        for product_id, _version, target in rows:  # ordered 第1次 then 第2次
            out[product_id] = target
        return out

    def by_version(
        self, fiscal_year: int, version: str, union_id: int | None = None
    ) -> dict[int, int]:
        rows = self.conn.execute(
            "SELECT product_id, target FROM targets WHERE fiscal_year = ? AND version = ?"
            " AND ifnull(union_id, 0) = ?",
            (fiscal_year, version, union_id or 0),
        ).fetchall()
        return {r[0]: r[1] for r in rows}
