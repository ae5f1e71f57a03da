"""Numbered SQL migrations from ``db/NNN_name.sql``.

The schema version is SQLite's ``user_version``.  Each migration runs in one transaction
together with its version bump, so a failure leaves the previous version intact.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from kyosai_desktop.paths import migrations_dir
from kyosai_desktop.store.errors import MigrationError

_NAME_RE = re.compile(r"^(\d{3})_[\w-]+\.sql$")


@dataclass(frozen=True)
class Migration:
    version: int
    path: Path

    def sql(self) -> str:
        return self.path.read_text(encoding="utf-8")


def available_migrations(folder: Path | None = None) -> list[Migration]:
    folder = folder or migrations_dir()
    found = []
    for path in sorted(folder.glob("*.sql")):
        m = _NAME_RE.match(path.name)
        if m:
            found.append(Migration(int(m.group(1)), path))
    versions = [m.version for m in found]
    if versions != list(range(1, len(versions) + 1)):
        raise MigrationError(f"マイグレーションの番号が連続していません: {versions}")
    return found


def latest_version() -> int:
    migrations = available_migrations()
    return migrations[-1].version if migrations else 0


def current_version(conn: sqlite3.Connection) -> int:
    return conn.execute("PRAGMA user_version").fetchone()[0]


def apply_migrations(
    conn: sqlite3.Connection, migrations: list[Migration] | None = None
) -> list[int]:
    """Apply every migration above the current version; return the versions applied."""
    applied = []
    for mig in migrations if migrations is not None else available_migrations():
        if mig.version <= current_version(conn):
            continue
        statements = _split_statements(mig.sql())
        try:
            conn.execute("BEGIN IMMEDIATE")
            for stmt in statements:
                conn.execute(stmt)
            conn.execute(f"PRAGMA user_version = {mig.version:d}")
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            if conn.in_transaction:  # SQLite rolls back by itself on some errors (a full disk)
                conn.execute("ROLLBACK")
            raise MigrationError(
                f"データベースの更新 (バージョン {mig.version}) に失敗しました。"
                f"データは更新前のままです。詳細: {exc}"
            ) from exc
        applied.append(mig.version)
    return applied


def _split_statements(script: str) -> list[str]:
    """Split a migration script into complete statements (respecting triggers/strings)."""
    statements, buf = [], ""
    for line in script.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            if buf.strip():
                statements.append(buf.strip())
            buf = ""
    if buf.strip() and not all(
        not part.strip() or part.strip().startswith("--") for part in buf.splitlines()
    ):
        raise MigrationError("マイグレーションの SQL が途中で終わっています。")
    return statements
