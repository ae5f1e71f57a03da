"""Estimate campaigns (見積りキャンペーン) and their participating unions, with audited writes.

A campaign has a unique name, a kind (単組執行部見積り強化月間, 見積りキャンペーン, 成約キャンペー
ン, 新規車両付帯キャンペーン, その他), an optional period, the product (マイカー共済 by default)
and the unions taking part.  The estimates themselves are in ``store/estimates.py``.
"""

from __future__ import annotations

import builtins
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields, replace

from kyosai_desktop.domain.estimates import CAMPAIGN_KINDS
from kyosai_desktop.store import audit
from kyosai_desktop.store.ids import new_id
from kyosai_desktop.store.tx import transaction


def plain_rows(conn: sqlite3.Connection, sql: str, args: Sequence[object] = ()) -> list[tuple]:
    """Rows as plain tuples (no sqlite3.Row): several times faster for bulk reads."""
    cur = conn.cursor()
    cur.row_factory = None
    return cur.execute(sql, args).fetchall()


@dataclass(frozen=True)
class Campaign:
    id: int
    name: str
    kind: str
    period_from: str | None = None
    period_to: str | None = None
    product_id: int | None = None
    note: str | None = None
    anonymised_at: str | None = None

    @property
    def period_text(self) -> str:
        if not self.period_from and not self.period_to:
            return "期間未設定"
        return f"{_jp_date(self.period_from)}〜{_jp_date(self.period_to)}"


def _jp_date(iso: str | None) -> str:
    """``2025-10-01`` → ``2025年10月1日``, the one date format of screens and prints."""
    if not iso:
        return ""
    try:
        y, m, d = (int(p) for p in iso[:10].split("-"))
    except ValueError:
        return iso
    return f"{y}年{m}月{d}日"


JOINED = "参加"  # the audit value of a participating union
CAMPAIGN_EDITABLE = ("name", "kind", "period_from", "period_to", "product_id", "note")
_CAMPAIGN_COLS = ", ".join(f.name for f in fields(Campaign))


class CampaignRepository:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def list(self) -> list[Campaign]:
        rows = self.conn.execute(
            f"SELECT {_CAMPAIGN_COLS} FROM estimate_campaigns ORDER BY ifnull(period_from, '9999') DESC, id DESC"
        )
        return [Campaign(*r) for r in rows]

    def get(self, campaign_id: int) -> Campaign | None:
        row = self.conn.execute(
            f"SELECT {_CAMPAIGN_COLS} FROM estimate_campaigns WHERE id = ?", (campaign_id,)
        ).fetchone()
        return None if row is None else Campaign(*row)

    def find(self, name: str) -> Campaign | None:
        row = self.conn.execute(
            f"SELECT {_CAMPAIGN_COLS} FROM estimate_campaigns WHERE name = ?", (name.strip(),)
        ).fetchone()
        return None if row is None else Campaign(*row)

    def add(
        self,
        name: str,
        kind: str = "その他",
        *,
        period_from: str | None = None,
        period_to: str | None = None,
        product_id: int | None = None,
        note: str | None = None,
        source: str = "estimates",
    ) -> Campaign:
        name = name.strip()
        self._check(name, kind, period_from, period_to, None)
        with transaction(self.conn):
            cur = self.conn.execute(
                "INSERT INTO estimate_campaigns (id, name, kind, period_from, period_to, product_id, note)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    new_id(self.conn, "estimate_campaigns"),
                    name,
                    kind,
                    period_from,
                    period_to,
                    product_id,
                    note,
                ),
            )
            cid = int(cur.lastrowid)  # type: ignore[arg-type]
            audit.record(
                self.conn,
                source=source,
                table="estimate_campaigns",
                key=str(cid),
                field=audit.WHOLE_RECORD,
                old=None,
                new=self.get(cid),
                new_text=f"{name} ({kind})",
            )
        return self.get(cid)  # type: ignore[return-value]

    def restore(self, campaign: Campaign, *, source: str = "undo") -> Campaign:
        """Put back a deleted campaign with its id (undo of a delete, redo of an add)."""
        self._check(
            campaign.name, campaign.kind, campaign.period_from, campaign.period_to, campaign.id
        )
        values = {f.name: getattr(campaign, f.name) for f in fields(Campaign)}
        with transaction(self.conn):
            self.conn.execute(
                f"INSERT INTO estimate_campaigns ({_CAMPAIGN_COLS}) VALUES ({', '.join('?' * len(values))})",
                tuple(values.values()),
            )
            audit.record(
                self.conn,
                source=source,
                table="estimate_campaigns",
                key=str(campaign.id),
                field=audit.WHOLE_RECORD,
                old=None,
                new=self.get(campaign.id),
                new_text=f"{campaign.name} ({campaign.kind}) (復元)",
            )
        return self.get(campaign.id)  # type: ignore[return-value]

    def update(self, campaign_id: int, *, source: str = "estimates", **values: object) -> Campaign:
        bad = set(values) - set(CAMPAIGN_EDITABLE)
        if bad:
            raise ValueError(f"unknown campaign fields: {sorted(bad)}")
        old = self.get(campaign_id)
        if old is None:
            raise KeyError(campaign_id)
        new = replace(old, **values)  # type: ignore[arg-type]
        self._check(new.name, new.kind, new.period_from, new.period_to, campaign_id)
        with transaction(self.conn):
            for key, value in values.items():
                if getattr(old, key) == value:
                    continue
                self.conn.execute(
                    f"UPDATE estimate_campaigns SET {key} = ? WHERE id = ?", (value, campaign_id)
                )
                audit.record(
                    self.conn,
                    source=source,
                    table="estimate_campaigns",
                    key=str(campaign_id),
                    field=key,
                    old=getattr(old, key),
                    new=value,
                )
        return self.get(campaign_id)  # type: ignore[return-value]

    def _check(
        self,
        name: str,
        kind: str,
        period_from: str | None,
        period_to: str | None,
        own_id: int | None,
    ) -> None:
        if not name:
            raise ValueError("キャンペーン名を入力してください。")
        if kind not in CAMPAIGN_KINDS:
            raise ValueError(f"種類「{kind}」は {' / '.join(CAMPAIGN_KINDS)} のいずれかです。")
        if period_from and period_to and period_from > period_to:
            raise ValueError("期間の終了日が開始日より前です。")
        other = self.find(name)
        if other is not None and other.id != own_id:
            raise ValueError(f"キャンペーン「{name}」は既に登録されています。")

    def delete(self, campaign_id: int, *, source: str = "estimates") -> None:
        """Delete a campaign that has no estimate (a campaign with estimates is kept)."""
        n = self.conn.execute(
            "SELECT count(*) FROM estimates WHERE campaign_id = ?", (campaign_id,)
        ).fetchone()[0]
        if n:
            raise ValueError(f"このキャンペーンには見積りが {n} 件あるため削除できません。")
        old = self.get(campaign_id)
        with transaction(self.conn):
            self.conn.execute("DELETE FROM estimate_campaigns WHERE id = ?", (campaign_id,))
            audit.record(
                self.conn,
                source=source,
                table="estimate_campaigns",
                key=str(campaign_id),
                field=audit.WHOLE_RECORD,
                old=old,
                new=None,
                old_text=None if old is None else old.name,
            )

    def stats(self) -> dict[int, tuple[int, int]]:
        """{campaign_id: (participating unions, estimates)} for the campaign list."""
        rows = self.conn.execute(
            "SELECT c.id,"
            " (SELECT count(*) FROM (SELECT union_id FROM estimate_campaign_unions WHERE campaign_id = c.id"
            "   UNION SELECT union_id FROM estimates WHERE campaign_id = c.id)),"
            " (SELECT count(*) FROM estimates WHERE campaign_id = c.id)"
            " FROM estimate_campaigns c"
        )
        return {r[0]: (r[1], r[2]) for r in rows}

    # ------------------------------------------------------------ participating unions
    def union_ids(self, campaign_id: int) -> builtins.list[int]:
        """Participating unions and unions with estimates, ordered by code."""
        rows = self.conn.execute(
            "SELECT u.id FROM unions u WHERE u.id IN ("
            " SELECT union_id FROM estimate_campaign_unions WHERE campaign_id = ?"
            " UNION SELECT union_id FROM estimates WHERE campaign_id = ?)"
            " ORDER BY u.pref_code, u.union_code",
            (campaign_id, campaign_id),
        )
        return [r[0] for r in rows]

    def add_unions(
        self, campaign_id: int, union_ids: Iterable[int], *, source: str = "estimates"
    ) -> int:
        added = 0
        with transaction(self.conn):
            for uid in union_ids:
                cur = self.conn.execute(
                    "INSERT OR IGNORE INTO estimate_campaign_unions (campaign_id, union_id) VALUES (?, ?)",
                    (campaign_id, uid),
                )
                if cur.rowcount:
                    added += 1
                    audit.record(
                        self.conn,
                        source=source,
                        table="estimate_campaign_unions",
                        key=f"{campaign_id}:{uid}",
                        field=audit.WHOLE_RECORD,
                        old=None,
                        new=JOINED,
                    )
        return added

    def remove_union(self, campaign_id: int, union_id: int, *, source: str = "estimates") -> None:
        n = self.conn.execute(
            "SELECT count(*) FROM estimates WHERE campaign_id = ? AND union_id = ?",
            (campaign_id, union_id),
        ).fetchone()[0]
        if n:
            raise ValueError(f"この単組には見積りが {n} 件あるため、参加単組から外せません。")
        with transaction(self.conn):
            cur = self.conn.execute(
                "DELETE FROM estimate_campaign_unions WHERE campaign_id = ? AND union_id = ?",
                (campaign_id, union_id),
            )
            if cur.rowcount:
                audit.record(
                    self.conn,
                    source=source,
                    table="estimate_campaign_unions",
                    key=f"{campaign_id}:{union_id}",
                    field=audit.WHOLE_RECORD,
                    old=JOINED,
                    new=None,
                )
