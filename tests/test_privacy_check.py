"""Privacy that is checked: after anonymising, the names are searched for in the bytes (issue 12, item 4).

The database file, its WAL and shm, the safety copies of the backups folder (rewritten) and
the older backups (listed, deletable) — with a real second connection reading meanwhile.
"""

from __future__ import annotations

import sqlite3
import threading
from datetime import date
from pathlib import Path

import pytest
from estimate_fixtures import add_union, seed_csv

from kyosai_desktop.cli import main
from kyosai_desktop.paths import backups_dir_for
from kyosai_desktop.services.backup import KEEP_BACKUPS, make_backup, prune_backups
from kyosai_desktop.services.estimate_import import import_estimates
from kyosai_desktop.services.estimate_privacy import anonymise_and_verify
from kyosai_desktop.services.estimate_reports import summary_json
from kyosai_desktop.services.privacy_check import backups_holding, delete_backups
from kyosai_desktop.store.connection import shm_path, wal_path

NAME = "匿名化確認用の氏名"
PHONE = "090-1234-5678"
NOTE = "自宅に電話可 (夕方)"
SECRETS = (NAME, PHONE, NOTE, "デイズルークス", "エクストレイル")
TODAY = date(2025, 1, 31)


@pytest.fixture
def campaign(ctx, tmp_path):
    add_union(ctx)
    import_estimates(ctx, seed_csv(tmp_path), campaign="2024執行部", union="05-001")
    camp = ctx.campaigns.find("2024執行部")
    ctx.campaigns.update(camp.id, period_from="2024-10-01", period_to="2024-12-31")
    first = ctx.estimates.list(camp.id)[0]
    ctx.estimates.update(first.id, name="旧姓の氏名")  # an earlier value, only in the audit trail
    ctx.estimates.update(first.id, name=NAME, contact=PHONE, notes=NOTE)
    return ctx.campaigns.get(camp.id)


def raw(path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in (path, wal_path(path), shm_path(path)) if p.exists())


def test_anonymise_verifies_the_names_are_gone_from_db_wal_and_shm(ctx, campaign):
    assert all(s.encode() in raw(ctx.path) for s in SECRETS[:3])
    done = anonymise_and_verify(ctx, campaign.id, today=TODAY)
    report = done.report
    assert done.estimates == 20 and report.ok and report.checkpoint_ok and report.live == {}
    assert report.searched >= 20 and "ひとつも残っていません" in report.text()
    data = raw(ctx.path)
    for secret in (*SECRETS, "旧姓の氏名"):
        assert secret.encode() not in data, secret


def test_a_reader_holding_the_wal_is_reported_not_hidden(ctx, campaign):
    reader = sqlite3.connect(ctx.path, isolation_level=None)
    reader.execute("BEGIN")
    assert (
        reader.execute("SELECT count(*) FROM estimates").fetchone()[0] == 20
    )  # an older snapshot, held
    try:
        done = anonymise_and_verify(ctx, campaign.id, today=TODAY)
        report = done.report
        assert not report.ok and not report.checkpoint_ok
        assert "読み込み中" in report.text() and "まだ消し切れていません" in report.text()
        assert NAME.encode() in wal_path(ctx.path).read_bytes()  # it says so because it is so
    finally:
        reader.execute("COMMIT")
        reader.close()
    again = done.check.run()  # the reader let go: check again
    assert again.ok and NAME.encode() not in raw(ctx.path)


def test_safety_copies_are_rewritten_and_older_backups_listed(ctx, campaign):
    before = summary_json(ctx, campaign.id)
    folder = backups_dir_for(ctx.path)
    daily = make_backup(ctx)
    safety = make_backup(ctx, folder / f"{ctx.path.stem}-before-restore-20250101-000000.sqlite3")
    upgrade = make_backup(
        ctx, folder / f"{ctx.path.stem}-v4-before-migration-20250101-000000.sqlite3"
    )
    assert NAME.encode() in daily.read_bytes() and NAME.encode() in safety.read_bytes()

    report = anonymise_and_verify(ctx, campaign.id, today=TODAY).report
    assert report.ok
    assert sorted(report.rewritten) == sorted([safety, upgrade]) and report.holding == [daily]
    assert daily.name in report.text() and "old-backups" in report.text()
    for copy in (safety, upgrade):
        data = copy.read_bytes()
        assert all(s.encode() not in data for s in SECRETS)
        con = sqlite3.connect(copy)
        assert con.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        assert (
            con.execute(
                "SELECT count(*) FROM estimates WHERE other_premium IS NOT NULL"
            ).fetchone()[0]
            == 18
        )
        con.close()
    assert NAME.encode() in daily.read_bytes()  # a backup is not rewritten…
    assert backups_holding(ctx, campaign.id) == [daily]  # …but found, by its content
    assert delete_backups(backups_holding(ctx, campaign.id)) == [daily]
    assert backups_holding(ctx, campaign.id) == [] and summary_json(ctx, campaign.id) == before


def test_cli_reports_and_deletes_old_backups(ctx, campaign, capsys):
    daily = make_backup(ctx)
    path = ctx.path
    ctx.close()
    args = ["--db", str(path), "estimates"]
    assert (
        main([*args, "anonymise", "--campaign", "2024執行部", "--yes", "--today", "2025-01-31"])
        == 0
    )
    out = capsys.readouterr().out
    assert "ひとつも残っていません" in out and daily.name in out
    assert main([*args, "old-backups", "--campaign", "2024執行部"]) == 0
    assert str(daily) in capsys.readouterr().out and daily.exists()
    assert (
        main([*args, "old-backups", "--campaign", "2024執行部", "--delete"]) == 1
    )  # asks for --yes
    assert daily.exists() and "--yes" in capsys.readouterr().err
    assert main([*args, "old-backups", "--campaign", "2024執行部", "--delete", "--yes"]) == 0
    assert not daily.exists() and "削除しました" in capsys.readouterr().out
    assert main([*args, "old-backups", "--campaign", "2024執行部"]) == 0
    assert "ありません" in capsys.readouterr().out


def test_safety_copies_are_rotated_like_daily_backups(ctx):
    folder = backups_dir_for(ctx.path)
    stem = ctx.path.stem
    made = []
    for i in range(KEEP_BACKUPS + 3):
        for name in (
            f"{stem}-before-restore-2025010{i // 10}-{i:06d}.sqlite3",
            f"{stem}-v4-before-migration-2025010{i // 10}-{i:06d}.sqlite3",
        ):
            p = folder / name
            p.write_bytes(b"x")
            made.append(p)
    wal_path(made[0]).write_bytes(b"w")  # a damaged file's WAL kept beside its copy
    keep_daily = make_backup(ctx)  # prunes every kind
    assert keep_daily.exists()
    left = sorted(p.name for p in folder.glob(f"{stem}-before-restore-*.sqlite3"))
    assert len(left) == KEEP_BACKUPS and left[0].endswith("000003.sqlite3")
    assert len(list(folder.glob(f"{stem}-v4-before-migration-*.sqlite3"))) == KEEP_BACKUPS
    assert not wal_path(made[0]).exists()
    assert prune_backups(ctx.path) == []


def test_the_page_reports_the_check_and_offers_to_delete_old_backups(ctx, campaign, qtbot, prompts):
    from kyosai_desktop.ui.estimates.estimates_page import EstimatesPage
    from kyosai_desktop.ui.shared import runner
    from kyosai_desktop.ui.shared.events import DataBus

    daily = make_backup(ctx)
    page = EstimatesPage(ctx, DataBus())
    qtbot.addWidget(page)
    page.show()
    assert page.campaign().id == campaign.id
    page.anonymise()  # on the background runner
    qtbot.waitUntil(lambda: not runner.busy(), timeout=20_000)
    kinds = [k for k, _t, _x in prompts]
    assert kinds == ["confirm", "information", "confirm", "information"]
    assert "ひとつも残っていません" in prompts[1][2] and daily.name in prompts[2][2]
    assert not daily.exists() and "削除しました" in prompts[3][2]
    page.anonymise()  # already anonymised: says so, nothing left to delete
    assert (
        prompts[-1][0] == "information"
        and "匿名化済み" in prompts[-1][2]
        and "ありません" in prompts[-1][2]
    )


@pytest.fixture
def on_threads(monkeypatch):
    """Record the thread and connection the anonymisation and every privacy check ran on."""
    from kyosai_desktop.services.ops import estimates as est_ops
    from kyosai_desktop.services.privacy_check import PrivacyCheck

    calls: list[tuple[str, int, object]] = []
    anonymise, run = est_ops.anonymise_verified, PrivacyCheck.run

    def anonymise_verified(ctx, campaign_id, **kw):
        calls.append(("anonymise", threading.get_ident(), ctx))
        return anonymise(ctx, campaign_id, **kw)

    def check_run(self, **kw):
        calls.append(("check", threading.get_ident(), self.ctx))
        return run(self, **kw)

    monkeypatch.setattr(est_ops, "anonymise_verified", anonymise_verified)
    monkeypatch.setattr(PrivacyCheck, "run", check_run)
    return calls


def _page(ctx, qtbot):
    from kyosai_desktop.ui.estimates.estimates_page import EstimatesPage
    from kyosai_desktop.ui.shared.events import DataBus

    page = EstimatesPage(ctx, DataBus())
    qtbot.addWidget(page)
    page.show()
    return page


def test_the_page_anonymises_and_checks_on_the_runner(ctx, campaign, qtbot, prompts, on_threads):
    """The button returns at once; the work runs on the worker on its own connection, and
    the page then shows the report (the window's idle connection holds no snapshot)."""
    from PySide6.QtCore import Qt

    from kyosai_desktop.ui.shared import runner

    daily = make_backup(ctx)
    page = _page(ctx, qtbot)
    assert page.campaign().id == campaign.id and page.anonymise_button.isEnabled()
    qtbot.mouseClick(page.anonymise_button, Qt.MouseButton.LeftButton)
    assert [k for k, _t, _x in prompts] == ["confirm"] and runner.busy()  # not done yet
    assert not page.anonymise_button.isEnabled()  # a second click cannot queue a second job
    qtbot.mouseClick(page.anonymise_button, Qt.MouseButton.LeftButton)
    assert [k for k, _t, _x in prompts] == ["confirm"]
    qtbot.waitUntil(lambda: not runner.busy(), timeout=20_000)

    gui = threading.get_ident()
    assert [name for name, _t, _c in on_threads] == ["anonymise", "check"]
    assert all(thread != gui and used is not ctx for _n, thread, used in on_threads)
    assert on_threads[0][2] is on_threads[1][2]  # the task's own connection, for both
    kinds = [k for k, _t, _x in prompts]
    assert kinds == ["confirm", "information", "confirm", "information"], prompts
    assert "20 件の見積りを匿名化しました" in prompts[1][2]
    assert "ひとつも残っていません" in prompts[1][2] and "読み込み中" not in prompts[1][2]
    assert daily.name in prompts[2][2] and not daily.exists()
    assert all(e.name is None for e in ctx.estimates.list(campaign.id))
    data = raw(ctx.path)
    for secret in (*SECRETS, "旧姓の氏名"):
        assert secret.encode() not in data, secret
    assert "匿名化済" in page.header.text() and not page.anonymise_button.isEnabled()
    assert page.undo_stack.count() == 0


def test_checking_again_from_the_page_runs_on_the_runner(ctx, campaign, qtbot, prompts, on_threads):
    """A reader holds a snapshot: the report says so; 「はい」 once it let go checks again on
    the worker, on that task's own connection (the first task's is closed by then)."""
    from PySide6.QtCore import Qt

    from kyosai_desktop.ui.shared import runner

    reader = sqlite3.connect(ctx.path, isolation_level=None)
    reader.execute("BEGIN")
    assert reader.execute("SELECT count(*) FROM estimates").fetchone()[0] == 20
    asked: list[str] = []

    def answer(text: str) -> bool:
        asked.append(text)
        if "もう一度確認します" in text and reader.in_transaction:
            reader.execute("COMMIT")  # the other program is closed: let go of the snapshot
            reader.close()
        return True

    prompts.answers["confirm"] = answer
    page = _page(ctx, qtbot)
    qtbot.mouseClick(page.anonymise_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not runner.busy(), timeout=20_000)

    kinds = [k for k, _t, _x in prompts]
    assert kinds == ["confirm", "confirm", "information"], prompts
    assert "読み込み中" in asked[1] and "まだ消し切れていません" in asked[1]
    assert "ひとつも残っていません" in prompts[2][2]
    gui = threading.get_ident()
    assert [name for name, _t, _c in on_threads] == ["anonymise", "check", "check"]
    assert all(thread != gui and used is not ctx for _n, thread, used in on_threads)
    assert on_threads[2][2] is not on_threads[1][2]  # the second task's own connection
    data = raw(ctx.path)
    assert all(secret.encode() not in data for secret in SECRETS)


def test_a_campaign_reopened_meanwhile_is_refused_by_the_task(ctx, campaign, qtbot, prompts):
    """The worker checks again: a campaign whose period was extended while the clerk read the
    question is refused with the reason, and nothing is changed."""
    from PySide6.QtCore import Qt

    from kyosai_desktop.ui.shared import runner

    before = raw(ctx.path)

    def answer(text: str) -> bool:
        ctx.campaigns.update(campaign.id, period_to="2099-12-31")  # another window, meanwhile
        return True

    prompts.answers["confirm"] = answer
    page = _page(ctx, qtbot)
    qtbot.mouseClick(page.anonymise_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not runner.busy(), timeout=20_000)
    assert [k for k, _t, _x in prompts] == ["confirm", "warning"]
    assert "2099-12-31 まで実施中" in prompts[1][2]
    assert page.anonymise_button.isEnabled()  # refused: the clerk can try again later
    assert ctx.estimates.list(campaign.id)[0].name is not None
    assert NAME.encode() in before and not ctx.campaigns.get(campaign.id).anonymised_at


def test_a_check_that_fails_after_anonymising_says_so_in_japanese(
    ctx, campaign, qtbot, prompts, monkeypatch
):
    from PySide6.QtCore import Qt

    from kyosai_desktop.services.privacy_check import PrivacyCheck
    from kyosai_desktop.ui.shared import runner

    def unreadable(self, **kw):
        raise PermissionError(13, "Permission denied", str(self.ctx.path))

    monkeypatch.setattr(PrivacyCheck, "run", unreadable)
    page = _page(ctx, qtbot)
    qtbot.mouseClick(page.anonymise_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not runner.busy(), timeout=20_000)
    assert [k for k, _t, _x in prompts] == ["confirm", "critical"]
    text = prompts[1][2]
    assert "匿名化しましたが" in text and "ファイルにアクセスできません" in text
    assert "Traceback" not in text
    assert all(e.name is None for e in ctx.estimates.list(campaign.id))
    assert "匿名化済" in page.header.text() and page.undo_stack.count() == 0


def test_the_laptop_exchange_keeps_no_name_after_anonymising(tmp_path):
    """Exchange tables (db/008) hold estimate values: a listed conflict over a name, and the
    laptop package's changeset with a new estimate's name, contact and car."""
    from exchange_fixtures import PASSPHRASE, build_office

    from kyosai_desktop.services import exchange
    from kyosai_desktop.services.context import open_context

    office, laptop = tmp_path / "office.sqlite3", tmp_path / "laptop.sqlite3"
    build_office(office)
    ctx = open_context(office)
    exchange.checkout(ctx.conn, tmp_path / "copy.kyosai", PASSPHRASE)
    ctx.close()
    exchange.open_copy(laptop, tmp_path / "copy.kyosai", PASSPHRASE)
    ctx = open_context(laptop)
    camp = ctx.campaigns.list()[0]
    first = ctx.estimates.list(camp.id)[0]
    ctx.estimates.add(
        camp.id, ctx.unions.list()[0].id, name="持出花子", contact="090-8765-4321", car="プリウスα"
    )
    ctx.estimates.update(first.id, name="ノートで直した氏名")
    ctx.close()
    exchange.export_changes(laptop, tmp_path / "c1.kyosai", PASSPHRASE)
    ctx = open_context(office)
    ctx.estimates.update(first.id, name="事務所で直した氏名")  # the same field: a conflict
    ctx.close()
    res = exchange.import_changes(office, tmp_path / "c1.kyosai", PASSPHRASE)
    assert res["conflicts"] == 1
    secrets = ("持出花子", "090-8765-4321", "プリウスα", "ノートで直した氏名", "事務所で直した氏名")
    con = sqlite3.connect(office)
    listed = repr(con.execute("SELECT * FROM exchange_conflicts").fetchall())
    taken = b"".join(bytes(r[0]) for r in con.execute("SELECT changeset FROM exchange_imports"))
    con.close()
    assert "ノートで直した氏名" in listed and "事務所で直した氏名" in listed
    assert "持出花子".encode() in taken and "プリウスα".encode() in taken
    ctx = open_context(office)
    ctx.campaigns.update(camp.id, period_from="2024-10-01", period_to="2024-12-31")
    report = anonymise_and_verify(ctx, camp.id, today=TODAY).report
    assert report.ok, report.text()
    assert (
        ctx.conn.execute(
            "SELECT count(*) FROM exchange_imports WHERE changeset IS NOT NULL"
        ).fetchone()[0]
        == 0
    )
    conflicts = repr(ctx.conn.execute("SELECT * FROM exchange_conflicts").fetchall())
    ctx.close()
    data = raw(office)
    for secret in secrets:
        assert secret not in conflicts and secret.encode() not in data, secret


def test_a_laptop_copys_base_is_anonymised_with_it(tmp_path):
    from exchange_fixtures import PASSPHRASE, build_office

    from kyosai_desktop.services import exchange
    from kyosai_desktop.services.context import open_context

    office, laptop = tmp_path / "office.sqlite3", tmp_path / "laptop.sqlite3"
    build_office(office)
    ctx = open_context(office)
    camp = ctx.campaigns.list()[0]
    ctx.campaigns.update(camp.id, period_from="2024-10-01", period_to="2024-12-31")
    names = [e.name for e in ctx.estimates.list(camp.id)]
    exchange.checkout(ctx.conn, tmp_path / "copy.kyosai", PASSPHRASE)
    ctx.close()
    exchange.open_copy(laptop, tmp_path / "copy.kyosai", PASSPHRASE)
    [base] = list(tmp_path.glob("laptop.sqlite3.base-*"))
    assert all(n.encode() in base.read_bytes() for n in names)
    ctx = open_context(laptop)
    report = anonymise_and_verify(ctx, camp.id, today=TODAY).report
    ctx.close()
    assert report.ok and base in report.rewritten, report.text()
    assert not any(n.encode() in base.read_bytes() or n.encode() in raw(laptop) for n in names)
    exchange.export_changes(laptop, tmp_path / "after.kyosai", PASSPHRASE)  # the copy still works
