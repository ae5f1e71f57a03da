"""Monthly new-contract counts per union × product × effective month (発効年月).

A cleared cell is a deleted row; 0 is a real figure.  Every write records its old and
new value in the audit table in the same transaction, and each call is one commit.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import NamedTuple

from kyosai_desktop.store import audit
from kyosai_desktop.store.tx import execute_beside, transaction


class CellChange(NamedTuple):
    """One cell's new figure (None clears it) and what it held (None: absent).  A named tuple:
    an import builds tens of thousands of them."""

    union_id: int
    product_id: int
    month: str
    new: int | None
    old: int | None = None


# The statements that write ``results`` (this module is their one home).
_INSERT = "INSERT INTO results (union_id, product_id, month, count) VALUES (?, ?, ?, ?)"
_UPSERT = (
    _INSERT + " ON CONFLICT (union_id, product_id, month) DO UPDATE SET count = excluded.count"
)
_DELETE = "DELETE FROM results WHERE "
# write_bulk's statements over its JSON text {union_id: {month: new, or [old, new] where a
# figure is stored}}: the cells in the text's order, each union's months in order.
_BULK_CELLS = "FROM json_each(:cells) AS u, json_each(u.value) AS m"
_BULK_INSERT = (
    "INSERT INTO results (union_id, product_id, month, count)"
    f" SELECT CAST(u.key AS INTEGER), :product, m.key, m.value {_BULK_CELLS}"
    " WHERE m.type = 'integer'"
)
_BULK_UPDATE = (
    "INSERT INTO results (union_id, product_id, month, count)"
    f" SELECT CAST(u.key AS INTEGER), :product, m.key, json_extract(m.value, '$[1]') {_BULK_CELLS}"
    " WHERE m.type = 'array'"
    " ON CONFLICT (union_id, product_id, month) DO UPDATE SET count = excluded.count"
)


def _compact_trail(
    product_id: int, cells: Mapping[str, Mapping[str, int | list[int]]]
) -> list[tuple[str, str, str, str | None, str | None]]:
    """The compact audit rows (``audit.COMPACT``) of write_bulk's cells {union_id: {month:
    new, or [old, new]}}: one row per union, its cells' old → new as JSON text; a union
    with one cell as a plain row.  Months are YYYY-MM and counts whole numbers (the
    table's CHECKs refuse anything else), so the JSON is written out as it is."""
    out: list[tuple[str, str, str, str | None, str | None]] = []
    for union_id, group in cells.items():
        prefix = f"{union_id}:{product_id}"
        if len(group) == 1:
            ((month, value),) = group.items()
            if isinstance(value, list):
                out.append(
                    ("results", f"{prefix}:{month}", "count", f"{value[0]:d}", f"{value[1]:d}")
                )
            else:
                out.append(("results", f"{prefix}:{month}", "count", None, f"{value:d}"))
            continue
        text = ",".join(
            [
                f'"{m}":["{v[0]:d}","{v[1]:d}"]' if isinstance(v, list) else f'"{m}":[null,"{v:d}"]'
                for m, v in group.items()
            ]
        )
        out.append(("results", prefix + audit.COMPACT, "count", None, f"{{{text}}}"))
    return out


def record_key(union_id: int, product_id: int, month: str) -> str:
    return f"{union_id}:{product_id}:{month}"


class ResultRepository:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def get(self, union_id: int, product_id: int, month: str) -> int | None:
        row = self.conn.execute(
            "SELECT count FROM results WHERE union_id = ? AND product_id = ? AND month = ?",
            (union_id, product_id, month),
        ).fetchone()
        return None if row is None else row[0]

    def month_grid(self, month: str, pref_code: str | None = None) -> dict[tuple[int, int], int]:
        """{(union_id, product_id): count} for one month, optionally only one prefecture's unions."""
        if pref_code is None:
            rows = self.conn.execute(
                "SELECT union_id, product_id, count FROM results WHERE month = ?", (month,)
            )
        else:
            rows = self.conn.execute(
                "SELECT r.union_id, r.product_id, r.count FROM unions u"
                " JOIN results r ON r.union_id = u.id AND r.month = ? WHERE u.pref_code = ?",
                (month, pref_code),
            )
        return {(u, p): c for u, p, c in rows}

    def latest_month(self, pref_code: str | None = None) -> str | None:
        """The latest effective month holding any figure (of one prefecture's unions), or None."""
        if pref_code is None:
            row = self.conn.execute("SELECT max(month) FROM results").fetchone()
        else:
            row = self.conn.execute(
                "SELECT max(r.month) FROM unions u JOIN results r ON r.union_id = u.id"
                " WHERE u.pref_code = ?",
                (pref_code,),
            ).fetchone()
        return row[0]

    def union_grid(self, union_id: int, first: str, last: str) -> dict[tuple[int, str], int]:
        """{(product_id, month): count} for one union over a month range."""
        rows = self.conn.execute(
            "SELECT product_id, month, count FROM results WHERE union_id = ? AND month BETWEEN ? AND ?",
            (union_id, first, last),
        )
        return {(p, m): c for p, m, c in rows}

    def totals_by_product(
        self, first: str, last: str, pref_code: str | None = None
    ) -> dict[int, int]:
        """Σ count per product over [first, last], optionally only the prefecture's unions."""
        if pref_code is None:
            rows = self.conn.execute(
                "SELECT product_id, sum(count) FROM results WHERE month BETWEEN ? AND ? GROUP BY product_id",
                (first, last),
            )
        else:
            rows = self.conn.execute(
                "SELECT r.product_id, sum(r.count) FROM results r JOIN unions u ON u.id = r.union_id"
                " WHERE r.month BETWEEN ? AND ? AND u.pref_code = ? GROUP BY r.product_id",
                (first, last, pref_code),
            )
        return {p: s for p, s in rows}

    def union_totals(self, product_id: int, first: str, last: str) -> dict[int, int]:
        """Σ count per union for one product over [first, last]."""
        rows = self.conn.execute(
            "SELECT union_id, sum(count) FROM results WHERE product_id = ? AND month BETWEEN ? AND ?"
            " GROUP BY union_id",
            (product_id, first, last),
        )
        return {u: s for u, s in rows}

    def monthly(
        self, union_ids: Sequence[int], product_id: int, first: str, last: str
    ) -> dict[tuple[int, str], int]:
        """{(union_id, month): count} for several unions of one product."""
        out: dict[tuple[int, str], int] = {}
        for chunk_start in range(0, len(union_ids), 500):
            chunk = list(union_ids[chunk_start : chunk_start + 500])
            marks = ",".join("?" * len(chunk))
            rows = self.conn.execute(
                f"SELECT union_id, month, count FROM results WHERE product_id = ? AND month BETWEEN ? AND ?"
                f" AND union_id IN ({marks})",
                (product_id, first, last, *chunk),
            )
            out.update({(u, m): c for u, m, c in rows})
        return out

    def apply(self, changes: Iterable[CellChange], *, source: str = "entry") -> list[CellChange]:
        """Write several cells as one edit (one commit); return them with their old values.

        Cells whose value does not change are skipped (and not audited).
        """
        with transaction(self.conn):
            done = []
            for ch in changes:
                old = self.get(ch.union_id, ch.product_id, ch.month)
                if old != ch.new:
                    done.append(CellChange(ch.union_id, ch.product_id, ch.month, ch.new, old))
            self.write(done, source=source)
        return done

    def write(self, changes: Sequence[CellChange], *, source: str) -> None:
        """The one writer of ``results`` cell by cell (:meth:`write_bulk` for a national
        sheet): store each ``new`` (None deletes the figure) and audit ``old`` → ``new``, in
        the caller's transaction (or one commit of its own).

        ``old`` must be what the table holds now (``apply`` reads it), so a cell whose ``old``
        is None is known to be absent and gets a plain INSERT.
        """
        deletes, inserts, updates = [], [], []
        for union_id, product_id, month, new, old in changes:
            if new is None:
                deletes.append((union_id, product_id, month))
            elif new < 0:
                raise ValueError("件数は0以上の整数です。")
            elif old is None:  # known absent: a plain insert
                inserts.append((union_id, product_id, month, new))
            else:
                updates.append((union_id, product_id, month, new))
        if not changes:
            return
        with transaction(self.conn):
            if deletes:
                self.conn.executemany(
                    _DELETE + "union_id = ? AND product_id = ? AND month = ?", deletes
                )
            if inserts:
                self.conn.executemany(_INSERT, inserts)
            if updates:
                self.conn.executemany(_UPSERT, updates)
            audit.write(
                self.conn,
                source,
                [
                    audit.AuditRow("results", record_key(u, p, m), "count", old, new)
                    for u, p, m, new, old in changes
                ],
            )

    def write_bulk(
        self,
        product_id: int,
        values: Mapping[int, Mapping[str, int]],
        existing: Mapping[int, Mapping[str, int]],
        *,
        source: str,
        zero_is_blank: bool = False,
        meanwhile: Callable[[], object] | None = None,
    ) -> tuple[int, int, list[CellChange]]:
        """Write many cells of one product {union_id: {month: count ≥ 0}}, compared with
        ``existing`` (what the table holds for them now, read by the caller in one query):
        plain inserts where a cell is absent, the audit compact.  Returns (cells written,
        cells unchanged, the written cells that held a figure).  ``zero_is_blank``: a 0
        where nothing is stored is no change (a printed sheet shows blanks as 0).

        The same writes as :meth:`write`, but the cells go to SQLite as one JSON text that
        two statements insert and update from (``_BULK_*``): no Python object per cell for a
        union with nothing stored (a national sheet's first import), and SQLite works through
        the cells with the GIL released.  The audit is compact: one row per union and product
        with every cell's old → new in it (``audit.COMPACT``)."""
        cells: dict[str, Mapping[str, int | list[int]]] = {}
        overwritten: list[CellChange] = []
        collected: list[audit.AuditRow] | None = [] if audit.is_collecting(self.conn) else None
        unchanged = 0
        for union_id, counts in values.items():
            stored = existing.get(union_id)
            if not stored:  # nothing stored: every cell is a plain insert
                fresh = {m: v for m, v in counts.items() if v} if zero_is_blank else counts
                unchanged += len(counts) - len(fresh)
                if not fresh:
                    continue
                if min(fresh.values()) < 0:
                    raise ValueError("件数は0以上の整数です。")
                cells[str(union_id)] = fresh
                if collected is not None:  # an operation's change set: typed values
                    collected += [
                        audit.AuditRow("results", f"{union_id}:{product_id}:{m}", "count", None, v)
                        for m, v in fresh.items()
                    ]
                continue
            group: dict[str, int | list[int]] = {}
            for month, new in counts.items():
                old = stored.get(month)
                if old == new or (zero_is_blank and old is None and new == 0):
                    unchanged += 1
                    continue
                if new < 0:
                    raise ValueError("件数は0以上の整数です。")
                if old is None:
                    group[month] = new
                else:
                    group[month] = [old, new]
                    overwritten.append(CellChange(union_id, product_id, month, new, old))
                if collected is not None:
                    key = f"{union_id}:{product_id}:{month}"
                    collected.append(audit.AuditRow("results", key, "count", old, new))
            if group:
                cells[str(union_id)] = group
        written = sum(len(group) for group in cells.values())
        if not written:
            if meanwhile is not None:
                meanwhile()
            return 0, unchanged, []
        payload = json.dumps(cells, separators=(",", ":"))
        trail: list[tuple[str, str, str, str | None, str | None]] = []

        def beside() -> None:  # Python work while SQLite inserts (tx.execute_beside)
            trail.extend(_compact_trail(product_id, cells))
            if meanwhile is not None:
                meanwhile()

        with transaction(self.conn):
            args = {"cells": payload, "product": product_id}
            execute_beside(self.conn, _BULK_INSERT, args, beside)
            if overwritten:
                self.conn.execute(_BULK_UPDATE, args)
            audit.write_texts(self.conn, source, trail)
            if collected is not None:
                audit.hand_over(self.conn, collected)
        return written, unchanged, overwritten

    def set(
        self,
        union_id: int,
        product_id: int,
        month: str,
        value: int | None,
        *,
        source: str = "entry",
    ) -> int | None:
        """Set one cell (None clears it); return the old value."""
        done = self.apply([CellChange(union_id, product_id, month, value)], source=source)
        return done[0].old if done else value
