"""Estimate campaigns and estimates (DOMAIN §6): the SQL, with an audit row per changed field.

``CampaignRepository`` (store/estimate_campaigns.py, re-exported here) keeps campaigns;
``EstimateRepository`` keeps the estimates (every 別紙2 field, the workflow status with the
date of each step, the person's contact and notes) and answers the questions the screens
and reports ask: a union's open estimates, the closing list, the rows of a campaign.
Personal fields can be anonymised for a finished campaign, including their audit history.
"""

from __future__ import annotations

import builtins
import json
import sqlite3
from collections.abc import Collection, Sequence
from dataclasses import dataclass, fields
from datetime import datetime

from kyosai_desktop.domain.estimates import (
    CLOSED_STATUSES,
    ESTIMATED,
    OPEN_STATUSES,
    PAYMENTS,
    REQUESTED,
    RETURNED,
    ROLES,
    STATUS_RANK,
    STATUSES,
)
from kyosai_desktop.store import audit
from kyosai_desktop.store.estimate_campaigns import Campaign, CampaignRepository, plain_rows  # noqa: F401 - re-exported
from kyosai_desktop.store.ids import new_id
from kyosai_desktop.store.tx import transaction

ANONYMISED = "(匿名化済)"


@dataclass(slots=True)
class Estimate:
    """One estimate (a snapshot: repositories return new objects, nothing mutates them)."""

    id: int
    campaign_id: int
    union_id: int
    seq: int
    role: str = "組合員"
    name: str | None = None
    age: int | None = None
    contact: str | None = None
    car: str | None = None
    grade_now: str | None = None
    grade_new: str | None = None
    vehicle_cover: bool = False
    other_premium: int | None = None
    jichiro_premium: int | None = None
    payment: str | None = None
    policy_maturity: str | None = None
    inspection_due: str | None = None
    status: str = REQUESTED
    requested_on: str | None = None
    estimated_on: str | None = None
    returned_on: str | None = None
    closed_on: str | None = None
    notes: str | None = None


ESTIMATE_FIELDS = tuple(f.name for f in fields(Estimate))
# Fields a clerk edits (everything but the keys).
EDITABLE = tuple(n for n in ESTIMATE_FIELDS if n not in ("id", "campaign_id", "union_id"))
# Personal data (DOMAIN §8), cleared by anonymisation.
PERSONAL_FIELDS = ("name", "age", "contact", "car", "policy_maturity", "inspection_due", "notes")
# The date recorded for each status step.
STATUS_DATE = {
    REQUESTED: "requested_on",
    ESTIMATED: "estimated_on",
    RETURNED: "returned_on",
    "成約": "closed_on",
    "不成約": "closed_on",
}
_EST_COLS = ", ".join(ESTIMATE_FIELDS)
_VEHICLE = ESTIMATE_FIELDS.index("vehicle_cover")


def _estimate(row: Sequence[object]) -> Estimate:
    e = Estimate(*row)  # type: ignore[arg-type]
    e.vehicle_cover = bool(e.vehicle_cover)
    return e


def estimate_key(estimate_id: int) -> str:
    return str(estimate_id)


def _created_text(campaign_id: int, union_id: int | str, seq: object) -> str:
    """The audit text of an estimate's creation; it ties the estimate's history to its
    campaign even after the estimate is deleted (anonymisation looks for it)."""
    return f"キャンペーン {campaign_id} 単組 {union_id} No.{seq}"


@dataclass(slots=True)
class OpenEstimate:
    """An estimate not yet closed (not 成約/不成約), for the progress sheet and closing list."""

    id: int
    campaign_id: int
    campaign: str
    union_id: int
    seq: int
    name: str | None
    car: str | None
    policy_maturity: str | None
    status: str
    role: str
    contact: str | None
    returned_on: str | None
    other_premium: int | None = None
    jichiro_premium: int | None = None
    payment: str | None = None


@dataclass(frozen=True)
class StatusCounts:
    """Per union: how far each estimate got (counts are cumulative: 成約 is also returned)."""

    requests: int = 0  # every estimate record (依頼 received)
    estimated: int = 0  # 見積作成 or later
    returned: int = 0  # 返却済, 成約 or 不成約
    contracts: int = 0  # 成約
    declined: int = 0  # 不成約
    contracts_in_period: int = (
        0  # 成約 whose 申込日 falls in the campaign period (campaigns count by 申込日)
    )


def validate(values: dict[str, object]) -> None:
    """Refuse impossible values with a Japanese message (the form checks them first)."""
    if "role" in values and values["role"] not in ROLES:
        raise ValueError(f"区分「{values['role']}」は 執行部 か 組合員 です。")
    if "status" in values and values["status"] not in STATUSES:
        raise ValueError(f"状況「{values['status']}」は {' / '.join(STATUSES)} のいずれかです。")
    if values.get("payment") is not None and values["payment"] not in PAYMENTS:
        raise ValueError(f"支払「{values['payment']}」は 年 か 月 です。")
    for key, label in (("other_premium", "他社掛金"), ("jichiro_premium", "じちろう掛金")):
        v = values.get(key)
        if v is not None and (not isinstance(v, int) or v < 0):
            raise ValueError(f"{label}は0円以上の整数です。")
    if "seq" in values and (not isinstance(values["seq"], int) or values["seq"] < 1):
        raise ValueError("No. は1以上の整数です。")


class EstimateRepository:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    # ------------------------------------------------------------------ reading
    def get(self, estimate_id: int) -> Estimate | None:
        row = self.conn.execute(
            f"SELECT {_EST_COLS} FROM estimates WHERE id = ?", (estimate_id,)
        ).fetchone()
        return None if row is None else _estimate(row)

    def list(self, campaign_id: int, union_id: int | None = None) -> list[Estimate]:
        """A campaign's estimates (one union's, or all by union code then No.)."""
        if union_id is not None:
            rows = plain_rows(
                self.conn,
                f"SELECT {_EST_COLS} FROM estimates WHERE campaign_id = ? AND union_id = ? ORDER BY seq",
                (campaign_id, union_id),
            )
        else:
            # Read in index order (no join, no temporary sort), then order the unions by code.
            rows = plain_rows(
                self.conn,
                f"SELECT {_EST_COLS} FROM estimates WHERE campaign_id = ? ORDER BY union_id, seq",
                (campaign_id,),
            )
            rank = {
                uid: i
                for i, (uid,) in enumerate(
                    plain_rows(self.conn, "SELECT id FROM unions ORDER BY pref_code, union_code")
                )
            }
            rows.sort(key=lambda r: rank.get(r[2], -1))
        return [_estimate(r) for r in rows]

    def premium_sums(
        self,
        campaign_id: int,
        union_id: int | None = None,
        *,
        union_ids: Collection[int] | None = None,
    ) -> dict[int, tuple[int, builtins.list[tuple[str, int, int, int]]]]:
        """Per union: (rows, [(支払, complete rows, Σ他社, Σじちろう) per 支払]) in one SQL pass.

        "Complete" = both premiums and 支払 given (the rows ``domain.estimates.totals``
        keeps); the per-支払 sums let the domain apply k without reading every row.
        ``union_id`` / ``union_ids`` keep only those unions (a search of the
        (campaign, union, No.) index: a few unions cost a few of their rows).
        """
        sql = (
            "SELECT union_id, payment, count(*),"
            " sum(other_premium IS NOT NULL AND jichiro_premium IS NOT NULL AND payment IS NOT NULL),"
            " sum(CASE WHEN jichiro_premium IS NOT NULL AND payment IS NOT NULL THEN other_premium END),"
            " sum(CASE WHEN other_premium IS NOT NULL AND payment IS NOT NULL THEN jichiro_premium END)"
            " FROM estimates WHERE campaign_id = ?"
        )
        args: list[object] = [campaign_id]
        if union_id is not None:
            sql += " AND union_id = ?"
            args.append(union_id)
        if union_ids is not None:
            sql += f" AND union_id IN ({','.join('?' * len(union_ids))})"
            args.extend(union_ids)
        sql += " GROUP BY union_id, payment"
        out: dict[int, tuple[int, list[tuple[str, int, int, int]]]] = {}
        for uid, payment, n, n_complete, s_other, s_jichiro in plain_rows(self.conn, sql, args):
            rows, groups = out.get(uid, (0, []))
            if payment is not None and n_complete:
                groups.append((payment, n_complete, s_other or 0, s_jichiro or 0))
            out[uid] = (rows + n, groups)
        return out

    def roles_by_union(self, campaign_id: int) -> dict[int, set[str]]:
        """{union_id: the roles (執行部 / 組合員) among its estimates}."""
        out: dict[int, set[str]] = {}
        for uid, role in plain_rows(
            self.conn,
            "SELECT DISTINCT union_id, role FROM estimates WHERE campaign_id = ?",
            (campaign_id,),
        ):
            out.setdefault(uid, set()).add(role)
        return out

    def status_counts(
        self, campaign_id: int, union_ids: Collection[int] | None = None
    ) -> dict[int, StatusCounts]:
        """Per union: requests, estimated, returned, 成約, 不成約, and 成約 applied (申込日)
        within the campaign period (all 成約 when the period is open-ended) — one SQL pass
        (only ``union_ids`` when given: a search of the (campaign, union, No.) index)."""
        only = "" if union_ids is None else f" AND e.union_id IN ({','.join('?' * len(union_ids))})"
        rows = plain_rows(
            self.conn,
            "SELECT e.union_id, count(*),"
            " sum(e.status != '依頼受付'),"
            " sum(e.status IN ('返却済', '成約', '不成約')),"
            " sum(e.status = '成約'), sum(e.status = '不成約'),"
            # A 成約 without 申込日 is not known to fall in the period; ifnull keeps a union whose
            # every estimate is such a 成約 at 0 (SQL's sum over only NULLs is NULL).
            " ifnull(sum(e.status = '成約' AND (c.period_from IS NULL OR e.closed_on >= c.period_from)"
            "     AND (c.period_to IS NULL OR e.closed_on <= c.period_to)), 0)"
            " FROM estimates e JOIN estimate_campaigns c ON c.id = e.campaign_id"
            f" WHERE e.campaign_id = ?{only} GROUP BY e.union_id",
            (campaign_id, *(union_ids or ())),
        )
        return {r[0]: StatusCounts(*r[1:]) for r in rows}

    def count(self, campaign_id: int | None = None) -> int:
        if campaign_id is None:
            return self.conn.execute("SELECT count(*) FROM estimates").fetchone()[0]
        return self.conn.execute(
            "SELECT count(*) FROM estimates WHERE campaign_id = ?", (campaign_id,)
        ).fetchone()[0]

    def next_seq(self, campaign_id: int, union_id: int) -> int:
        row = self.conn.execute(
            "SELECT max(seq) FROM estimates WHERE campaign_id = ? AND union_id = ?",
            (campaign_id, union_id),
        ).fetchone()
        return (row[0] or 0) + 1

    def find_seq(self, campaign_id: int, union_id: int, seq: int) -> Estimate | None:
        row = self.conn.execute(
            f"SELECT {_EST_COLS} FROM estimates WHERE campaign_id = ? AND union_id = ? AND seq = ?",
            (campaign_id, union_id, seq),
        ).fetchone()
        return None if row is None else _estimate(row)

    def open_estimates(
        self,
        *,
        campaign_id: int | None = None,
        union_id: int | None = None,
        matures_from: str | None = None,
        matures_to: str | None = None,
        ids: Collection[int] | None = None,
    ) -> builtins.list[OpenEstimate]:
        """Estimates not yet 成約/不成約, by 保険(共済)満期日 (unknown dates last), then union
        code, No. and id (one order for every read, so that a list updated row by row reads
        as the same list read again).

        ``matures_from``/``matures_to`` (ISO dates, inclusive) keep only estimates whose
        maturity falls in that window (the closing list's "within N days"); ``ids`` only
        those estimates (the rows an edit touched).
        """
        rows = self.open_estimate_rows(
            campaign_id=campaign_id,
            union_id=union_id,
            matures_from=matures_from,
            matures_to=matures_to,
            ids=ids,
        )
        return [OpenEstimate(*r) for r in rows]

    def open_estimate_rows(
        self,
        *,
        campaign_id: int | None = None,
        union_id: int | None = None,
        matures_from: str | None = None,
        matures_to: str | None = None,
        ids: Collection[int] | None = None,
        ordered: bool = True,
        keys_only: bool = False,
    ) -> builtins.list[tuple]:
        """:meth:`open_estimates` as plain tuples in :class:`OpenEstimate`'s field order
        (``OpenEstimate(*row)``), for a reader of every open estimate that makes an object
        only for the rows it shows; ``ordered=False`` for one that sorts them itself (the
        closing list sorts by the next 満期日: a quarter of the read is the sort here).

        ``keys_only``: only (id, union id, No., 満期日) of each — what the closing list sorts
        and filters by; it reads the rest (by id) for the rows it shows.  Making the Python
        values of fifteen columns is most of the cost of reading every open estimate.
        """
        marks = ",".join("?" * len(OPEN_STATUSES))
        columns = (
            "e.id, e.union_id, e.seq, e.policy_maturity"
            if keys_only
            else "e.id, e.campaign_id, c.name, e.union_id, e.seq, e.name, e.car, e.policy_maturity,"
            " e.status, e.role, e.contact, e.returned_on, e.other_premium, e.jichiro_premium,"
            " e.payment"
        )
        sql = (
            f"SELECT {columns}"
            " FROM estimates e JOIN estimate_campaigns c ON c.id = e.campaign_id"
            " JOIN unions u ON u.id = e.union_id"
            f" WHERE e.status IN ({marks})"
        )
        args: list[object] = list(OPEN_STATUSES)
        if campaign_id is not None:
            sql += " AND e.campaign_id = ?"
            args.append(campaign_id)
        if union_id is not None:
            sql += " AND e.union_id = ?"
            args.append(union_id)
        if matures_from is not None:
            sql += " AND e.policy_maturity >= ?"
            args.append(matures_from)
        if matures_to is not None:
            sql += " AND e.policy_maturity <= ?"
            args.append(matures_to)
        if ids is not None:
            sql += f" AND e.id IN ({','.join('?' * len(ids))})"
            args.extend(ids)
        if ordered:
            sql += (
                " ORDER BY e.policy_maturity IS NULL, e.policy_maturity, u.pref_code, u.union_code,"
                " e.seq, e.id"
            )
        return plain_rows(self.conn, sql, args)

    def open_for_union(self, union_id: int) -> builtins.list[OpenEstimate]:
        """The union's open estimates (any campaign), by maturity date — for the progress sheet."""
        return self.open_estimates(union_id=union_id)

    # ------------------------------------------------------------------ writing
    def add(
        self, campaign_id: int, union_id: int, *, source: str = "estimates", **values: object
    ) -> Estimate:
        """Add one estimate (No. = next free unless given); one commit, audited."""
        bad = set(values) - set(EDITABLE)
        if bad:
            raise ValueError(f"unknown estimate fields: {sorted(bad)}")
        self._refuse_anonymised(campaign_id)
        with transaction(self.conn):
            values = dict(values)
            if values.get("seq") is None:
                values["seq"] = self.next_seq(campaign_id, union_id)
            validate(values)
            if self.find_seq(campaign_id, union_id, int(values["seq"])) is not None:  # type: ignore[call-overload]
                raise ValueError(f"No. {values['seq']} は既に使われています。")
            if "vehicle_cover" in values:
                values["vehicle_cover"] = int(bool(values["vehicle_cover"]))
            keys = ["id", "campaign_id", "union_id", *values]
            cur = self.conn.execute(
                f"INSERT INTO estimates ({', '.join(keys)}) VALUES ({', '.join('?' * len(keys))})",
                (new_id(self.conn, "estimates"), campaign_id, union_id, *values.values()),
            )
            eid = int(cur.lastrowid)  # type: ignore[arg-type]
            self.conn.execute(
                "INSERT OR IGNORE INTO estimate_campaign_unions (campaign_id, union_id)"
                " VALUES (?, ?)",
                (campaign_id, union_id),
            )
            rows = [
                audit.AuditRow(
                    "estimates",
                    estimate_key(eid),
                    audit.WHOLE_RECORD,
                    None,
                    self.get(eid),
                    new_text=_created_text(campaign_id, union_id, values["seq"]),
                )
            ]
            rows += [
                audit.AuditRow("estimates", estimate_key(eid), key, None, value)
                for key, value in values.items()
                if key != "seq" and value not in (None, 0, "")
            ]
            audit.write(self.conn, source, rows)
        return self.get(eid)  # type: ignore[return-value]

    def update(self, estimate_id: int, *, source: str = "estimates", **values: object) -> Estimate:
        """Change fields of one estimate (one commit, one audit row per changed field)."""
        bad = set(values) - set(EDITABLE)
        if bad:
            raise ValueError(f"unknown estimate fields: {sorted(bad)}")
        validate(values)
        old = self.get(estimate_id)
        if old is None:
            raise KeyError(estimate_id)
        self._refuse_anonymised(old.campaign_id)
        with transaction(self.conn):
            if "seq" in values and values["seq"] != old.seq:
                other = self.find_seq(old.campaign_id, old.union_id, int(values["seq"]))  # type: ignore[call-overload]
                if other is not None:
                    raise ValueError(f"No. {values['seq']} は既に使われています。")
            for key, value in values.items():
                before = getattr(old, key)
                if key == "vehicle_cover":
                    value = bool(value)
                if before == value:
                    continue
                stored = int(value) if isinstance(value, bool) else value
                self.conn.execute(
                    f"UPDATE estimates SET {key} = ? WHERE id = ?", (stored, estimate_id)
                )
                audit.record(
                    self.conn,
                    source=source,
                    table="estimates",
                    key=estimate_key(estimate_id),
                    field=key,
                    old=before,
                    new=value,
                )
        return self.get(estimate_id)  # type: ignore[return-value]

    def set_status(
        self, estimate_id: int, status: str, on: str | None, *, source: str = "estimates"
    ) -> Estimate:
        """Move an estimate to ``status`` dated ``on``; moving back clears later steps' dates."""
        if status not in STATUSES:
            raise ValueError(f"状況「{status}」は {' / '.join(STATUSES)} のいずれかです。")
        old = self.get(estimate_id)
        if old is None:
            raise KeyError(estimate_id)
        changes: dict[str, object] = {"status": status}
        date_field = STATUS_DATE[status]
        if on is not None:
            changes[date_field] = on
        rank = STATUS_RANK[status]
        for step, field in STATUS_DATE.items():
            if STATUS_RANK[step] > rank and field != date_field:
                changes[field] = None
        if old.status in CLOSED_STATUSES and status in CLOSED_STATUSES and on is None:
            changes.pop(date_field, None)
        return self.update(estimate_id, source=source, **changes)

    def set_status_many(
        self, estimate_ids: Sequence[int], status: str, on: str | None, *, source: str = "estimates"
    ) -> builtins.list[Estimate]:
        """The same status step for several estimates, as one edit (one commit)."""
        with transaction(self.conn):
            return [self.set_status(i, status, on, source=source) for i in estimate_ids]

    def delete(self, estimate_id: int, *, source: str = "estimates") -> Estimate:
        old = self.get(estimate_id)
        if old is None:
            raise KeyError(estimate_id)
        with transaction(self.conn):
            self.conn.execute("DELETE FROM estimates WHERE id = ?", (estimate_id,))
            audit.record(
                self.conn,
                source=source,
                table="estimates",
                key=estimate_key(estimate_id),
                field=audit.WHOLE_RECORD,
                old=old,
                new=None,
                old_text=f"No.{old.seq}",
            )
        return old

    def restore(self, estimate: Estimate, *, source: str = "undo") -> Estimate:
        """Put back a deleted estimate with its id (undo of a delete)."""
        values = {k: getattr(estimate, k) for k in ESTIMATE_FIELDS}
        values["vehicle_cover"] = int(bool(values["vehicle_cover"]))
        with transaction(self.conn):
            self.conn.execute(
                f"INSERT INTO estimates ({_EST_COLS}) VALUES ({', '.join('?' * len(values))})",
                tuple(values.values()),
            )
            audit.record(
                self.conn,
                source=source,
                table="estimates",
                key=estimate_key(estimate.id),
                field=audit.WHOLE_RECORD,
                old=None,
                new=self.get(estimate.id),
                new_text=f"No.{estimate.seq} (復元)",
            )
        return self.get(estimate.id)  # type: ignore[return-value]

    def _refuse_anonymised(self, campaign_id: int) -> None:
        row = self.conn.execute(
            "SELECT anonymised_at FROM estimate_campaigns WHERE id = ?", (campaign_id,)
        ).fetchone()
        if row is None:
            raise ValueError("キャンペーンが見つかりません。")
        if row[0]:
            raise ValueError("このキャンペーンは匿名化済みのため、見積りを追加・変更できません。")

    # ------------------------------------------------------------------ personal data
    def history_keys(self, campaign_id: int) -> builtins.list[str]:
        """Audit keys of the campaign's estimates, those deleted earlier included (by their creation row)."""
        ids = [
            r[0]
            for r in self.conn.execute(
                "SELECT id FROM estimates WHERE campaign_id = ?", (campaign_id,)
            )
        ]
        created = self.conn.execute(
            "SELECT DISTINCT record_key FROM audit WHERE table_name = 'estimates' AND field = '*'"
            " AND old_value IS NULL AND new_value LIKE ?",
            (_created_text(campaign_id, "%", "%"),),
        )
        return sorted({estimate_key(i) for i in ids} | {r[0] for r in created})

    def _anonymise_exchange(self, keys: builtins.list[str]) -> None:
        """The laptop exchange (db/008) keeps estimate values too: its listed conflicts (values and
        the laptop's whole record, as JSON) and each package's changeset.  A conflict over a personal
        field of these estimates is dropped (moot: they can no longer be edited); other conflicts keep
        their row without the personal fields; a changeset holding these estimates is dropped (the
        next package from that laptop is then taken whole — what was already applied comes back
        unchanged)."""
        tables = {
            r[0] for r in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        wanted = set(keys)
        if "exchange_conflicts" in tables and wanted:
            rows = self.conn.execute(
                "SELECT id, record_key, field, base_value, office_value, laptop_value, laptop_row"
                " FROM exchange_conflicts WHERE table_name = 'estimates'"
            ).fetchall()
            for cid, key, fld, *values in rows:
                if key not in wanted:
                    continue
                if fld in PERSONAL_FIELDS:
                    self.conn.execute("DELETE FROM exchange_conflicts WHERE id = ?", (cid,))
                    continue
                try:
                    self.conn.execute(
                        "UPDATE exchange_conflicts SET base_value = ?, office_value = ?,"
                        " laptop_value = ?, laptop_row = ? WHERE id = ?",
                        (*(_without_personal(v) for v in values), cid),
                    )
                except sqlite3.IntegrityError:  # now equal to another listed conflict
                    self.conn.execute("DELETE FROM exchange_conflicts WHERE id = ?", (cid,))
        if "exchange_imports" in tables and wanted:
            cols = [r[1] for r in self.conn.execute("PRAGMA table_info(estimates)")]
            for package_id, changeset in self.conn.execute(
                "SELECT package_id, changeset FROM exchange_imports WHERE changeset IS NOT NULL"
            ).fetchall():
                if _changeset_touches(bytes(changeset), cols.index("id"), wanted):
                    self.conn.execute(
                        "UPDATE exchange_imports SET changeset = NULL WHERE package_id = ?",
                        (package_id,),
                    )

    def anonymise_campaign(self, campaign_id: int, *, source: str = "anonymise") -> int:
        """Clear every personal field of the campaign's estimates, and their audit history.

        Premiums, 支払, 車両, grades, roles, statuses and status dates are kept, so every
        aggregate (別紙3, the summary) is unchanged.  The history of estimates deleted from
        the campaign earlier is cleared too (found by their creation row), and so are the laptop
        exchange's copies of them (listed conflicts, the changesets taken in).  Freed bytes are
        zeroed (``secure_delete``) and the WAL is checkpointed, so the names are gone from
        the file itself.  Returns the number of estimates anonymised.
        """
        ids = [
            r[0]
            for r in self.conn.execute(
                "SELECT id FROM estimates WHERE campaign_id = ?", (campaign_id,)
            )
        ]
        keys = self.history_keys(campaign_id)
        self.conn.execute("PRAGMA secure_delete = ON")
        with transaction(self.conn):
            sets = ", ".join(f"{f} = NULL" for f in PERSONAL_FIELDS)
            self.conn.execute(f"UPDATE estimates SET {sets} WHERE campaign_id = ?", (campaign_id,))
            marks = ",".join("?" * len(PERSONAL_FIELDS))
            for start in range(0, len(keys), 500):
                chunk = keys[start : start + 500]
                in_chunk = ",".join("?" * len(chunk))
                self.conn.execute(
                    "UPDATE audit SET old_value = CASE WHEN old_value IS NULL THEN NULL ELSE ? END,"
                    " new_value = CASE WHEN new_value IS NULL THEN NULL ELSE ? END"
                    f" WHERE table_name = 'estimates' AND field IN ({marks}) AND record_key IN ({in_chunk})",
                    (ANONYMISED, ANONYMISED, *PERSONAL_FIELDS, *chunk),
                )
            self._anonymise_exchange(keys)
            at = datetime.now().isoformat(timespec="seconds")
            self.conn.execute(
                "UPDATE estimate_campaigns SET anonymised_at = ? WHERE id = ?", (at, campaign_id)
            )
            audit.record(
                self.conn,
                source=source,
                table="estimate_campaigns",
                key=str(campaign_id),
                field="anonymised_at",
                old=None,
                new=at,
                new_text=f"{at} ({len(ids)} 件)",
            )
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return len(ids)


def _without_personal(value: str | None) -> str | None:
    """A JSON-encoded record (or value) of the exchange with the personal fields emptied."""
    if value is None:
        return None
    try:
        data = json.loads(value)
    except ValueError:
        return value
    if isinstance(data, dict):
        for f in PERSONAL_FIELDS:
            if data.get(f) is not None:
                data[f] = None
        return json.dumps(data, ensure_ascii=False)
    return value


def _changeset_touches(changeset: bytes, id_column: int, keys: set[str]) -> bool:
    """Does a session changeset hold a row of one of these estimates (by id)?"""
    try:
        import apsw
    except ImportError:
        return True  # cannot look inside: assume it does
    for change in apsw.Changeset.iter(changeset):
        if change.name != "estimates":
            continue
        for values in (change.old, change.new):
            if values and id_column < len(values) and str(values[id_column]) in keys:
                return True
    return False
