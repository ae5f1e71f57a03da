"""Laptop copies (持ち出し) and bringing their changes back (持ち帰り), both ways.

* :func:`checkout` — the office database as one encrypted package (a consistent copy made
  with SQLite's backup API).
* :func:`open_copy` — a new or empty database becomes a laptop copy of the package; an
  existing laptop copy is refreshed from a newer package of its office, keeping its unsent
  changes (a change the office made differently is listed as a conflict on the laptop).
  The copy keeps its pristine base beside it (``<file>.base-<id>``, docs/PRIVACY.md).
* :func:`export_changes` — every change since the base (the changeset base → laptop, made
  by SQLite's session extension) with who made it and when, as one encrypted package.
* :func:`import_changes` — the office applies a package in one transaction (a dry run rolls
  it back): see services/exchange_engine.py for the merge rules.
* :func:`list_conflicts` / :func:`resolve` — the listed conflicts and settling them.
* :func:`status` — office or laptop, unsent changes, last exchange.

Functions taking a path need the app's own connection to that file closed (the engine's
SQLite library must not share an open file with Python's); the others take the app's
connection.
"""

from __future__ import annotations

import json
import os
import random
import socket
import sqlite3
import tempfile
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from kyosai_desktop import __version__
from kyosai_desktop.services.exchange_engine import (
    KIND_LABELS,
    NATURAL_KEYS,
    ExchangeError,
    Source,
    apply_changes,
    diff_changes,
    install_laptop_triggers,
    kind_of,
    record_key,
    since,
)
from kyosai_desktop.services.exchange_orphans import (
    RestoreRefused,
    deleted_text,
    dependants,
    parent_rows,
    remap,
    restore_parents,
)
from kyosai_desktop.services.exchange_status import ExchangeStatus, get_state, set_state, status
from kyosai_desktop.services.package import PackageError, read_manifest, read_package, write_package
from kyosai_desktop.store import audit
from kyosai_desktop.store.ids import MAX_BLOCK
from kyosai_desktop.store.migrations import latest_version
from kyosai_desktop.store.tx import transaction

__all__ = [
    "ExchangeError",
    "PackageError",
    "checkout",
    "open_copy",
    "export_changes",
    "import_changes",
    "list_conflicts",
    "resolve",
    "status",
    "KIND_LABELS",
]

FORMAT = "kyosai-exchange/1"
COUNTED = {
    "unions": "unions",
    "results": "results",
    "targets": "targets",
    "model_unions": "model_unions",
    "estimate_campaigns": "campaigns",
    "estimates": "estimates",
}


def _now() -> str:
    return datetime.now().isoformat(timespec="seconds")


# ---------------------------------------------------------------------------- state
# (get_state, set_state, ExchangeStatus and status live in services/exchange_status.py)


def _counts(conn) -> dict[str, int]:
    return {
        kind: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        for table, kind in COUNTED.items()
    }


# ---------------------------------------------------------------------------- checkout
def checkout(conn: sqlite3.Connection, out: Path | str, passphrase: str) -> dict:
    """Write the whole database as a laptop-copy package; return its manifest (+ size)."""
    if get_state(conn, "role") == "laptop":
        raise ExchangeError(
            "持ち出し用コピーからはさらに持ち出し用コピーを作成できません。事務所のデータベースで作成してください。"
        )
    branch = conn.execute("SELECT value FROM settings WHERE key = 'branch_pref_code'").fetchone()
    with tempfile.TemporaryDirectory(prefix="kyosai-checkout-") as tmp:
        copy = Path(tmp) / "copy.sqlite3"
        target = sqlite3.connect(copy)
        try:
            conn.backup(target)
            snapshot = uuid.uuid4().hex
            with target:
                # Settled conflicts stay: the office decided, so a laptop refreshed from this copy
                # takes the decision instead of listing the same conflict again.
                target.execute("DELETE FROM exchange_conflicts WHERE settled_at IS NULL")
                target.execute("DELETE FROM exchange_dirty")
                set_state(
                    target,
                    snapshot_id=snapshot,
                    snapshot_taken_at=_now(),
                    snapshot_of=get_state(conn, "database_id"),
                )
            target.execute("PRAGMA journal_mode = DELETE")
            counts = _counts(target)
        finally:
            target.close()
        manifest = {
            "format": FORMAT,
            "kind": "checkout",
            "branch": branch[0] if branch else None,
            "origin_database_id": get_state(conn, "database_id"),
            "snapshot_id": snapshot,
            "created_at": _now(),
            "range": {"to": _now()},
            "counts": counts,
            "app_version": __version__,
            "schema_version": latest_version(),
        }
        size = write_package(out, manifest, {"database": copy.read_bytes()}, passphrase)
    return {**manifest, "size": size}


# ---------------------------------------------------------------------------- open / refresh
def _read_state_ro(path: Path) -> tuple[dict[str, str], bool]:
    """(exchange_state, holds data) of an existing database, read-only."""
    if not path.exists() or path.stat().st_size == 0:
        return {}, False
    con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        names = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        state = (
            dict(con.execute("SELECT key, value FROM exchange_state").fetchall())
            if "exchange_state" in names
            else {}
        )
        data = any(
            con.execute(f"SELECT 1 FROM {t} LIMIT 1").fetchone()
            for t in ("unions", "results", "targets", "estimates", "estimate_campaigns")
            if t in names
        )
        return state, data
    finally:
        con.close()


def _base_path(path: Path, snapshot_id: str) -> Path:
    return path.with_name(f"{path.name}.base-{snapshot_id[:16]}")


def _check_same_schema(manifest: dict) -> None:
    if manifest.get("format") != FORMAT:
        raise ExchangeError("このパッケージの形式はこのアプリでは読めません。")
    if manifest.get("schema_version") != latest_version():
        raise ExchangeError(
            f"パッケージのデータ形式 ({manifest.get('schema_version')}) がこのアプリ ({latest_version()}) と"
            " 違います。両方のパソコンのアプリを同じ版にしてから、もう一度書き出してください。何も変更していません。"
        )


def open_copy(
    path: Path | str, package: Path | str, passphrase: str, *, label: str | None = None
) -> dict:
    """Make ``path`` a laptop copy of the checkout ``package``, or refresh the copy it is."""
    import apsw

    path = Path(path)
    manifest = read_manifest(package)
    if manifest.get("kind") != "checkout":
        raise ExchangeError(
            "これは持ち出し用コピーのパッケージではありません (変更の取り込みは事務所のデータベースで行います)。"
        )
    _check_same_schema(manifest)
    state, has_data = _read_state_ro(path)
    refresh = state.get("role") == "laptop"
    if not refresh and has_data:
        raise ExchangeError(
            "このデータベースには既にデータがあります。持ち出し用コピーは新しいファイル"
            " (または空のデータベース) で開いてください。何も変更していません。"
        )
    if refresh:
        if state.get("origin_id") != manifest.get("origin_database_id"):
            raise ExchangeError(
                "このパッケージは、このコピーの持ち出し元とは別のデータベースのものです。何も変更していません。"
            )
        if state.get("snapshot_id") == manifest.get("snapshot_id"):
            raise ExchangeError("このパッケージは既に開いています。何も変更していません。")
        if (manifest.get("created_at") or "") < (state.get("base_taken_at") or ""):
            raise ExchangeError(
                "このパッケージは、いま使っている持ち出しデータより古いものです。何も変更していません。"
            )
    pkg = read_package(package, passphrase)
    snapshot_id = manifest["snapshot_id"]
    base = _base_path(path, snapshot_id)
    tmp = path.with_name(path.name + ".opening")
    base_tmp = base.with_name(base.name + ".part")
    for p in (tmp, base_tmp):
        p.unlink(missing_ok=True)
    base_tmp.write_bytes(pkg.parts["database"])
    tmp.write_bytes(pkg.parts["database"])
    result = {"refreshed": refresh, "applied": 0, "unchanged": 0, "conflicts": 0}
    try:
        pending: tuple[bytes, Source, list] | None = None
        if refresh:
            pending = _laptop_changes(path, state)
        db = apsw.Connection(str(tmp))
        try:
            if pending is not None:  # what the office already took from this copy is not reapplied
                taken = db.execute(
                    "SELECT changeset FROM exchange_imports WHERE source_id = ? AND base_id = ?"
                    " ORDER BY seq DESC LIMIT 1",
                    (state.get("database_id"), state.get("snapshot_id")),
                ).fetchall()
                if taken:
                    pending = (since(bytes(taken[0][0]), pending[0]), *pending[1:])  # type: ignore[arg-type]
            db.execute("PRAGMA foreign_keys = ON")
            db.execute("BEGIN IMMEDIATE")
            base_audit_max = db.execute("SELECT ifnull(max(id), 0) FROM audit").fetchall()[0][0]
            set_state(
                db,
                role="laptop",
                database_id=state.get("database_id") or uuid.uuid4().hex,
                id_block=state.get("id_block") or random.randint(1, MAX_BLOCK),
                origin_id=manifest["origin_database_id"],
                snapshot_id=snapshot_id,
                base_taken_at=manifest["created_at"],
                base_file=base.name,
                base_audit_max=base_audit_max,
                pending_marker=base_audit_max,
                label=label or state.get("label") or socket.gethostname(),
                export_seq=state.get("export_seq") or 0,
                last_exchange_at=_now(),
            )
            # the ids of its block this copy deleted stay unused (db/012), like id_block
            set_state(db, **{k: v for k, v in state.items() if k.startswith("laptop_deleted_max:")})
            tracked = install_laptop_triggers(db)
            set_state(db, dirty_tables=json.dumps(tracked))
            if pending is not None:
                changeset, src, own_audit = pending
                res = apply_changes(db, changeset, src)
                result.update(applied=res.applied, unchanged=res.unchanged, conflicts=res.conflicts)
                keep = res.touched
                audit.carry(db, [r for r in own_audit if (r[3], r[4]) in keep])  # type: ignore[arg-type]
                _carry_conflicts(db, path)
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        finally:
            db.close()
        os.replace(base_tmp, base)
        _replace_database(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
        base_tmp.unlink(missing_ok=True)
    old_base = state.get("base_file")
    if old_base and old_base != base.name:
        path.with_name(old_base).unlink(missing_ok=True)
    return {
        **result,
        "snapshot_id": snapshot_id,
        "taken_at": manifest["created_at"],
        "counts": manifest.get("counts", {}),
    }


def _replace_database(new: Path, path: Path) -> None:
    """Put ``new`` in place of ``path`` (whose connections are closed), WAL files included."""
    if path.exists():
        con = sqlite3.connect(path)
        try:
            con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            con.close()
    for suffix in ("-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    os.replace(new, path)


def _carry_conflicts(db, old_path: Path) -> None:
    con = sqlite3.connect(f"{old_path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        cols = [r[1] for r in con.execute("PRAGMA table_info(exchange_conflicts)") if r[1] != "id"]
        rows = con.execute(
            f"SELECT {', '.join(cols)} FROM exchange_conflicts ORDER BY id"
        ).fetchall()
    finally:
        con.close()
    db.executemany(
        f"INSERT OR IGNORE INTO exchange_conflicts ({', '.join(cols)}) VALUES"
        f" ({', '.join('?' * len(cols))})",
        rows,
    )


# ---------------------------------------------------------------------------- laptop → package
def _laptop_changes(path: Path, state: dict[str, str]) -> tuple[bytes, Source, list]:
    """(changeset base → laptop, its Source, the laptop's own audit rows) of a laptop copy."""
    base = path.with_name(state.get("base_file") or "")
    if not state.get("base_file") or not base.exists():
        raise ExchangeError(
            f"持ち出し時の元データ ({base.name}) が見つかりません。データベースと同じフォルダに"
            "置いてから、もう一度実行してください。何も変更していません。"
        )
    narrowed = json.loads(state.get("dirty_tables") or "[]")
    changeset = diff_changes(str(path), str(base), narrowed)
    con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        own = con.execute(
            "SELECT at, actor, source, table_name, record_key, field, old_value, new_value"
            " FROM audit WHERE id > ? ORDER BY id",
            (int(state.get("base_audit_max") or 0),),
        ).fetchall()
        full_rows = _full_rows(con, changeset)
        parents = _parent_rows(con, changeset, full_rows)
    finally:
        con.close()
    times: dict[tuple[str, str, str], tuple[str, str]] = {}
    for at, actor, _src, table, key, fld, _o, _n in own:
        times[(table, key, fld)] = (at, actor)
    src = Source(
        state.get("database_id") or "",
        state.get("label") or "ノートPC",
        _now(),
        times,
        full_rows,
        write_audit=False,
        parents=parents,
    )
    return changeset, src, own


def _parent_rows(
    con: sqlite3.Connection, changeset: bytes, full_rows: dict[str, dict[str, dict]]
) -> dict[str, dict[str, dict]]:
    """The laptop's union / campaign rows its changes refer to (to re-create one deleted at
    the office: services/exchange_orphans.py)."""
    import apsw

    records: list[tuple[str, dict]] = []
    names: dict[str, list[str]] = {}
    for tc in apsw.Changeset.iter(changeset):
        if tc.op == "INSERT":
            if tc.name not in names:
                names[tc.name] = [r[1] for r in con.execute(f"PRAGMA table_info({tc.name})")]
            records.append((tc.name, dict(zip(names[tc.name], tc.new or (), strict=True))))
    for table, rows in full_rows.items():
        records += [(table, row) for row in rows.values()]
    return parent_rows(con, records)


def _full_rows(con: sqlite3.Connection, changeset: bytes) -> dict[str, dict[str, dict]]:
    """The laptop's whole record for every UPDATE (to re-create one the office deleted)."""
    import apsw

    out: dict[str, dict[str, dict]] = {}
    for tc in apsw.Changeset.iter(changeset):
        if tc.op != "UPDATE":
            continue
        cols = [r[1] for r in con.execute(f"PRAGMA table_info({tc.name})")]
        pk_idx = sorted(tc.pk_columns)
        old = tc.old or ()
        pk = [old[i] for i in pk_idx]
        where = " AND ".join(f"{cols[i]} = ?" for i in pk_idx)
        row = con.execute(f"SELECT * FROM {tc.name} WHERE {where}", pk).fetchone()
        if row is not None:
            out.setdefault(tc.name, {})[json.dumps(pk)] = dict(zip(cols, row, strict=True))
    return out


def _count_kinds(changeset: bytes) -> dict[str, int]:
    import apsw

    return dict(Counter(kind_of(tc.name) for tc in apsw.Changeset.iter(changeset)))


def export_changes(path: Path | str, out: Path | str, passphrase: str) -> dict:
    """Write the laptop's changes since its base as one package; return the manifest (+ size)."""
    path = Path(path)
    state, _ = _read_state_ro(path)
    if state.get("role") != "laptop":
        raise ExchangeError(
            "このデータベースは持ち出し用コピーではありません。変更の書き出しはノートPCのコピーで行います。"
        )
    changeset, src, _own = _laptop_changes(path, state)
    seq = int(state.get("export_seq") or 0) + 1
    con = sqlite3.connect(path)
    try:
        branch = con.execute("SELECT value FROM settings WHERE key = 'branch_pref_code'").fetchone()
        marker = con.execute("SELECT ifnull(max(id), 0) FROM audit").fetchone()[0]
    finally:
        con.close()
    manifest = {
        "format": FORMAT,
        "kind": "changes",
        "branch": branch[0] if branch else None,
        "origin_database_id": state.get("origin_id"),
        "source_database_id": state.get("database_id"),
        "package_id": uuid.uuid4().hex,
        "seq": seq,
        "created_at": _now(),
        "range": {
            "base_snapshot_id": state.get("snapshot_id"),
            "from": state.get("base_taken_at"),
            "to": _now(),
        },
        "counts": _count_kinds(changeset),
        "app_version": __version__,
        "schema_version": latest_version(),
    }
    meta = {
        "label": src.label,
        "audit_times": [[*k, *v] for k, v in src.audit_times.items()],
        "full_rows": src.full_rows,
        "parents": src.parents,
    }
    size = write_package(
        out,
        manifest,
        {"changeset": changeset, "meta": json.dumps(meta, ensure_ascii=False).encode("utf-8")},
        passphrase,
    )
    con = sqlite3.connect(path)
    try:
        with con:
            set_state(
                con,
                export_seq=seq,
                last_export_at=manifest["created_at"],
                last_exchange_at=manifest["created_at"],
                pending_marker=marker,
            )
    finally:
        con.close()
    return {**manifest, "size": size}


# ---------------------------------------------------------------------------- office ← package
def import_changes(
    path: Path | str, package: Path | str, passphrase: str, *, dry_run: bool = False
) -> dict:
    """Apply a laptop's package to the office database at ``path`` (all or nothing)."""
    import apsw

    path = Path(path)
    manifest = read_manifest(package)
    if manifest.get("kind") != "changes":
        raise ExchangeError(
            "これは変更のパッケージではありません (持ち出し用コピーはノートPCで開きます)。何も変更していません。"
        )
    _check_same_schema(manifest)
    state, _ = _read_state_ro(path)
    if state.get("role") == "laptop":
        raise ExchangeError(
            "持ち出し用コピーには変更を取り込めません。事務所のデータベースで取り込んでください。"
        )
    con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        branch = con.execute("SELECT value FROM settings WHERE key = 'branch_pref_code'").fetchone()
        last = con.execute(
            "SELECT max(seq) FROM exchange_imports WHERE source_id = ?",
            (manifest.get("source_database_id"),),
        ).fetchone()[0]
        base_id = (manifest.get("range") or {}).get("base_snapshot_id")
        taken = con.execute(
            "SELECT changeset FROM exchange_imports WHERE source_id = ? AND base_id = ?"
            " ORDER BY seq DESC LIMIT 1",
            (manifest.get("source_database_id"), base_id),
        ).fetchone()
        done = con.execute(
            "SELECT 1 FROM exchange_imports WHERE package_id = ?", (manifest.get("package_id"),)
        ).fetchone()
    finally:
        con.close()
    if manifest.get("branch") != (branch[0] if branch else None):
        raise ExchangeError(
            f"このパッケージは別の県支部 ({manifest.get('branch')}) のものです。何も変更していません。"
        )
    if manifest.get("origin_database_id") != state.get("database_id"):
        raise ExchangeError(
            "このパッケージは、このデータベースから持ち出したコピーのものではありません。何も変更していません。"
        )
    pkg = read_package(
        package, passphrase
    )  # the passphrase and checksum are checked even for a repeat
    if done:
        # Importing the same package again is not an error: it changes nothing and says so.
        label = json.loads(pkg.parts["meta"].decode("utf-8")).get("label")
        return _already_imported(manifest, label, dry_run)
    if last is not None and manifest.get("seq", 0) <= last:
        raise ExchangeError(
            f"このパッケージ (第{manifest.get('seq')}回) は、既に取り込んだ第{last}回より古いものです。"
            "何も変更していません。"
        )
    meta = json.loads(pkg.parts["meta"].decode("utf-8"))
    src = Source(
        manifest["source_database_id"],
        meta["label"],
        manifest["created_at"],
        {(t, k, f): (at, actor) for t, k, f, at, actor in meta["audit_times"]},
        meta["full_rows"],
        parents=meta.get("parents") or {},
    )
    db = apsw.Connection(str(path))
    try:
        db.set_busy_timeout(5000)
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("BEGIN IMMEDIATE")
        try:
            before = db.execute("SELECT ifnull(max(id), 0) FROM exchange_conflicts").fetchall()[0][
                0
            ]
            cumulative = pkg.parts["changeset"]
            res = apply_changes(db, since(taken[0] if taken else None, cumulative), src)
            details = _describe(db, res.lines, int(before))  # type: ignore[arg-type]
            db.execute(
                "INSERT INTO exchange_imports (package_id, source_id, source_label, seq, created_at,"
                " imported_at, applied, unchanged, conflicts, base_id, changeset)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (
                    manifest["package_id"],
                    src.source_id,
                    src.label,
                    manifest["seq"],
                    manifest["created_at"],
                    _now(),
                    res.applied,
                    res.unchanged,
                    res.conflicts,
                    base_id,
                    cumulative,
                ),
            )
        except apsw.ConstraintError as exc:
            # (the engine reports a broken reference itself; this is a write after it)
            db.execute("ROLLBACK")
            raise ExchangeError(
                "取り込むと記録どうしの整合性が崩れるため、取り込みを中止しました。"
                f"何も変更していません。詳細: {exc}"
            ) from exc
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("ROLLBACK" if dry_run else "COMMIT")
    finally:
        db.close()
    return {
        **res.as_dict(),
        "dry_run": dry_run,
        "source": src.label,
        "seq": manifest["seq"],
        "created_at": manifest["created_at"],
        **details,
    }


def _already_imported(manifest: dict, label: str | None, dry_run: bool) -> dict:
    """The result of importing a package the office has taken already: nothing changes."""
    counts = manifest.get("counts") or {}
    return {
        "applied": 0,
        "unchanged": int(sum(counts.values())),
        "conflicts": 0,
        "by_kind": {},
        "renumbered": [],
        "dry_run": dry_run,
        "already_imported": True,
        "source": label or manifest.get("source_database_id"),
        "seq": manifest.get("seq"),
        "created_at": manifest.get("created_at"),
        "changed": [],
        "added": [],
        "conflict_list": [],
    }


FIELD_LABELS = {
    "count": "件数",
    "target": "目標",
    "members": "組合員数",
    "holdings": "団生保有",
    "name": "名称・氏名",
    "status": "状況",
    "other_premium": "他社掛金",
    "jichiro_premium": "じちろう掛金",
    "payment": "支払",
    "notes": "備考",
    "note": "備考",
    "seq": "No.",
    "role": "区分",
    "age": "年齢",
    "contact": "連絡先",
    "car": "車名",
    "kind": "種類",
    "effective_month": "発効月",
    "org_joined": "組織加入",
    "value": "値",
    "*": "記録",
}


def field_label(name: str) -> str:
    return FIELD_LABELS.get(name, name)


def _show(value: object) -> str:
    return "(なし)" if value is None else str(value)


def record_text(value: object, table: str | None = None) -> str:
    """A value or a whole record as a clerk reads it (ids and empty fields left out)."""
    if table == "estimate_campaign_unions" and isinstance(value, dict):
        return "参加単組に登録"
    if isinstance(value, dict):
        return (
            "、".join(
                f"{field_label(k)} {v}"
                for k, v in value.items()
                if v not in (None, "") and not k.endswith("id") and k != "__pk__"
            )
            or "(記録あり)"
        )
    return _show(value)


def _describe(db, lines: list, conflicts_after: int) -> dict[str, list[str]]:
    """The applied changes and the new conflicts, as a clerk reads them (for the review)."""
    changed, added = [], []
    for table, key, fld, old, new in lines[:5000]:
        what = f"{KIND_LABELS[kind_of(table)]} {describe_key(db, table, key)}"
        if fld == "*":
            added.append(f"{what}: {'追加' if old is None else '削除'}")
        elif old is None:
            added.append(f"{what} {field_label(fld)}: {_show(new)}")
        else:
            changed.append(f"{what} {field_label(fld)}: {_show(old)} → {_show(new)}")
    conflicts = []
    for t, k, f, o, lap, sit, parents, row in db.execute(
        "SELECT table_name, record_key, field, office_value, laptop_value, situation, parents,"
        " laptop_row FROM exchange_conflicts WHERE id > ? ORDER BY id",
        (conflicts_after,),
    ).fetchall():
        what = f"{KIND_LABELS[kind_of(t)]} {describe_key(db, t, k, parents=_load(parents), row=_load(row))}"
        if sit == "orphaned":
            conflicts.append(
                f"{what} {field_label(f)}: ノートPC {record_text(_load(lap), t)}"
                f" ({deleted_text(_load(parents))} は事務所で削除されています)"
            )
        else:
            conflicts.append(
                f"{what} {field_label(f)}: 事務所 {_show(_load(o))} / ノートPC {_show(_load(lap))}"
                f" ({SITUATIONS[sit]})"
            )
    return {"changed": changed, "added": added, "conflict_list": conflicts}


# ---------------------------------------------------------------------------- conflicts
@dataclass(frozen=True)
class Conflict:
    id: int
    kind: str
    table: str
    key: str
    field: str
    situation: str
    base: object
    office: object
    laptop: object
    office_at: str | None
    office_actor: str | None
    laptop_at: str | None
    laptop_actor: str | None
    source: str | None
    settled: str | None
    deleted: str = ""  # an orphaned change: the records deleted here it refers to
    dependants: str = ""  # deleted on the laptop: what refers to the record here (見積り 1 件)

    def as_dict(self) -> dict:
        return self.__dict__.copy()


SITUATIONS = {
    "both_changed": "両方で変更",
    "both_added": "両方で追加",
    "deleted_office": "事務所で削除・ノートPCで変更",
    "deleted_laptop": "ノートPCで削除・事務所で変更",
    "orphaned": "事務所で削除された記録への変更",
}


def _load(v: str | None) -> Any:
    return None if v is None else json.loads(v)


def describe_key(
    conn: sqlite3.Connection,
    table: str,
    key: str,
    *,
    parents: list | None = None,
    row: dict | None = None,
) -> str:
    """A record key as a clerk reads it (union code, product name, month, No.).

    ``parents`` (an orphaned conflict's deleted records) name a union or campaign that is
    no longer here; ``row`` is the record itself when it is not here (the laptop's)."""
    gone = {(t, json.dumps(v[0] if len(v) == 1 else v)): r for t, v, r in parents or () if r}
    if row is not None and table in ("unions", "estimate_campaigns") and "id" in row:
        gone[(table, json.dumps(row["id"]))] = row  # the record itself, deleted here

    def union(uid: object) -> str:
        found = conn.execute(
            "SELECT pref_code || '-' || union_code FROM unions WHERE id = ?", (uid,)
        ).fetchone()
        if found:
            return found[0]
        old = gone.get(("unions", json.dumps(_int(uid))))
        return (
            f"{old['pref_code']}-{old['union_code']} {old['name']} (削除済み)"
            if old
            else f"単組#{uid}"
        )

    def campaign(cid: object) -> str:
        found = conn.execute("SELECT name FROM estimate_campaigns WHERE id = ?", (cid,)).fetchone()
        if found:
            return found[0]
        old = gone.get(("estimate_campaigns", json.dumps(_int(cid))))
        return f"{old['name']} (削除済み)" if old else f"キャンペーン#{cid}"

    def product(pid: str) -> str:
        row = conn.execute("SELECT name FROM products WHERE id = ?", (pid,)).fetchone()
        return row[0] if row else f"商品#{pid}"

    parts = key.split(":")
    try:
        if table == "results":
            return f"{union(parts[0])} {product(parts[1])} {parts[2]}"
        if table == "targets":
            return f"{parts[0]}年度 {product(parts[1])} {parts[2]}" + (
                f" {union(parts[3])}" if parts[3] else " 県支部"
            )
        if table == "unions":
            return union(parts[0])
        if table == "estimates":
            est = conn.execute(
                "SELECT campaign_id, union_id, seq FROM estimates WHERE id = ?", (parts[0],)
            ).fetchone()
            if est is None and row is not None:
                est = (row["campaign_id"], row["union_id"], row["seq"])
            return (
                f"{campaign(est[0])} {union(est[1])} No.{est[2]}" if est else f"見積り#{parts[0]}"
            )
        if table == "model_unions":
            return f"{parts[0]}年度 {union(parts[1])}"
        if table in ("estimate_campaigns", "estimate_campaign_unions"):
            name = campaign(parts[0])
            return name if len(parts) == 1 else f"{name} {union(parts[1])}"
    except (IndexError, sqlite3.Error):
        pass
    return key


def _int(v: object) -> object:
    try:
        return int(v)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return v


def list_conflicts(conn: sqlite3.Connection, *, settled: bool = False) -> list[Conflict]:
    rows = conn.execute(
        "SELECT id, table_name, record_key, field, situation, base_value, office_value, laptop_value,"
        " office_at, office_actor, laptop_at, laptop_actor, source_label, settlement, parents,"
        " laptop_row, pk FROM exchange_conflicts"
        + ("" if settled else " WHERE settled_at IS NULL")
        + " ORDER BY id"
    ).fetchall()
    return [
        Conflict(
            r[0],
            kind_of(r[1]),
            r[1],
            describe_key(conn, r[1], r[2], parents=_load(r[14]), row=_load(r[15])),
            r[3],
            r[4],
            _load(r[5]),
            _load(r[6]),
            _load(r[7]),
            r[8],
            r[9],
            r[10],
            r[11],
            r[12],
            r[13],
            deleted_text(_load(r[14])),
            _dependants_text(conn, r[1], _load(r[16])) if r[4] == "deleted_laptop" else "",
        )
        for r in rows
    ]


def _dependants_text(conn: sqlite3.Connection, table: str, pk: list) -> str:
    """What refers to a record the laptop deleted, here and now (見積り 1 件)."""
    return "、".join(f"{_TABLE_NAMES.get(t, t)} {n} 件" for t, n in dependants(conn, table, pk))


def resolve(conn: sqlite3.Connection, ids: list[int] | None, keep: str) -> int:
    """Settle open conflicts (``ids`` or all): keep 'office' (this database's) or take 'laptop'."""
    if keep not in ("office", "laptop"):
        raise ValueError("--keep は office か laptop です。")
    sql = (
        "SELECT id, table_name, pk, record_key, situation, field, office_value, laptop_value, laptop_row,"
        " source_label, parents, base_value FROM exchange_conflicts WHERE settled_at IS NULL"
    )
    rows = conn.execute(sql + " ORDER BY id").fetchall()
    if ids is not None:
        wanted = set(ids)
        missing = wanted - {r[0] for r in rows}
        if missing:
            raise ValueError(
                f"未解決の競合に番号 {', '.join(map(str, sorted(missing)))} はありません。"
            )
        rows = [r for r in rows if r[0] in wanted]
    with transaction(conn):
        for (
            cid,
            table,
            pk_json,
            key,
            situation,
            fld,
            office_v,
            laptop_v,
            laptop_row,
            label,
            parents,
            base_v,
        ) in rows:
            if keep == "laptop":
                try:
                    if situation in ("orphaned", "deleted_office") and parents:
                        moved = restore_parents(
                            conn,
                            _load(parents) or [],
                            audit_source=f"{audit.EXCHANGE_PREFIX}{label or 'ノートPC'}",
                            on_laptop=get_state(conn, "role") == "laptop",
                        )
                        row = remap(conn, table, _load(laptop_row), moved)
                        pk_cols = _pk_where(conn, table)
                        pk_json = json.dumps([row[c] for c in pk_cols])
                        key = record_key(table, {**row, "__pk__": pk_cols})
                        laptop_row = json.dumps(row, ensure_ascii=False)
                    _take_laptop(
                        conn,
                        table,
                        json.loads(pk_json),
                        key,
                        situation,
                        fld,
                        _load(office_v),
                        _load(laptop_v),
                        _load(laptop_row),
                        label,
                        _load(base_v),
                    )
                except RestoreRefused as exc:
                    raise ValueError(f"競合 {cid}: {exc}") from exc
                except sqlite3.IntegrityError as exc:
                    raise ValueError(
                        f"競合 {cid} ({describe_key(conn, table, key)}) はノートPCの値を採用できません"
                        f" (他の記録と矛盾します: {exc})。何も変更していません。"
                    ) from exc
            conn.execute(
                "UPDATE exchange_conflicts SET settled_at = ?, settled_by = ?, settlement = ? WHERE id = ?",
                (_now(), audit.current_actor(), keep, cid),
            )
            audit.record(
                conn,
                source="exchange-resolve",
                table=table,
                key=key,
                field=fld,
                old=None,
                new="競合を解決: "
                + ("事務所の値を維持" if keep == "office" else f"{label or 'ノートPC'}の値を採用"),
            )
    return len(rows)


def _pk_where(conn: sqlite3.Connection, table: str) -> list[str]:
    info = [(r[5], r[1]) for r in conn.execute(f"PRAGMA table_info({table})") if r[5]]
    return [name for _, name in sorted(info)]


_TABLE_NAMES = {
    "estimates": "見積り",
    "estimate_campaign_unions": "参加単組",
    "results": "月次実績",
    "targets": "目標",
    "model_unions": "モデル単組",
}


# What names a record apart from its id: a union's code, a campaign's or product's name, a
# target's year × product × 版 × union (NULL = the branch's own).
_RECORD_KEYS = {**NATURAL_KEYS, "targets": ("fiscal_year", "product_id", "version", "union_id")}


def _same_natural_key(conn, table: str, row: dict) -> dict | None:
    """The record here that holds ``row``'s natural key (a union code, a campaign or product
    name) under another id — one re-added after the original was deleted."""
    keys = _RECORD_KEYS.get(table)
    if not keys or any(k not in row for k in keys):
        return None
    cur = conn.execute(
        f"SELECT * FROM {table} WHERE " + " AND ".join(f"{k} IS ?" for k in keys),
        [row[k] for k in keys],
    )
    names = [d[0] for d in cur.description]
    found = cur.fetchone()
    if found is None:
        return None
    here = dict(zip(names, found, strict=True))
    return None if here.get("id") == row.get("id") else here


def _merge_into(conn, table: str, here: dict, laptop_row: dict, base: object, source: str) -> None:
    """Take the laptop's record onto ``here`` (the same natural key, another id): the fields
    the laptop changed (all of them when unknown), each audited; the rest stay."""
    keys = set(_RECORD_KEYS.get(table, ())) | {"id"}
    fields = list(base) if isinstance(base, dict) and base else list(laptop_row)
    fields = [f for f in fields if f not in keys and f in here and here[f] != laptop_row[f]]
    for f in fields:
        conn.execute(f"UPDATE {table} SET {f} = ? WHERE id = ?", (laptop_row[f], here["id"]))
        audit.record(
            conn,
            source=source,
            table=table,
            key=str(here["id"]),
            field=f,
            old=here[f],
            new=laptop_row[f],
        )


def _take_laptop(
    conn, table, pk, key, situation, fld, office_v, laptop_v, laptop_row, label, base_v=None
) -> None:
    pks = _pk_where(conn, table)
    where = " AND ".join(f"{c} = ?" for c in pks)
    source = f"exchange:{label or 'ノートPC'}"
    if situation == "deleted_laptop":
        blocking = dependants(conn, table, pk)
        if blocking:
            raise ValueError(
                f"{describe_key(conn, table, key)} には、この{KIND_LABELS[kind_of(table)]}を参照する記録"
                f" ({'、'.join(f'{_TABLE_NAMES.get(t, t)} {n} 件' for t, n in blocking)})"
                " があるため、ノートPCでの削除を採用できません。「事務所の値を残す」で解決してください。"
                "何も変更していません。"
            )
        conn.execute(f"DELETE FROM {table} WHERE {where}", pk)
        audit.record(conn, source=source, table=table, key=key, field=fld, old="(削除)", new=None)
        return
    exists = conn.execute(f"SELECT 1 FROM {table} WHERE {where}", pk).fetchone()
    if fld != "*" and exists:
        conn.execute(f"UPDATE {table} SET {fld} = ? WHERE {where}", (laptop_v, *pk))
        audit.record(
            conn, source=source, table=table, key=key, field=fld, old=office_v, new=laptop_v
        )
        return
    if isinstance(laptop_row, dict) and not exists:
        same = _same_natural_key(conn, table, laptop_row)
        if same is not None:
            _merge_into(conn, table, same, laptop_row, base_v, source)
            return
    if isinstance(laptop_row, dict):
        if (
            table == "estimates"
            and conn.execute(
                "SELECT 1 FROM estimates WHERE campaign_id = ? AND union_id = ? AND seq = ?"
                " AND id <> ?",
                (
                    laptop_row["campaign_id"],
                    laptop_row["union_id"],
                    laptop_row["seq"],
                    laptop_row["id"],
                ),
            ).fetchone()
        ):
            laptop_row = {
                **laptop_row,
                "seq": conn.execute(  # the No. rule: the next free No.
                    "SELECT max(seq) + 1 FROM estimates WHERE campaign_id = ? AND union_id = ?",
                    (laptop_row["campaign_id"], laptop_row["union_id"]),
                ).fetchone()[0],
            }
        known = {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}
        cols = [c for c in laptop_row if c in known]  # never a name from the package
        if exists:
            # updated in place: deleting and re-inserting would cascade to its dependants
            rest = [c for c in cols if c not in pks]
            conn.execute(
                f"UPDATE {table} SET {', '.join(f'{c} = ?' for c in rest)} WHERE {where}",
                (*[laptop_row[c] for c in rest], *pk),
            )
        else:
            conn.execute(
                f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                tuple(laptop_row[c] for c in cols),
            )
        audit.record(
            conn,
            source=source,
            table=table,
            key=key,
            field="*",
            old=None,
            new="(ノートPCの記録を採用)",
        )
        return
    raise ValueError(f"競合 {key} はノートPCの値を採用できません (記録の内容がありません)。")


__all__ += [
    "field_label",
    "Conflict",
    "SITUATIONS",
    "describe_key",
    "record_key",
    "get_state",
    "set_state",
    "ExchangeStatus",
]
