"""Unions (単組): identified by 自治労県コード + 単組コード, both kept as text with zeros."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, fields

from kyosai_desktop.store import audit
from kyosai_desktop.store.ids import new_id
from kyosai_desktop.store.tx import transaction


@dataclass(frozen=True)
class Union:
    id: int
    pref_code: str
    union_code: str
    name: str
    members: int | None = None
    holdings: int | None = None
    figures_as_of: str | None = None
    effective_month: int | None = None
    org_joined: bool = False
    active: bool = True
    note: str | None = None

    @property
    def key(self) -> str:
        """``PP-UUU``, the form used on the command line."""
        return f"{self.pref_code}-{self.union_code}"


EDITABLE = (
    "name",
    "members",
    "holdings",
    "figures_as_of",
    "effective_month",
    "org_joined",
    "active",
    "note",
)
_COLUMNS = ", ".join(f.name for f in fields(Union))


def _from_row(row: sqlite3.Row) -> Union:
    values = list(row)
    values[8] = bool(values[8])
    values[9] = bool(values[9])
    return Union(*values)


def parse_union_key(text: str) -> tuple[str, str]:
    """``"01-003"`` / ``"1-3"`` → ``("01", "003")``."""
    parts = str(text).strip().replace("_", "-").split("-")
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        raise ValueError(f"単組の指定は 県コード-単組コード (例: 01-003) の形式です: {text!r}")
    return parts[0].zfill(2), parts[1].zfill(3)


class UnionRepository:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def list(self, pref_code: str | None = None, *, active_only: bool = False) -> list[Union]:
        sql = f"SELECT {_COLUMNS} FROM unions"
        where, args = [], []
        if pref_code:
            where.append("pref_code = ?")
            args.append(pref_code)
        if active_only:
            where.append("active = 1")
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY pref_code, union_code"
        return [_from_row(r) for r in self.conn.execute(sql, args)]

    def by_ids(self, ids: Iterable[int]) -> dict[int, Union]:
        """The unions of ``ids`` (those that exist), by id."""
        wanted = sorted(set(ids))
        out: dict[int, Union] = {}
        for i in range(0, len(wanted), 500):
            chunk = wanted[i : i + 500]
            sql = f"SELECT {_COLUMNS} FROM unions WHERE id IN ({','.join('?' * len(chunk))})"
            for r in self.conn.execute(sql, chunk):
                u = _from_row(r)
                out[u.id] = u
        return out

    def get(self, union_id: int) -> Union | None:
        row = self.conn.execute(
            f"SELECT {_COLUMNS} FROM unions WHERE id = ?", (union_id,)
        ).fetchone()
        return None if row is None else _from_row(row)

    def find(self, pref_code: str, union_code: str) -> Union | None:
        row = self.conn.execute(
            f"SELECT {_COLUMNS} FROM unions WHERE pref_code = ? AND union_code = ?",
            (pref_code, union_code),
        ).fetchone()
        return None if row is None else _from_row(row)

    def find_key(self, key: str) -> Union | None:
        return self.find(*parse_union_key(key))

    def add(
        self,
        pref_code: str,
        union_code: str,
        name: str,
        *,
        source: str = "master",
        **values: object,
    ) -> Union:
        with transaction(self.conn):
            cur = self.conn.execute(
                "INSERT INTO unions (id, pref_code, union_code, name) VALUES (?, ?, ?, ?)",
                (new_id(self.conn, "unions"), pref_code, union_code, name),
            )
            union_id = int(cur.lastrowid or 0)
            audit.record(
                self.conn,
                source=source,
                table="unions",
                key=str(union_id),
                field="*",
                old=None,
                new=f"{pref_code}-{union_code} {name}",
            )
            if values:
                self._update(union_id, values, source)
        return self.get(union_id)  # type: ignore[return-value]

    def update(self, union_id: int, *, source: str = "master", **values: object) -> Union:
        with transaction(self.conn):
            self._update(union_id, values, source)
        return self.get(union_id)  # type: ignore[return-value]

    def _update(self, union_id: int, values: dict[str, object], source: str) -> None:
        bad = set(values) - set(EDITABLE)
        if bad:
            raise ValueError(f"unknown union fields: {sorted(bad)}")
        old = self.get(union_id)
        if old is None:
            raise KeyError(union_id)
        for key, value in values.items():
            before = getattr(old, key)
            if isinstance(before, bool):
                value = bool(value)
            if before == value:
                continue
            self.conn.execute(f"UPDATE unions SET {key} = ? WHERE id = ?", (value, union_id))
            audit.record(
                self.conn,
                source=source,
                table="unions",
                key=str(union_id),
                field=key,
                old=before,
                new=value,
            )
