"""Checking that anonymised personal data is really gone — from the bytes, not just the tables.

:func:`collect_personal_texts` takes the campaign's personal texts (氏名, 連絡先, 車名, 備考, also
as they stand in the audit trail) *before* anonymising; they stay in memory only.
:class:`PrivacyCheck` then, after the anonymisation:

1. checkpoints the WAL into the main file and checks the result — while another connection
   is reading an older snapshot the checkpoint cannot finish; it retries a few times and
   otherwise reports it plainly (``ok`` false) instead of claiming success;
2. searches the raw bytes of the database file, its ``-wal`` and ``-shm`` for every text
   (a text still used legitimately elsewhere — another campaign's estimate with the same car,
   a union of that name — cannot be told apart and is counted as not checkable); residue in the
   main file (free space, an index) is removed with VACUUM and searched again;
3. rewrites the safety copies in the backups folder (made before a restore or a schema
   upgrade: the app's own copies, rotated like the daily backups) — the same campaign is
   anonymised inside each and the copy vacuumed — and searches them again;
4. lists the other backups that still hold the campaign's personal data (by their content),
   which :func:`delete_backups` removes when the clerk says so.

Texts shorter than two characters (three for plain ASCII) are not searched for: they occur
by chance in any file.  Dates and ages are cleared but not searched for, for the same reason.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kyosai_desktop.services.context import AppContext
from kyosai_desktop.services.text_finder import TextFinder
from kyosai_desktop.store.connection import checkpoint, shm_path, wal_path
from kyosai_desktop.store.estimates import ANONYMISED, EstimateRepository

SEARCHED_FIELDS = ("name", "contact", "car", "notes")
SAFETY_COPY_MARKS = ("-before-restore-", "-before-migration-")
CHECKPOINT_TRIES = 4
CHECKPOINT_WAIT_S = 0.25
# Tables that hold copies of records (the search index, the laptop exchange's conflicts and
# changesets): a text found there is residue, never a legitimate use elsewhere.
_COPY_TABLE_PREFIXES = ("search_index", "exchange_")


def _searchable(text: str) -> bool:
    text = text.strip()
    return len(text) >= (3 if text.isascii() else 2)


def collect_personal_texts(conn: sqlite3.Connection, campaign_id: int) -> list[str]:
    """The campaign's personal texts as stored now (fields and audit values), to search for later."""
    texts: set[str] = set()
    cols = ", ".join(SEARCHED_FIELDS)
    for row in conn.execute(f"SELECT {cols} FROM estimates WHERE campaign_id = ?", (campaign_id,)):
        texts.update(str(v) for v in row if v is not None)
    keys = EstimateRepository(conn).history_keys(campaign_id)
    marks = ",".join("?" * len(SEARCHED_FIELDS))
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        for old, new in conn.execute(
            "SELECT old_value, new_value FROM audit WHERE table_name = 'estimates'"
            f" AND field IN ({marks}) AND record_key IN ({','.join('?' * len(chunk))})",
            (*SEARCHED_FIELDS, *chunk),
        ):
            texts.update(str(v) for v in (old, new) if v is not None)
    return sorted(t for t in texts if _searchable(t))


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _table_text(conn: sqlite3.Connection, table: str) -> str:
    """The table's text values in row order, each followed by NUL — joined by SQLite itself
    (the results table of a national database is 670,000 rows: a row loop in Python took most
    of a second)."""
    cols = [d[0] for d in conn.execute(f"SELECT * FROM {_quoted(table)} LIMIT 0").description]
    texts = " || ".join(
        f"CASE WHEN typeof({_quoted(c)}) = 'text' THEN {_quoted(c)} || char(0) ELSE '' END"
        for c in cols
    )
    try:
        (joined,) = conn.execute(
            f"SELECT group_concat({texts}, '') FROM {_quoted(table)}"
        ).fetchone()
        return joined or ""
    except sqlite3.Error:  # e.g. longer than SQLite's longest string: row by row instead
        return "".join(
            v + "\x00"
            for row in conn.execute(f"SELECT * FROM {_quoted(table)}")
            for v in row
            if isinstance(v, str)
        )


def _logical_text(conn: sqlite3.Connection) -> str:
    """Every text value of the database's own tables (copies such as the search index
    excluded), joined by NUL."""
    tables = [
        r[0]
        for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        if not r[0].startswith((*_COPY_TABLE_PREFIXES, "sqlite_"))
    ]
    return "".join(_table_text(conn, t) for t in tables)[:-1]


def holds_campaign(path: Path, campaign_id: int, campaign_name: str) -> bool:
    """Does this database file still hold the campaign's personal data (by its content)?"""
    try:  # immutable: a backup is not live, and no -wal/-shm is left beside it
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    except sqlite3.Error:
        return False
    try:
        row = conn.execute(
            "SELECT name FROM estimate_campaigns WHERE id = ?", (campaign_id,)
        ).fetchone()
        if row is None or row[0] != campaign_name:
            return False
        cols = " OR ".join(f"{f} IS NOT NULL" for f in SEARCHED_FIELDS)
        if conn.execute(
            f"SELECT 1 FROM estimates WHERE campaign_id = ? AND ({cols}) LIMIT 1", (campaign_id,)
        ).fetchone():
            return True
        texts = collect_personal_texts(conn, campaign_id)
        return any(t != ANONYMISED for t in texts)
    except sqlite3.Error:
        return False
    finally:
        conn.close()


def _rewrite_safety_copy(path: Path, campaign_id: int) -> None:
    """Anonymise the campaign inside a safety copy too, then vacuum it (no free pages left)."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        EstimateRepository(conn).anonymise_campaign(campaign_id)
        conn.execute("VACUUM")
        if conn.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise sqlite3.DatabaseError("quick_check")
    finally:
        conn.close()


def delete_backups(paths: Iterable[Path]) -> list[Path]:
    """Delete backup files (with a ``-wal``/``-shm`` kept beside them); returns what was deleted."""
    gone = []
    for p in paths:
        for f in (p, wal_path(p), shm_path(p)):
            if f.exists():
                f.unlink()
                gone.append(f)
    return gone


@dataclass
class PrivacyReport:
    """What the check found; ``text()`` says it in Japanese."""

    campaign: str
    searched: int = 0  # texts searched for
    shared: int = 0  # still used elsewhere in the data: not checkable
    checkpoint_ok: bool = True
    vacuumed: bool = False
    live: dict[str, int] = field(default_factory=dict)  # file name → texts still found
    rewritten: list[Path] = field(default_factory=list)  # safety copies anonymised too
    holding: list[Path] = field(default_factory=list)  # older backups that still hold them

    @property
    def ok(self) -> bool:
        """The database file, its WAL and shm hold none of the texts (the checkpoint completed)."""
        return self.checkpoint_ok and not self.live

    def text(self) -> str:
        lines = []
        if self.ok:
            lines.append(
                f"確認しました: データベースファイル・WAL・shm に、匿名化した氏名・連絡先・車名・備考"
                f" ({self.searched:,} 種類) はひとつも残っていません。"
            )
        else:
            where = "・".join(f"{name} ({n} 件)" for name, n in self.live.items()) or "WAL"
            lines.append("まだ消し切れていません: " + where + " に匿名化した内容が残っています。")
            if not self.checkpoint_ok:
                lines.append(
                    "別の画面やプログラム (kyosai コマンドなど) がデータベースを読み込み中のため、"
                    "WAL をデータベース本体に書き込めませんでした。それらを閉じてから、もう一度確認してください。"
                )
        if self.shared:
            lines.append(
                f"※ {self.shared:,} 種類は、ほかの見積りや単組名などにも同じ文字列があるため、"
                "ファイルからの確認はできません (データベース上は消去済みです)。"
            )
        if self.rewritten:
            lines.append(
                f"安全用コピー {len(self.rewritten)} 個 (backups フォルダの復元前・更新前のコピー、"
                "持ち出し用コピーの元データ) も匿名化しました。"
            )
        if self.holding:
            lines.append(
                f"次の古いバックアップ {len(self.holding)} 個には、まだこのキャンペーンの個人情報が残っています:"
            )
            lines += [f"  {p.name}" for p in self.holding]
            lines.append(
                "不要なら削除してください (画面の確認で「はい」、または"
                " kyosai estimates old-backups --campaign 名前 --delete --yes)。"
            )
        else:
            lines.append(
                "backups フォルダに、このキャンペーンの個人情報を含むバックアップはありません。"
            )
        return "\n".join(lines)


class PrivacyCheck:
    """Verify, after anonymising, that the collected texts are gone (can be run again)."""

    def __init__(
        self, ctx: AppContext, campaign_id: int, campaign_name: str, texts: list[str]
    ) -> None:
        self.ctx, self.campaign_id, self.campaign_name = ctx, campaign_id, campaign_name
        self.texts = texts

    def on(self, ctx: AppContext) -> PrivacyCheck:
        """The same check on another connection to the database (e.g. a background task's own
        connection: the one the check was made with may be closed by now)."""
        return PrivacyCheck(ctx, self.campaign_id, self.campaign_name, self.texts)

    def _checkpoint(self, tries: int) -> bool:
        conn = self.ctx.conn
        timeout = conn.execute("PRAGMA busy_timeout").fetchone()[0]
        conn.execute("PRAGMA busy_timeout = 200")
        try:
            for attempt in range(tries):
                if checkpoint(conn):
                    return True
                if attempt + 1 < tries:
                    time.sleep(CHECKPOINT_WAIT_S)
            return False
        finally:
            conn.execute(f"PRAGMA busy_timeout = {int(timeout)}")

    def _live_residue(self, finder: TextFinder) -> dict[str, int]:
        path = self.ctx.path
        out = {}
        for p in (path, wal_path(path), shm_path(path)):
            found = finder.search_file(p)
            if found:
                out[p.name] = len(found)
        return out

    def run(self, *, tries: int = CHECKPOINT_TRIES) -> PrivacyReport:
        report = PrivacyReport(self.campaign_name)
        finder = TextFinder(self.texts)
        shared = finder.search(_logical_text(self.ctx.conn))
        targets = [t for t in self.texts if t not in shared]
        report.searched, report.shared = len(targets), len(shared)
        if shared:  # the files are searched only for the texts that can be told apart
            finder = TextFinder(targets)
        report.checkpoint_ok = self._checkpoint(tries)
        report.live = self._live_residue(finder)
        if report.checkpoint_ok and report.live:
            # Left in free space or an index the secure-delete did not reach: rebuild the file.
            try:
                self.ctx.conn.execute("VACUUM")
                report.vacuumed = True
            except sqlite3.Error:
                pass  # reported below as still there
            report.checkpoint_ok = self._checkpoint(tries)
            report.live = self._live_residue(finder)
        self._backups(report, finder)
        self._laptop_base(report, finder)
        return report

    def _laptop_base(self, report: PrivacyReport, finder: TextFinder) -> None:
        """A laptop copy keeps the office data it was made from beside it (services/exchange.py):
        the campaign is anonymised there too, so the copy and its base stay alike."""
        try:
            row = self.ctx.conn.execute(
                "SELECT value FROM exchange_state WHERE key = 'base_file'"
            ).fetchone()
            role = self.ctx.conn.execute(
                "SELECT value FROM exchange_state WHERE key = 'role'"
            ).fetchone()
        except sqlite3.Error:
            return
        if not row or not row[0] or not role or role[0] != "laptop":
            return
        base = self.ctx.path.with_name(row[0])
        if not base.exists():
            return
        if holds_campaign(base, self.campaign_id, self.campaign_name) or finder.search_file(base):
            try:
                _rewrite_safety_copy(base, self.campaign_id)
            except sqlite3.Error:
                report.holding.append(base)
                return
            if finder.search_file(base) or holds_campaign(
                base, self.campaign_id, self.campaign_name
            ):
                report.holding.append(base)
            else:
                report.rewritten.append(base)

    def _backups(self, report: PrivacyReport, finder: TextFinder) -> None:
        folder = self.ctx.path.resolve().parent / "backups"
        if not folder.is_dir():
            return
        for p in sorted(folder.glob("*.sqlite3")):
            if any(mark in p.name for mark in SAFETY_COPY_MARKS):
                if holds_campaign(p, self.campaign_id, self.campaign_name) or finder.search_file(p):
                    try:
                        _rewrite_safety_copy(p, self.campaign_id)
                    except sqlite3.Error:
                        report.holding.append(p)
                        continue
                    if finder.search_file(p) or holds_campaign(
                        p, self.campaign_id, self.campaign_name
                    ):
                        report.holding.append(p)
                    else:
                        report.rewritten.append(p)
            elif (
                holds_campaign(p, self.campaign_id, self.campaign_name)
                or finder.search_file(p)
                or finder.search_file(wal_path(p))
            ):
                report.holding.append(p)


def backups_holding(ctx: AppContext, campaign_id: int) -> list[Path]:
    """Backups in the folder that still hold an (anonymised) campaign's personal data, by content."""
    camp = ctx.campaigns.get(campaign_id)
    folder = ctx.path.resolve().parent / "backups"
    if camp is None or not folder.is_dir():
        return []
    return [
        p for p in sorted(folder.glob("*.sqlite3")) if holds_campaign(p, campaign_id, camp.name)
    ]
