"""Where the app finds its bundled files (migrations, seeds, fonts) and keeps user data.

Three layouts are supported: a source checkout / editable install (``db/`` and
``resources/`` beside the package), a wheel (copied to ``kyosai_desktop/_data``) and a
PyInstaller bundle (``sys._MEIPASS``).  User data lives in the per-user data directory,
never beside the program.
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

from platformdirs import user_data_path

from kyosai_desktop import APP_NAME

_PKG = Path(__file__).resolve().parent


@cache
def _data_root() -> Path:
    candidates = []
    meipass = getattr(sys, "_MEIPASS", None)
    if meipass:
        candidates.append(Path(meipass))
    candidates += [_PKG / "_data", _PKG.parent]
    for root in candidates:
        if (root / "db").is_dir() and (root / "resources").is_dir():
            return root
    raise RuntimeError(
        "同梱データ (db/, resources/) が見つかりません。インストールをやり直してください。"
    )


def migrations_dir() -> Path:
    return _data_root() / "db"


def seed_dir() -> Path:
    return _data_root() / "db" / "seed"


def resources_dir() -> Path:
    return _data_root() / "resources"


def font_path() -> Path:
    return resources_dir() / "fonts" / "kyosai-gothic.ttf"


def user_data_dir() -> Path:
    return user_data_path(APP_NAME, appauthor=False, ensure_exists=True)


def default_db_path() -> Path:
    return user_data_dir() / "kyosai.sqlite3"


def backups_dir_for(db_path: Path) -> Path:
    """Backups sit in a ``backups`` folder next to the database they protect."""
    path = Path(db_path).resolve().parent / "backups"
    path.mkdir(parents=True, exist_ok=True)
    return path
