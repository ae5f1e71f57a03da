"""The audit trail: one row per changed field (when, who, source, old → new).

:func:`write` is the one function that inserts audit rows; every repository write calls it
(through :func:`record` for a single row) inside its transaction — a bulk writer calls
:func:`write_select`, whose rows SQLite makes from the same JSON text it writes from.  It also hands the rows,
with their *typed* old and new values, to any :func:`collecting` block open on the same
connection: that is how an operation (``services/ops``) learns exactly what it changed
without each repository returning it separately.
"""

from __future__ import annotations

import getpass
import json
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

# How each writer of the audit trail is named to the clerk, in every history dialog.
SOURCE_LABELS = {
    "entry": "入力",
    "paste": "貼り付け",
    "clear": "削除",
    "undo": "元に戻す",
    "redo": "やり直し",
    "import": "取り込み",
    "master": "マスタ編集",
    "demo": "デモデータ",
    "exchange-resolve": "競合の解決",
}
# A change taken from a laptop copy's package: "exchange:<the laptop's name>".
EXCHANGE_PREFIX = "exchange:"

WHOLE_RECORD = "*"  # the field of a row that creates (old None) or deletes (new None) a record
# A compact row of a bulk import holds the cells of one record-key prefix ("12:3" of "12:3:2024-06"):
# its key is the prefix + COMPACT, its new_value {"2024-06": [old, new], …} (JSON).  history()
# reads it back as one entry per cell, so every cell's history stays complete.
COMPACT = ":*"


_INSERT_FROM = (
    "INSERT INTO audit (at, actor, source, table_name, record_key, field, old_value, new_value)"
)
_INSERT = _INSERT_FROM + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"


def source_label(source: str) -> str:
    if source.startswith(EXCHANGE_PREFIX):
        return f"持ち帰り ({source[len(EXCHANGE_PREFIX) :]})"
    return SOURCE_LABELS.get(source, source)


def current_actor() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name on some Windows set-ups
        return "unknown"


def _text(value: object) -> str | None:
    return None if value is None else str(value)


class AuditRow(NamedTuple):
    """One changed field: ``old`` / ``new`` are the typed values (a whole-record row holds the
    record itself, or None); ``old_text`` / ``new_text``, when given, are what the trail shows
    instead of ``str(value)`` (e.g. "No.3" for a deleted estimate).

    A named tuple rather than a frozen dataclass: a national import makes fifty thousand of
    them, and a tuple is built three to four times faster."""

    table: str
    key: str
    field: str
    old: object
    new: object
    old_text: str | None = None
    new_text: str | None = None

    def stored_old(self) -> str | None:
        return self.old_text if self.old_text is not None else _text(self.old)

    def stored_new(self) -> str | None:
        return self.new_text if self.new_text is not None else _text(self.new)


_collectors: dict[int, list[list[AuditRow]]] = {}


@contextmanager
def collecting(conn: sqlite3.Connection) -> Iterator[list[AuditRow]]:
    """Collect every audit row written on ``conn`` inside the block (nested blocks each see all)."""
    rows: list[AuditRow] = []
    stack = _collectors.setdefault(id(conn), [])
    stack.append(rows)
    try:
        yield rows
    finally:
        del stack[
            next(i for i, r in enumerate(stack) if r is rows)
        ]  # by identity: equal lists are not the same block
        if not stack:
            _collectors.pop(id(conn), None)


def mark(conn: sqlite3.Connection) -> list[int]:
    """Where each open collector stands (taken when a SAVEPOINT starts)."""
    return [len(rows) for rows in _collectors.get(id(conn), [])]


def rewind(conn: sqlite3.Connection, marks: list[int]) -> None:
    """Forget the rows collected since ``marks`` (their SAVEPOINT was rolled back)."""
    for rows, n in zip(_collectors.get(id(conn), []), marks, strict=False):
        del rows[n:]


def write(
    conn: sqlite3.Connection,
    source: str,
    rows: Iterable[AuditRow],
    *,
    at: str | None = None,
    actor: str | None = None,
) -> int:
    """Insert audit rows inside the caller's transaction; the one writer of the audit table
    (bulk writers insert theirs in SQL, stamped by :func:`stamp`, and hand the typed rows to
    the collectors with :func:`hand_over`).

    ``at`` / ``actor`` default to now and this computer's user (a change taken from a laptop
    copy keeps the laptop's time and clerk).
    """
    rows = list(rows)
    if not rows:
        return 0
    when, actor = stamp(at, actor)
    params = [  # stored_old() / stored_new(), unrolled: tens of thousands for an import
        (
            when,
            actor,
            source,
            table,
            key,
            field,
            old_text if old_text is not None else None if old is None else str(old),
            new_text if new_text is not None else None if new is None else str(new),
        )
        for table, key, field, old, new, old_text, new_text in rows
    ]
    conn.executemany(_INSERT, params)
    for collected in _collectors.get(id(conn), []):
        collected.extend(rows)
    return len(rows)


def carry(conn: sqlite3.Connection, rows: Iterable[tuple]) -> None:
    """Copy audit rows written elsewhere, as they were: (at, actor, source, table, key, field,
    old text, new text) — a laptop copy keeps its own history when it is refreshed."""
    conn.executemany(_INSERT, list(rows))


def stamp(at: str | None = None, actor: str | None = None) -> tuple[str, str]:
    """(when, who) of audit rows written now: ``at`` / ``actor`` when given, else now and
    this computer's user.  For writers that insert audit rows in SQL (a bulk import's)."""
    return at or datetime.now().isoformat(timespec="seconds"), actor or current_actor()


def write_texts(
    conn: sqlite3.Connection,
    source: str,
    rows: Sequence[tuple[str, str, str, str | None, str | None]],
) -> int:
    """Insert audit rows already written out as text — (table, record key, field, old text,
    new text) — inside the caller's transaction: a bulk writer's compact rows
    (``COMPACT``).  The caller hands the typed rows to :func:`hand_over` when
    :func:`is_collecting`."""
    when, who = stamp()
    conn.executemany(_INSERT, [(when, who, source, *row) for row in rows])
    return len(rows)


def write_select(
    conn: sqlite3.Connection,
    source: str,
    select: str,
    args: Mapping[str, object],
    *,
    at: str | None = None,
    actor: str | None = None,
) -> int:
    """Insert the audit rows ``select`` returns — (table, record key, field, old text, new
    text), in order — inside the caller's transaction: a bulk writer's trail made by SQLite
    from the same JSON text its rows are written from, without a Python object per row.
    The caller hands the typed rows to :func:`hand_over` when :func:`is_collecting`."""
    when, who = stamp(at, actor)
    cursor = conn.execute(
        f"{_INSERT_FROM} SELECT :audit_at, :audit_actor, :audit_source, * FROM ({select})",
        {**args, "audit_at": when, "audit_actor": who, "audit_source": source},
    )
    return cursor.rowcount


def is_collecting(conn: sqlite3.Connection) -> bool:
    """Whether a :func:`collecting` block is open on ``conn`` (rows must then be handed over)."""
    return bool(_collectors.get(id(conn)))


def hand_over(conn: sqlite3.Connection, rows: list[AuditRow]) -> None:
    """Give rows a bulk writer inserted in SQL to the collectors open on ``conn``."""
    for collected in _collectors.get(id(conn), []):
        collected.extend(rows)


def record(
    conn: sqlite3.Connection,
    *,
    source: str,
    table: str,
    key: str,
    field: str,
    old: object,
    new: object,
    at: str | None = None,
    old_text: str | None = None,
    new_text: str | None = None,
) -> None:
    """Write one audit row inside the caller's transaction (see :func:`write`)."""
    write(conn, source, [AuditRow(table, key, field, old, new, old_text, new_text)], at=at)


@dataclass(frozen=True)
class AuditEntry:
    at: str
    actor: str
    source: str
    field: str
    old: str | None
    new: str | None


class AuditRepository:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def history(self, table: str, key: str) -> list[AuditEntry]:
        """Every change of one record, oldest first, compact bulk-import rows included."""
        prefix, sep, last = key.rpartition(":")
        keys = (key, prefix + COMPACT) if sep else (key, key)
        rows = self.conn.execute(
            "SELECT at, actor, source, field, old_value, new_value, record_key FROM audit"
            " WHERE table_name = ? AND record_key IN (?, ?) ORDER BY id",
            (table, *keys),
        ).fetchall()
        out = []
        for at, actor, source, field, old, new, record_key in rows:
            if record_key == key:
                out.append(AuditEntry(at, actor, source, field, old, new))
                continue
            cell = json.loads(new or "{}").get(last)
            if cell is not None:
                out.append(AuditEntry(at, actor, source, field, cell[0], cell[1]))
        return out

    def count(self) -> int:
        return self.conn.execute("SELECT count(*) FROM audit").fetchone()[0]
