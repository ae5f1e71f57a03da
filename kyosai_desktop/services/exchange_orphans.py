"""Changes that refer to a record deleted on the other side (orphans), and settling them.

A laptop enters figures for a union, or an estimate in a campaign, that the office deleted
meanwhile (or the other way round when a laptop is refreshed).  Such a change cannot be
applied — its record would point at nothing — but it must not sink the whole package
either.  The engine (services/exchange_engine.py) holds it back and lists it as an
``orphaned`` conflict that keeps the laptop's whole record and, in ``parents``, the deleted
records it needs as the package knew them (a package carries the laptop's row of every
union / campaign its changes refer to: :func:`parent_rows`).

"Take the laptop's" (:func:`restore_parents`) then re-creates those records, audited:

* a **union** or a **campaign** is re-created from the laptop's row.  The laptop's figures
  and estimates belong to a real union the clerk visited; re-creating it is visible (the
  audit trail and the conflict list say so) and can be undone by deleting it again, while
  refusing would leave the clerk's figures nowhere.  If the office has meanwhile a record
  with the same natural key (the same union code, the same campaign name), the change goes
  to that record instead of creating a second one.  The old id is kept when it is free on
  the office; on a laptop copy (or when the id is taken) a new id is allocated.
* anything else (products, prefectures, fiscal years — master data a clerk does not delete,
  which a package does not carry) is refused with a Japanese message; the data stays as it
  was and "keep the office's" settles the conflict.

The other direction — the laptop deleted a record the office has since given dependants
(an estimate in a campaign the laptop deleted) — is held back too and listed as a
``deleted_laptop`` conflict; "take the laptop's" for it is refused while a dependant that
would block the deletion exists (:func:`dependants`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

# Records "take the laptop's" may re-create when the other side deleted them.
RESTORABLE = ("unions", "estimate_campaigns")
TABLE_LABELS = {
    "unions": "単組",
    "estimate_campaigns": "キャンペーン",
    "products": "商品",
    "prefectures": "都道府県",
    "fiscal_years": "年度",
    "estimates": "見積り",
    "estimate_campaign_unions": "キャンペーンの参加単組",
    "results": "月次実績",
    "targets": "目標",
    "model_unions": "モデル単組",
}
NATURAL_KEYS = {"unions": ("pref_code", "union_code"), "estimate_campaigns": ("name",)}


@dataclass(frozen=True)
class ForeignKey:
    table: str
    parent: str
    cols: tuple[str, ...]
    parent_cols: tuple[str, ...]
    cascade: bool


def _pk(db: Any, table: str) -> list[str]:
    rows = [(r[5], r[1]) for r in db.execute(f"PRAGMA table_info({table})") if r[5]]
    return [name for _, name in sorted(rows)]


def foreign_keys(db: Any, table: str) -> list[ForeignKey]:
    """The foreign keys of ``table`` (works on apsw and sqlite3 connections)."""
    groups: dict[int, list[tuple]] = {}
    for r in db.execute(f"PRAGMA foreign_key_list({table})"):
        groups.setdefault(int(r[0]), []).append(tuple(r))
    out = []
    for rows in groups.values():
        rows.sort(key=lambda r: r[1])
        parent = str(rows[0][2])
        to = [r[4] for r in rows]
        if any(t is None for t in to):
            to = _pk(db, parent)
        out.append(
            ForeignKey(
                table,
                parent,
                tuple(str(r[3]) for r in rows),
                tuple(str(t) for t in to),
                str(rows[0][6]).upper() == "CASCADE",
            )
        )
    return out


def key_of(values: list | tuple) -> str:
    return json.dumps(list(values), ensure_ascii=False)


def _fetch(
    db: Any,
    table: str,
    cols: tuple[str, ...],
    values: list,
    names_cache: dict[str, list[str]] | None = None,
) -> dict | None:
    where = " AND ".join(f"{c} = ?" for c in cols)
    if names_cache is not None and table in names_cache:
        names = names_cache[table]
    else:
        names = [r[1] for r in db.execute(f"PRAGMA table_info({table})")]
        if names_cache is not None:
            names_cache[table] = names
    for row in db.execute(f"SELECT * FROM {table} WHERE {where}", tuple(values)):
        return dict(zip(names, row, strict=True))
    return None


def parent_rows(con: Any, records: list[tuple[str, dict]]) -> dict[str, dict[str, dict]]:
    """The laptop's row of every record ``records`` refer to (for the package; a union, a
    campaign, a product — master data a few hundred bytes each).

    ``records`` are (table, row) of the changed records; the result is
    {table: {json(key values): row}}, parents of parents included.
    """
    out: dict[str, dict[str, dict]] = {}
    fks: dict[str, list[ForeignKey]] = {}
    names: dict[str, list[str]] = {}
    todo = list(records)
    while todo:
        table, row = todo.pop()
        if table not in fks:
            fks[table] = foreign_keys(con, table)
        for fk in fks[table]:
            values = [row.get(c) for c in fk.cols]
            if any(v is None for v in values):
                continue
            key = key_of(values)
            if key in out.get(fk.parent, {}):
                continue
            found = _fetch(con, fk.parent, fk.parent_cols, values, names)
            if found is not None:
                out.setdefault(fk.parent, {})[key] = found
                todo.append((fk.parent, found))
    return out


def chain(db: Any, fk: ForeignKey, values: list, known: dict[str, dict[str, dict]]) -> list:
    """The missing records behind a broken reference, deepest first: [[table, key, row|None]]."""
    row = known.get(fk.parent, {}).get(key_of(values))
    out: list = []
    if row is not None:
        for sub in foreign_keys(db, fk.parent):
            sub_values = [row.get(c) for c in sub.cols]
            if any(v is None for v in sub_values):
                continue
            if _fetch(db, sub.parent, sub.parent_cols, sub_values) is None:
                out += chain(db, sub, sub_values, known)
    out.append([fk.parent, list(values), row])
    return out


def describe_record(table: str, row: dict | None, values: list) -> str:
    """A deleted record as a clerk reads it: 単組 05-003 第3市職員労働組合."""
    label = TABLE_LABELS.get(table, table)
    if row is None:
        return f"{label} (番号 {', '.join(map(str, values))})"
    if table == "unions":
        return f"{label} {row.get('pref_code')}-{row.get('union_code')} {row.get('name')}"
    if table == "estimate_campaigns":
        return f"{label}「{row.get('name')}」"
    return f"{label} {row.get('name') or ', '.join(map(str, values))}"


def deleted_text(parents: list | None) -> str:
    """What was deleted, for the conflict list: 事務所で削除: 単組 05-003 …."""
    if not parents:
        return ""
    return "、".join(describe_record(t, row, values) for t, values, row in parents)


class RestoreRefused(ValueError):
    """ "Take the laptop's" cannot re-create what an orphaned change needs (Japanese)."""


def restore_parents(
    conn: Any,
    parents: list,
    *,
    audit_source: str,
    on_laptop: bool,
) -> dict[tuple[str, str], object]:
    """Re-create the deleted records ``parents`` (deepest first), audited, inside the caller's
    transaction.  Returns {(table, json(old key)): new key value} for records that got
    another id or were matched to an existing record by their natural key."""
    from kyosai_desktop.store import audit
    from kyosai_desktop.store.ids import new_id

    moved: dict[tuple[str, str], object] = {}
    for table, values, row in parents:
        if _fetch(conn, table, tuple(_pk(conn, table)), values) is not None and row is not None:
            same = all(
                _fetch(conn, table, tuple(_pk(conn, table)), values).get(k) == row.get(k)  # type: ignore[union-attr]
                for k in NATURAL_KEYS.get(table, ())
            )
            if same:
                continue  # re-created already (an earlier conflict of the same settlement)
        what = describe_record(table, row, values)
        if table not in RESTORABLE or row is None:
            raise RestoreRefused(
                f"{what} は削除されていて、このパッケージからは復元できないため、ノートPCの値を"
                "採用できません。「事務所の値を残す」で解決してください。何も変更していません。"
            )
        known_cols = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
        row = {c: v for c, v in row.items() if c in known_cols}  # never a name from the package
        for fk in foreign_keys(conn, table):
            vals = [row.get(c) for c in fk.cols]
            to = moved.get((fk.parent, key_of(vals)))
            if to is not None and len(fk.cols) == 1:
                row[fk.cols[0]] = to
        natural = NATURAL_KEYS.get(table, ())
        same_key = _fetch(conn, table, natural, [row[c] for c in natural]) if natural else None
        if same_key is not None:
            moved[(table, key_of(values))] = same_key["id"]
            audit.record(
                conn,
                source=audit_source,
                table=table,
                key=str(same_key["id"]),
                field="*",
                old=None,
                new=f"削除済みの{what} へのノートPCの変更を、同じコードの記録に採用",
            )
            continue
        pk = _pk(conn, table)
        id_taken = _fetch(conn, table, tuple(pk), values) is not None
        if pk == ["id"] and (on_laptop or id_taken):
            row["id"] = new_id(conn, table)  # the office: above every id it deleted, > 0
        cols = [c for c in row if not (c == "id" and row[c] is None)]
        cur = conn.execute(
            f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
            tuple(row[c] for c in cols),
        )
        if pk == ["id"] and row["id"] is None:
            row["id"] = cur.lastrowid
        if pk == ["id"] and row["id"] != values[0]:
            moved[(table, key_of(values))] = row["id"]
        audit.record(
            conn,
            source=audit_source,
            table=table,
            key=":".join(str(row[c]) for c in pk),
            field="*",
            old=None,
            new=f"削除されていた{what} をノートPCの内容で復元",
        )
    return moved


def remap(conn: Any, table: str, row: dict, moved: dict[tuple[str, str], object]) -> dict:
    """``row`` with its references moved to the re-created (or matched) records."""
    row = dict(row)
    for fk in foreign_keys(conn, table):
        vals = [row.get(c) for c in fk.cols]
        to = moved.get((fk.parent, key_of(vals)))
        if to is not None and len(fk.cols) == 1:
            row[fk.cols[0]] = to
    return row


def dependants(conn: Any, table: str, pk_values: list) -> list[tuple[str, int]]:
    """Records that would block deleting (table, pk): [(child table, how many)]."""
    out = []
    for child in [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]:
        for fk in foreign_keys(conn, child):
            if fk.parent != table or fk.cascade:
                continue
            where = " AND ".join(f"{c} = ?" for c in fk.cols)
            n = conn.execute(f"SELECT count(*) FROM {child} WHERE {where}", tuple(pk_values))
            count = int(next(iter(n))[0])
            if count:
                out.append((child, count))
    return out
