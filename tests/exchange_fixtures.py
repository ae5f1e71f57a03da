"""Helpers for the exchange tests: a small office database and a reader of every "cell"."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

from kyosai_desktop.services.context import AppContext, open_context

PASSPHRASE = "correct horse battery"
MONTHS = ["2024-06", "2024-07", "2024-08", "2024-09"]
CAMPAIGN = "2024年度 見積りキャンペーン"
UNION_FIELDS = ("name", "members", "holdings")
ESTIMATE_FIELDS = ("status", "other_premium", "notes", "name", "campaign_id", "union_id")
# A second campaign, empty in the base: the office may delete it while the laptop adds to it.
VISIT = "2024年度 訪問キャンペーン"


def rows(path: Path, sql: str, *args) -> list[tuple]:
    """The rows of a query on a database file, on a connection of their own."""
    con = sqlite3.connect(path)
    try:
        return [tuple(r) for r in con.execute(sql, args)]
    finally:
        con.close()


def checkout(office: Path, laptop: Path, pw: Path, name: str, label: str) -> None:
    """``kyosai exchange checkout`` of the office into ``name`` beside it, opened as
    ``laptop`` (``exchange open --label``): a laptop copy made, or refreshed, as a clerk does."""
    from kyosai_desktop.cli import main

    pkg = office.with_name(name)
    assert (
        main(
            [
                "--db",
                str(office),
                "exchange",
                "checkout",
                "--out",
                str(pkg),
                "--passphrase-file",
                str(pw),
            ]
        )
        == 0
    )
    assert (
        main(
            [
                "--db",
                str(laptop),
                "exchange",
                "open",
                str(pkg),
                "--passphrase-file",
                str(pw),
                "--label",
                label,
            ]
        )
        == 0
    )


def send(laptop: Path, office: Path, pw: Path, name: str) -> None:
    """The laptop's changes exported into ``name`` beside it and imported at the office."""
    from kyosai_desktop.cli import main

    pkg = laptop.with_name(name)
    assert (
        main(
            [
                "--db",
                str(laptop),
                "exchange",
                "export",
                "--out",
                str(pkg),
                "--passphrase-file",
                str(pw),
            ]
        )
        == 0
    )
    assert (
        main(["--db", str(office), "exchange", "import", str(pkg), "--passphrase-file", str(pw)])
        == 0
    )


def build_office(path: Path, seed: int = 1, unions: int = 5) -> None:
    rng = random.Random(seed)
    ctx = open_context(path)
    try:
        ctx.settings.set_branch("05")
        p1, p2 = ctx.products.resolve("団生").id, ctx.products.resolve("マイカー共済").id
        ids = [
            ctx.unions.add(
                "05",
                f"{i:03d}",
                f"第{i}市職員労働組合",
                members=rng.randint(100, 900),
                holdings=rng.randint(10, 90),
            ).id
            for i in range(1, unions + 1)
        ]
        for u in ids:
            for p in (p1, p2):
                for m in MONTHS:
                    if rng.random() < 0.5:
                        ctx.results.set(u, p, m, rng.randint(0, 20))
        for u in [None, *ids[:3]]:
            ctx.targets.set(2024, p1, "第1次", rng.randint(10, 60), u)
        camp = ctx.campaigns.add(CAMPAIGN, "見積りキャンペーン")
        for u in ids[:3]:
            for _ in range(2):
                ctx.estimates.add(
                    camp.id,
                    u,
                    name=f"会員{rng.randint(1, 999)}",
                    other_premium=rng.randint(3000, 9000),
                    jichiro_premium=rng.randint(2000, 8000),
                    payment="月",
                )
    finally:
        ctx.close()


def cells(path: Path) -> dict[tuple, object]:
    """Every value the exchange must keep right, keyed (table, record key, field)."""
    con = sqlite3.connect(path)
    try:
        out: dict[tuple, object] = {}
        for u, p, m, c in con.execute("SELECT union_id, product_id, month, count FROM results"):
            out[("results", f"{u}:{p}:{m}", "count")] = c
        for fy, p, v, u, t in con.execute(
            "SELECT fiscal_year, product_id, version, union_id, target FROM targets"
        ):
            out[("targets", f"{fy}:{p}:{v}:{u or ''}", "target")] = t
        for row in con.execute(f"SELECT id, {', '.join(UNION_FIELDS)} FROM unions"):
            for f, v in zip(UNION_FIELDS, row[1:], strict=True):
                out[("unions", str(row[0]), f)] = v
        for row in con.execute(f"SELECT id, {', '.join(ESTIMATE_FIELDS)} FROM estimates"):
            out[("estimates", str(row[0]), "*")] = True
            for f, v in zip(ESTIMATE_FIELDS, row[1:], strict=True):
                out[("estimates", str(row[0]), f)] = v
        for c, u in con.execute("SELECT campaign_id, union_id FROM estimate_campaign_unions"):
            out[("estimate_campaign_unions", f"{c}:{u}", "*")] = True
        for (c,) in con.execute("SELECT id FROM estimate_campaigns"):
            out[("estimate_campaigns", str(c), "*")] = True
        return {k: v for k, v in out.items() if v is not None}  # None = no value
    finally:
        con.close()


def random_edits(ctx: AppContext, rng: random.Random, n: int, *, tag: str) -> None:
    """``n`` random edits through the repositories (the production paths)."""
    p1, p2 = ctx.products.resolve("団生").id, ctx.products.resolve("マイカー共済").id
    unions = [u.id for u in ctx.unions.list()]
    camp = ctx.campaigns.find(CAMPAIGN)
    targets_done: set = set()
    for _ in range(n):
        what = rng.random()
        if what < 0.45:
            value = None if rng.random() < 0.2 else rng.randint(0, 25)
            ctx.results.set(rng.choice(unions), rng.choice((p1, p2)), rng.choice(MONTHS), value)
        elif what < 0.5:
            # a new union (office codes 9xx from 900, the laptop's from 950): it and its figures arrive
            code = f"{(900 if tag.startswith('事務所') else 950) + rng.randint(0, 40):03d}"
            if ctx.unions.find("05", code) is None:
                new = ctx.unions.add(
                    "05", code, f"{tag}で登録した組合{code}", members=rng.randint(50, 99)
                )
                ctx.results.set(new.id, p1, rng.choice(MONTHS), rng.randint(1, 9))
        elif what < 0.6:
            u = rng.choice(unions)
            field = rng.choice(UNION_FIELDS)
            value = f"{tag}単組{rng.randint(1, 3)}" if field == "name" else rng.randint(100, 110)
            ctx.unions.update(u, **{field: value})
        elif what < 0.7:
            key = (rng.choice([None, *unions[:4]]), rng.choice(("第1次", "第2次")))
            if key in targets_done:
                continue
            targets_done.add(key)
            ctx.targets.set(
                2024, p1, key[1], None if rng.random() < 0.2 else rng.randint(10, 13), key[0]
            )
        elif what < 0.8:
            ctx.estimates.add(
                camp.id,
                rng.choice(unions[:3]),
                name=f"{tag}の依頼者{rng.randint(1, 99)}",
                other_premium=rng.randint(3000, 9000),
                jichiro_premium=4000,
                payment="年",
            )
        else:
            existing = [e.id for e in ctx.estimates.list(camp.id)]
            if not existing:
                continue
            eid = rng.choice(existing)
            if rng.random() < 0.25:
                ctx.estimates.delete(eid)
            elif rng.random() < 0.5:
                ctx.estimates.update(eid, status=rng.choice(("見積作成", "返却済")))
            else:
                ctx.estimates.update(
                    eid, other_premium=rng.choice((5000, 6000)), notes=f"{tag}メモ"
                )


def office_deletions(path: Path, rng: random.Random) -> None:
    """The office deletes, at random, the empty campaign VISIT (through its repository) and a
    union of the base without estimates (a merger: the app has no union deletion, so by SQL
    with the schema's cascade)."""
    ctx = open_context(path)
    try:
        visit = ctx.campaigns.find(VISIT)
        if visit is not None and rng.random() < 0.45:
            ctx.campaigns.delete(visit.id)
        elif visit is not None and rng.random() < 0.8:  # or uses it (the laptop may delete it)
            ctx.estimates.add(
                visit.id,
                ctx.unions.find("05", "001").id,
                name=f"事務所の依頼者{rng.randint(1, 99)}",
                other_premium=5000,
                jichiro_premium=4000,
                payment="月",
            )
        if rng.random() < 0.6:
            free = [
                r[0]
                for r in ctx.conn.execute(
                    "SELECT id FROM unions u WHERE union_code IN ('004', '005') AND NOT EXISTS"
                    " (SELECT 1 FROM estimates e WHERE e.union_id = u.id) AND NOT EXISTS"
                    " (SELECT 1 FROM estimate_campaign_unions c WHERE c.union_id = u.id)"
                )
            ]
            if free:
                with ctx.conn:
                    ctx.conn.execute("DELETE FROM unions WHERE id = ?", (rng.choice(free),))
    finally:
        ctx.close()


def laptop_visits(path: Path, rng: random.Random) -> None:
    """The laptop, on visits: estimates in VISIT (or VISIT deleted, unused) and figures for
    unions 004/005."""
    ctx = open_context(path)
    try:
        visit = ctx.campaigns.find(VISIT)
        unions = [u.id for u in ctx.unions.list()]
        p1 = ctx.products.resolve("団生").id
        deleted = rng.random() < 0.5
        if deleted:
            ctx.campaigns.delete(visit.id)
        for _ in range(0 if deleted else rng.randint(0, 2)):
            ctx.estimates.add(
                visit.id,
                rng.choice(unions[:3]),
                name=f"訪問先の依頼者{rng.randint(1, 99)}",
                other_premium=rng.randint(3000, 9000),
                jichiro_premium=4000,
                payment="年",
            )
        for _ in range(rng.randint(0, 3)):
            u = ctx.unions.find("05", rng.choice(("004", "005")))
            ctx.results.set(u.id, p1, rng.choice(MONTHS + ["2024-10"]), rng.randint(1, 9))
    finally:
        ctx.close()
