"""The global search over the full-text index kept by db/006_search.sql's triggers.

One query finds 単組 (by name, code or note), 見積り (by 氏名, 車名, 連絡先 or 備考) and
campaigns (by name or note).  Each word of the query must occur; words of three characters or
more go through FTS5's trigram index, shorter ones through LIKE on the same table (the trigram
tokenizer cannot index them).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

KIND_LABELS = {"union": "単組", "campaign": "キャンペーン", "estimate": "見積り"}
_KIND_ORDER = "CASE kind WHEN 'union' THEN 0 WHEN 'campaign' THEN 1 ELSE 2 END"


@dataclass(frozen=True)
class SearchHit:
    kind: str  # 'union' | 'campaign' | 'estimate'
    ref: int  # the record's id
    title: str  # what the clerk recognises: the union, the campaign, the person
    detail: str  # where it is

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]


def _fts_phrase(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def _like(word: str) -> str:
    return "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


class SearchRepository:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def search(self, query: str, limit: int = 200) -> list[SearchHit]:
        words = query.split()
        if not words:
            return []
        long_words = [w for w in words if len(w) >= 3]
        short_words = [w for w in words if len(w) < 3]
        where: list[str] = []
        params: list[object] = []
        if long_words:
            where.append("search_index MATCH ?")
            params.append(" AND ".join(_fts_phrase(w) for w in long_words))
        for word in short_words:
            where.append("text LIKE ? ESCAPE '\\'")
            params.append(_like(word))
        rank = "rank" if long_words else "NULL"
        rows = self.conn.execute(
            f"SELECT kind, ref FROM search_index WHERE {' AND '.join(where)}"
            f" ORDER BY {_KIND_ORDER}, {rank}, rowid LIMIT ?",
            (*params, limit),
        ).fetchall()
        return [hit for kind, ref in rows if (hit := self._describe(kind, int(ref))) is not None]

    def _describe(self, kind: str, ref: int) -> SearchHit | None:
        if kind == "union":
            row = self.conn.execute(
                "SELECT u.pref_code, u.union_code, u.name, u.active, p.name FROM unions u"
                " LEFT JOIN prefectures p ON p.code = u.pref_code WHERE u.id = ?",
                (ref,),
            ).fetchone()
            if row is None:
                return None
            pref, code, name, active, pref_name = row
            detail = f"{pref_name or pref}" + ("" if active else " · 無効")
            return SearchHit(kind, ref, f"{pref}-{code} {name}", detail)
        if kind == "campaign":
            row = self.conn.execute(
                "SELECT name, kind, period_from, period_to FROM estimate_campaigns WHERE id = ?",
                (ref,),
            ).fetchone()
            if row is None:
                return None
            name, camp_kind, start, end = row
            period = f" · {start or ''}〜{end or ''}" if start or end else ""
            return SearchHit(kind, ref, name, f"{camp_kind}{period}")
        row = self.conn.execute(
            "SELECT e.name, e.car, e.seq, e.status, c.name, u.pref_code, u.union_code, u.name"
            " FROM estimates e JOIN estimate_campaigns c ON c.id = e.campaign_id"
            " JOIN unions u ON u.id = e.union_id WHERE e.id = ?",
            (ref,),
        ).fetchone()
        if row is None:
            return None
        person, car, seq, status, camp, pref, code, union = row
        title = person or "(氏名なし)"
        car_text = f" · {car}" if car else ""
        return SearchHit(
            kind, ref, title, f"{camp} · {pref}-{code} {union} No.{seq}{car_text} · {status}"
        )
