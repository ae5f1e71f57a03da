"""The report package a branch sends to headquarters (報告パッケージ, ``*.kyosai-report``).

One zip file holding, for a fiscal year and the year before, the branch's figures only:
its unions (組合員数, 団生保有, 発効月 …), their monthly new contracts per product, the
branch's and the unions' targets (第1次 and 第2次), the model-union designations and the
years' start months.  Beside them ``manifest.json``: branch, fiscal year, months covered,
created at, app and schema version, and per file its columns, row count and SHA-256.

No personal data: every file is built from the explicit allow-list :data:`PACKAGE_FILES`
(table → columns, each read with its own query), and an allow-list that names an estimate
table, the audit trail or a free-text column is refused before anything is read
(:func:`check_allow_list`).  Reading a package (:func:`read_package`) checks the manifest,
that the files are exactly the allow-listed ones with exactly their columns, every
checksum and every row count; a tampered, truncated or foreign file is refused with a
Japanese message (:class:`PackageError`).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from kyosai_desktop import __version__
from kyosai_desktop.domain.months import months_between
from kyosai_desktop.services.context import AppContext
from kyosai_desktop.services.files import atomic_path
from kyosai_desktop.services.safe_output import csv_bytes
from kyosai_desktop.store.estimates import PERSONAL_FIELDS
from kyosai_desktop.store.migrations import current_version

FORMAT = "kyosai-report-package"
FORMAT_VERSION = 1
SUFFIX = ".kyosai-report"
MANIFEST = "manifest.json"
_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
_STAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?")
MAX_MEMBER_BYTES = 512 * 1024 * 1024  # a national year is ~20 MB; anything far bigger is not ours

# The allow-list: the only tables and columns a package may carry (file name → columns).
PACKAGE_FILES: dict[str, tuple[str, ...]] = {
    "fiscal_years.csv": ("年度", "開始月", "モデル単組開始月"),
    "unions.csv": (
        "県コード",
        "単組コード",
        "単組名",
        "組合員数",
        "団生保有",
        "数値時点",
        "発効月",
        "組織加入",
        "有効",
    ),
    "results.csv": ("県コード", "単組コード", "商品", "発効年月", "件数"),
    "targets.csv": ("年度", "商品", "版", "県コード", "単組コード", "目標件数"),
    "model_unions.csv": (
        "年度",
        "県コード",
        "単組コード",
        "目標件数",
        "組合員数",
        "団生保有",
        "発効月",
    ),
}

# Where personal data lives (docs/PRIVACY.md): never in a package, whatever the allow-list says.
PERSONAL_TABLES = frozenset(
    {"estimates", "estimate_campaigns", "estimate_campaign_unions", "audit"}
)
PERSONAL_COLUMNS = frozenset({*PERSONAL_FIELDS, "name", "note", "old_value", "new_value", "actor"})

# The allow-list's source: per file, the table and the columns read from it.  The query
# selects exactly these columns from the file's base query (:data:`_BASES`), so a column
# not named here can never reach a package.
ALLOW_LIST: dict[str, tuple[str, tuple[str, ...]]] = {
    "fiscal_years.csv": ("fiscal_years", ("year", "start_month", "model_start_month")),
    "unions.csv": (
        "unions",
        (
            "pref_code",
            "union_code",
            "union_name",
            "members",
            "holdings",
            "figures_as_of",
            "effective_month",
            "org_joined",
            "active",
        ),
    ),
    "results.csv": ("results", ("pref_code", "union_code", "product", "month", "count")),
    "targets.csv": (
        "targets",
        ("fiscal_year", "product", "version", "pref_code", "union_code", "target"),
    ),
    "model_unions.csv": (
        "model_unions",
        (
            "fiscal_year",
            "pref_code",
            "union_code",
            "target",
            "members",
            "holdings",
            "effective_month",
        ),
    ),
}

# Base queries (named parameters :pref, :y0, :y1, :first, :last): every row of the branch in
# the two years, with readable column names; only the allow-listed columns are selected.
_BASES: dict[str, str] = {
    "fiscal_years.csv": "SELECT * FROM fiscal_years WHERE year IN (:y0, :y1) ORDER BY year",
    "unions.csv": "SELECT u.*, u.name AS union_name FROM unions u WHERE u.pref_code = :pref"
    " ORDER BY u.union_code",
    "results.csv": "SELECT u.pref_code, u.union_code, p.name AS product, r.month, r.count"
    " FROM unions u JOIN results r ON r.union_id = u.id"
    " JOIN products p ON p.id = r.product_id"
    " WHERE u.pref_code = :pref AND r.month BETWEEN :first AND :last"
    " ORDER BY u.union_code, p.display_order, r.month",
    "targets.csv": "SELECT t.fiscal_year, p.name AS product, t.version,"
    " ifnull(u.pref_code, :pref) AS pref_code, ifnull(u.union_code, '') AS union_code,"
    " t.target FROM targets t JOIN products p ON p.id = t.product_id"
    " LEFT JOIN unions u ON u.id = t.union_id"
    " WHERE t.fiscal_year IN (:y0, :y1) AND (t.union_id IS NULL OR u.pref_code = :pref)"
    " ORDER BY t.fiscal_year, ifnull(u.union_code, ''), p.display_order, t.version",
    "model_unions.csv": "SELECT m.*, u.pref_code, u.union_code FROM model_unions m"
    " JOIN unions u ON u.id = m.union_id"
    " WHERE m.fiscal_year IN (:y0, :y1) AND u.pref_code = :pref"
    " ORDER BY m.fiscal_year, u.union_code",
}


class PackageError(Exception):
    """A package that cannot be made or read; ``str(exc)`` is Japanese."""


def check_allow_list(sources: Mapping[str, tuple[str, Sequence[str]]]) -> None:
    """Refuse an allow-list that would carry personal data (estimates, audit, free text)."""
    for file_name, (table, columns) in sources.items():
        if table in PERSONAL_TABLES:
            raise PackageError(
                f"個人情報を含む表「{table}」は報告パッケージに入れられません ({file_name})。"
            )
        bad = [c for c in columns if c in PERSONAL_COLUMNS]
        if bad:
            raise PackageError(
                f"個人情報または自由記述の列 {', '.join(bad)} は報告パッケージに入れられません ({file_name})。"
            )


# ---------------------------------------------------------------- building


@dataclass(frozen=True)
class PackageSummary:
    path: Path
    branch: str
    fiscal_year: int
    first_month: str
    last_month: str
    counts: dict[str, int]

    def text(self) -> str:
        parts = "、".join(f"{k.removesuffix('.csv')} {v:,}行" for k, v in self.counts.items())
        return (
            f"{self.branch} {self.fiscal_year}年度 ({self.first_month}〜{self.last_month}) の報告パッケージを"
            f" {self.path} に作成しました ({parts})。"
        )


def _rows(
    ctx: AppContext, file_name: str, columns: Sequence[str], params: dict[str, object]
) -> list[tuple]:
    """Exactly ``columns`` of the file's base query (validated identifiers only)."""
    for col in columns:
        if not col.isidentifier():
            raise PackageError(f"列名が正しくありません: {col!r}")
    sql = f"SELECT {', '.join(columns)} FROM ({_BASES[file_name]})"
    return ctx.conn.execute(sql, params).fetchall()


def build_package(
    ctx: AppContext,
    fiscal_year: int,
    out: Path | str,
    *,
    sources: Mapping[str, tuple[str, Sequence[str]]] | None = None,
    created_at: datetime | None = None,
) -> PackageSummary:
    """Write the branch's package for ``fiscal_year`` (and the year before) to ``out``."""
    sources = ALLOW_LIST if sources is None else sources
    check_allow_list(sources)
    if set(sources) - set(PACKAGE_FILES):
        raise PackageError(
            "報告パッケージの許可リストにないファイルは作れません: "
            + ", ".join(sorted(set(sources) - set(PACKAGE_FILES)))
        )
    pref = ctx.branch
    if pref is None:
        raise PackageError(
            "このデータベースには県支部が設定されていません。本部用のデータベースからは報告パッケージを作れません。"
        )
    years = (fiscal_year - 1, fiscal_year)
    first = ctx.fiscal_years.results_year(years[0]).first
    last = ctx.fiscal_years.results_year(fiscal_year).last
    stamp = (created_at or datetime.now()).isoformat(timespec="milliseconds")
    files: dict[str, dict[str, object]] = {}
    payload: dict[str, bytes] = {}
    params = {"pref": pref, "y0": years[0], "y1": years[1], "first": first, "last": last}
    for file_name, (_table, source_columns) in sources.items():
        columns = PACKAGE_FILES[file_name]
        if len(source_columns) != len(columns):
            raise PackageError(f"{file_name} の列数が報告パッケージの形式と違います。")
        rows = _rows(ctx, file_name, source_columns, params)
        data = csv_bytes(columns, rows)
        payload[file_name] = data
        files[file_name] = {
            "columns": list(columns),
            "rows": len(rows),
            "sha256": hashlib.sha256(data).hexdigest(),
        }
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "branch": pref,
        "branch_name": ctx.prefectures.name_of(pref),
        "fiscal_year": fiscal_year,
        "first_month": first,
        "last_month": last,
        "created_at": stamp,
        "app_version": __version__,
        "schema_version": current_version(ctx.conn),
        "files": files,
    }
    out = Path(out)
    with atomic_path(out) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
        for file_name, data in payload.items():
            zf.writestr(file_name, data)
    return PackageSummary(
        out,
        pref,
        fiscal_year,
        first,
        last,
        {k: int(v["rows"]) for k, v in files.items()},  # type: ignore[call-overload]
    )


# ---------------------------------------------------------------- reading


@dataclass(frozen=True)
class Package:
    """A verified package: its manifest and each file's bytes (checksums already checked)."""

    path: Path
    manifest: dict
    data: dict[str, bytes]
    sha256: str

    @property
    def branch(self) -> str:
        return str(self.manifest["branch"])

    @property
    def fiscal_year(self) -> int:
        return int(self.manifest["fiscal_year"])

    @property
    def created_at(self) -> str:
        return str(self.manifest["created_at"])

    @property
    def first_month(self) -> str:
        return str(self.manifest["first_month"])

    @property
    def last_month(self) -> str:
        return str(self.manifest["last_month"])

    def counts(self) -> dict[str, int]:
        return {k: int(v["rows"]) for k, v in self.manifest["files"].items()}

    def rows(self, file_name: str) -> list[list[str]]:
        """The file's data rows as text (header checked on reading)."""
        reader = csv.reader(io.StringIO(self.data[file_name].decode("utf-8")))
        next(reader)
        return list(reader)


def _refuse(path: Path, reason: str) -> PackageError:
    return PackageError(
        f"報告パッケージ {path.name} は読み込めません: {reason}。本部のデータは変更していません。"
    )


def read_package(path: Path | str) -> Package:
    """Open and verify a package; any damage raises :class:`PackageError`."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise _refuse(path, f"ファイルを開けません ({exc.strerror or exc})") from exc
    try:
        zf = zipfile.ZipFile(io.BytesIO(raw))
    except zipfile.BadZipFile as exc:
        raise _refuse(path, "報告パッケージの形式ではないか、途中で切れています") from exc
    with zf:
        names = zf.namelist()
        if MANIFEST not in names:
            raise _refuse(path, "manifest.json がありません")
        try:
            for info in zf.infolist():
                if info.file_size > MAX_MEMBER_BYTES:
                    raise _refuse(path, f"{info.filename} が大きすぎます")
            members = {name: zf.read(name) for name in names}
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
            raise _refuse(path, f"壊れているか、途中で切れています ({exc})") from exc
        except Exception as exc:  # noqa: BLE001 - zlib.error and friends from a damaged member
            if isinstance(exc, PackageError):
                raise
            raise _refuse(path, f"壊れているか、途中で切れています ({exc})") from exc
    try:
        manifest = json.loads(members[MANIFEST].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _refuse(path, "manifest.json が壊れています") from exc
    _check_manifest(path, manifest, names)
    data: dict[str, bytes] = {}
    for file_name, spec in manifest["files"].items():
        body = members[file_name]
        if hashlib.sha256(body).hexdigest() != spec.get("sha256"):
            raise _refuse(path, f"{file_name} のチェックサムが一致しません (改ざんまたは破損)")
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _refuse(path, f"{file_name} の文字コードが UTF-8 ではありません") from exc
        reader = csv.reader(io.StringIO(text))
        header = next(reader, None)
        if header != list(PACKAGE_FILES[file_name]):
            raise _refuse(path, f"{file_name} の列が報告パッケージの形式と違います: {header}")
        # without a quoted field every line is one row (results.csv: ~900,000 lines a year)
        count = (
            text.count("\n") - 1
            if '"' not in text and text.endswith("\n")
            else sum(1 for _ in reader)
        )
        if count != spec.get("rows"):
            raise _refuse(
                path, f"{file_name} の行数 {count} が manifest の {spec.get('rows')} と違います"
            )
        data[file_name] = body
    return Package(path, manifest, data, hashlib.sha256(raw).hexdigest())


def _check_manifest(path: Path, manifest: object, names: list[str]) -> None:
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _refuse(path, "kyosai の報告パッケージではありません")
    version = manifest.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise _refuse(
            path,
            f"新しいバージョンのアプリで作られています (形式 {version})。アプリを更新してください",
        )
    for key in ("branch", "fiscal_year", "first_month", "last_month", "created_at", "files"):
        if key not in manifest:
            raise _refuse(path, f"manifest.json に {key} がありません")
    files = manifest["files"]
    if not isinstance(files, dict) or set(files) != set(PACKAGE_FILES):
        raise _refuse(path, "報告パッケージの形式と違うファイル構成です")
    extra = set(names) - set(PACKAGE_FILES) - {MANIFEST}
    missing = set(PACKAGE_FILES) - set(names)
    if extra:
        raise _refuse(path, f"許可されていないファイルが含まれています: {', '.join(sorted(extra))}")
    if missing:
        raise _refuse(path, f"ファイルが足りません: {', '.join(sorted(missing))}")
    for file_name, spec in files.items():
        if not isinstance(spec, dict) or spec.get("columns") != list(PACKAGE_FILES[file_name]):
            raise _refuse(path, f"{file_name} の列が報告パッケージの形式と違います")
    branch = manifest["branch"]
    if not (isinstance(branch, str) and len(branch) == 2 and branch.isdigit()):
        raise _refuse(path, f"県支部コード {branch!r} が正しくありません")
    if not isinstance(manifest["fiscal_year"], int) or not 1900 <= manifest["fiscal_year"] <= 9999:
        raise _refuse(path, "年度が正しくありません")
    first, last = manifest["first_month"], manifest["last_month"]
    if (
        not all(isinstance(m, str) and _MONTH.fullmatch(m) for m in (first, last))
        or not first <= last
        or len(months_between(first, last)) > 36
    ):
        raise _refuse(path, f"集計期間 {first!r}〜{last!r} が正しくありません")
    if not isinstance(manifest["created_at"], str) or not _STAMP.fullmatch(manifest["created_at"]):
        raise _refuse(path, "作成日時が正しくありません")
