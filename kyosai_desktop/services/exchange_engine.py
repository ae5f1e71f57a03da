"""The exchange engine: SQLite's session extension (through ``apsw``) plus the merge rules.

* :func:`diff_changes` makes the changeset base → laptop with ``sqlite3session_diff``.  On a
  laptop copy, triggers note every changed record in ``exchange_dirty``; the diff then runs on
  just those records (copied into memory from both files), so a national-size database is
  not compared row by row.  A table without triggers is diffed whole.
* :func:`apply_changes` applies a changeset with ``sqlite3changeset_apply`` inside the
  caller's transaction.  Every change that does not fit reaches the conflict handler, which
  never replaces: it merges field by field (a field only the package changed is taken, the
  same value on both sides is no conflict, different values are a listed conflict), keeps
  deletions against edits as conflicts, and gives a laptop's new estimate whose 別紙2 No. is
  taken here the next free No.

The app's own connection is Python's ``sqlite3``; ``apsw`` links its own SQLite, so these
functions work on files the app has closed (two SQLite libraries must not share an open
file in one process: closing one drops the other's POSIX locks).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

import apsw

from kyosai_desktop.store import audit
from kyosai_desktop.store.estimates import _created_text

# Tables that never travel: the audit trail (the office writes its own rows), the exchange's
# own bookkeeping, SQLite's internals.
PRIVATE_TABLES = ("audit",)
PRIVATE_PREFIXES = ("exchange_", "sqlite_")
# The kinds a clerk sees, per table.
KINDS = {
    "results": "results",
    "unions": "unions",
    "targets": "targets",
    "model_unions": "model_unions",
    "model_union_years": "model_unions",
    "estimate_campaigns": "campaigns",
    "estimate_campaign_unions": "campaigns",
    "estimates": "estimates",
}
KIND_LABELS = {
    "results": "月次実績",
    "unions": "単組",
    "targets": "目標",
    "model_unions": "モデル単組",
    "campaigns": "キャンペーン",
    "estimates": "見積り",
    "other": "その他の設定・マスタ",
}
# Tables whose repository audits one field only (a cleared cell is that field → None).
FIELD_ONLY = {"results": "count", "targets": "target", "settings": "value"}


class ExchangeError(Exception):
    """A refused exchange; the message is for the clerk (Japanese).  Nothing was changed."""


def kind_of(table: str) -> str:
    return KINDS.get(table, "other")


# ---------------------------------------------------------------------------- schema
def tracked_tables(db: apsw.Connection, schema: str = "main") -> list[str]:
    """Every table that travels: has a primary key and is not private."""
    out = []
    # Only ordinary tables: a virtual table (the FTS5 search index) and its shadow tables are
    # kept by triggers on each side and must not travel.
    for name, kind in sorted(
        (r[1], r[2]) for r in db.execute(f"PRAGMA {schema}.table_list") if r[0] == schema
    ):
        if kind != "table" or name in PRIVATE_TABLES or name.startswith(PRIVATE_PREFIXES):
            continue
        if pk_columns(db, name, schema):
            out.append(name)
    return out


def columns(db: apsw.Connection, table: str, schema: str = "main") -> list[str]:
    return [r[1] for r in db.execute(f"PRAGMA {schema}.table_info({table})")]


def pk_columns(db: apsw.Connection, table: str, schema: str = "main") -> list[str]:
    rows = [(r[5], r[1]) for r in db.execute(f"PRAGMA {schema}.table_info({table})") if r[5]]
    return [name for _, name in sorted(rows)]


def install_laptop_triggers(db: apsw.Connection) -> list[str]:
    """Triggers noting each changed record in exchange_dirty; return the tables covered."""
    from kyosai_desktop.store.ids import ALLOCATED_TABLES, guard_sql

    tables = tracked_tables(db)
    for t in tables:
        pks = pk_columns(db, t)
        new = "json_array(" + ", ".join(f"NEW.{c}" for c in pks) + ")"
        old = "json_array(" + ", ".join(f"OLD.{c}" for c in pks) + ")"

        # Not "INSERT OR IGNORE": an outer statement's conflict policy overrides a trigger's.
        def note(pk: str, t: str = t) -> str:
            return (
                f"INSERT INTO exchange_dirty (tbl, pk) SELECT '{t}', {pk} WHERE NOT EXISTS"
                f" (SELECT 1 FROM exchange_dirty WHERE tbl = '{t}' AND pk = {pk});"
            )

        db.execute(
            f"CREATE TRIGGER IF NOT EXISTS exchange_dirty_{t}_i AFTER INSERT ON {t}"
            f" BEGIN {note(new)} END;"
            f"CREATE TRIGGER IF NOT EXISTS exchange_dirty_{t}_u AFTER UPDATE ON {t}"
            f" BEGIN {note(old)} {note(new)} END;"
            f"CREATE TRIGGER IF NOT EXISTS exchange_dirty_{t}_d AFTER DELETE ON {t}"
            f" BEGIN {note(old)} END;"
        )
    for t in ALLOCATED_TABLES:
        if t in tables:
            db.execute(guard_sql(t))
    return tables


# ---------------------------------------------------------------------------- diff
def diff_changes(current_path: str, base_path: str, narrowed: Iterable[str]) -> bytes:
    """The changeset base → current (every tracked table of the current file).

    Tables in ``narrowed`` have had dirty-tracking triggers since the base was taken: only
    their noted records are compared.  The others are compared whole.
    """
    narrowed = set(narrowed)
    mem = apsw.Connection(":memory:")
    try:
        mem.execute(
            f"ATTACH {_uri(current_path)} AS cur; ATTACH {_uri(base_path)} AS base;"
            " ATTACH ':memory:' AS old"
        )
        tables = tracked_tables(mem, "cur")
        builder = apsw.ChangesetBuilder()
        small = apsw.Session(mem, "main")
        whole = apsw.Session(mem, "cur")
        base_tables = set(tracked_tables(mem, "base"))
        for t in tables:
            if t not in base_tables:
                raise ExchangeError(
                    f"持ち出し元のデータに表 {t} がありません (アプリの版が違います)。"
                )
            if t in narrowed:
                sql = str(
                    mem.execute(
                        "SELECT sql FROM cur.sqlite_master WHERE type = 'table' AND name = ?", (t,)
                    ).fetchall()[0][0]
                )
                mem.execute(sql)
                mem.execute(
                    re.sub(
                        r"^\s*CREATE\s+TABLE\s+\"?" + t + '"?',
                        f"CREATE TABLE old.{t}",
                        sql,
                        count=1,
                        flags=re.I,
                    )
                )
                pks = pk_columns(mem, t, "cur")
                match = " AND ".join(
                    f"x.{c} = json_extract(d.pk, '$[{i}]')" for i, c in enumerate(pks)
                )
                for schema, into in (("cur", "main"), ("base", "old")):
                    mem.execute(
                        f"INSERT INTO {into}.{t} SELECT x.* FROM cur.exchange_dirty d"
                        f" JOIN {schema}.{t} x ON {match} WHERE d.tbl = ?",
                        (t,),
                    )
                small.attach(t)
                small.diff("old", t)
            else:
                whole.attach(t)
                whole.diff("base", t)
        builder.add(small.changeset())
        builder.add(whole.changeset())
        return builder.output()
    finally:
        mem.close()


def since(previous: bytes | None, cumulative: bytes) -> bytes:
    """The changes of ``cumulative`` made after ``previous`` (both counted from one base).

    A laptop's packages are cumulative (a lost package loses nothing); combining the
    inverse of the one already taken with the new one (SQLite's changegroup) leaves only
    what changed since, so a value the office decided on is not brought up again.
    """
    if not previous:
        return cumulative
    builder = apsw.ChangesetBuilder()
    builder.add(apsw.Changeset.invert(previous))
    builder.add(cumulative)
    return builder.output()


def _uri(path: str) -> str:
    """A quoted file name for ATTACH (only read here)."""
    return "'" + str(path).replace("'", "''") + "'"


# ---------------------------------------------------------------------------- describing
def record_key(table: str, row: dict) -> str:
    """The audit trail's key for a record (as the repositories write it)."""
    if table == "targets":
        return f"{row['fiscal_year']}:{row['product_id']}:{row['version']}:{row['union_id'] or ''}"
    return ":".join(str(row[c]) for c in row["__pk__"])


@dataclass
class Change:
    """One change copied out of the changeset (apsw's TableChange lives only in its callback)."""

    table: str
    op: str
    old: tuple | None
    new: tuple | None
    pk_index: list[int]
    cols: list[str]

    @staticmethod
    def of(tc: apsw.TableChange, cols: list[str]) -> Change:
        return Change(tc.name, tc.op, tc.old, tc.new, sorted(tc.pk_columns), cols)

    @property
    def pk(self) -> tuple:
        src = self.old if self.op == "DELETE" or self.op == "UPDATE" else self.new
        return tuple(src[i] for i in self.pk_index)  # type: ignore[index]

    def changed(self) -> list[int]:
        """Indexes of the columns an UPDATE sets."""
        return [
            i
            for i, v in enumerate(self.new or ())
            if v is not apsw.no_change and i not in self.pk_index
        ]

    def row_new(self) -> dict:
        return {c: v for c, v in zip(self.cols, self.new or (), strict=True)}

    def row_old(self) -> dict:
        return {c: v for c, v in zip(self.cols, self.old or (), strict=True)}


def _j(value: object) -> str | None:
    if isinstance(value, dict):
        value = {k: v for k, v in value.items() if v is not apsw.no_change and k != "__pk__"}
    return (
        None if value is None or value is apsw.no_change else json.dumps(value, ensure_ascii=False)
    )


@dataclass
class ApplyResult:
    applied: int = 0
    unchanged: int = 0
    conflicts: int = 0
    by_kind: Counter = field(default_factory=Counter)
    renumbered: list[tuple[str, int, int]] = field(
        default_factory=list
    )  # (record key, laptop No., new No.)
    touched: set[tuple[str, str]] = field(
        default_factory=set
    )  # (table, record key) applied or in conflict
    lines: list[tuple[str, str, str, object, object]] = field(
        default_factory=list
    )  # applied (table, key, field, old, new)
    merged: dict[str, dict[object, object]] = field(
        default_factory=dict
    )  # created on both sides: package id → id here

    def as_dict(self) -> dict:
        return {
            "applied": self.applied,
            "unchanged": self.unchanged,
            "conflicts": self.conflicts,
            "by_kind": dict(self.by_kind),
            "renumbered": [{"key": k, "from": a, "to": b} for k, a, b in self.renumbered],
        }


@dataclass
class Source:
    """Who the incoming changes come from (the laptop, or the office when refreshing)."""

    source_id: str
    label: str
    created_at: str
    audit_times: dict[tuple[str, str, str], tuple[str, str]]  # (table, key, field) → (at, actor)
    full_rows: dict[str, dict[str, dict]]  # table → json(pk) → whole row
    write_audit: bool = True
    # the source's row of every union / campaign its changes refer to (table → json(key) → row),
    # to re-create one deleted here (services/exchange_orphans.py)
    parents: dict[str, dict[str, dict]] = field(default_factory=dict)


class _Applier:
    def __init__(self, db: apsw.Connection, src: Source) -> None:
        self.db, self.src = db, src
        self.result = ApplyResult()
        self.log: list[Change] = []
        self.handled: set[tuple[str, str, tuple]] = set()
        self.field_updates: list[tuple[Change, list[int]]] = []
        self.renumber: list[Change] = []
        self.fk_failed = False
        self._cols: dict[str, list[str]] = {}
        self.now = datetime.now().isoformat(timespec="seconds")

    def cols(self, table: str) -> list[str]:
        if table not in self._cols:
            self._cols[table] = columns(self.db, table)
        return self._cols[table]

    # -- callbacks
    def filter_change(self, tc: apsw.TableChange) -> bool:
        self.log.append(Change.of(tc, self.cols(tc.name)))
        return True

    def conflict(self, reason: int, tc: apsw.TableChange) -> int:
        omit = int(apsw.mapping_session_conflict_response["SQLITE_CHANGESET_OMIT"])
        name = apsw.mapping_session_conflict[reason]
        if name == "SQLITE_CHANGESET_FOREIGN_KEY":
            self.fk_failed = True
            return int(apsw.mapping_session_conflict_response["SQLITE_CHANGESET_ABORT"])
        ch = Change.of(tc, self.cols(tc.name))
        current: tuple = tuple(tc.conflict or ())
        self.handled.add((ch.table, ch.op, ch.pk))
        if name == "SQLITE_CHANGESET_DATA" and ch.op == "UPDATE":
            self._merge_update(ch, current)
        elif name == "SQLITE_CHANGESET_DATA" and ch.op == "DELETE":
            only = FIELD_ONLY.get(ch.table)
            office = self._row(ch.cols, current) or {}
            if only:
                self._conflict(
                    ch,
                    "deleted_laptop",
                    only,
                    base=ch.row_old()[only],
                    office=office[only],
                    laptop=None,
                )
            else:
                self._conflict(
                    ch, "deleted_laptop", "*", base=ch.row_old(), office=office, laptop=None
                )
        elif name == "SQLITE_CHANGESET_NOTFOUND" and ch.op == "DELETE":
            self.result.unchanged += 1  # deleted on both sides
        elif name == "SQLITE_CHANGESET_NOTFOUND" and ch.op == "UPDATE":
            only = FIELD_ONLY.get(ch.table)
            full = self._full_row(ch)
            # the record may have gone with a deleted union (a cascade): what re-creating it needs
            parents = self._missing_parents(ch.table, full)
            if only and full is not None:
                self._conflict(
                    ch,
                    "deleted_office",
                    only,
                    base=ch.old[ch.cols.index(only)],  # type: ignore[index]
                    office=None,
                    laptop=full[only],
                    laptop_row=full,
                    parents=parents,
                )
            else:
                self._conflict(
                    ch,
                    "deleted_office",
                    "*",
                    # the fields the laptop changed, as they were (a merge onto a record
                    # re-added here with the same code takes just these)
                    base={ch.cols[i]: ch.old[i] for i in ch.changed()},  # type: ignore[index]
                    office=None,
                    laptop=full,
                    parents=parents,
                )
        elif name == "SQLITE_CHANGESET_CONFLICT" and ch.op == "INSERT":
            self._both_added(ch, current)
        elif name == "SQLITE_CHANGESET_CONSTRAINT" and ch.op == "INSERT":
            self._constraint_insert(ch)
        else:  # an UPDATE breaking a unique rule (e.g. a No. taken)
            for i in ch.changed():
                self._conflict(
                    ch,
                    "both_changed",
                    ch.cols[i],
                    base=ch.old[i],  # type: ignore[index]
                    office=None,
                    laptop=ch.new[i],  # type: ignore[index]
                )
        return omit

    @staticmethod
    def _row(cols: list[str], values: tuple | None) -> dict | None:
        return None if values is None else dict(zip(cols, values, strict=True))

    def _missing_parents(self, table: str, row: dict | None) -> list | None:
        """The records ``row`` refers to that are not here, deepest first (None: all here)."""
        from kyosai_desktop.services.exchange_orphans import chain, foreign_keys

        if row is None:
            return None
        out: list = []
        for fk in foreign_keys(self.db, table):
            values = [row.get(c) for c in fk.cols]
            if any(v is None for v in values):
                continue
            where = " AND ".join(f"{c} = ?" for c in fk.parent_cols)
            if not self.db.execute(
                f"SELECT 1 FROM {fk.parent} WHERE {where} LIMIT 1", values
            ).fetchall():
                out += chain(self.db, fk, values, self.src.parents)
        return out or None

    def _full_row(self, ch: Change) -> dict | None:
        rows = self.src.full_rows.get(ch.table, {})
        return rows.get(json.dumps(list(ch.pk)))

    # -- merge rules
    def _merge_update(self, ch: Change, current: tuple) -> None:
        take, same, clash = [], 0, []
        for i in ch.changed():
            if current[i] == ch.new[i]:  # type: ignore[index]
                same += 1
            elif current[i] == ch.old[i]:  # type: ignore[index]
                take.append(i)
            else:
                clash.append(i)
        if take:
            self.field_updates.append((ch, take))
        for i in clash:
            self._conflict(
                ch,
                "both_changed",
                ch.cols[i],
                base=ch.old[i],  # type: ignore[index]
                office=current[i],
                laptop=ch.new[i],  # type: ignore[index]
            )
        if not take and not clash:
            self.result.unchanged += 1

    def _both_added(self, ch: Change, current: tuple) -> None:
        differ = [
            i
            for i, v in enumerate(ch.new or ())
            if current[i] != v
            # the office gave this laptop estimate another No. (see finish): its No. stands
            and not (ch.table == "estimates" and ch.cols[i] == "seq")
        ]
        if not differ:
            self.result.unchanged += 1
            return
        if ch.table in FIELD_ONLY or len(differ) <= 3:
            for i in differ:
                self._conflict(
                    ch,
                    "both_added",
                    ch.cols[i],
                    base=None,
                    office=current[i],
                    laptop=ch.new[i],  # type: ignore[index]
                )
        else:
            self._conflict(
                ch,
                "both_added",
                "*",
                base=None,
                office=self._row(ch.cols, current),
                laptop=ch.row_new(),
            )

    def _constraint_insert(self, ch: Change) -> None:
        row = ch.row_new()
        if ch.table == "estimates":
            self.renumber.append(ch)  # its No. is taken here: it gets the next free No.
            return
        if ch.table == "targets":
            mine = self.db.execute(
                "SELECT * FROM targets WHERE fiscal_year = ? AND product_id = ? AND version = ?"
                " AND ifnull(union_id, 0) = ifnull(?, 0)",
                (row["fiscal_year"], row["product_id"], row["version"], row["union_id"]),
            ).fetchall()
            if mine:
                office = dict(zip(self.cols("targets"), mine[0], strict=True))
                if office["target"] == row["target"]:
                    self.result.unchanged += 1
                else:
                    office_ch = Change(
                        "targets", "UPDATE", tuple(mine[0]), tuple(mine[0]), ch.pk_index, ch.cols
                    )
                    self._conflict(
                        office_ch,
                        "both_added",
                        "target",
                        base=None,
                        office=office["target"],
                        laptop=row["target"],
                        laptop_row=row,
                    )
                return
        self._conflict(ch, "both_added", "*", base=None, office=None, laptop=row)

    def _conflict(
        self,
        ch: Change,
        situation: str,
        fld: str,
        *,
        base: object,
        office: object,
        laptop: object,
        laptop_row: dict | None = None,
        parents: list | None = None,
    ) -> None:
        row = self._key_row(ch)
        key = record_key(ch.table, row)
        self.result.touched.add((ch.table, key))
        lap_at = (
            self.src.audit_times.get((ch.table, key, fld))
            or self.src.audit_times.get((ch.table, key, "*"))
            or (self.src.created_at, self.src.label)
        )
        off = self.db.execute(
            "SELECT at, actor FROM audit WHERE table_name = ? AND record_key = ? AND (field = ? OR field = '*')"
            " ORDER BY id DESC LIMIT 1",
            (ch.table, key, fld),
        ).fetchall()
        pk = json.dumps(list(ch.pk))
        if (
            laptop_row is None
            and situation in ("deleted_office", "both_added")
            and isinstance(laptop, dict)
        ):
            laptop_row = laptop
        existing = self.db.execute(
            "SELECT settled_at FROM exchange_conflicts WHERE source_id = ? AND table_name = ? AND pk = ?"
            " AND field = ? AND ifnull(laptop_value, '') = ifnull(?, '')",
            (self.src.source_id, ch.table, pk, fld, _j(laptop)),
        ).fetchall()
        if existing:
            if existing[0][0] is None:
                self.result.conflicts += 1  # still listed
            else:
                self.result.unchanged += 1  # settled already: the clerk decided
            return
        self.db.execute(
            "INSERT INTO exchange_conflicts (created_at, source_id, source_label, table_name, pk, record_key,"
            " situation, field, base_value, office_value, laptop_value, office_at, office_actor, laptop_at,"
            " laptop_actor, laptop_row, parents) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                self.now,
                self.src.source_id,
                self.src.label,
                ch.table,
                pk,
                key,
                situation,
                fld,
                _j(base),
                _j(office),
                _j(laptop),
                off[0][0] if off else None,
                off[0][1] if off else None,
                lap_at[0],
                lap_at[1],
                _j(laptop_row),
                None if parents is None else json.dumps(parents, ensure_ascii=False),
            ),
        )
        self.result.conflicts += 1

    def held_back(self, held: list[Held]) -> None:
        """List the changes :func:`hold_back` kept out of the changeset as conflicts."""
        for h in held:
            ch = h.change
            if h.parents is None:  # the source deleted a record that has dependants here
                office = self._current(ch) or {}
                self._conflict(
                    ch, "deleted_laptop", "*", base=ch.row_old(), office=office, laptop=None
                )
                continue
            row = ch.row_new() if ch.op == "INSERT" else (self._full_row(ch) or ch.row_new())
            only = FIELD_ONLY.get(ch.table)
            self._conflict(
                ch,
                "orphaned",
                only or "*",
                base=None,
                office=None,
                laptop=row[only] if only else row,
                laptop_row=row,
                parents=h.parents,
            )

    def _key_row(self, ch: Change) -> dict:
        """Enough of the record to name it (targets are named by their natural key)."""
        row = (ch.row_old() if ch.op == "DELETE" else ch.row_new()) if ch.op != "UPDATE" else {}
        if ch.table == "targets" and (
            ch.op == "UPDATE" or any(v is apsw.no_change for v in row.values())
        ):
            full = self._full_row(ch) or self._current(ch) or {}
            row = full
        for i in ch.pk_index:
            row[ch.cols[i]] = ch.pk[ch.pk_index.index(i)]
        row["__pk__"] = [ch.cols[i] for i in ch.pk_index]
        return row

    def _current(self, ch: Change) -> dict | None:
        where = " AND ".join(f"{ch.cols[i]} = ?" for i in ch.pk_index)
        rows = self.db.execute(f"SELECT * FROM {ch.table} WHERE {where}", ch.pk).fetchall()
        return dict(zip(ch.cols, rows[0], strict=True)) if rows else None

    # -- after the engine ran
    def finish(self) -> ApplyResult:
        for ch, take in self.field_updates:
            where = " AND ".join(f"{ch.cols[i]} = ?" for i in ch.pk_index)
            sets = ", ".join(f"{ch.cols[i]} = ?" for i in take)
            self.db.execute(
                f"UPDATE {ch.table} SET {sets} WHERE {where}",
                (*[ch.new[i] for i in take], *ch.pk),  # type: ignore[index]
            )
            self._applied(ch, take)
        for ch in sorted(self.renumber, key=lambda c: c.row_new()["seq"]):
            row = ch.row_new()
            nxt = self.db.execute(
                "SELECT ifnull(max(seq), 0) + 1 FROM estimates WHERE campaign_id = ? AND union_id = ?",
                (row["campaign_id"], row["union_id"]),
            ).fetchall()[0][0]
            was, row["seq"] = row["seq"], nxt
            self.db.execute(
                f"INSERT INTO estimates ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                tuple(row.values()),
            )
            renumbered = Change(
                "estimates", "INSERT", None, tuple(row.values()), ch.pk_index, ch.cols
            )
            self._applied(renumbered, None, note=f"No.{was} → No.{nxt} (同じ No. が既にあるため)")
            self.result.renumbered.append((str(row["id"]), int(was), int(nxt)))  # type: ignore[arg-type]
        for ch in self.log:
            if (ch.table, ch.op, ch.pk) not in self.handled:
                self._applied(ch, ch.changed() if ch.op == "UPDATE" else None)
        return self.result

    def _applied(self, ch: Change, take: list[int] | None, note: str | None = None) -> None:
        self.result.applied += 1
        self.result.by_kind[kind_of(ch.table)] += 1
        row = self._key_row(ch)
        key = record_key(ch.table, row)
        self.result.touched.add((ch.table, key))
        rows: list[tuple[str, object, object]] = []
        only = FIELD_ONLY.get(ch.table)
        if ch.op == "UPDATE":
            rows = [(ch.cols[i], ch.old[i], ch.new[i]) for i in take or ()]  # type: ignore[index]
        elif ch.op == "INSERT":
            new = ch.row_new()
            if only:
                rows = [(only, None, new.get(only))]
            else:
                rows = [("*", None, _summary(ch.table, new, created=True))]
                rows += [
                    (c, None, v)
                    for c, v in new.items()
                    if c not in row["__pk__"]
                    and c not in ("seq", "campaign_id", "union_id")
                    and v not in (None, 0, "")
                ]
                if note:
                    rows.append(("seq", None, note))
        else:
            old = ch.row_old()
            rows = (
                [(only, old.get(only), None)]
                if only
                else [("*", _summary(ch.table, old, created=False), None)]
            )
        self.result.lines += [(ch.table, key, fld, o, n) for fld, o, n in rows]
        if not self.src.write_audit:
            return
        for fld, old_v, new_v in rows:
            # the laptop's own time and clerk for the field (else for the record, else the package's)
            at, actor = (
                self.src.audit_times.get((ch.table, key, fld))
                or self.src.audit_times.get((ch.table, key, "*"))
                or (self.src.created_at, self.src.label)
            )
            audit.write(
                self.db,  # type: ignore[arg-type]
                f"{audit.EXCHANGE_PREFIX}{self.src.label}",
                [audit.AuditRow(ch.table, key, fld, old_v, new_v)],
                at=at,
                actor=actor,
            )


def _summary(table: str, row: dict, *, created: bool) -> str:
    if table == "estimates":
        return (
            _created_text(row["campaign_id"], row["union_id"], row["seq"])
            if created
            else f"No.{row['seq']}"
        )
    if table == "unions":
        return f"{row['pref_code']}-{row['union_code']} {row['name']}"
    if table == "estimate_campaigns":
        return f"{row['name']} ({row['kind']})" if created else str(row["name"])
    return "追加" if created else "削除"


# A record both sides can create with the same natural key (the same 単組 code, the same
# campaign or product name): the package's one is taken as the existing one, and every reference
# to it follows.
NATURAL_KEYS = {
    "unions": ("pref_code", "union_code"),
    "estimate_campaigns": ("name",),
    "products": ("name",),
}
REFERENCES = {
    "unions": {
        "results": "union_id",
        "targets": "union_id",
        "model_unions": "union_id",
        "estimates": "union_id",
        "estimate_campaign_unions": "union_id",
    },
    "estimate_campaigns": {"estimates": "campaign_id", "estimate_campaign_unions": "campaign_id"},
    "products": {
        "results": "product_id",
        "targets": "product_id",
        "product_aliases": "product_id",
        "estimate_campaigns": "product_id",
        "products": "rider_of",
    },
}


def merge_created(
    db: apsw.Connection, changeset: bytes
) -> tuple[bytes, dict[str, dict[object, object]]]:
    """Rewrite a changeset so a record created on both sides is one record (the existing id).

    Returns the changeset (the same bytes when nothing matched) and {table: {package id: id here}}.
    The created record then meets the existing one as "added on both sides": equal fields are
    no conflict, different ones are listed.
    """
    maps: dict[str, dict[object, object]] = {t: {} for t in NATURAL_KEYS}
    for tc in apsw.Changeset.iter(changeset):
        if tc.op != "INSERT" or tc.name not in NATURAL_KEYS:
            continue
        row = dict(zip(columns(db, tc.name), tc.new or (), strict=True))
        keys = NATURAL_KEYS[tc.name]
        found = db.execute(
            f"SELECT id FROM {tc.name} WHERE " + " AND ".join(f"{k} = ?" for k in keys),
            [row[k] for k in keys],
        ).fetchall()
        if found and found[0][0] != row["id"]:
            maps[tc.name][row["id"]] = found[0][0]
    if not any(maps.values()):
        return changeset, {}
    # which column of which table holds an id that moves
    moves: dict[str, dict[str, dict[object, object]]] = {}
    for table, mapping in maps.items():
        if mapping:
            moves.setdefault(table, {})["id"] = mapping
            for ref_table, col in REFERENCES[table].items():
                moves.setdefault(ref_table, {})[col] = mapping
    builder = apsw.ChangesetBuilder()
    builder.schema(db, "main")
    for tc in apsw.Changeset.iter(changeset):
        cols = columns(db, tc.name)
        fix = moves.get(tc.name, {})

        def moved(values, cols=cols, fix=fix):
            return tuple(
                fix[c].get(v, v) if c in fix and v is not apsw.no_change else v
                for c, v in zip(cols, values, strict=True)
            )

        if tc.op == "INSERT":
            builder.add_insert(tc.name, tc.indirect, moved(tc.new))
        elif tc.op == "DELETE":
            builder.add_delete(tc.name, tc.indirect, moved(tc.old))
        else:
            builder.add_update(tc.name, tc.indirect, moved(tc.old), moved(tc.new))
    return builder.output(), {t: m for t, m in maps.items() if m}


@dataclass
class Held:
    """A change kept out of the changeset: it refers to a record deleted here (``parents``:
    the missing records, deepest first), or (``parents`` None) it deletes a record that has
    dependants here."""

    change: Change
    parents: list | None


def hold_back(db: apsw.Connection, changeset: bytes, src: Source) -> tuple[bytes, list[Held]]:
    """Take out of ``changeset`` the changes that would break a reference here.

    * an insert (or a moved reference) pointing at a record that is not here and that the
      changeset does not create — the other side deleted it; a change pointing at such a
      held-back insert is held back too;
    * a deletion of a record that has dependants here the changeset does not delete (the
      source deleted a campaign the office has since added an estimate to), with the
      source's deletions its own deletion cascaded to.
    """
    from kyosai_desktop.services.exchange_orphans import chain, foreign_keys, key_of

    cols: dict[str, list[str]] = {}
    fks: dict[str, list] = {}

    def info(table: str) -> tuple[list[str], list]:
        if table not in cols:
            cols[table] = columns(db, table)
            fks[table] = foreign_keys(db, table)
        return cols[table], fks[table]

    changes = []
    for tc in apsw.Changeset.iter(changeset):
        info(tc.name)
        changes.append(Change.of(tc, cols[tc.name]))
    inserted: dict[tuple[str, str], int] = {}
    deleted: set[tuple[str, str]] = set()
    for i, ch in enumerate(changes):
        if ch.op == "INSERT":
            inserted[(ch.table, key_of(ch.pk))] = i
        elif ch.op == "DELETE":
            deleted.add((ch.table, key_of(ch.pk)))
    present: dict[tuple[str, str], bool] = {}

    def here(table: str, parent_cols: tuple[str, ...], values: list) -> bool:
        k = (table, key_of(values))
        if k not in present:
            where = " AND ".join(f"{c} = ?" for c in parent_cols)
            present[k] = bool(
                db.execute(f"SELECT 1 FROM {table} WHERE {where} LIMIT 1", values).fetchall()
            )
        return present[k]

    held: dict[int, Held] = {}
    again = True
    while again:
        again = False
        for i, ch in enumerate(changes):
            if i in held or ch.op == "DELETE":
                continue
            for fk in fks[ch.table]:
                values = [ch.new[ch.cols.index(c)] for c in fk.cols]  # type: ignore[index]
                if any(v is None or v is apsw.no_change for v in values):
                    continue
                made = inserted.get((fk.parent, key_of(values)))
                if made is not None and made not in held:
                    continue
                if made is None and here(fk.parent, fk.parent_cols, values):
                    continue
                held[i] = Held(ch, chain(db, fk, values, src.parents))
                again = True
                break
    # deletions of records with dependants here
    children: dict[str, list] = {}
    for t in tracked_tables(db):
        for fk in info(t)[1]:
            children.setdefault(fk.parent, []).append(fk)
    blocked: set[tuple[str, str]] = set()
    for i, ch in enumerate(changes):
        if ch.op != "DELETE" or ch.table not in children:
            continue
        for fk in children[ch.table]:
            row = ch.row_old()
            values = [row[c] for c in fk.parent_cols]
            where = " AND ".join(f"{c} = ?" for c in fk.cols)
            pk_cols = pk_columns(db, fk.table)
            kept = [
                r
                for r in db.execute(
                    f"SELECT {', '.join(pk_cols)} FROM {fk.table} WHERE {where}", values
                ).fetchall()
                if (fk.table, key_of(list(r))) not in deleted
            ]
            if kept:
                held[i] = Held(ch, None)
                blocked.add((ch.table, key_of(values)))
                break
    if blocked:  # the source's deletions cascaded from a held-back deletion wait with it
        for i, ch in enumerate(changes):
            if ch.op == "DELETE" and i not in held:
                row = ch.row_old()
                for fk in fks[ch.table]:
                    if fk.cascade and (fk.parent, key_of([row[c] for c in fk.cols])) in blocked:
                        held[i] = Held(ch, [])  # not listed: settled with the deletion
                        break
    if not held:
        return changeset, []
    builder = apsw.ChangesetBuilder()
    builder.schema(db, "main")
    for i, ch in enumerate(changes):
        if i in held:
            continue
        if ch.op == "INSERT":
            builder.add_insert(ch.table, False, ch.new or ())
        elif ch.op == "DELETE":
            builder.add_delete(ch.table, False, ch.old or ())
        else:
            builder.add_update(ch.table, False, ch.old or (), ch.new or ())
    return builder.output(), [h for h in held.values() if h.parents != []]


def apply_changes(
    db: apsw.Connection,
    changeset: bytes,
    src: Source,
    progress: Callable[[str], None] | None = None,
) -> ApplyResult:
    """Apply ``changeset`` inside the caller's open transaction; never overwrite a difference."""
    changeset, merged = merge_created(db, changeset)
    changeset, held = hold_back(db, changeset, src)
    applier = _Applier(db, src)
    applier.result.merged = merged
    try:
        apsw.Changeset.apply(
            changeset, db, filter_change=applier.filter_change, conflict=applier.conflict
        )
    except apsw.AbortError as exc:
        if applier.fk_failed:
            raise ExchangeError(
                "このパッケージには、取り込み先で削除された記録 (単組・キャンペーンなど) を参照する変更が"
                "含まれているため取り込めません。何も変更していません。"
            ) from exc
        raise
    applier.held_back(held)
    return applier.finish()
