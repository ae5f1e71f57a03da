"""``kyosai exchange`` end to end on fresh databases, every refusal, the package's privacy,
and a SIGKILL during an import (the office database stays as it was)."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from exchange_fixtures import PASSPHRASE, build_office

from kyosai_desktop.cli import main
from kyosai_desktop.services import exchange
from kyosai_desktop.services.context import open_context
from kyosai_desktop.services.package import MAGIC, read_manifest
from kyosai_desktop.store.results import CellChange


def run(db: Path, *args: str) -> int:
    return main(["--db", str(db), *args])


def digest(path: Path) -> str:
    con = sqlite3.connect(path)
    try:
        parts = [
            repr(con.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall())
            for t in (
                "unions",
                "targets",
                "results",
                "estimates",
                "audit",
                "exchange_conflicts",
                "exchange_imports",
            )
        ]
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()
    finally:
        con.close()


def write_csv(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_cli_round_trip_on_fresh_databases(tmp_path, pw, capsys):
    office, laptop = tmp_path / "office.sqlite3", tmp_path / "laptop.sqlite3"
    assert run(office, "init", "--branch", "05") == 0
    assert (
        run(
            office,
            "unions",
            "import",
            str(
                write_csv(
                    tmp_path / "u.csv",
                    "自治労県コード,単組コード,単組名,組合員数,団生保有,発効月\n05,001,仙台市職員労働組合,4210,2000,10\n"
                    "05,002,石巻市職員労働組合,800,300,4\n",
                )
            ),
        )
        == 0
    )
    assert (
        run(
            office,
            "results",
            "import",
            str(
                write_csv(
                    tmp_path / "r.csv",
                    "自治労県コード,単組コード,商品,発効年月,件数\n05,001,団生,2024-06,12\n05,002,団生,2024-06,3\n",
                )
            ),
        )
        == 0
    )
    copy = tmp_path / "copy.kyosai"
    assert (
        run(office, "exchange", "checkout", "--out", str(copy), "--passphrase-file", str(pw)) == 0
    )
    assert (
        run(
            laptop,
            "exchange",
            "open",
            str(copy),
            "--passphrase-file",
            str(pw),
            "--label",
            "ノートPC2",
        )
        == 0
    )
    capsys.readouterr()
    assert run(laptop, "exchange", "status", "--json") == 0
    st = json.loads(capsys.readouterr().out)
    assert st["role"] == "laptop" and st["pending"] == 0 and st["label"] == "ノートPC2"
    # the laptop: two cells (one the office changes too); the office: the same cell differently
    assert (
        run(
            laptop,
            "results",
            "import",
            str(
                write_csv(
                    tmp_path / "r2.csv",
                    "自治労県コード,単組コード,商品,発効年月,件数\n05,001,団生,2024-06,15\n05,002,団生,2024-07,4\n",
                )
            ),
        )
        == 0
    )
    assert (
        run(
            office,
            "results",
            "import",
            str(
                write_csv(
                    tmp_path / "r3.csv",
                    "自治労県コード,単組コード,商品,発効年月,件数\n05,001,団生,2024-06,14\n",
                )
            ),
        )
        == 0
    )
    capsys.readouterr()
    assert run(laptop, "exchange", "status", "--json") == 0
    assert json.loads(capsys.readouterr().out)["pending"] == 2
    changes = tmp_path / "changes.kyosai"
    assert (
        run(laptop, "exchange", "export", "--out", str(changes), "--passphrase-file", str(pw)) == 0
    )
    capsys.readouterr()
    assert run(laptop, "exchange", "status", "--json") == 0
    assert json.loads(capsys.readouterr().out)["pending"] == 0

    before = digest(office)
    assert (
        run(
            office,
            "exchange",
            "import",
            str(changes),
            "--passphrase-file",
            str(pw),
            "--dry-run",
            "--json",
        )
        == 0
    )
    dry = json.loads(capsys.readouterr().out)
    assert (dry["applied"], dry["conflicts"], dry["dry_run"]) == (1, 1, True)
    assert digest(office) == before
    assert (
        run(office, "exchange", "import", str(changes), "--passphrase-file", str(pw), "--json") == 0
    )
    res = json.loads(capsys.readouterr().out)
    assert (res["applied"], res["unchanged"], res["conflicts"], res["dry_run"]) == (1, 0, 1, False)

    assert run(office, "exchange", "conflicts", "--json") == 0
    conflicts = json.loads(capsys.readouterr().out)
    assert len(conflicts) == 1
    c = conflicts[0]
    assert (c["kind"], c["key"], c["field"], c["office"], c["laptop"]) == (
        "results",
        "05-001 団体生命共済 2024-06",
        "count",
        14,
        15,
    )
    assert c["office_at"] and c["laptop_at"] and c["office_actor"] and c["laptop_actor"]
    assert run(office, "exchange", "resolve", "--id", str(c["id"]), "--keep", "laptop") == 0
    assert run(office, "exchange", "conflicts", "--json") == 0
    assert json.loads(capsys.readouterr().out.splitlines()[-1]) == []
    ctx = open_context(office)
    try:
        u1, u2 = ctx.unions.find("05", "001"), ctx.unions.find("05", "002")
        dansei = ctx.products.resolve("団生")
        assert ctx.results.get(u1.id, dansei.id, "2024-06") == 15
        assert ctx.results.get(u2.id, dansei.id, "2024-07") == 4
        history = ctx.audit.history("results", f"{u2.id}:{dansei.id}:2024-07")
        assert history[-1].source == "exchange:ノートPC2" and history[-1].new == "4"
    finally:
        ctx.close()
    assert run(office, "exchange", "status", "--json") == 0
    assert json.loads(capsys.readouterr().out.splitlines()[-1])["role"] == "office"


@pytest.fixture
def pair(tmp_path):
    """An office, its laptop copy with a named estimate added, and a changes package."""
    office, laptop = tmp_path / "office.sqlite3", tmp_path / "laptop.sqlite3"
    build_office(office)
    ctx = open_context(office)
    exchange.checkout(ctx.conn, tmp_path / "copy.kyosai", PASSPHRASE)
    ctx.close()
    exchange.open_copy(laptop, tmp_path / "copy.kyosai", PASSPHRASE)
    ctx = open_context(laptop)
    camp = ctx.campaigns.list()[0]
    ctx.estimates.add(
        camp.id, ctx.unions.list()[0].id, name="持出花子", contact="090-1234-5678", car="プリウス"
    )
    ctx.close()
    exchange.export_changes(laptop, tmp_path / "c1.kyosai", PASSPHRASE)
    return office, laptop, tmp_path


def test_no_name_in_clear_and_manifest_readable(pair):
    office, laptop, tmp = pair
    for pkg in (tmp / "copy.kyosai", tmp / "c1.kyosai"):
        raw = pkg.read_bytes()
        assert raw.startswith(MAGIC)
        for text in ("持出花子", "会員", "090-1234-5678", "プリウス", "仙台", "第1市職員労働組合"):
            for enc in ("utf-8", "utf-16-le", "shift_jis"):
                assert text.encode(enc) not in raw
    m = read_manifest(tmp / "c1.kyosai")
    assert (m["kind"], m["branch"], m["seq"], m["counts"]["estimates"]) == ("changes", "05", 1, 1)
    assert m["origin_database_id"] and m["created_at"] and m["app_version"] and m["schema_version"]


def _refused(
    office: Path, pkg: Path, pw: Path, capsys, *, passphrase_file: Path | None = None
) -> str:
    before = digest(office)
    capsys.readouterr()
    assert (
        run(office, "exchange", "import", str(pkg), "--passphrase-file", str(passphrase_file or pw))
        == 2
    )
    err = capsys.readouterr().err
    assert "Traceback" not in err and "何も変更していません" in err or "パッケージ" in err
    assert digest(office) == before
    return err


def test_refusals_change_nothing(pair, pw, capsys):
    office, laptop, tmp = pair
    pkg = tmp / "c1.kyosai"
    wrong = tmp / "wrong.txt"
    wrong.write_text("not the passphrase", encoding="utf-8")
    assert "パスフレーズが違います" in _refused(office, pkg, pw, capsys, passphrase_file=wrong)
    raw = pkg.read_bytes()
    (tmp / "cut.kyosai").write_bytes(raw[: len(raw) // 2])
    assert "途中で切れている" in _refused(office, tmp / "cut.kyosai", pw, capsys)
    flipped = bytearray(raw)
    flipped[-40] ^= 0x01
    (tmp / "flip.kyosai").write_bytes(bytes(flipped))
    assert "チェックサム" in _refused(office, tmp / "flip.kyosai", pw, capsys)
    # a tamperer who also fixes the checksum: the encryption's tag refuses it
    body = bytes(flipped[:-32])
    (tmp / "forged.kyosai").write_bytes(body + hashlib.sha256(body).digest())
    assert "改ざん" in _refused(office, tmp / "forged.kyosai", pw, capsys)
    # a checkout package is not a changes package
    assert "変更のパッケージではありません" in _refused(office, tmp / "copy.kyosai", pw, capsys)
    # the laptop copy itself cannot take changes
    assert run(laptop, "exchange", "import", str(pkg), "--passphrase-file", str(pw)) == 2

    # another branch's package
    other, other_laptop = tmp / "other.sqlite3", tmp / "other_laptop.sqlite3"
    build_office(other)
    ctx = open_context(other)
    ctx.settings.set_branch("04")
    exchange.checkout(ctx.conn, tmp / "other_copy.kyosai", PASSPHRASE)
    ctx.close()
    exchange.open_copy(other_laptop, tmp / "other_copy.kyosai", PASSPHRASE)
    exchange.export_changes(other_laptop, tmp / "other_changes.kyosai", PASSPHRASE)
    assert "別の県支部" in _refused(office, tmp / "other_changes.kyosai", pw, capsys)

    # imported once; the same package again changes nothing (not an error), an older one is refused
    assert run(office, "exchange", "import", str(pkg), "--passphrase-file", str(pw)) == 0
    capsys.readouterr()
    once = digest(office)
    assert run(office, "exchange", "import", str(pkg), "--passphrase-file", str(pw), "--json") == 0
    again = json.loads(capsys.readouterr().out)
    assert (again["applied"], again["conflicts"], again["already_imported"]) == (0, 0, True)
    assert digest(office) == once
    assert run(office, "exchange", "import", str(pkg), "--passphrase-file", str(pw)) == 0
    assert "取り込み済み" in capsys.readouterr().out
    assert digest(office) == once
    bad = tmp / "wrong_pw.txt"
    bad.write_text("まちがい", encoding="utf-8")
    assert run(office, "exchange", "import", str(pkg), "--passphrase-file", str(bad)) == 2
    exchange.export_changes(laptop, tmp / "c2.kyosai", PASSPHRASE)
    exchange.export_changes(laptop, tmp / "c3.kyosai", PASSPHRASE)
    assert (
        run(office, "exchange", "import", str(tmp / "c3.kyosai"), "--passphrase-file", str(pw)) == 0
    )
    assert "古い" in _refused(office, tmp / "c2.kyosai", pw, capsys)


def test_open_refuses_a_database_with_data(pair, pw, capsys):
    office, _laptop, tmp = pair
    before = digest(office)
    assert (
        run(office, "exchange", "open", str(tmp / "copy.kyosai"), "--passphrase-file", str(pw)) == 2
    )
    assert "既にデータがあります" in capsys.readouterr().err
    assert digest(office) == before


def test_estimates_added_on_both_sides_all_arrive_with_the_no_rule(pair):
    """別紙2 No. rule: the office's numbers stand; a laptop estimate whose No. is taken at
    the office gets the next free No. there (in the laptop's order), the laptop learns it on
    its next refresh."""
    office, laptop, tmp = pair
    ctx = open_context(office)
    camp = ctx.campaigns.list()[0]
    union = ctx.unions.list()[0]
    office_est = ctx.estimates.add(camp.id, union.id, name="事務所受付")
    ctx.close()
    ctx = open_context(laptop)
    lap_est = [e for e in ctx.estimates.list(camp.id, union.id) if e.name == "持出花子"][0]
    ctx.close()
    assert office_est.seq == lap_est.seq == 3  # the same No. on both sides
    res = exchange.import_changes(office, tmp / "c1.kyosai", PASSPHRASE)
    assert res["renumbered"] == [{"key": str(lap_est.id), "from": 3, "to": 4}]
    ctx = open_context(office)
    rows = {e.id: (e.seq, e.name) for e in ctx.estimates.list(camp.id, union.id)}
    assert rows[office_est.id] == (3, "事務所受付") and rows[lap_est.id] == (4, "持出花子")
    ctx.close()
    ctx = open_context(office)
    exchange.checkout(ctx.conn, tmp / "copy2.kyosai", PASSPHRASE)
    ctx.close()
    assert exchange.open_copy(laptop, tmp / "copy2.kyosai", PASSPHRASE)["conflicts"] == 0
    ctx = open_context(laptop)
    assert ctx.estimates.get(lap_est.id).seq == 4 and ctx.estimates.get(office_est.id).seq == 3
    assert exchange.status(ctx.conn).pending == 0
    ctx.close()


def test_refresh_keeps_unsent_changes_and_lists_conflicts_on_the_laptop(pair):
    office, laptop, tmp = pair
    ctx = open_context(laptop)
    u = ctx.unions.list()[1]
    p = ctx.products.resolve("団生")
    ctx.results.set(u.id, p.id, "2025-01", 8)
    ctx.unions.update(u.id, members=777)
    ctx.close()
    ctx = open_context(office)
    ctx.unions.update(u.id, members=555)
    exchange.checkout(ctx.conn, tmp / "copy2.kyosai", PASSPHRASE)
    ctx.close()
    res = exchange.open_copy(laptop, tmp / "copy2.kyosai", PASSPHRASE)
    assert res["refreshed"] and res["conflicts"] == 1
    ctx = open_context(laptop)
    try:
        assert ctx.results.get(u.id, p.id, "2025-01") == 8  # unsent, kept
        assert ctx.unions.get(u.id).members == 555  # the office's, until settled
        [c] = exchange.list_conflicts(ctx.conn)
        assert (c.field, c.office, c.laptop) == ("members", 555, 777)
        exchange.resolve(ctx.conn, [c.id], "laptop")
        assert ctx.unions.get(u.id).members == 777
        assert exchange.status(ctx.conn).pending >= 2
    finally:
        ctx.close()
    exchange.export_changes(laptop, tmp / "c2.kyosai", PASSPHRASE)
    out = exchange.import_changes(office, tmp / "c2.kyosai", PASSPHRASE)
    # settled on the laptop against the office's value it was shown: the office takes it
    assert out["conflicts"] == 0
    ctx = open_context(office)
    try:
        assert ctx.unions.get(u.id).members == 777
        assert ctx.results.get(u.id, p.id, "2025-01") == 8
    finally:
        ctx.close()


KILL_CHILD = """
import sys
from kyosai_desktop.cli import main
sys.exit(main(["--db", sys.argv[1], "exchange", "import", sys.argv[2], "--passphrase-file", sys.argv[3]]))
"""


def test_sigkill_during_import_leaves_the_office_as_it_was(tmp_path, pw):
    office, laptop = tmp_path / "office.sqlite3", tmp_path / "laptop.sqlite3"
    build_office(office, unions=60)
    ctx = open_context(office)
    exchange.checkout(ctx.conn, tmp_path / "copy.kyosai", PASSPHRASE)
    ctx.close()
    exchange.open_copy(laptop, tmp_path / "copy.kyosai", PASSPHRASE)
    ctx = open_context(laptop)
    products = [p.id for p in ctx.products.all()]
    changes = [
        CellChange(u.id, p, f"20{y}-{m:02d}", (u.id + p + m) % 9)
        for u in ctx.unions.list()
        for p in products
        for y in (21, 22, 23)
        for m in range(1, 13)
    ]
    ctx.results.apply(changes)
    ctx.close()
    exchange.export_changes(laptop, tmp_path / "big.kyosai", PASSPHRASE)
    pristine = tmp_path / "pristine.sqlite3"
    ctx = open_context(office)
    from kyosai_desktop.store.connection import backup_to

    backup_to(ctx.conn, pristine)
    before = digest(office)
    ctx.close()
    killed_mid_import = 0
    # at least 4 attempts, more (up to 12) until one was killed mid-import: on a loaded
    # machine the import sometimes commits between the WAL check and the kill
    for attempt in range(12):
        if attempt >= 4 and killed_mid_import:
            break
        if attempt:
            for suffix in ("-wal", "-shm"):
                Path(str(office) + suffix).unlink(missing_ok=True)
            office.write_bytes(pristine.read_bytes())
        wal = Path(str(office) + "-wal")
        child = subprocess.Popen(
            [sys.executable, "-c", KILL_CHILD, str(office), str(tmp_path / "big.kyosai"), str(pw)],
            env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
        )
        deadline = time.monotonic() + 60
        # kill as soon as the import is writing (its WAL grows), before it can commit
        while time.monotonic() < deadline and child.poll() is None:
            if wal.exists() and wal.stat().st_size > 64 * 1024:
                break
            time.sleep(0.002)
        finished = child.poll() is not None
        if not finished:
            os.kill(child.pid, signal.SIGKILL)
        child.wait()
        con = sqlite3.connect(office)
        imported = con.execute("SELECT count(*) FROM exchange_imports").fetchone()[0]
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        con.close()
        if not finished and not imported:
            killed_mid_import += 1
            assert digest(office) == before
        else:
            assert imported == 1  # it had committed: the whole package, not a part
    assert killed_mid_import >= 1


def test_laptop_ids_come_from_its_own_block_and_a_forgotten_path_is_refused(pair):
    from kyosai_desktop.store.audit import source_label
    from kyosai_desktop.store.ids import block_range, id_block

    office, laptop, tmp = pair
    ctx = open_context(laptop)
    try:
        lo, hi = block_range(id_block(ctx.conn))
        union = ctx.unions.add("05", "901", "ノートPCで追加した単組")
        camp = ctx.campaigns.add("ノートPCのキャンペーン")
        assert lo <= union.id <= hi and lo <= camp.id <= hi
        with pytest.raises(sqlite3.IntegrityError, match="持ち出し用コピー"):
            ctx.conn.execute(
                "INSERT INTO unions (pref_code, union_code, name) VALUES ('05', '902', 'x')"
            )
    finally:
        ctx.close()
    ctx = open_context(office)
    try:
        assert ctx.unions.add("05", "903", "事務所の単組").id > 0  # the office keeps SQLite's ids
        assert source_label("exchange:ノートPC1") == "持ち帰り (ノートPC1)"
    finally:
        ctx.close()


def test_unions_a_headquarters_sheet_creates_on_a_laptop_take_its_ids_and_travel_back(pair):
    """The HQ sheet's bulk path (one INSERT for all new unions) allocates from the laptop's
    block too; the new unions are searchable, audited, and reach the office."""
    from kyosai_desktop.services.model_union_import import import_model_unions
    from kyosai_desktop.store.ids import block_range, id_block
    from tests.model_union_fixtures import generated_units, write_sheet

    office, laptop, tmp = pair
    sheet = write_sheet(tmp / "hq.xlsx", generated_units(40, seed=7))
    ctx = open_context(laptop)
    try:
        lo, hi = block_range(id_block(ctx.conn))
        before = {u.id for u in ctx.unions.list()}
        result = import_model_unions(ctx, sheet, 2024)
        created = [u for u in ctx.unions.list() if u.id not in before]
        assert len(created) == len(result.created_unions) > 0
        assert all(lo <= u.id <= hi for u in created)
        assert len({u.id for u in created}) == len(created)
        probe = created[-1]
        assert probe.id in {hit.ref for hit in ctx.search.search(probe.name)}
        for u in created:
            fields = {e.field for e in ctx.audit.history("unions", str(u.id))}
            assert "*" in fields and ("members" in fields) == (u.members is not None)
    finally:
        ctx.close()
    exchange.export_changes(laptop, tmp / "hq_changes.kyosai", PASSPHRASE)
    exchange.import_changes(office, tmp / "hq_changes.kyosai", PASSPHRASE)
    ctx = open_context(office)
    try:
        names = {(u.pref_code, u.union_code): u.name for u in ctx.unions.list()}
        assert all(names.get((u.pref_code, u.union_code)) == u.name for u in created)
    finally:
        ctx.close()


def test_anonymising_a_campaign_also_clears_the_exchange_copies_of_its_names(pair):
    office, laptop, tmp = pair
    ctx = open_context(laptop)
    camp = ctx.campaigns.list()[0]
    first = ctx.estimates.list(camp.id)[0]
    ctx.estimates.update(first.id, name="出先次郎")
    ctx.close()
    exchange.export_changes(laptop, tmp / "c2.kyosai", PASSPHRASE)
    ctx = open_context(office)
    ctx.estimates.update(first.id, name="事務所太郎")
    ctx.close()
    res = exchange.import_changes(office, tmp / "c2.kyosai", PASSPHRASE)
    assert res["conflicts"] == 1
    ctx = open_context(office)
    try:
        [c] = exchange.list_conflicts(ctx.conn)
        assert (c.field, c.office, c.laptop) == ("name", "事務所太郎", "出先次郎")
        ctx.estimates.anonymise_campaign(camp.id)
        for c in exchange.list_conflicts(ctx.conn, settled=True):
            assert "出先次郎" not in repr(c) and "事務所太郎" not in repr(c)
    finally:
        ctx.close()
    raw = office.read_bytes()
    for name in ("出先次郎", "事務所太郎", "持出花子"):
        assert name.encode("utf-8") not in raw


def test_a_union_created_on_both_sides_is_one_union_and_everything_follows_it(pair):
    office, laptop, tmp = pair
    ctx = open_context(laptop)
    p = ctx.products.resolve("団生")
    lap_union = ctx.unions.add("05", "901", "新設職員労働組合", members=120)
    ctx.results.set(lap_union.id, p.id, "2024-07", 3)
    camp = ctx.campaigns.list()[0]
    est = ctx.estimates.add(camp.id, lap_union.id, name="新設の依頼者")
    ctx.close()
    ctx = open_context(office)
    off_union = ctx.unions.add("05", "901", "新設職労", members=120)
    ctx.results.set(off_union.id, p.id, "2024-06", 2)
    ctx.close()
    assert lap_union.id != off_union.id
    exchange.export_changes(laptop, tmp / "c2.kyosai", PASSPHRASE)
    res = exchange.import_changes(office, tmp / "c2.kyosai", PASSPHRASE)
    ctx = open_context(office)
    try:
        assert (
            ctx.conn.execute("SELECT count(*) FROM unions WHERE union_code = '901'").fetchone()[0]
            == 1
        )
        assert ctx.results.get(off_union.id, p.id, "2024-07") == 3
        assert ctx.results.get(off_union.id, p.id, "2024-06") == 2
        assert ctx.estimates.get(est.id).union_id == off_union.id
        [c] = exchange.list_conflicts(ctx.conn)  # only the differing name
        assert (c.kind, c.key, c.field, c.office, c.laptop) == (
            "unions",
            "05-901",
            "name",
            "新設職労",
            "新設職員労働組合",
        )
        assert res["conflicts"] == 1
        exchange.checkout(ctx.conn, tmp / "copy2.kyosai", PASSPHRASE)
    finally:
        ctx.close()
    # the laptop, refreshed, has the one union too; nothing left to send
    exchange.open_copy(laptop, tmp / "copy2.kyosai", PASSPHRASE)
    ctx = open_context(laptop)
    try:
        assert [u.id for u in ctx.unions.list() if u.union_code == "901"] == [off_union.id]
        assert ctx.results.get(off_union.id, p.id, "2024-07") == 3
        assert ctx.conn.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        ctx.close()


def test_every_insert_of_a_record_two_machines_create_takes_its_id_from_new_id():
    """A plain INSERT of these tables without an id would take SQLite's max+1 on a laptop copy
    (the guard trigger refuses it there); only HQ's roll-up (never a laptop copy) may."""
    import ast

    from kyosai_desktop.store.ids import ALLOCATED_TABLES

    pkg = Path(exchange.__file__).resolve().parents[1]
    found = []
    for path in sorted(pkg.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        # f-strings name their columns at run time (all of them, the id included): plain strings only
        in_fstring = {
            id(v) for n in ast.walk(tree) if isinstance(n, ast.JoinedStr) for v in n.values
        }
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in in_fstring
            ):
                for table in ALLOCATED_TABLES:
                    if (
                        f"INSERT INTO {table} (" in node.value
                        and f"INSERT INTO {table} (id," not in node.value
                    ):
                        found.append(f"{path.relative_to(pkg)}: {table}")
    assert found and all(f.startswith("store/hq.py") for f in found), found
