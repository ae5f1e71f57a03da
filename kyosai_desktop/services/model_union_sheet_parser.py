"""Reading headquarters' model-union sheet into plain rows (the parsing half of the import).

Finds the header by its labels (NFKC, spaces ignored), the year band of every month column
(merged "2022年度" cells above the month row, or — without that row — runs of twelve months
assigned from the right), the sheet's start month (the first month of each band) and its
as-of month ("2月累計").  Identity cells left blank under a vertically merged prefecture
are filled down; a "合計" row is kept aside for the checks; "※" note rows are kept as
notes; rows of 60 社保労連 after the 合計 row are read like the others.

Every problem that makes the sheet unusable is collected with its cell address and raised
together as :class:`ImportFailed`; softer findings become warnings.
"""

from __future__ import annotations

import functools
import operator
import re
from dataclasses import dataclass, field
from decimal import Decimal

from kyosai_desktop.domain import cells
from kyosai_desktop.domain.cells import MAX_COUNT, CellError, parse_count
from kyosai_desktop.domain.model_unions import calendar_month
from kyosai_desktop.domain.months import month_label
from kyosai_desktop.services.tabular import (
    Header,
    ImportFailed,
    Problem,
    Table,
    cells_as_read,
    find_header,
    is_blank,
    norm_label,
    plain_value,
)

REQUIRED = [
    "自治労県コード",
    "単組コード",
    "加入拡大モデル単組",
    "組合員数",
    "団生保有",
    "目標件数",
]
OPTIONAL = ["県名", "加入率", "発効", "累積件数", "前年比", "達成率", "残件数"]
ALIASES = {
    "自治労県コード": ["県コード"],
    "加入拡大モデル単組": ["単組名", "単組", "モデル単組", "加入拡大モデル単組名"],
    "組合員数": ["組合員"],
    "団生保有": ["団生保有件数", "団体生命保有"],
    "目標件数": ["目標"],
    "前年比": ["実績", "前年比(件)", "前年同期比"],
    "発効": ["発効月"],
    "累積件数": ["累積"],
}
TOTAL_LABELS = {"合計", "計", "総計", "全国計"}

_MONTH = re.compile(r"^(\d{1,2})月$")
_TO_DATE = re.compile(r"^(\d{1,2})月累計$")
_YEAR_TOTAL = re.compile(r"^(\d{4})年度実績$")
_BAND = re.compile(r"^(\d{4})年度$")
_TITLE_YEAR = re.compile(r"(\d{4})年度")
_TITLE_START = re.compile(r"(\d{1,2})月開始")
_EXCEL_ERROR = re.compile(r"^#[A-Z0-9/!?]+")
_DASHES = {"—", "-", "－", "―", "‐", "ー"}


@dataclass
class SheetRow:
    index: int  # 0-based row in the table
    pref_code: str
    pref_name: str | None
    union_code: str
    name: str
    members: int | None
    holdings: int | None
    effective_month: int | None
    target: int | None
    in_national: bool
    values: dict[str, int] = field(default_factory=dict)  # calendar month → count
    late_counts: dict[str, int] = field(default_factory=dict)  # current year after as-of
    month_cols: dict[str, int] = field(default_factory=dict)  # calendar month → column
    stated: dict[str, tuple[int, object]] = field(
        default_factory=dict
    )  # derived key → (col, value)

    def counts(self) -> dict[str, int]:
        """The counts to import: every band month, and current months after as-of if not 0."""
        out = dict(self.values)
        out.update({m: v for m, v in self.late_counts.items() if v})
        return out


@dataclass
class SheetTotals:
    index: int
    stated: dict[str, tuple[int, object]] = field(default_factory=dict)


@dataclass
class ParsedSheet:
    table: Table
    fiscal_year: int
    start_month: int
    as_of: str
    rows: list[SheetRow]
    totals: SheetTotals | None
    years: list[int]  # band years found, oldest first
    notes: list[str] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


@dataclass
class _Columns:
    """Where each kind of column is: months by calendar month, derived figures by key."""

    months: dict[str, int]  # calendar month → column
    current: list[str]  # the import year's months, in sheet order
    derived: dict[str, int]  # "year_total:2022", "to_date:2022", "join_rate" …
    start_month: int
    as_of: str | None
    years: list[int]


def parse_sheet(
    table: Table, fiscal_year: int, prefectures: dict[str, tuple[str, bool]]
) -> ParsedSheet:
    """Read the sheet; raise :class:`ImportFailed` with every problem when it cannot be used."""
    header = find_header(table, REQUIRED, OPTIONAL, ALIASES)
    problems: list[Problem] = []
    notes: list[str] = []
    cols = _locate_columns(table, header, fiscal_year, problems)
    if problems:
        raise ImportFailed(problems)
    assert cols is not None
    warnings: list[Problem] = []
    notes += _title_notes(table, header, fiscal_year, cols.start_month)
    as_of = cols.as_of or _as_of_from_data(table, header, cols, notes)
    rows, totals = _read_rows(table, header, cols, as_of, prefectures, problems, warnings, notes)
    if not rows and not problems:
        problems.append(Problem(f"{table.source}: 見出しの下に単組の行がありません。"))
    if problems:
        raise ImportFailed(problems)
    if totals is None:
        notes.append("シートに合計行がないため、合計の検算は行っていません。")
    if fiscal_year - 1 not in cols.years:
        notes.append(
            f"{fiscal_year - 1}年度の月別列がないため、前年比は前年度 0 件として計算します。"
        )
    return ParsedSheet(
        table, fiscal_year, cols.start_month, as_of, rows, totals, cols.years, notes, warnings
    )


def sniff_sheet(table: Table) -> tuple[int | None, int | None]:
    """(fiscal year, start month) as the sheet states them, before the clerk confirms.

    The year is the newest "YYYY年度" band over the month columns, else the title's year;
    the start month is the first month column.  Either is None when the sheet does not say
    (the full parse reports what is wrong).
    """
    try:
        header = find_header(table, REQUIRED, OPTIONAL, ALIASES)
    except ImportFailed:
        return None, None
    year: int | None = None
    bands = _band_row(table, header)
    if bands:
        year = max((y for y in bands if y is not None), default=None)
    if year is None:
        for i in range(header.row_index):
            for value in table.rows[i]:
                m = _TITLE_YEAR.search(norm_label(value))
                if m and "モデル単組" in norm_label(value):
                    year = int(m.group(1))
                    break
            if year is not None:
                break
    start: int | None = None
    for value in table.rows[header.row_index]:
        m = _MONTH.match(norm_label(value))
        if m and 1 <= int(m.group(1)) <= 12:
            start = int(m.group(1))
            break
    return year, start


# ------------------------------------------------------------------ columns


def _band_row(table: Table, header: Header) -> list[int | None] | None:
    """Year of the band over each column, from the nearest row above holding "YYYY年度"."""
    for i in (header.row_index - 1, header.row_index - 2):
        if i < 0:
            continue
        labels = [norm_label(v) for v in table.rows[i]]
        if not any(_BAND.match(lab) for lab in labels):
            continue
        width = max(len(labels), len(table.rows[header.row_index]))
        out: list[int | None] = []
        current: int | None = None
        for j in range(width):
            lab = labels[j] if j < len(labels) else ""
            m = _BAND.match(lab)
            if m:
                current = int(m.group(1))
            out.append(current)
        return out
    return None


def _locate_columns(
    table: Table, header: Header, fiscal_year: int, problems: list[Problem]
) -> _Columns | None:
    labels = [norm_label(v) for v in table.rows[header.row_index]]
    bands = _band_row(table, header)
    runs: list[list[tuple[int, int]]] = []  # [(col, month number)] per band, sheet order
    run_to_date: list[int | None] = []
    run_years: list[int | None] = []
    derived: dict[str, int] = {}
    to_date_months: set[int] = set()
    for j, lab in enumerate(labels):
        m = _MONTH.match(lab)
        band = bands[j] if bands and j < len(bands) else None
        if m:
            n = int(m.group(1))
            if not 1 <= n <= 12:
                problems.append(
                    table.problem(header.row_index, j, f"見出し「{lab}」は月として読めません。")
                )
                continue
            if bands and band in run_years:  # a band's months, even with other columns between
                k = run_years.index(band)
            elif bands or not runs or run_to_date[-1] is not None or len(runs[-1]) == 12:
                runs.append([])
                run_to_date.append(None)
                run_years.append(band)
                k = len(runs) - 1
            else:
                k = len(runs) - 1
            runs[k].append((j, n))
            continue
        t = _TO_DATE.match(lab)
        if t:
            to_date_months.add(int(t.group(1)))
            if bands and band in run_years:
                run_to_date[run_years.index(band)] = j
            elif not bands and runs:
                run_to_date[-1] = j
            continue
        y = _YEAR_TOTAL.match(lab)
        if y:
            derived[f"year_total:{y.group(1)}"] = j
    for key in OPTIONAL:
        if key in header.columns and key != "県名":
            derived[_KEY_OF[key]] = header.columns[key]
    if not runs:
        problems.append(
            table.problem(header.row_index, None, "月別の列 (6月 … 5月) が見つかりません。")
        )
        return None
    if not bands:
        run_years = [fiscal_year - (len(runs) - 1 - k) for k in range(len(runs))]
    if any(y is None for y in run_years):
        problems.append(
            table.problem(
                header.row_index, runs[0][0][0], "月の列の上に年度 (例: 2024年度) がありません。"
            )
        )
        return None
    years = [int(y) for y in run_years]  # type: ignore[arg-type]
    if len(set(years)) != len(years):
        problems.append(
            table.problem(header.row_index - 1, None, f"年度の見出しが重複しています: {years}")
        )
        return None
    if max(years) != fiscal_year:
        problems.append(
            table.problem(
                header.row_index - 1 if bands else header.row_index,
                None,
                f"シートの最新の年度は {max(years)}年度で、指定の {fiscal_year}年度と違います。"
                " 取り込む年度を確かめてください。",
            )
        )
        return None
    starts = set()
    months: dict[str, int] = {}
    current: list[str] = []
    for run, year, to_date in zip(runs, years, run_to_date, strict=True):
        numbers = [n for _, n in run]
        start = numbers[0]
        expected = [(start - 1 + k) % 12 + 1 for k in range(12)]
        if numbers != expected:
            missing = [f"{n}月" for n in expected if n not in numbers]
            dup = sorted({f"{n}月" for n in numbers if numbers.count(n) > 1})
            detail = (f"足りない月: {', '.join(missing)}" if missing else "") + (
                f" 重複: {', '.join(dup)}" if dup else ""
            ) or "月の順序が違います"
            problems.append(
                table.problem(
                    header.row_index,
                    run[0][0],
                    f"{year}年度の月の列が12か月そろっていません ({detail.strip()})。",
                )
            )
            continue
        starts.add(start)
        for col, n in run:
            months[calendar_month(year, start, n)] = col
            if year == fiscal_year:
                current.append(calendar_month(year, start, n))
        if to_date is not None:
            derived[f"to_date:{year}"] = to_date
    if len(starts) > 1:
        problems.append(
            table.problem(
                header.row_index,
                None,
                "年度ごとに開始月が違います (すべて同じ月から始めてください)。",
            )
        )
    if len(to_date_months) > 1:
        problems.append(
            table.problem(
                header.row_index,
                None,
                f"累計の見出しの月がそろっていません: {', '.join(f'{n}月累計' for n in sorted(to_date_months))}",
            )
        )
    if problems:
        return None
    start = starts.pop()
    as_of = calendar_month(fiscal_year, start, to_date_months.pop()) if to_date_months else None
    return _Columns(months, current, derived, start, as_of, sorted(years))


_KEY_OF = {
    "加入率": "join_rate",
    "発効": "effective",
    "累積件数": "cumulative",
    "前年比": "yoy",
    "達成率": "rate",
    "残件数": "remaining",
}


def _title_notes(table: Table, header: Header, fiscal_year: int, start: int) -> list[str]:
    notes = []
    for i in range(header.row_index):
        for value in table.rows[i]:
            text = norm_label(value)
            if "モデル単組" not in text:
                continue
            y = _TITLE_YEAR.search(text)
            s = _TITLE_START.search(text)
            if y and int(y.group(1)) != fiscal_year:
                notes.append(
                    f"表題「{value}」の年度は {y.group(1)}年度です (取り込みは {fiscal_year}年度)。"
                )
            if s and int(s.group(1)) != start:
                notes.append(
                    f"表題は {s.group(1)}月開始ですが、月の列は {start}月から始まっています。"
                )
            return notes
    return notes


def _as_of_from_data(table: Table, header: Header, cols: _Columns, notes: list[str]) -> str:
    """Without an "N月累計" column: the last month of the year holding any figure."""
    last = None
    rows = cells_as_read(table)  # 0.0 is 0 and "" blank as read: no conversion needed
    for row in rows[header.row_index + 1 :]:
        for month in cols.current:
            col = cols.months[month]
            value = row[col] if col < len(row) else None
            if not is_blank(value) and value not in (0, "0") and (last is None or month > last):
                last = month
    as_of = last or cols.current[0]
    notes.append(
        f"「N月累計」の列がないため、件数のある最後の月 {month_label(as_of)} を基準月としました。"
    )
    return as_of


# ------------------------------------------------------------------ rows


def _read_rows(table, header, cols, as_of, prefectures, problems, warnings, notes):
    """Every union row, the 合計 row and the notes.

    The rows are read as calamine gave them (:func:`cells_as_read`): each cell used is
    converted here, once — the month counts of a row in one step when they are all whole
    numbers, any other cell by :func:`plain_value` before the checks it always had — so
    every value and message is the one the converted rows give.
    """
    c = header.columns
    pc, pn, uc, nc = c["自治労県コード"], c.get("県名"), c["単組コード"], c["加入拡大モデル単組"]
    identity = [j for j in (pc, pn, uc, nc) if j is not None]
    uc_at, nc_at = identity.index(uc), identity.index(nc)  # (pc is always first)
    month_items = list(cols.months.items())
    late = {m for m in cols.current if m > as_of}
    derived = list(cols.derived.items())
    month_cols = dict(month_items)
    band_items = [(m, col) for m, col in month_items if m not in late]
    late_items = [(m, col) for m, col in month_items if m in late]
    band_months = [m for m, _ in band_items]
    band_cells = _getter([col for _, col in band_items])
    stated_items = _stated_items(derived, ())
    totals_items = _stated_items(derived, month_items)
    header_labels = {norm_label(v) for v in table.rows[header.row_index]} - {""}
    width = len(table.rows[header.row_index])
    members_col, holdings_col, target_col = c["組合員数"], c["団生保有"], c["目標件数"]
    effective_col = c.get("発効")
    rows: list[SheetRow] = []
    totals: SheetTotals | None = None
    seen: dict[tuple[str, str], int] = {}
    last_pref: str | None = None
    last_pref_name: str | None = None
    as_read = cells_as_read(table)
    for i in range(header.row_index + 1, len(as_read)):
        raw = as_read[i]
        row = raw if len(raw) >= width else [*raw, *[None] * (width - len(raw))]
        first = row[0] if row and not is_blank(row[0]) else None
        if first is None:
            first = next((v for v in row if not is_blank(v)), None)
            if first is None:
                continue  # a blank row
        first = plain_value(first)
        # (no character but ※ itself becomes ※ under NFKC, none but 計 becomes 計: a cell
        # without them is neither a note nor a 合計 label, and needs no normalising here)
        if "※" in str(first) and norm_label(first).startswith("※"):
            notes.append(f"シートの注記 ({table.line(i)}行目): {str(first).strip()}")
            continue
        identity_cells = [plain_value(row[j]) for j in identity]
        code_cell, name_cell = identity_cells[uc_at], identity_cells[nc_at]
        if any(type(v) is str and "計" in v for v in identity_cells) and (
            {norm_label(v) for v in identity_cells} & TOTAL_LABELS
        ):
            totals = SheetTotals(i, _stated(table, i, row, totals_items, warnings))
            totals.stated.update(_total_extras(table, i, row, c, warnings))
            continue
        code_label = norm_label(code_cell)  # a code that is no header label: no header row
        if (not code_label or code_label in header_labels) and _header_again(
            identity_cells, header_labels
        ):
            continue  # the header repeated (a printed sheet's page break)
        if is_blank(code_cell) and is_blank(name_cell):
            if any(_is_number(row[col]) for _, col in month_items):
                problems.append(table.problem(i, uc, "単組コードが空です。"))
            continue
        pref_cell = identity_cells[0]
        if is_blank(pref_cell):
            pref = last_pref
        else:
            pref = _code(table, i, pc, pref_cell, 2, problems)
        if pref is None:
            if is_blank(pref_cell):
                problems.append(table.problem(i, pc, "自治労県コードが空です。"))
            continue
        pname_cell = plain_value(row[pn]) if pn is not None else None
        pname = (
            cells.shown(str(pname_cell).strip())
            if pn is not None and not is_blank(pname_cell)
            else (last_pref_name if pref == last_pref else None)
        )
        last_pref, last_pref_name = pref, pname
        code = _code(table, i, uc, code_cell, 3, problems)
        if pref not in prefectures:
            problems.append(table.problem(i, pc, f"自治労県コード「{pref}」は存在しません。"))
            continue
        if code is None:
            if is_blank(code_cell):
                problems.append(table.problem(i, uc, "単組コードが空です。"))
            continue
        master_name, in_national = prefectures[pref]
        if pname and _pref_key(pname) != _pref_key(master_name):
            warnings.append(
                table.problem(
                    i, pn, f"県名「{pname}」が県コード {pref} ({master_name}) と合いません。"
                )
            )
        if is_blank(name_cell):
            problems.append(table.problem(i, nc, "単組名 (加入拡大モデル単組) が空です。"))
            continue
        try:
            name = cells.parse_name(name_cell, label="単組名")
        except CellError as exc:
            problems.append(table.problem(i, nc, str(exc)))
            continue
        if (pref, code) in seen:
            problems.append(
                table.problem(
                    i,
                    uc,
                    f"単組 {pref}-{code} が {table.line(seen[(pref, code)])}行目と重複しています。",
                )
            )
            continue
        seen[(pref, code)] = i
        # every figure in the order its problems are reported: the union's, then its months
        members = _count_cell(table, i, members_col, row, problems)
        holdings = _count_cell(table, i, holdings_col, row, problems)
        effective = _month_cell(table, i, effective_col, row, problems)
        target = _count_cell(table, i, target_col, row, problems)
        # the band's months: most rows are all whole numbers ≥ 0, taken in one step
        counts = band_cells(row)
        try:
            whole = (
                min(counts) >= 0
                and max(counts) <= _EXACT_FLOAT
                and all(map(float.is_integer, counts))
            )
        except (TypeError, ValueError):  # text, blanks, already int (a CSV), no months
            whole = False
        if whole:
            values = dict(zip(band_months, map(int, counts), strict=True))
        else:
            values = {}
            for month, col in band_items:
                value = plain_value(row[col])
                values[month] = (
                    value
                    if type(value) is int and value >= 0
                    else _count_cell(table, i, col, row, problems) or 0
                )
        late_counts = {}
        for month, col in late_items:
            number = _count_cell(table, i, col, row, problems)
            if number is not None:
                late_counts[month] = number
        rows.append(
            SheetRow(
                i,
                pref,
                master_name,
                code,
                name,
                members,
                holdings,
                effective,
                target,
                in_national,
                values,
                late_counts,
                month_cols,  # the same columns for every row (never changed)
                _stated(table, i, row, stated_items, problems),
            )
        )
    return rows, totals


_EXACT_FLOAT = 2**53  # the reader gives whole numbers up to this as int


def _getter(columns: list[int]):
    """``row → tuple of the cells in columns`` (itemgetter gives a bare value for one)."""
    if len(columns) == 1:
        return lambda row: (row[columns[0]],)
    return operator.itemgetter(*columns) if columns else lambda row: ()


def _header_again(identity_cells: list, header_labels: set[str]) -> bool:
    """The row's identity cells are all blank or header labels (a repeated header row)."""
    ident = [norm_label(v) for v in identity_cells]
    return set(ident) - {""} <= header_labels and any(ident)


@functools.lru_cache(maxsize=512)
def _pref_key(name: str) -> str:
    """A prefecture's name to compare (北海道 / 東京 / 東京都 …); a sheet names a few dozen."""
    text = norm_label(name)
    return text[:-1] if len(text) > 2 and text[-1] in "都府県" else text


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value != 0


def _cell(table: Table, problems: list[Problem], i: int, col: int | None, parse, value):
    """``parse(value)``, or None with the reason recorded at the cell."""
    try:
        return parse(value)
    except CellError as exc:
        problems.append(table.problem(i, col, str(exc)))
        return None


def _code(
    table: Table, i: int, col: int, value: object, width: int, problems: list[Problem]
) -> str | None:
    """A code as text with its leading zeros (the master import's rule); blank gives None."""
    try:
        return cells.parse_code(
            value, width, label="自治労県コード" if width == 2 else "単組コード"
        )
    except CellError as exc:
        problems.append(table.problem(i, col, str(exc)))
        return None


def _count_cell(table: Table, i: int, col: int, row: list, problems: list[Problem]) -> int | None:
    value = row[col]
    if type(value) is float and value.is_integer() and 0 <= value <= _EXACT_FLOAT:
        return int(value)  # a whole number as read
    value = plain_value(value)
    if value is None:
        return None
    if type(value) is int and value >= 0:
        return value
    if isinstance(value, str) and value.strip() in _DASHES:
        return None
    try:
        return parse_count(value, allow_blank=True)
    except CellError as exc:
        problems.append(table.problem(i, col, str(exc)))
        return None


def _month_cell(
    table: Table, i: int, col: int | None, row: list, problems: list[Problem]
) -> int | None:
    """発効 as a month number 1–12 ("10月", "１０", 10.0), as the master import reads it."""
    if col is None:
        return None
    return _cell(table, problems, i, col, _effective_month, plain_value(row[col]))


@functools.lru_cache(maxsize=256, typed=True)
def _effective_month(value: object) -> int | None:
    """``cells.parse_month_of_year`` remembered per distinct cell value (a sheet has a dozen:
    "4月" … "3月"); typed, so True is never taken for 1.  A refusal is not remembered."""
    return cells.parse_month_of_year(value, label="発効月")


def parse_signed(value: object) -> int:
    """A signed whole number: "-17", "−17", "△17", "1,502"."""
    return cells.parse_signed(value)


def parse_rate(value: object) -> Decimal:
    """0.457 (Excel percent), 45.7 or "45.7%" → Decimal as written (the check accepts both scales)."""
    return cells.parse_rate(value)


_RATES = frozenset({"join_rate", "rate"})
_SIGNED = frozenset({"yoy", "remaining"})


def _stated_items(derived, month_items) -> list[tuple[str, int, bool, bool]]:
    """(key, column, is a rate, may be negative) of the derived columns (and, for the 合計
    row, the months) — worked out once per sheet, not once per row."""
    items = [(k, col) for k, col in derived if k != "effective"]
    items += [(f"month:{m}", col) for m, col in month_items]
    return [(k, col, k in _RATES, k in _SIGNED) for k, col in items]


def _stated(
    table: Table, i: int, row: list, items: list[tuple[str, int, bool, bool]], problems
) -> dict[str, tuple[int, object]]:
    """Parsed values of the derived columns (and, for the 合計 row, the months)."""
    out: dict[str, tuple[int, object]] = {}
    width = len(row)
    for key, col, is_rate, signed in items:
        value = row[col] if col < width else None
        if type(value) is float:  # as read: first the common case, a whole number
            if (
                not is_rate
                and value.is_integer()
                and (value >= 0 or signed)
                and -MAX_COUNT <= value <= MAX_COUNT
            ):
                out[key] = (col, int(value))
                continue
            value = plain_value(value)
        elif type(value) is not int:
            value = plain_value(value)
        if (
            type(value) is int
            and not is_rate
            and (value >= 0 or signed)
            and -MAX_COUNT <= value <= MAX_COUNT
        ):
            out[key] = (col, value)  # the common case: a plain whole number
            continue
        if is_blank(value) or (isinstance(value, str) and value.strip() in _DASHES):
            out[key] = (col, None)
            continue
        if isinstance(value, str) and _EXCEL_ERROR.match(value.strip()):
            out[key] = (col, value.strip())
            continue
        try:
            if is_rate:
                parsed: object = parse_rate(value)
            elif signed:
                parsed = parse_signed(value)
            else:
                parsed = parse_count(value)
        except CellError as exc:
            problems.append(table.problem(i, col, str(exc)))
            continue
        out[key] = (col, parsed)
    return out


def _total_extras(
    table: Table, i: int, row: list, c: dict[str, int], warnings: list[Problem]
) -> dict[str, tuple[int, object]]:
    out: dict[str, tuple[int, object]] = {}
    for key, label in (("members", "組合員数"), ("holdings", "団生保有"), ("target", "目標件数")):
        col = c[label]
        value = plain_value(row[col])
        if is_blank(value):
            continue
        try:
            out[key] = (col, parse_count(value))
        except CellError as exc:
            warnings.append(table.problem(i, col, f"合計行: {exc}"))
    return out
