"""The store refuses bad files without touching them, migrates safely and audits every edit."""

from __future__ import annotations

import hashlib
import sqlite3

import pytest

from kyosai_desktop.services.context import open_context
from kyosai_desktop.store.connection import open_database
from kyosai_desktop.store.errors import (
    CorruptDatabaseError,
    LockedDatabaseError,
    NewerDatabaseError,
    NotADatabaseError,
)
from kyosai_desktop.store.migrations import latest_version


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_fresh_database_is_migrated_and_seeded(ctx):
    assert ctx.conn.execute("PRAGMA user_version").fetchone()[0] == latest_version()
    assert ctx.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert ctx.conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert len(ctx.prefectures.all()) == 48  # 47 prefectures + 60 社保労連
    assert ctx.prefectures.name_of("49") == "沖縄"
    names = [p.name for p in ctx.products.all()]
    assert names[:3] == ["総合共済", "団体生命共済", "退職者団体生命共済"]
    assert ctx.products.resolve("じちろうマイカー共済").name == "マイカー共済"
    assert ctx.products.resolve("団生").name == "団体生命共済"
    assert ctx.products.resolve("存在しない共済") is None
    rider = ctx.products.resolve("車両損害補償")
    assert ctx.products.by_id(rider.rider_of).name == "マイカー共済"


def test_newer_database_is_refused_and_left_unchanged(tmp_path):
    path = tmp_path / "newer.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute(
        "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT)"
    )  # ours, from a newer release
    conn.execute(f"PRAGMA user_version = {latest_version() + 1}")
    conn.commit()
    conn.close()
    before = digest(path)
    with pytest.raises(NewerDatabaseError, match="新しいバージョン"):
        open_database(path)
    assert digest(path) == before
    assert not (tmp_path / "newer.sqlite3-wal").exists()


def test_not_sqlite_and_corrupt_files_are_refused(tmp_path):
    text = tmp_path / "notes.sqlite3"
    text.write_text("これはデータベースではありません", encoding="utf-8")
    before = digest(text)
    with pytest.raises(NotADatabaseError, match="SQLite 形式ではありません"):
        open_database(text)
    assert digest(text) == before

    good = tmp_path / "good.sqlite3"
    open_context(good).close()
    data = bytearray(good.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # smash the schema page
    broken = tmp_path / "broken.sqlite3"
    broken.write_bytes(bytes(data))
    before = digest(broken)
    with pytest.raises(CorruptDatabaseError):
        open_database(broken)
    assert digest(broken) == before


def test_locked_database_is_refused(tmp_path):
    path = tmp_path / "locked.sqlite3"
    open_context(path).close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(LockedDatabaseError, match="使用中"):
            open_database(path)
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_migration_copies_database_first(tmp_path):
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.executescript(
        (
            __import__("kyosai_desktop.paths", fromlist=["x"]).migrations_dir() / "001_initial.sql"
        ).read_text()
    )
    conn.execute("PRAGMA user_version = 1")
    conn.execute("INSERT INTO settings VALUES ('marker', 'v1')")
    conn.close()
    db = open_database(path)
    try:
        assert db.migrated_from == 1
        assert db.pre_migration_backup is not None and db.pre_migration_backup.exists()
        copy = sqlite3.connect(db.pre_migration_backup)
        assert copy.execute("PRAGMA user_version").fetchone()[0] == 1
        assert copy.execute("SELECT value FROM settings WHERE key='marker'").fetchone()[0] == "v1"
        copy.close()
        assert db.conn.execute("PRAGMA user_version").fetchone()[0] == latest_version()
    finally:
        db.close()


def test_every_result_edit_is_committed_and_audited(ctx, db_path):
    union = ctx.unions.add("05", "001", "宮城県職労")
    product = ctx.products.resolve("団体生命共済").id
    ctx.results.set(union.id, product, "2024-06", 5)
    ctx.results.set(union.id, product, "2024-06", 7)
    ctx.results.set(union.id, product, "2024-06", None)
    # A second connection sees the committed state at once (nothing pending in memory).
    other = sqlite3.connect(db_path)
    assert other.execute("SELECT count(*) FROM results").fetchone()[0] == 0
    other.close()
    history = ctx.audit.history("results", f"{union.id}:{product}:2024-06")
    assert [(h.old, h.new) for h in history] == [(None, "5"), ("5", "7"), ("7", None)]


def test_union_codes_keep_leading_zeros(ctx):
    u = ctx.unions.add("01", "003", "北海道テスト単組")
    assert ctx.unions.find_key("1-3") == u
    assert u.key == "01-003"


def test_backup_is_a_checked_copy_and_automatic_backup_once_a_day(ctx):
    from kyosai_desktop.services.backup import backup_if_due, list_backups, make_backup

    assert backup_if_due(ctx) is None  # nothing worth backing up yet
    union = ctx.unions.add("05", "001", "宮城県職労")
    ctx.results.set(union.id, 2, "2024-06", 9)
    first = backup_if_due(ctx)
    assert first is not None and first.exists()
    assert backup_if_due(ctx) is None  # already one today
    copy = sqlite3.connect(first)
    assert copy.execute("SELECT count FROM results").fetchone()[0] == 9
    copy.close()
    manual = make_backup(ctx, first.parent / "manual.sqlite3")
    assert manual in list_backups(ctx)


def test_start_months_audit_only_real_changes(ctx):
    before = ctx.audit.count()
    ctx.fiscal_years.set_start_months(2024, 6, 6)  # the seeded values: nothing changes
    assert ctx.audit.count() == before
    ctx.fiscal_years.set_start_months(2024, 6, 5, source="import")
    history = ctx.audit.history("fiscal_years", "2024")
    assert [(h.source, h.old, h.new) for h in history] == [("import", "6/6", "6/5")]
    assert ctx.fiscal_years.model_year(2024).start_month == 5
