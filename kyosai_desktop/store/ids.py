"""Ids of records two machines can create (unions, products, targets, campaigns, estimates).

The office database keeps SQLite's own allocation (positive, max + 1).  A laptop copy gets a
random block number k at its first opening and allocates in its own negative block
``[-(k+1)·2^32, -k·2^32)``, ascending.  An id made on one machine therefore never means
another record on another machine, so a laptop's changes travel with their ids unchanged
(services/exchange.py) and the audit trail's keys stay valid everywhere.  The office never
gives out again the id of a record it deleted (db/011), nor an id ≤ 0 (a table holding only
laptop-made rows), and a laptop never the id of a record of its block it deleted (db/012,
kept across a refresh), so a change to a deleted record is recognised as such instead of
landing on a newer record.  A laptop copy
also has triggers (``exchange_guard_*``) refusing a positive id, so a write path that
forgot to call :func:`new_id` fails loudly instead of colliding later.
"""

from __future__ import annotations

import sqlite3

BLOCK = 1 << 32
MAX_BLOCK = 1 << 24
# Tables whose integer primary key is made by the database that adds the record.
ALLOCATED_TABLES = ("unions", "products", "targets", "estimate_campaigns", "estimates")


def block_range(block: int) -> tuple[int, int]:
    """The inclusive id range of laptop block ``block`` (1 … MAX_BLOCK)."""
    return -(block + 1) * BLOCK, -block * BLOCK - 1


def id_block(conn: sqlite3.Connection) -> int | None:
    """This database's laptop block, or None on an office database (or before 008)."""
    try:
        row = conn.execute("SELECT value FROM exchange_state WHERE key = 'id_block'").fetchone()
    except sqlite3.OperationalError:  # a database not yet migrated to 008
        return None
    return None if row is None or row[0] is None else int(row[0])


def new_id(conn: sqlite3.Connection, table: str) -> int | None:
    """The id for a new row of ``table``: on the office database None (let SQLite choose)
    unless SQLite would give out a deleted record's id again or an id ≤ 0 (then the first
    positive id above both), on a laptop copy the next free id of its block above every id of
    its block it deleted (db/012)."""
    if table not in ALLOCATED_TABLES:
        raise ValueError(f"{table} does not allocate its ids here")
    block = id_block(conn)
    if block is None:
        return _above_deleted(conn, table)
    lo, hi = block_range(block)
    row = conn.execute(f"SELECT max(id) FROM {table} WHERE id BETWEEN ? AND ?", (lo, hi)).fetchone()
    first = lo if row[0] is None else int(row[0]) + 1
    deleted = _state_int(conn, f"laptop_deleted_max:{table}")
    if deleted is not None and lo <= deleted <= hi:
        first = max(first, deleted + 1)
    if first > hi:
        raise ValueError(f"{table}: この持ち出し用コピーの番号の範囲を使い切りました。")
    return first


def new_ids(conn: sqlite3.Connection, table: str, n: int) -> list[int] | None:
    """Ids for ``n`` new rows of ``table`` at once (see :func:`new_id`), ascending: None on
    the office database (SQLite's max + 1 …) unless that would give out a deleted record's id
    again or an id ≤ 0 (then the ``n`` ids above it), on a laptop copy the next ``n`` free ids
    of its block."""
    first = new_id(conn, table)
    if first is None:
        return None
    if id_block(conn) is None:  # the office, above an id it deleted (or above 0)
        return list(range(first, first + n))
    lo, hi = block_range(id_block(conn) or 0)
    if first + n - 1 > hi:
        raise ValueError(f"{table}: この持ち出し用コピーの番号の範囲を使い切りました。")
    return list(range(first, first + n))


def _state_int(conn: sqlite3.Connection, key: str) -> int | None:
    try:
        row = conn.execute("SELECT value FROM exchange_state WHERE key = ?", (key,)).fetchone()
    except sqlite3.OperationalError:  # a database not yet migrated to 008
        return None
    return None if row is None or row[0] is None else int(row[0])


def _above_deleted(conn: sqlite3.Connection, table: str) -> int | None:
    """On the office: None (SQLite's max + 1) unless that would give out again the id of a
    deleted record (db/011 keeps the highest deleted id; AUTOINCREMENT tables their sequence)
    or an id ≤ 0 — a table holding only laptop-made (negative) rows, where max + 1 would lie
    in a laptop's block — else the first positive id above both."""
    floor = max(_state_int(conn, f"deleted_max:{table}") or 0, 0)
    try:
        seq = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = ?", (table,)).fetchone()
    except sqlite3.OperationalError:  # no AUTOINCREMENT table in this database
        seq = None
    if seq is not None and seq[0] is not None:
        floor = max(floor, int(seq[0]))
    top = conn.execute(f"SELECT max(id) FROM {table}").fetchone()[0]
    return floor + 1 if top is None or top <= floor else None


def guard_sql(table: str) -> str:
    """The laptop-only trigger refusing an id SQLite chose by itself (positive)."""
    return (
        f"CREATE TRIGGER IF NOT EXISTS exchange_guard_{table} AFTER INSERT ON {table}"
        f" WHEN NEW.id > 0 BEGIN SELECT RAISE(ABORT,"
        f" '持ち出し用コピーでは、この記録をこの方法で追加できません (番号の割り当てがありません)。'); END"
    )
