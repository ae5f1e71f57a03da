"""The audit trail: one row per changed field (when, who, source, old → new)."""

from __future__ import annotations

import getpass
import sqlite3
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


def source_label(source: str) -> str:
    return SOURCE_LABELS.get(source, source)


def current_actor() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name on some Windows set-ups
        return "unknown"


def _text(value: object) -> str | None:
    return None if value is None else str(value)


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
) -> None:
    """Write one audit row inside the caller's transaction."""
    conn.execute(
        "INSERT INTO audit (at, actor, source, table_name, record_key, field, old_value, new_value)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            at or datetime.now().isoformat(timespec="seconds"),
            current_actor(),
            source,
            table,
            key,
            field,
            _text(old),
            _text(new),
        ),
    )


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
