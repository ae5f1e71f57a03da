"""Headquarters: importing the branches' report packages (報告パッケージの取り込み).

Each package is verified (``report_package.read_package``), checked row by row, and then
replaces that branch's figures for the months and years it covers — in one transaction
per package (all or nothing), audited with one row naming the old and the new package.
A package older than the one held for its branch is refused; the same package again
changes nothing.  ``dry_run`` performs the very same writes and rolls them back, so what
it reports is what a real import would do.

pandas parses and aggregates the results (tens of thousands of rows per branch): it is
imported inside the functions, so start-up never pays for it.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from kyosai_desktop.domain.months import month_label, months_between
from kyosai_desktop.services.context import AppContext
from kyosai_desktop.services.import_plan import ImportPlan, ImportReport, Progress, report_progress
from kyosai_desktop.services.report_package import Package, PackageError, read_package
from kyosai_desktop.services.safe_output import unescape_field
from kyosai_desktop.store import audit
from kyosai_desktop.store.hq import HeldPackage, bulk_writes


@dataclass
class PackageOutcome:
    """What importing one package did (or would do, or why it was refused)."""

    path: Path
    branch: str | None = None
    branch_name: str | None = None
    fiscal_year: int | None = None
    created_at: str | None = None
    dry_run: bool = False
    imported: bool = False
    unchanged: bool = False
    refused: str | None = None
    replaced: HeldPackage | None = None
    counts: dict[str, int] = field(default_factory=dict)
    new_unions: int = 0
    cells_removed: int = 0
    totals: dict[int, int] = field(default_factory=dict)  # fiscal year → Σ 件数

    def text(self) -> str:
        who = f"{self.branch_name or '?'} ({self.branch or '??'})"
        if self.refused:
            return f"× {self.path.name}: {self.refused}"
        head = f"{who} {self.fiscal_year}年度 (作成 {_stamp(self.created_at)})"
        if self.unchanged:
            return f"― {self.path.name}: {head} は取り込み済みです。変更はありません。"
        verb = (
            "取り込みました"
            if self.imported
            else ("試行 (書き込みなし)" if self.dry_run else "取り込み内容")
        )
        parts = [
            f"単組 {self.counts.get('unions.csv', 0):,}"
            + (f" (新規 {self.new_unions:,})" if self.new_unions else ""),
            f"実績 {self.counts.get('results.csv', 0):,} セル",
            f"目標 {self.counts.get('targets.csv', 0):,} 件",
            f"モデル単組 {self.counts.get('model_unions.csv', 0):,}",
        ]
        sums = "、".join(f"{y}年度 実績計 {s:,}件" for y, s in sorted(self.totals.items()))
        replaced = (
            f"前回のパッケージ (作成 {_stamp(self.replaced.created_at)}、{self.replaced.fiscal_year}年度) の"
            f"数値 {self.cells_removed:,} セルを置き換え。"
            if self.replaced
            else "初めての取り込み。"
        )
        return f"○ {self.path.name}: {head} {verb}: {'、'.join(parts)}。{sums}。{replaced}"


def _stamp(iso: str | None) -> str:
    return "" if not iso else iso[:16].replace("T", " ")


class _Refused(Exception):
    pass


def import_packages(
    ctx: AppContext, paths: list[Path | str], *, dry_run: bool = False
) -> list[PackageOutcome]:
    """Import each package on its own (a refused one does not stop the others)."""
    _require_hq(ctx)
    return [import_package(ctx, Path(p), dry_run=dry_run) for p in paths]


def _require_hq(ctx: AppContext) -> None:
    if not ctx.is_hq:
        raise PackageError(
            "このデータベースは本部用ではありません。`kyosai --db HQ init --hq` で作成した"
            "本部用データベースに取り込んでください。"
        )


def import_package(ctx: AppContext, path: Path, *, dry_run: bool = False) -> PackageOutcome:
    """The command line's way: the same plan as the screen's, committed (or only previewed)
    with foreign-key checks off for the bulk write (store/hq.bulk_writes)."""
    from kyosai_desktop.services.tabular import ImportFailed

    try:
        with bulk_writes(ctx.conn):
            plan = plan_package(ctx, path, preview=dry_run)
            report = plan.preview if dry_run else plan.commit(ctx)
    except ImportFailed as exc:
        return PackageOutcome(path=path, dry_run=dry_run, refused=str(exc.problems[0].message))
    outcome = report.result
    assert isinstance(outcome, PackageOutcome)
    outcome.dry_run, outcome.imported = dry_run, not dry_run and not outcome.unchanged
    return outcome


def plan_package(
    ctx: AppContext, path: Path | str, *, progress: Progress | None = None, preview: bool = True
) -> ImportPlan:
    """Read and check one package into an ImportPlan (services/import_plan): the review
    dialog shows its preview; ``commit`` replaces the branch's figures.  A refused package
    raises ImportFailed with the reason (the data stays as it was)."""
    from kyosai_desktop.services.tabular import ImportFailed, Problem

    _require_hq(ctx)
    path = Path(path)
    report_progress(progress, 0, 3, "検証")
    try:
        package = read_package(path)
    except PackageError as exc:
        raise ImportFailed([Problem(str(exc))]) from exc
    outcome = PackageOutcome(
        path=path,
        branch=package.branch,
        fiscal_year=package.fiscal_year,
        created_at=package.created_at,
        counts=package.counts(),
        branch_name=ctx.prefectures.name_of(package.branch),
    )
    title = "報告パッケージの取り込み"
    try:
        if outcome.branch_name is None:
            raise _Refused(f"県コード {package.branch} は登録されていません")
        held = ctx.hq.held(package.branch)
        if (
            held is not None
            and held.sha256 != package.sha256
            and package.created_at <= held.created_at
        ):
            raise _Refused(
                f"{outcome.branch_name}県支部の取り込み済みのパッケージ (作成 {_stamp(held.created_at)}) より"
                f"古いパッケージ (作成 {_stamp(package.created_at)}) です。新しいパッケージを取り込んでください"
            )
        report_progress(progress, 1, 3, "内容の確認")
        parsed = (
            None if held is not None and held.sha256 == package.sha256 else _parse(ctx, package)
        )
    except _Refused as exc:
        raise ImportFailed([Problem(f"{exc}。本部のデータは変更していません。")]) from exc

    def write(ctx: AppContext, report: ImportReport, progress: Progress | None) -> None:
        done = PackageOutcome(**{**outcome.__dict__, "totals": {}})
        report.result = done
        if parsed is None:
            done.unchanged = True
            report.unchanged = 1
            report.notes.append(done.text())
            return
        report_progress(progress, 2, 3, "書き込み")
        _write(ctx, package, parsed, held, done)
        report.rows = done.counts.get("results.csv", 0)
        report.added = done.new_unions
        report.updated = 1
        report.details.append(done.text())
        if held is not None:
            report.changes.append(
                f"前回のパッケージ ({_describe(held)}) の {done.cells_removed:,} セルを置き換えます"
            )

    def summarise(report: ImportReport) -> list[str]:
        done = report.result
        return [done.text()] if isinstance(done, PackageOutcome) else [report.counts()]

    plan = ImportPlan.prepare(
        ctx,
        title=title,
        source=path.name,
        write=write,
        kinds=("hq_packages",),
        summarise=summarise,
        progress=progress,
        preview=preview,
    )
    return plan


# ---------------------------------------------------------------- checking


@dataclass
class _Parsed:
    unions: list[tuple]
    results: object  # pandas DataFrame: union_code, product_id, month, count
    branch_targets: list[tuple]
    union_targets: list[tuple]  # (fiscal_year, product_id, version, union_code, target)
    model_unions: list[tuple]  # (fiscal_year, union_code, target, members, holdings, month)


def _int(text: str, what: str, *, blank: bool = True, lo: int = 0, hi: int = 10**12) -> int | None:
    if text == "" and blank:
        return None
    try:
        value = int(text)
    except ValueError:
        raise _Refused(f"{what} 「{text}」が整数ではありません") from None
    if not lo <= value <= hi:
        raise _Refused(f"{what} {value} が範囲外です")
    return value


def _parse(ctx: AppContext, package: Package) -> _Parsed:
    import pandas as pd

    pref = package.branch
    years = (package.fiscal_year - 1, package.fiscal_year)
    products = {}

    def product_id(name: str) -> int:
        if name not in products:
            p = ctx.products.resolve(name)
            if p is None:
                raise _Refused(
                    f"商品「{name}」は本部のデータベースに登録されていません (マスタ・設定で追加してください)"
                )
            products[name] = p.id
        return products[name]

    unions = []
    codes: set[str] = set()
    for n, row in enumerate(package.rows("unions.csv"), start=2):
        p, code, name, members, holdings, as_of, month, joined, active = row
        if p != pref:
            raise _Refused(f"unions.csv {n}行目: 県コード {p} が報告元の {pref} と違います")
        if not (len(code) == 3 and code.isdigit()) or code in codes:
            raise _Refused(f"unions.csv {n}行目: 単組コード「{code}」が正しくないか重複しています")
        codes.add(code)
        unions.append(
            (
                code,
                unescape_field(name),
                _int(members, "組合員数"),
                _int(holdings, "団生保有"),
                as_of or None,
                _int(month, "発効月", lo=1, hi=12),
                _int(joined, "組織加入", blank=False, hi=1),
                _int(active, "有効", blank=False, hi=1),
            )
        )

    try:
        df = pd.read_csv(
            io.BytesIO(package.data["results.csv"]),
            keep_default_na=False,
            dtype={"県コード": str, "単組コード": str, "商品": str, "発効年月": str},
        )
    except Exception as exc:  # noqa: BLE001 - any parser failure is a refused package
        raise _Refused(f"results.csv を読めません ({exc})") from exc
    df.columns = ["pref", "union_code", "product", "month", "count"]
    if len(df):
        if (df["pref"] != pref).any():
            raise _Refused(f"results.csv に県コード {pref} 以外の行があります")
        unknown = set(df["union_code"].unique()) - codes
        if unknown:
            raise _Refused(
                f"results.csv に unions.csv にない単組コードがあります: {', '.join(sorted(unknown)[:5])}"
            )
        outside = ~df["month"].isin(months_between(package.first_month, package.last_month))
        if outside.any():
            first = df.loc[outside, "month"].iloc[0]
            raise _Refused(
                f"results.csv の発効年月「{first}」が {package.first_month}〜{package.last_month} の範囲外か正しくありません"
            )
        if df["count"].dtype.kind != "i" or (df["count"] < 0).any() or (df["count"] > 10**9).any():
            numbers = pd.to_numeric(df["count"], errors="coerce")
            bad = df.loc[
                numbers.isna() | (numbers < 0) | (numbers > 10**9) | (numbers % 1 != 0), "count"
            ]
            raise _Refused(
                f"results.csv の件数「{bad.iloc[0] if len(bad) else '?'}」が 0 以上の整数ではありません"
            )
        df["product_id"] = df["product"].map(
            {name: product_id(name) for name in df["product"].unique()}
        )
        if df.duplicated(["union_code", "product_id", "month"]).any():
            raise _Refused("results.csv に同じ単組・商品・発効年月の行が重複しています")
    else:
        df["product_id"] = pd.Series(dtype="int64")
    results = df[["union_code", "product_id", "month", "count"]]

    branch_targets, union_targets, seen = [], [], set()
    for n, (fy, product, version, p, code, target) in enumerate(
        package.rows("targets.csv"), start=2
    ):
        year = _int(fy, "年度", blank=False, lo=1900, hi=9999)
        if year not in years or p != pref or version not in ("第1次", "第2次"):
            raise _Refused(
                f"targets.csv {n}行目: 年度・県コード・版が報告の範囲外です ({fy}, {p}, {version})"
            )
        if code and code not in codes:
            raise _Refused(f"targets.csv {n}行目: 単組コード「{code}」が unions.csv にありません")
        key = (year, product_id(product), version, code)
        if key in seen:
            raise _Refused(f"targets.csv {n}行目: 同じ目標が重複しています")
        seen.add(key)
        value = _int(target, "目標件数", blank=False)
        if code:
            union_targets.append((*key, value))
        else:
            branch_targets.append((*key[:3], value))

    model_unions = []
    for n, (fy, p, code, target, members, holdings, month) in enumerate(
        package.rows("model_unions.csv"), start=2
    ):
        year = _int(fy, "年度", blank=False, lo=1900, hi=9999)
        if year not in years or p != pref or code not in codes:
            raise _Refused(
                f"model_unions.csv {n}行目: 年度・県コード・単組コードが報告の範囲外です"
            )
        model_unions.append(
            (
                year,
                code,
                _int(target, "目標件数"),
                _int(members, "組合員数"),
                _int(holdings, "団生保有"),
                _int(month, "発効月", lo=1, hi=12),
            )
        )
    return _Parsed(unions, results, branch_targets, union_targets, model_unions)


# ---------------------------------------------------------------- writing


def _write(
    ctx: AppContext,
    package: Package,
    parsed: _Parsed,
    held: HeldPackage | None,
    outcome: PackageOutcome,
) -> None:
    pref = package.branch
    years = (package.fiscal_year - 1, package.fiscal_year)
    repo = ctx.hq
    for row in package.rows("fiscal_years.csv"):
        ctx.fiscal_years.ensure(int(row[0]))  # HQ's own start months decide the cut; only fill gaps
    outcome.new_unions = repo.upsert_unions(pref, parsed.unions)
    ids = repo.union_ids(pref)
    repo.clear_branch(pref, years, package.first_month, package.last_month)
    df = parsed.results
    cells: Iterable[tuple[int, int, str, int]] = ()
    if len(df):  # type: ignore[arg-type]
        union_ids = df["union_code"].map(ids)  # type: ignore[index]
        cells = zip(
            union_ids.tolist(),
            df["product_id"].tolist(),  # type: ignore[index]
            df["month"].tolist(),  # type: ignore[index]
            df["count"].tolist(),  # type: ignore[index]
            strict=True,
        )
    outcome.cells_removed = repo.replace_union_results(
        pref, package.first_month, package.last_month, cells
    )
    if len(df):  # type: ignore[arg-type]
        monthly = df.groupby(["product_id", "month"], sort=False)["count"].sum()  # type: ignore[attr-defined]
        repo.insert_branch_results(pref, ((int(p), m, int(c)) for (p, m), c in monthly.items()))
        for year in years:
            fy = ctx.fiscal_years.results_year(year)
            in_year = df["month"].between(fy.first, fy.last)  # type: ignore[index]
            outcome.totals[year] = int(df.loc[in_year, "count"].sum())  # type: ignore[attr-defined]
    repo.insert_targets(
        pref,
        parsed.branch_targets,
        [(y, p, v, ids[c], t) for y, p, v, c, t in parsed.union_targets],
    )
    repo.insert_model_unions([(y, ids[c], *rest) for y, c, *rest in parsed.model_unions])
    now = datetime.now().isoformat(timespec="seconds")
    new = HeldPackage(
        pref,
        package.fiscal_year,
        package.first_month,
        package.last_month,
        package.created_at,
        now,
        package.path.name,
        package.sha256,
        package.manifest.get("app_version"),
        package.manifest.get("schema_version"),
        package.counts(),
    )
    repo.save_package(new)
    audit.record(
        ctx.conn,
        source="import",
        table="hq_packages",
        key=pref,
        field="package",
        old=None if held is None else _describe(held),
        new=_describe(new),
        at=now,
    )
    outcome.replaced = held


def _describe(p: HeldPackage) -> str:
    return (
        f"{p.fiscal_year}年度 {month_label(p.first_month)}〜{month_label(p.last_month)}"
        f" 作成 {_stamp(p.created_at)} {p.file_name or ''} sha256:{p.sha256[:16]}"
    )


def init_hq(ctx: AppContext) -> None:
    """Make this database a headquarters database (``kyosai --db HQ init --hq``).

    A branch's database cannot become one: its own figures would be mixed with the
    branches' packages.
    """
    from kyosai_desktop.store.hq import ROLE_HQ, ROLE_KEY

    if ctx.branch is not None:
        raise PackageError(
            f"このデータベースは {ctx.prefectures.name_of(ctx.branch)}県支部 ({ctx.branch}) のものです。"
            "本部用には新しいデータベースファイルを指定してください。"
        )
    ctx.settings.set(ROLE_KEY, ROLE_HQ)
