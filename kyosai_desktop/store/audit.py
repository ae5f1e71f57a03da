"""The audit trail: one row per changed field (when, who, source, old → new).

:func:`write` is the one function that inserts audit rows; every repository write calls it
(through :func:`record` for a single row) inside its transaction.  It also hands the rows,
with their *typed* old and new values, to any :func:`collecting` block open on the same
connection: that is how an operation (``services/ops``) learns exactly what it changed
without each repository returning it separately.
"""

from __future__ import annotations

import getpass
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

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
}

WHOLE_RECORD = "*"   # the field of a row that creates (old None) or deletes (new None) a record


def source_label(source: str) -> str:
    return SOURCE_LABELS.get(source, source)


def current_actor() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name on some Windows set-ups
        return "unknown"


def _text(value: object) -> str | None:
    return None if value is None else str(value)


@dataclass(frozen=True)
class AuditRow:
    """One changed field: ``old`` / ``new`` are the typed values (a whole-record row holds the
    record itself, or None); ``old_text`` / ``new_text``, when given, are what the trail shows
    instead of ``str(value)`` (e.g. "No.3" for a deleted estimate)."""

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
        stack.remove(rows)
        if not stack:
            _collectors.pop(id(conn), None)


def mark(conn: sqlite3.Connection) -> list[int]:
    """Where each open collector stands (taken when a SAVEPOINT starts)."""
    return [len(rows) for rows in _collectors.get(id(conn), [])]


def rewind(conn: sqlite3.Connection, marks: list[int]) -> None:
    """Forget the rows collected since ``marks`` (their SAVEPOINT was rolled back)."""
    for rows, n in zip(_collectors.get(id(conn), []), marks, strict=False):
        del rows[n:]


def write(conn: sqlite3.Connection, source: str, rows: Iterable[AuditRow], *, at: str | None = None) -> int:
    """Insert audit rows inside the caller's transaction; the one writer of the audit table."""
    rows = list(rows)
    if not rows:
        return 0
    when = at or datetime.now().isoformat(timespec="seconds")
    actor = current_actor()
    conn.executemany(
        "INSERT INTO audit (at, actor, source, table_name, record_key, field, old_value, new_value)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [(when, actor, source, r.table, r.key, r.field, r.stored_old(), r.stored_new()) for r in rows],
    )
    for collected in _collectors.get(id(conn), []):
        collected.extend(rows)
    return len(rows)


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
        rows = self.conn.execute(
            "SELECT at, actor, source, field, old_value, new_value FROM audit"
            " WHERE table_name = ? AND record_key = ? ORDER BY id",
            (table, key),
        ).fetchall()
        return [AuditEntry(*row) for row in rows]

    def count(self) -> int:
        return self.conn.execute("SELECT count(*) FROM audit").fetchone()[0]
