"""Model-union designations per fiscal year, and the 団生 monthly counts they are judged on.

A designation (``model_unions``) says that a union is a 加入拡大モデル単組 in a fiscal year,
with its target and its figures as printed for that year.  The monthly counts are the
``results`` of product 団体生命共済, read and (for the headquarters import) written here in
bulk: one query for the whole nation instead of one per cell, and still one audit row per
changed cell in the caller's transaction.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from kyosai_desktop.domain.model_unions import ModelUnionInput
from kyosai_desktop.store import audit
from kyosai_desktop.store.ids import new_ids
from kyosai_desktop.store.results import CellChange, ResultRepository
from kyosai_desktop.store.tx import transaction

MODEL_PRODUCT = "団体生命共済"
FIELDS = ("target", "members", "holdings", "effective_month")


class Designation(NamedTuple):
    """A union's designation in a fiscal year (a named tuple: an import builds thousands)."""

    fiscal_year: int
    union_id: int
    target: int | None
    members: int | None = None
    holdings: int | None = None
    effective_month: int | None = None


@dataclass(frozen=True)
class ModelYear:
    """Where a year's list came from: the sheet's as-of month and layout, file, time."""

    fiscal_year: int
    as_of: str | None
    sheet_start_month: int | None
    source: str | None
    imported_at: str | None


# The audit rows of unions add_unions created (ids in :ids, in order): the whole record as
# "pref-code name", then members, holdings and effective month where given.
_CREATED_UNIONS_AUDIT = (
    "SELECT 'unions', CAST(u.id AS TEXT), f.column1, NULL, CASE f.column1"
    " WHEN '*' THEN u.pref_code || '-' || u.union_code || ' ' || u.name"
    " WHEN 'members' THEN CAST(u.members AS TEXT) WHEN 'holdings' THEN CAST(u.holdings AS TEXT)"
    " ELSE CAST(u.effective_month AS TEXT) END AS new_text"
    " FROM json_each(:ids) AS j CROSS JOIN unions AS u ON u.id = j.value"
    " CROSS JOIN (VALUES ('*'), ('members'), ('holdings'), ('effective_month')) AS f"
    " WHERE f.column1 = '*' OR new_text IS NOT NULL"
)


# designate_many's new designations from one JSON text of [year, union, target, members,
# holdings, effective month] rows, and their trail (target_text as the whole record).
_INSERT_DESIGNATIONS = (
    "INSERT INTO model_unions (fiscal_year, union_id, target, members, holdings, effective_month)"
    " SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'),"
    " json_extract(value, '$[2]'), json_extract(value, '$[3]'),"
    " json_extract(value, '$[4]'), json_extract(value, '$[5]')"
    " FROM json_each(:rows)"
)
_NEW_DESIGNATIONS_AUDIT = (
    "SELECT 'model_unions', json_extract(value, '$[0]') || ':' || json_extract(value, '$[1]'),"
    " '*', NULL,"
    " ifnull('目標 ' || json_extract(value, '$[2]'), '目標なし') FROM json_each(:rows)"
)


def _created_unions_rows(
    rows: Sequence[tuple[str, str, str, Mapping[str, object]]], ids: Mapping[tuple[str, str], int]
) -> list[audit.AuditRow]:
    """The typed audit rows of created unions, for an operation's change set."""
    out: list[audit.AuditRow] = []
    for pref, code, name, values in rows:
        key = str(ids[(pref, code)])
        out.append(audit.AuditRow("unions", key, "*", None, None, new_text=f"{pref}-{code} {name}"))
        out += [
            audit.AuditRow("unions", key, k, None, v)
            for k in ("members", "holdings", "effective_month")
            if (v := values.get(k)) is not None
        ]
    return out


def target_text(target: int | None) -> str:
    """A designation as the audit trail shows it: "目標 12", or "目標なし"."""
    return "目標なし" if target is None else f"目標 {target}"


def designation_key(fiscal_year: int, union_id: int) -> str:
    return f"{fiscal_year}:{union_id}"


class ModelUnionRepository:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    # ------------------------------------------------------------ product
    def product_id(self) -> int:
        """The id of 団体生命共済 (the model-union metric)."""
        row = self.conn.execute(
            "SELECT id FROM products WHERE name = ?", (MODEL_PRODUCT,)
        ).fetchone()
        if row is None:
            raise LookupError(f"商品「{MODEL_PRODUCT}」が登録されていません。")
        return row[0]

    # ------------------------------------------------------------ years
    def years(self) -> list[int]:
        """Fiscal years with at least one designation, newest first."""
        return [
            r[0]
            for r in self.conn.execute(
                "SELECT DISTINCT fiscal_year FROM model_unions ORDER BY fiscal_year DESC"
            )
        ]

    def year_info(self, fiscal_year: int) -> ModelYear | None:
        row = self.conn.execute(
            "SELECT fiscal_year, as_of, sheet_start_month, source, imported_at FROM model_union_years"
            " WHERE fiscal_year = ?",
            (fiscal_year,),
        ).fetchone()
        return None if row is None else ModelYear(*row)

    def set_year_info(
        self,
        fiscal_year: int,
        *,
        as_of: str | None,
        sheet_start_month: int | None,
        source: str | None,
        source_kind: str = "import",
    ) -> None:
        old = self.year_info(fiscal_year)
        now = datetime.now().isoformat(timespec="seconds")
        with transaction(self.conn):
            self.conn.execute(
                "INSERT INTO model_union_years (fiscal_year, as_of, sheet_start_month, source, imported_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (fiscal_year) DO UPDATE SET as_of = excluded.as_of,"
                " sheet_start_month = excluded.sheet_start_month, source = excluded.source,"
                " imported_at = excluded.imported_at",
                (fiscal_year, as_of, sheet_start_month, source, now),
            )
            audit.record(
                self.conn,
                source=source_kind,
                table="model_union_years",
                key=str(fiscal_year),
                field="sheet",
                old=None if old is None else f"{old.source} {old.as_of}",
                new=f"{source} {as_of}",
            )

    # ------------------------------------------------------------ designations
    def designations(self, fiscal_year: int) -> list[Designation]:
        rows = self.conn.execute(
            "SELECT fiscal_year, union_id, target, members, holdings, effective_month FROM model_unions"
            " WHERE fiscal_year = ?",
            (fiscal_year,),
        ).fetchall()
        return list(map(Designation._make, rows))

    def get(self, fiscal_year: int, union_id: int) -> Designation | None:
        row = self.conn.execute(
            "SELECT fiscal_year, union_id, target, members, holdings, effective_month FROM model_unions"
            " WHERE fiscal_year = ? AND union_id = ?",
            (fiscal_year, union_id),
        ).fetchone()
        return None if row is None else Designation(*row)

    def designate_many(
        self, items: Sequence[Designation], *, source: str = "import"
    ) -> tuple[list[int], list[int]]:
        """Add or update many designations at once (audited); returns (added, changed) union ids."""
        years = {d.fiscal_year for d in items}
        old: dict[tuple[int, int], Designation] = {}
        for year in years:
            old.update({(d.fiscal_year, d.union_id): d for d in self.designations(year)})
        added: list[int] = []
        changed: list[int] = []
        audits: list[audit.AuditRow] = []
        inserts, updates = [], []
        for d in items:
            before = old.get((d.fiscal_year, d.union_id))
            if before is None:
                inserts.append(
                    (d.fiscal_year, d.union_id, d.target, d.members, d.holdings, d.effective_month)
                )
                added.append(d.union_id)
                continue
            fields = [f for f in FIELDS if getattr(before, f) != getattr(d, f)]
            if fields:
                key = designation_key(d.fiscal_year, d.union_id)
                updates.append(
                    (d.target, d.members, d.holdings, d.effective_month, d.fiscal_year, d.union_id)
                )
                audits += [
                    audit.AuditRow("model_unions", key, f, getattr(before, f), getattr(d, f))
                    for f in fields
                ]
                changed.append(d.union_id)
        with transaction(self.conn):
            if inserts:
                # the new ones in one statement, their trail made by SQLite from the same text
                args = {"rows": json.dumps(inserts)}
                self.conn.execute(_INSERT_DESIGNATIONS, args)
                audit.write_select(self.conn, source, _NEW_DESIGNATIONS_AUDIT, args)
                if audit.is_collecting(self.conn):
                    audit.hand_over(
                        self.conn,
                        [
                            audit.AuditRow(
                                "model_unions",
                                designation_key(d.fiscal_year, d.union_id),
                                audit.WHOLE_RECORD,
                                None,
                                d,
                                new_text=target_text(d.target),
                            )
                            for d in items
                            if (d.fiscal_year, d.union_id) not in old
                        ],
                    )
            self.conn.executemany(
                "UPDATE model_unions SET target = ?, members = ?, holdings = ?, effective_month = ?"
                " WHERE fiscal_year = ? AND union_id = ?",
                updates,
            )
            audit.write(self.conn, source, audits)
        return added, changed

    def add_unions(
        self, rows: Sequence[tuple[str, str, str, Mapping[str, object]]], *, source: str = "import"
    ) -> dict[tuple[str, str], int]:
        """Create many unions at once, audited like ``UnionRepository.add`` (one row per field).

        ``rows`` are (pref_code, union_code, name, {members/holdings/effective_month: value});
        returns {(pref_code, union_code): id}.  For the national sheet, whose other
        prefectures' unions are new to a branch database (thousands at a time).
        """
        if not rows:
            return {}
        ids = new_ids(self.conn, "unions", len(rows))
        payload = json.dumps(
            [
                [
                    None if ids is None else ids[i],
                    pref,
                    code,
                    name,
                    values.get("members"),
                    values.get("holdings"),
                    values.get("effective_month"),
                ]
                for i, (pref, code, name, values) in enumerate(rows)
            ],
            ensure_ascii=False,
        )
        with transaction(self.conn):
            # One statement for all of them, not one per union: the full-text index's trigger
            # then adds every name in one go (3,000 unions: 18 ms instead of 75 ms).
            created = self.conn.execute(
                "INSERT INTO unions (id, pref_code, union_code, name, members, holdings,"
                " effective_month) SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'),"
                " json_extract(value, '$[2]'), json_extract(value, '$[3]'),"
                " json_extract(value, '$[4]'), json_extract(value, '$[5]'),"
                " json_extract(value, '$[6]') FROM json_each(?) ORDER BY key"
                " RETURNING id, pref_code, union_code",
                (payload,),
            ).fetchall()
            out = {(pref, code): int(union_id) for union_id, pref, code in created}
            # Their trail as UnionRepository.add writes it (the whole record, then each
            # figure given), made by SQLite from the ids just created.
            made = json.dumps([out[(pref, code)] for pref, code, _, _ in rows])
            audit.write_select(self.conn, source, _CREATED_UNIONS_AUDIT, {"ids": made})
            if audit.is_collecting(self.conn):
                audit.hand_over(self.conn, _created_unions_rows(rows, out))
        return out

    def remove(self, fiscal_year: int, union_id: int, *, source: str = "import") -> bool:
        old = self.get(fiscal_year, union_id)
        if old is None:
            return False
        with transaction(self.conn):
            self.conn.execute(
                "DELETE FROM model_unions WHERE fiscal_year = ? AND union_id = ?",
                (fiscal_year, union_id),
            )
            audit.record(
                self.conn,
                source=source,
                table="model_unions",
                key=designation_key(fiscal_year, union_id),
                field="*",
                old=target_text(old.target),
                new=None,
            )
        return True

    def inputs(self, fiscal_year: int, pref_code: str | None = None) -> list[ModelUnionInput]:
        """The designated unions of a year with their names, in 県コード · 単組コード order."""
        sql = (
            "SELECT u.id, u.pref_code, p.name, u.union_code, u.name, m.members, m.holdings,"
            " m.effective_month, m.target, p.in_national FROM model_unions m"
            " JOIN unions u ON u.id = m.union_id JOIN prefectures p ON p.code = u.pref_code"
            " WHERE m.fiscal_year = ?"
        )
        args: list[object] = [fiscal_year]
        if pref_code:
            sql += " AND u.pref_code = ?"
            args.append(pref_code)
        sql += " ORDER BY u.pref_code, u.union_code"
        return [
            ModelUnionInput(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], bool(r[9]))
            for r in self.conn.execute(sql, args)
        ]

    # ------------------------------------------------------------ monthly counts
    def monthly_counts(
        self, union_ids: Sequence[int] | None, first: str, last: str, product_id: int | None = None
    ) -> dict[int, dict[str, int]]:
        """{union_id: {month: count}} of 団生 over [first, last] (all unions when ``None``)."""
        product_id = product_id or self.product_id()
        sql = "SELECT union_id, month, count FROM results WHERE product_id = ? AND month BETWEEN ? AND ?"
        args: list[object] = [product_id, first, last]
        if union_ids is not None and len(union_ids) <= 200:  # a few unions: ask for just those
            sql += f" AND union_id IN ({','.join('?' * len(union_ids))})"
            args += list(union_ids)
        rows = self.conn.execute(sql + " ORDER BY union_id", args)
        out: dict[int, dict[str, int]] = {}
        wanted = None if union_ids is None else set(union_ids)
        current, months = None, None
        for union_id, month, count in rows:  # ordered by the primary key: one union after another
            if union_id != current:
                current = union_id
                months = (
                    None
                    if wanted is not None and union_id not in wanted
                    else out.setdefault(union_id, {})
                )
            if months is not None:
                months[month] = count
        return out

    def latest_month(self, fiscal_year: int, first: str, last: str) -> str | None:
        """The latest month in [first, last] holding a 団生 count of a unit designated in the year."""
        row = self.conn.execute(
            "SELECT max(r.month) FROM model_unions m JOIN results r ON r.union_id = m.union_id"
            " AND r.product_id = ? AND r.month BETWEEN ? AND ? AND r.count > 0 WHERE m.fiscal_year = ?",
            (self.product_id(), first, last, fiscal_year),
        ).fetchone()
        return row[0]

    def write_counts(
        self,
        values: Mapping[int, Mapping[str, int]],
        *,
        product_id: int | None = None,
        source: str = "import",
        meanwhile: Callable[[], object] | None = None,
    ) -> tuple[int, int, list[CellChange]]:
        """Write 団生 counts {union_id: {month: count ≥ 0}} in the caller's transaction;
        returns (cells written, cells unchanged, the written cells that held a figure).

        A 0 where no figure is stored is no change (the sheet prints blanks as 0); every
        other difference is written and audited (old → new).  ``meanwhile``: see
        :meth:`ResultRepository.write_bulk` (it runs once, whatever there is to write).
        """
        product_id = product_id or self.product_id()
        months = [m for counts in values.values() for m in counts]
        if not months:
            if meanwhile is not None:
                meanwhile()
            return 0, 0, []
        existing = self.monthly_counts(None, min(months), max(months), product_id)
        return ResultRepository(self.conn).write_bulk(
            product_id, values, existing, source=source, zero_is_blank=True, meanwhile=meanwhile
        )

    def remove_missing(
        self, fiscal_year: int, keep: Iterable[int], *, source: str = "import"
    ) -> list[int]:
        """Remove the year's designations of unions not in ``keep``; returns their ids."""
        gone = [
            union_id
            for (union_id,) in self.conn.execute(
                "SELECT union_id FROM model_unions WHERE fiscal_year = ?"
                " AND union_id NOT IN (SELECT value FROM json_each(?)) ORDER BY union_id",
                (fiscal_year, json.dumps(list(keep))),
            )
        ]
        for union_id in gone:
            self.remove(fiscal_year, union_id, source=source)
        return gone
