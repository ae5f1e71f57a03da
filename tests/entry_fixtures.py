"""Fixtures for the monthly-entry tests: a small 宮城 (05) branch with known figures.

Unions of the branch (05): 001 仙台市職員労働組合, 002 石巻市職員労働組合, 010 宮城県職員労働組合
(active) and 003 塩竈市職員労働組合 (inactive, no figures).  A union of another prefecture
(04-001) holds figures that must never show in the branch's grid.

Figures for 2025-02 (発効): 001 総合共済 3, 001 団体生命共済 2, 002 マイカー共済 5,
010 総合共済 1 → column totals 総合 4 / 団生 2 / マイカー 5, row totals 5 / 5 / 1, 合計 11.
2024-05 holds 001 総合共済 7 (FY2023 under 6月開始), 2024-06 holds 001 総合共済 4 (FY2024).
The other prefecture has a later month (2025-03) than the branch's latest (2025-02).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pytest

from kyosai_desktop.store.results import CellChange


@dataclass
class Branch:
    ctx: object
    path: Path
    unions: dict[str, int]  # union code → id (branch 05)
    products: dict[str, int]  # product name → id
    other_union: int

    def read(self, code: str, product: str, month: str) -> int | None:
        """The stored figure, read through a fresh connection to the file (what survives)."""
        conn = sqlite3.connect(self.path)
        try:
            row = conn.execute(
                "SELECT count FROM results WHERE union_id = ? AND product_id = ? AND month = ?",
                (self.unions[code], self.products[product], month),
            ).fetchone()
        finally:
            conn.close()
        return None if row is None else row[0]

    def audit(self) -> list[tuple[str, str | None, str | None]]:
        conn = sqlite3.connect(self.path)
        try:
            return [
                tuple(r)
                for r in conn.execute(
                    "SELECT source, old_value, new_value FROM audit WHERE table_name = 'results' ORDER BY id"
                )
            ]
        finally:
            conn.close()

    def digest(self) -> tuple:
        conn = sqlite3.connect(self.path)
        try:
            results = conn.execute("SELECT * FROM results ORDER BY 1, 2, 3").fetchall()
            audit = conn.execute("SELECT count(*) FROM audit").fetchone()[0]
        finally:
            conn.close()
        return tuple(results), audit


@pytest.fixture
def branch(ctx, db_path) -> Branch:
    ids = {}
    for code, name in (
        ("001", "仙台市職員労働組合"),
        ("002", "石巻市職員労働組合"),
        ("010", "宮城県職員労働組合"),
    ):
        ids[code] = ctx.unions.add("05", code, name).id
    ids["003"] = ctx.unions.add("05", "003", "塩竈市職員労働組合", active=False).id
    other = ctx.unions.add("04", "001", "盛岡市職員労働組合").id
    products = {p.name: p.id for p in ctx.products.all()}
    sogo, dansei, car = products["総合共済"], products["団体生命共済"], products["マイカー共済"]
    ctx.results.apply(
        [
            CellChange(ids["001"], sogo, "2025-02", 3),
            CellChange(ids["001"], dansei, "2025-02", 2),
            CellChange(ids["002"], car, "2025-02", 5),
            CellChange(ids["010"], sogo, "2025-02", 1),
            CellChange(ids["001"], sogo, "2024-05", 7),
            CellChange(ids["001"], sogo, "2024-06", 4),
            CellChange(other, sogo, "2025-03", 9),
            CellChange(other, sogo, "2025-02", 8),
        ],
        source="import",
    )
    return Branch(ctx, db_path, ids, products, other)
