"""Master data: prefectures, products (with aliases) and fiscal years; seeding from db/seed."""

from __future__ import annotations

import csv
import sqlite3
import unicodedata
from dataclasses import dataclass

from kyosai_desktop.domain.months import FiscalYear, fiscal_year_of
from kyosai_desktop.paths import seed_dir
from kyosai_desktop.store import audit
from kyosai_desktop.store.ids import new_id
from kyosai_desktop.store.tx import transaction

# Start months when a year is first needed and not yet configured (DOMAIN §3):
# product results June → May; model unions June → May through 2024, May → April from 2025.
DEFAULT_START_MONTH = 6


def default_model_start_month(year: int) -> int:
    return 6 if year <= 2024 else 5


@dataclass(frozen=True)
class Prefecture:
    code: str
    name: str
    support_branch: bool
    in_national: bool


@dataclass(frozen=True)
class Product:
    id: int
    name: str
    display_order: int
    rider_of: int | None
    active_from: str | None
    active_to: str | None
    has_target: bool
    note: str | None


def normalise_name(name: str) -> str:
    return unicodedata.normalize("NFKC", str(name)).strip().replace(" ", "").replace("\u3000", "")


class PrefectureRepository:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def all(self) -> list[Prefecture]:
        rows = self.conn.execute(
            "SELECT code, name, support_branch, in_national FROM prefectures ORDER BY code"
        ).fetchall()
        return [Prefecture(r[0], r[1], bool(r[2]), bool(r[3])) for r in rows]

    def name_of(self, code: str) -> str | None:
        row = self.conn.execute("SELECT name FROM prefectures WHERE code = ?", (code,)).fetchone()
        return None if row is None else row[0]


class ProductRepository:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._cache: list[Product] | None = None

    def all(self) -> list[Product]:
        if self._cache is None:
            rows = self.conn.execute(
                "SELECT id, name, display_order, rider_of, active_from, active_to, has_target, note"
                " FROM products ORDER BY display_order, id"
            ).fetchall()
            self._cache = [
                Product(r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6]), r[7]) for r in rows
            ]
        return self._cache

    def invalidate(self) -> None:
        self._cache = None

    def by_id(self, product_id: int) -> Product:
        for p in self.all():
            if p.id == product_id:
                return p
        raise KeyError(product_id)

    def active_on(self, date: str) -> list[Product]:
        """Products active on a ``YYYY-MM`` or ``YYYY-MM-DD`` date."""
        return [
            p
            for p in self.all()
            if (p.active_from is None or p.active_from[: len(date)] <= date)
            and (p.active_to is None or date <= p.active_to[: len(date)])
        ]

    def resolve(self, name: str) -> Product | None:
        """Match by name or alias (NFKC, spaces ignored); None when unknown."""
        key = normalise_name(name)
        for p in self.all():
            if normalise_name(p.name) == key:
                return p
        row = self.conn.execute("SELECT product_id, alias FROM product_aliases").fetchall()
        for product_id, alias in row:
            if normalise_name(alias) == key:
                return self.by_id(product_id)
        return None

    def update(self, product_id: int, *, source: str = "master", **fields: object) -> None:
        allowed = {
            "name",
            "display_order",
            "rider_of",
            "active_from",
            "active_to",
            "has_target",
            "note",
        }
        bad = set(fields) - allowed
        if bad:
            raise ValueError(f"unknown product fields: {bad}")
        old = self.by_id(product_id)
        with_changes = {k: v for k, v in fields.items() if getattr(old, k) != v}
        if not with_changes:
            return
        try:
            with transaction(self.conn):
                for key, value in with_changes.items():
                    self.conn.execute(
                        f"UPDATE products SET {key} = ? WHERE id = ?", (value, product_id)
                    )
                    audit.record(
                        self.conn,
                        source=source,
                        table="products",
                        key=str(product_id),
                        field=key,
                        old=getattr(old, key),
                        new=value,
                    )
        finally:
            self.invalidate()


class FiscalYearRepository:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def all_years(self) -> list[int]:
        return [r[0] for r in self.conn.execute("SELECT year FROM fiscal_years ORDER BY year")]

    def _row(self, year: int) -> sqlite3.Row | None:
        return self.conn.execute(
            "SELECT start_month, model_start_month FROM fiscal_years WHERE year = ?", (year,)
        ).fetchone()

    def results_year(self, year: int) -> FiscalYear:
        """The product-results year (June start unless configured otherwise)."""
        row = self._row(year)
        return FiscalYear(year, row[0] if row else DEFAULT_START_MONTH)

    def results_year_of(self, month: str) -> int:
        """The results year holding ``month`` (each year's own start month decides)."""
        year = int(month[:4])
        for candidate in (year, year - 1):
            if self.results_year(candidate).contains(month):
                return candidate
        return fiscal_year_of(month, self.results_year(year).start_month)

    def model_year(self, year: int) -> FiscalYear:
        row = self._row(year)
        return FiscalYear(year, row[1] if row else default_model_start_month(year))

    def ensure(self, year: int) -> None:
        self.conn.execute(
            "INSERT OR IGNORE INTO fiscal_years (year, label, start_month, model_start_month)"
            " VALUES (?, ?, ?, ?)",
            (year, f"{year}年度", DEFAULT_START_MONTH, default_model_start_month(year)),
        )

    def set_start_months(
        self, year: int, start_month: int, model_start_month: int, *, source: str = "master"
    ) -> None:
        old = self._row(year)
        if old is not None and (old[0], old[1]) == (start_month, model_start_month):
            return  # nothing changes: no write, no audit row (a re-import repeats the same months)
        with transaction(self.conn):
            self.ensure(year)
            self.conn.execute(
                "UPDATE fiscal_years SET start_month = ?, model_start_month = ? WHERE year = ?",
                (start_month, model_start_month, year),
            )
            audit.record(
                self.conn,
                source=source,
                table="fiscal_years",
                key=str(year),
                field="start_months",
                old=None if old is None else f"{old[0]}/{old[1]}",
                new=f"{start_month}/{model_start_month}",
            )


def seed_master_data(conn: sqlite3.Connection) -> bool:
    """Load prefectures, products and fiscal years from db/seed when the tables are empty."""
    if conn.execute("SELECT count(*) FROM products").fetchone()[0]:
        return False
    folder = seed_dir()
    with transaction(conn):
        with open(folder / "prefectures.csv", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                code = row["pref_code"].zfill(2)
                conn.execute(
                    "INSERT OR IGNORE INTO prefectures (code, name, in_national) VALUES (?, ?, ?)",
                    (code, row["pref_name"], 0 if code == "60" else 1),
                )
        ids: dict[str, int] = {}
        with open(folder / "products_2025.csv", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        for row in rows:
            cur = conn.execute(
                "INSERT INTO products (id, name, display_order, has_target, active_from, note)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    new_id(conn, "products"),
                    row["name"],
                    int(row["display_order"]),
                    int(row["has_target"]),
                    row["active_from"] or None,
                    row["note"] or None,
                ),
            )
            ids[row["name"]] = int(cur.lastrowid or 0)
        for row in rows:
            if row["rider_of"]:
                conn.execute(
                    "UPDATE products SET rider_of = ? WHERE id = ?",
                    (ids[row["rider_of"]], ids[row["name"]]),
                )
            for alias in filter(None, row["aliases"].split("|")):
                conn.execute(
                    "INSERT INTO product_aliases (alias, product_id) VALUES (?, ?)",
                    (alias, ids[row["name"]]),
                )
        for year in range(2022, 2027):
            conn.execute(
                "INSERT OR IGNORE INTO fiscal_years (year, label, start_month, model_start_month)"
                " VALUES (?, ?, ?, ?)",
                (year, f"{year}年度", DEFAULT_START_MONTH, default_model_start_month(year)),
            )
    return True
