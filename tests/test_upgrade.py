"""Upgrading a real database written by an earlier released version (TagStudio's habit).

``fixtures/branch_v3.sqlite3`` was written by the version that landed with schema 3 (the
foundation): branch 05, two unions, targets, results and their audit trail.  Opening it
with today's code must migrate it to the latest schema, keep every figure and the audit
trail, and leave a backup copy of the file as it was.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from kyosai_desktop.services import exchange
from kyosai_desktop.services.context import open_context
from kyosai_desktop.store.migrations import latest_version

FIXTURE = Path(__file__).parent / "fixtures" / "branch_v3.sqlite3"


def tables(path: Path) -> set[str]:
    con = sqlite3.connect(path)
    try:
        return {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    finally:
        con.close()


def test_v3_database_upgrades_with_every_figure_kept(tmp_path):
    path = tmp_path / "branch.sqlite3"
    shutil.copy(FIXTURE, path)
    before_tables = tables(path)
    ctx = open_context(path)
    try:
        assert ctx.db.migrated_from == 3
        assert ctx.conn.execute("PRAGMA user_version").fetchone()[0] == latest_version()
        assert ctx.branch == "05"
        sendai = ctx.unions.find("05", "001")
        assert sendai is not None and sendai.members == 4210
        assert ctx.unions.find("05", "017").name == "石巻市職員労働組合"
        dansei = ctx.products.resolve("団生")
        mycar = ctx.products.resolve("マイカー共済")
        assert ctx.results.get(sendai.id, dansei.id, "2024-06") == 13
        assert ctx.results.get(sendai.id, mycar.id, "2024-07") == 30
        assert ctx.targets.effective(2024)[mycar.id] == 90
        history = ctx.audit.history("results", f"{sendai.id}:{dansei.id}:2024-06")
        assert [(h.old, h.new) for h in history] == [(None, "12"), ("12", "13")]
        assert ctx.conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        # 008 (exchange): ids are kept as they were; the database gets its own identity and
        # is an office database, which can make a laptop copy at once.
        assert (sendai.id, ctx.unions.find("05", "017").id) == (1, 2)
        st = exchange.status(ctx.conn)
        assert st.role == "office" and len(st.database_id) == 32 and st.pending == 0
        info = exchange.checkout(ctx.conn, tmp_path / "copy.kyosai", "correct horse battery")
        assert info["counts"]["unions"] == 2 and info["counts"]["results"] == 3
        backup = ctx.db.pre_migration_backup
        assert backup is not None and backup.exists()
    finally:
        ctx.close()
    assert tables(path) > before_tables  # the new features' tables were added
    con = sqlite3.connect(backup)
    try:
        assert con.execute("PRAGMA user_version").fetchone()[0] == 3
        assert con.execute("SELECT count(*) FROM results").fetchone()[0] == 3
    finally:
        con.close()
