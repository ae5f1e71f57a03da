"""Shared helpers for the foundation GUI tests (master page, setup, progress, restore)."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

TABLES = (
    "settings",
    "prefectures",
    "unions",
    "products",
    "fiscal_years",
    "targets",
    "results",
    "audit",
)


def digest(path: Path | str, tables=TABLES) -> str:
    """Content of the user tables, read through a separate connection (what is on disk)."""
    con = sqlite3.connect(path)
    try:
        parts = [repr(con.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall()) for t in tables]
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()
    finally:
        con.close()


def on_disk(path: Path | str, sql: str, args=()) -> list[tuple]:
    """Rows as another process would see them: proves an edit was committed."""
    con = sqlite3.connect(path)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path_factory, qapp):
    """QSettings (window geometry, last page) in a temporary folder, never the user's."""
    from PySide6.QtCore import QSettings

    folder = tmp_path_factory.mktemp("qsettings")
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(folder))
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    QSettings().clear()
    yield folder
