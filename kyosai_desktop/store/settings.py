"""Key/value settings of this database (which branch it belongs to, thresholds)."""

from __future__ import annotations

import sqlite3

from kyosai_desktop.store import audit
from kyosai_desktop.store.tx import transaction

BRANCH_KEY = "branch_pref_code"
ORG_JOIN_THRESHOLD_KEY = "org_join_threshold_percent"


class SettingsRepository:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def get(self, key: str, default: str | None = None) -> str | None:
        row = self.conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return default if row is None else row[0]

    def with_prefix(self, prefix: str) -> dict[str, str | None]:
        """{key without the prefix: value} for every setting whose key starts with ``prefix``."""
        rows = self.conn.execute(
            "SELECT key, value FROM settings WHERE substr(key, 1, ?) = ?", (len(prefix), prefix)
        )
        return {key[len(prefix) :]: value for key, value in rows}

    def set(self, key: str, value: str | None, *, source: str = "master") -> None:
        old = self.get(key)
        if old == value:
            return
        with transaction(self.conn):
            self.conn.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?)"
                " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )
            audit.record(
                self.conn,
                source=source,
                table="settings",
                key=key,
                field="value",
                old=old,
                new=value,
            )

    @property
    def branch_pref_code(self) -> str | None:
        return self.get(BRANCH_KEY)

    def set_branch(self, pref_code: str) -> None:
        exists = self.conn.execute(
            "SELECT 1 FROM prefectures WHERE code = ?", (pref_code,)
        ).fetchone()
        if not exists:
            raise ValueError(f"県コード「{pref_code}」は登録されていません。")
        self.set(BRANCH_KEY, pref_code)

    @property
    def org_join_threshold(self) -> float:
        return float(self.get(ORG_JOIN_THRESHOLD_KEY, "80") or 80)
