"""The report package: allow-listed figures only (no personal data), checked on reading."""

from __future__ import annotations

import hashlib
import json
import zipfile

import pytest
from estimate_fixtures import add_union, seed_csv

from kyosai_desktop.services.estimate_import import import_estimates
from kyosai_desktop.services.report_package import (
    ALLOW_LIST,
    PACKAGE_FILES,
    PackageError,
    build_package,
    read_package,
)

NAME = "山田花子"
PHONE = "090-9876-5432"
NOTE = "書記長 佐藤一郎さん 携帯 080-1111-2222"


@pytest.fixture
def branch(ctx, tmp_path):
    """A branch with figures and an estimate campaign full of personal data."""
    union = add_union(ctx)
    ctx.unions.update(union.id, note=NOTE, members=1200, holdings=600)
    import_estimates(ctx, seed_csv(tmp_path), campaign="2024執行部", union="05-001")
    camp = ctx.campaigns.find("2024執行部")
    first, *others = ctx.estimates.list(camp.id)
    ctx.estimates.update(first.id, name=NAME, contact=PHONE, notes="自宅に電話可", car="プリウス")
    for n, e in enumerate(others):
        ctx.estimates.update(e.id, name=f"組合員{n:02d} 鈴木", contact=f"0120-00-{n:04d}")
    pid = ctx.products.resolve("団生").id
    ctx.results.set(union.id, pid, "2024-07", 4)
    ctx.results.set(union.id, pid, "2023-07", 2)
    ctx.results.set(union.id, pid, "2022-07", 9)  # before the year before: not sent
    ctx.targets.set(2024, pid, "第1次", 40)
    ctx.targets.set(2024, pid, "第2次", 44)
    ctx.targets.set(2024, pid, "第1次", 6, union_id=union.id)
    ctx.model_unions.designate_many([_designation(union.id)])
    return ctx


def _designation(union_id):
    from kyosai_desktop.store.model_unions import Designation

    return Designation(2024, union_id, 15, 1200, 600, 10)


def _texts(path) -> str:
    with zipfile.ZipFile(path) as zf:
        return "\n".join(zf.read(n).decode("utf-8") for n in zf.namelist())


def test_package_has_the_figures_and_no_personal_data(branch, tmp_path):
    summary = build_package(branch, 2024, tmp_path / "05.kyosai-report")
    text = _texts(summary.path)
    est = branch.estimates.list(branch.campaigns.find("2024執行部").id)
    personal = [NAME, PHONE, "自宅に電話可", "プリウス", NOTE, "佐藤一郎"]
    personal += [e.name for e in est] + [e.contact for e in est] + [e.car for e in est if e.car]
    assert branch.conn.execute(
        "SELECT count(*) FROM audit WHERE new_value = ?", (NAME,)
    ).fetchone()[0]
    for value in personal:
        assert value not in text, value
    package = read_package(summary.path)
    assert package.branch == "05" and package.fiscal_year == 2024
    assert (package.first_month, package.last_month) == ("2023-06", "2025-05")
    assert package.rows("results.csv") == [
        ["05", "001", "団体生命共済", "2023-07", "2"],
        ["05", "001", "団体生命共済", "2024-07", "4"],
    ]
    targets = package.rows("targets.csv")
    assert ["2024", "団体生命共済", "第1次", "05", "", "40"] in targets
    assert ["2024", "団体生命共済", "第2次", "05", "", "44"] in targets
    assert ["2024", "団体生命共済", "第1次", "05", "001", "6"] in targets
    assert package.rows("model_unions.csv") == [["2024", "05", "001", "15", "1200", "600", "10"]]
    assert package.rows("unions.csv")[0][:5] == ["05", "001", "〇〇〇職員労働組合", "1200", "600"]
    m = package.manifest
    assert {"branch", "fiscal_year", "created_at", "app_version", "schema_version", "files"} <= set(
        m
    )
    assert m["files"]["results.csv"]["rows"] == 2
    with zipfile.ZipFile(summary.path) as zf:
        assert (
            hashlib.sha256(zf.read("results.csv")).hexdigest()
            == m["files"]["results.csv"]["sha256"]
        )
        assert sorted(zf.namelist()) == sorted([*PACKAGE_FILES, "manifest.json"])


@pytest.mark.parametrize(
    "extra",
    [
        {"estimates.csv": ("estimates", ("name", "contact"))},
        {"unions.csv": ("unions", (*ALLOW_LIST["unions.csv"][1][:-1], "note"))},
        {"audit.csv": ("audit", ("old_value",))},
    ],
)
def test_a_package_with_personal_data_cannot_be_made(branch, tmp_path, extra):
    sources = {**ALLOW_LIST, **extra}
    out = tmp_path / "bad.kyosai-report"
    with pytest.raises(PackageError, match="個人情報"):
        build_package(branch, 2024, out, sources=sources)
    assert not out.exists()


def _rewrite(src, dst, change):
    with zipfile.ZipFile(src) as a, zipfile.ZipFile(dst, "w") as b:
        for info in a.infolist():
            name, data = change(info.filename, a.read(info.filename))
            if name:
                b.writestr(name, data)


def test_tampered_truncated_or_foreign_files_are_refused(branch, tmp_path):
    good = build_package(branch, 2024, tmp_path / "05.kyosai-report").path
    cases = {}
    cut = tmp_path / "cut.kyosai-report"
    cut.write_bytes(good.read_bytes()[: len(good.read_bytes()) // 2])
    cases[cut] = "途中で切れています"
    edited = tmp_path / "edited.kyosai-report"
    _rewrite(
        good, edited, lambda n, d: (n, d.replace(b",4\n", b",40\n") if n == "results.csv" else d)
    )
    cases[edited] = "チェックサムが一致しません"
    smuggled = tmp_path / "smuggled.kyosai-report"

    def add_column(name, data):
        if name == "manifest.json":
            m = json.loads(data)
            m["files"]["unions.csv"]["columns"].append("備考")
            return name, json.dumps(m).encode()
        return name, data

    _rewrite(good, smuggled, add_column)
    cases[smuggled] = "列が報告パッケージの形式と違います"
    extra = tmp_path / "extra.kyosai-report"
    with zipfile.ZipFile(good) as a, zipfile.ZipFile(extra, "w") as b:
        for n in a.namelist():
            b.writestr(n, a.read(n))
        b.writestr("estimates.csv", "氏名\n山田\n")
    cases[extra] = "許可されていないファイル"
    newer = tmp_path / "newer.kyosai-report"
    _rewrite(
        good,
        newer,
        lambda n, d: (
            n,
            d.replace(b'"format_version": 1', b'"format_version": 9')
            if n == "manifest.json"
            else d,
        ),
    )
    cases[newer] = "新しいバージョン"
    foreign = tmp_path / "foreign.kyosai-report"
    foreign.write_text("商品,件数\n団生,3\n", encoding="utf-8")
    cases[foreign] = "報告パッケージの形式ではない"
    for path, message in cases.items():
        with pytest.raises(PackageError, match=message) as info:
            read_package(path)
        assert "本部のデータは変更していません" in str(info.value), path.name


def test_hq_database_cannot_make_a_package(tmp_path):
    from kyosai_desktop.services.context import open_context
    from kyosai_desktop.services.hq_import import init_hq

    hq = open_context(tmp_path / "hq.sqlite3")
    try:
        init_hq(hq)
        with pytest.raises(PackageError, match="本部用"):
            build_package(hq, 2024, tmp_path / "x.kyosai-report")
    finally:
        hq.close()


def test_formula_like_union_name_is_escaped_in_the_package_and_restored_at_hq(branch, tmp_path):
    from kyosai_desktop.services.context import open_context
    from kyosai_desktop.services.hq_import import import_packages, init_hq

    evil = '=HYPERLINK("http://x","労組")'
    union = branch.unions.find("05", "001")
    branch.unions.update(union.id, name=evil)
    path = build_package(branch, 2024, tmp_path / "05.kyosai-report").path
    with zipfile.ZipFile(path) as zf:
        assert "'=HYPERLINK" in zf.read("unions.csv").decode("utf-8")
    hq = open_context(tmp_path / "hq.sqlite3")
    try:
        init_hq(hq)
        [outcome] = import_packages(hq, [path])
        assert outcome.imported, outcome.refused
        assert hq.unions.find("05", "001").name == evil
        assert "05" in hq.hq.packages()
    finally:
        hq.close()


def _resealed(src, dst, file_name, change):
    """A package whose ``file_name`` was edited and its manifest made consistent again."""
    with zipfile.ZipFile(src) as a:
        files = {n: a.read(n) for n in a.namelist()}
    files[file_name] = change(files[file_name].decode("utf-8")).encode("utf-8")
    m = json.loads(files["manifest.json"])
    m["files"][file_name]["sha256"] = hashlib.sha256(files[file_name]).hexdigest()
    m["files"][file_name]["rows"] = files[file_name].decode("utf-8").count("\n") - 1
    files["manifest.json"] = json.dumps(m, ensure_ascii=False).encode("utf-8")
    with zipfile.ZipFile(dst, "w") as b:
        for n, data in files.items():
            b.writestr(n, data)
    return dst


@pytest.mark.parametrize(
    "file_name, change, message",
    [
        ("results.csv", lambda t: t.replace(",2024-07,4", ",2024-07,四"), "整数ではありません"),
        ("results.csv", lambda t: t.replace(",2024-07,4", ",2024-07,-4"), "整数ではありません"),
        (
            "results.csv",
            lambda t: t.replace(",2024-07,4", ",2024-07,99999999999999999999999"),
            "整数ではありません",
        ),
        ("results.csv", lambda t: t.replace(",2024-07,", ",2026-07,"), "範囲外"),
        ("results.csv", lambda t: t.replace("05,001,", "07,001,", 1), "県コード"),
        ("results.csv", lambda t: t + t.splitlines()[1] + "\n", "重複"),
        ("results.csv", lambda t: t.replace("団体生命共済", "なぞの共済"), "なぞの共済"),
        ("targets.csv", lambda t: t.replace(",44", ",x44"), "整数ではありません"),
    ],
)
def test_hq_refuses_consistent_but_wrong_content(branch, tmp_path, file_name, change, message):
    from kyosai_desktop.services.context import open_context
    from kyosai_desktop.services.hq_import import import_packages, init_hq

    good = build_package(branch, 2024, tmp_path / "05.kyosai-report").path
    bad = _resealed(good, tmp_path / "bad.kyosai-report", file_name, change)
    read_package(bad)  # the checksums agree: the content checks must catch it
    hq = open_context(tmp_path / "hq.sqlite3")
    try:
        init_hq(hq)
        [outcome] = import_packages(hq, [bad])
        assert outcome.refused and message in outcome.refused, outcome.refused
        assert "本部のデータは変更していません" in outcome.refused
        assert hq.conn.execute("SELECT count(*) FROM unions").fetchone()[0] == 0
        assert hq.hq.packages() == {}
    finally:
        hq.close()
