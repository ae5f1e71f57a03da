"""The laptop exchange's state and status, light enough for the main window's start-up.

Split from services/exchange.py (which re-exports everything here) so the status bar and
the window title can show the exchange state without importing the package engine (apsw,
socket, uuid, hashlib: about 20–40 ms of the start-up, tests/bench_foundation.py).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass


def get_state(conn, key: str, default: str | None = None) -> str | None:
    rows = conn.execute("SELECT value FROM exchange_state WHERE key = ?", (key,)).fetchall()
    return default if not rows else rows[0][0]


def set_state(conn, **values: object) -> None:
    for key, value in values.items():
        conn.execute(
            "INSERT INTO exchange_state (key, value) VALUES (?, ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, None if value is None else str(value)),
        )


@dataclass(frozen=True)
class ExchangeStatus:
    role: str  # office / laptop
    pending: int  # laptop: records changed since its last package
    database_id: str
    origin_id: str | None
    label: str | None
    taken_at: str | None  # laptop: when its base was taken at the office
    last_exchange_at: str | None
    open_conflicts: int
    exported: int  # laptop: packages written

    def as_dict(self) -> dict:
        return self.__dict__.copy()


def status(conn: sqlite3.Connection) -> ExchangeStatus:
    role = get_state(conn, "role") or "office"
    pending = 0
    if role == "laptop":
        marker = int(get_state(conn, "pending_marker", "0") or 0)
        pending = conn.execute(
            "SELECT count(*) FROM (SELECT DISTINCT table_name, record_key FROM audit WHERE id > ?)",
            (marker,),
        ).fetchone()[0]
    open_n = conn.execute(
        "SELECT count(*) FROM exchange_conflicts WHERE settled_at IS NULL"
    ).fetchone()[0]
    return ExchangeStatus(
        role,
        pending,
        get_state(conn, "database_id") or "",
        get_state(conn, "origin_id"),
        get_state(conn, "label"),
        get_state(conn, "base_taken_at"),
        get_state(conn, "last_exchange_at"),
        open_n,
        int(get_state(conn, "export_seq", "0") or 0),
    )
