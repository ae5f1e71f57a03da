"""Monthly entry as plain data: the two entry grids, typed/pasted values and their checks.

No Qt here.  ``EntryService`` builds

* the **month grid** (月別): rows = the branch's unions, columns = the products of that month,
* the **union grid** (単組別): rows = products, columns = the 12 months of a fiscal year,

each with one query for its figures, and turns what a clerk types or pastes into
``CellChange``s for the operation ``ops.entry.write_cells`` — or into a list of problems naming
every refused cell, so a bad paste writes nothing.  The Qt models in ``ui/entry/entry_models.py`` only
display an ``EntryGrid`` and hand edits back here.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from kyosai_desktop.domain.months import FiscalYear, make_month, month_label
from kyosai_desktop.domain.numbers import CountError, parse_count
from kyosai_desktop.services.context import AppContext
from kyosai_desktop.store.audit import SOURCE_LABELS, AuditEntry, source_label  # noqa: F401 - re-exported for the entry UI
from kyosai_desktop.store.results import CellChange, record_key
from kyosai_desktop.store.unions import Union

MONTH_GRID = "month"
UNION_GRID = "union"

LOCKED_REASON = "この月は取扱いのない商品のため入力できません。"


@dataclass(frozen=True)
class Heading:
    """One row or column of a grid: its key (union id, product id or ``YYYY-MM``) and labels."""

    key: int | str
    code: str
    label: str
    note: str = ""


@dataclass(frozen=True)
class CellAddress:
    union_id: int
    product_id: int
    month: str


@dataclass
class EntryGrid:
    """A matrix of counts: ``values[r][c]`` is ``None`` when there is no figure.

    ``locked`` holds the (row, column) cells that cannot be entered (a product not handled
    in that month).  For the month grid ``fixed`` is the month; for the union grid the union id.
    """

    kind: str
    title: str
    rows: list[Heading]
    columns: list[Heading]
    values: list[list[int | None]]
    fixed: int | str
    locked: set[tuple[int, int]] = field(default_factory=set)
    fiscal_year: FiscalYear | None = None
    _rows_by_key: dict[int | str, int] | None = field(default=None, repr=False, compare=False)
    _cols_by_key: dict[int | str, int] | None = field(default=None, repr=False, compare=False)

    def address(self, row: int, col: int) -> CellAddress:
        if self.kind == MONTH_GRID:
            return CellAddress(int(self.rows[row].key), int(self.columns[col].key), str(self.fixed))
        return CellAddress(int(self.fixed), int(self.rows[row].key), str(self.columns[col].key))

    def position(self, union_id: int, product_id: int, month: str) -> tuple[int, int] | None:
        """(row, column) of a cell in this grid, or None when the grid does not show it."""
        if self.kind == MONTH_GRID:
            if month != self.fixed:
                return None
            r, c = self._row_index().get(union_id), self._col_index().get(product_id)
        else:
            if union_id != self.fixed:
                return None
            r, c = self._row_index().get(product_id), self._col_index().get(month)
        return None if r is None or c is None else (r, c)

    def _row_index(self) -> dict[int | str, int]:
        if self._rows_by_key is None:
            self._rows_by_key = {h.key: i for i, h in enumerate(self.rows)}
        return self._rows_by_key

    def _col_index(self) -> dict[int | str, int]:
        if self._cols_by_key is None:
            self._cols_by_key = {h.key: i for i, h in enumerate(self.columns)}
        return self._cols_by_key

    def row_of(self, key: object) -> int | None:
        return self._row_index().get(key)  # type: ignore[call-overload]

    def column_of(self, key: object) -> int | None:
        return self._col_index().get(key)  # type: ignore[call-overload]

    def is_locked(self, row: int, col: int) -> bool:
        return (row, col) in self.locked

    def cell_name(self, row: int, col: int) -> str:
        """How a message names a cell: ``001 仙台市職員労働組合 × 総合共済``."""
        r, c = self.rows[row], self.columns[col]
        left = f"{r.code} {r.label}".strip()
        return f"{left} × {c.label}"

    def row_totals(self) -> list[int]:
        return [sum(v for v in row if v is not None) for row in self.values]

    def column_totals(self) -> list[int]:
        return [
            sum(row[c] for row in self.values if row[c] is not None)  # type: ignore[misc]
            for c in range(len(self.columns))
        ]

    def grand_total(self) -> int:
        return sum(self.row_totals())


@dataclass(frozen=True)
class Problem:
    row: int
    col: int
    text: str
    reason: str


class EntryRefused(ValueError):
    """An edit with at least one bad cell; nothing was written.  ``problems`` lists them all."""

    def __init__(self, message: str, problems: Sequence[Problem]) -> None:
        super().__init__(message)
        self.problems = list(problems)


def parse_cell(text: object) -> int | None:
    """A typed value: blank → None (no figure), else a whole number ≥ 0 or CountError."""
    return parse_count(text, allow_blank=True)


def parse_clipboard(text: str) -> list[list[str]]:
    """Tab/newline separated text as Excel puts it on the clipboard → rows of cell texts.

    Excel ends the block with a newline and quotes cells holding tabs or newlines; a
    single trailing empty line is dropped, inner empty lines stay (they clear cells).
    """
    if not text:
        return []
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.endswith("\n"):
        text = text[:-1]
    return [list(row) if row else [""] for row in csv.reader(io.StringIO(text), delimiter="\t")]


def format_block(rows: Iterable[Iterable[object]]) -> str:
    """Rows of values → tab-separated text for the clipboard (Excel reads it back)."""
    return "".join("\t".join("" if v is None else str(v) for v in row) + "\n" for row in rows)


def latest_month_or_today(month: str | None, today: date | None = None) -> str:
    if month:
        return month
    today = today or date.today()
    return make_month(today.year, today.month)


class EntryService:
    """Entry grids and edits on one AppContext."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        # Active unions per prefecture (None: all), read once: a month switch of the national
        # grid re-read 3,500 unions each time.  The screen calls invalidate() when unions change.
        self._unions: dict[str | None, list[Union]] = {}

    def invalidate(self) -> None:
        """Forget the unions read (call when unions or the branch may have changed)."""
        self._unions.clear()

    def _active_unions(self, pref_code: str | None) -> list[Union]:
        found = self._unions.get(pref_code)
        if found is None:
            found = self._unions[pref_code] = self.ctx.unions.list(pref_code, active_only=True)
        return found

    # ----------------------------------------------------------------- grids
    def default_month(self, pref_code: str | None, today: date | None = None) -> str:
        """The latest month with figures for the branch, else the current month."""
        return latest_month_or_today(self.ctx.results.latest_month(pref_code), today)

    def month_grid(self, month: str, pref_code: str | None) -> EntryGrid:
        """Rows: the branch's active unions (all unions when ``pref_code`` is None)."""
        values = self.ctx.results.month_grid(month, pref_code=pref_code)
        unions = self._active_unions(pref_code)
        shown = {u.id for u in unions}
        extra = {uid for uid, _ in values} - shown
        if extra:  # inactive unions that still hold figures this month stay visible
            unions = sorted(
                unions + [u for uid in extra if (u := self.ctx.unions.get(uid))],
                key=lambda u: (u.pref_code, u.union_code),
            )
        products = self.ctx.products.active_on(month)
        active_ids = {p.id for p in products}
        with_data = {pid for _, pid in values} - active_ids
        if with_data:
            products = [
                p for p in self.ctx.products.all() if p.id in active_ids or p.id in with_data
            ]
        multi_pref = pref_code is None
        rows = [
            Heading(
                u.id,
                f"{u.pref_code}-{u.union_code}" if multi_pref else u.union_code,
                u.name,
                "" if u.active else "(無効)",
            )
            for u in unions
        ]
        columns = [
            Heading(p.id, str(p.display_order), p.name, "" if p.id in active_ids else "(取扱終了)")
            for p in products
        ]
        row_of = {u.id: r for r, u in enumerate(unions)}
        col_of = {p.id: c for c, p in enumerate(products)}
        matrix: list[list[int | None]] = [[None] * len(products) for _ in unions]
        for (uid, pid), count in values.items():  # only the cells that hold a figure
            r, c = row_of.get(uid), col_of.get(pid)
            if r is not None and c is not None:
                matrix[r][c] = count
        locked: set[tuple[int, int]] = set()
        for c, p in enumerate(products):
            if p.id not in active_ids:
                locked.update((r, c) for r in range(len(unions)) if matrix[r][c] is None)
        fy = self.ctx.fiscal_years.results_year(self.fiscal_year_of(month))
        return EntryGrid(
            MONTH_GRID, f"{month_label(month)} 発効", rows, columns, matrix, month, locked, fy
        )

    def union_grid(self, union_id: int, year: int) -> EntryGrid:
        """Rows: products handled in some month of the fiscal year; columns: its 12 months."""
        union = self.ctx.unions.get(union_id)
        if union is None:
            raise KeyError(union_id)
        fy = self.ctx.fiscal_years.results_year(year)
        months = fy.months()
        values = self.ctx.results.union_grid(union_id, fy.first, fy.last)
        active = {m: {p.id for p in self.ctx.products.active_on(m)} for m in months}
        with_data = {pid for pid, _ in values}
        products = [
            p
            for p in self.ctx.products.all()
            if p.id in with_data or any(p.id in ids for ids in active.values())
        ]
        rows = [Heading(p.id, str(p.display_order), p.name) for p in products]
        columns = [Heading(m, m, f"{int(m[5:7])}月", f"{m[:4]}年") for m in months]
        matrix = [[values.get((p.id, m)) for m in months] for p in products]
        locked = {
            (r, c)
            for r, p in enumerate(products)
            for c, m in enumerate(months)
            if p.id not in active[m] and matrix[r][c] is None
        }
        title = f"{union.pref_code}-{union.union_code} {union.name} {fy.label}"
        return EntryGrid(UNION_GRID, title, rows, columns, matrix, union_id, locked, fy)

    def union_choices(self, pref_code: str | None) -> list[tuple[int, str]]:
        """(union id, "001 name") for the union selector, in code order."""
        unions = self.ctx.unions.list(pref_code)
        multi = pref_code is None
        return [
            (
                u.id,
                (f"{u.pref_code}-{u.union_code}" if multi else u.union_code)
                + f" {u.name}"
                + ("" if u.active else " (無効)"),
            )
            for u in unions
        ]

    def fiscal_years(self, around: str) -> list[int]:
        """The configured fiscal years plus the one holding ``around``."""
        return sorted(set(self.ctx.fiscal_years.all_years()) | {self.fiscal_year_of(around)})

    def fiscal_year_of(self, month: str) -> int:
        """The results year holding ``month`` (each year's own start month decides)."""
        return self.ctx.fiscal_years.results_year_of(month)

    # ----------------------------------------------------------------- edits
    def plan(self, grid: EntryGrid, cells: Iterable[tuple[int, int, object]]) -> list[CellChange]:
        """Check (row, col, text) edits; return the changes or raise EntryRefused listing all bad cells."""
        changes: list[CellChange] = []
        problems: list[Problem] = []
        n_rows, n_cols = len(grid.rows), len(grid.columns)
        for row, col, text in cells:
            if not (0 <= row < n_rows and 0 <= col < n_cols):
                problems.append(
                    Problem(
                        row,
                        col,
                        str(text),
                        "入力欄の範囲外です (合計欄・見出しには入力できません)。",
                    )
                )
                continue
            if grid.is_locked(row, col) and str(text).strip():
                problems.append(Problem(row, col, str(text), LOCKED_REASON))
                continue
            try:
                value = parse_cell(text)
            except CountError as exc:
                problems.append(Problem(row, col, str(text), str(exc)))
                continue
            a = grid.address(row, col)
            changes.append(
                CellChange(a.union_id, a.product_id, a.month, value, grid.values[row][col])
            )
        if problems:
            raise EntryRefused(self.describe(grid, problems), problems)
        return changes

    def plan_paste(
        self,
        grid: EntryGrid,
        top: int,
        left: int,
        block: list[list[str]],
        fill: Sequence[tuple[int, int]] = (),
    ) -> list[CellChange]:
        """A pasted block starting at (top, left); a single value fills ``fill`` cells if given."""
        if not block:
            raise EntryRefused("クリップボードに貼り付けられるデータがありません。", [])
        if len(block) == 1 and len(block[0]) == 1 and fill:
            return self.plan(grid, [(r, c, block[0][0]) for r, c in fill])
        width = max(len(r) for r in block)
        if top + len(block) > len(grid.rows) or left + width > len(grid.columns):
            raise EntryRefused(
                f"貼り付ける範囲 ({len(block)}行 × {width}列) が表からはみ出します。"
                f"入力欄は残り {len(grid.rows) - top}行 × {len(grid.columns) - left}列 です。"
                "貼り付けは行いませんでした。",
                [],
            )
        cells = [
            (top + i, left + j, text) for i, line in enumerate(block) for j, text in enumerate(line)
        ]
        return self.plan(grid, cells)

    def describe(self, grid: EntryGrid, problems: Sequence[Problem]) -> str:
        if len(problems) == 1:
            p = problems[0]
            return (
                f"{grid.cell_name(p.row, p.col)}: {p.reason}\n"
                "この値は保存していません。直して Enter、または Esc で取り消してください。"
            )
        lines = [f"{len(problems)}か所の値を受け付けられません。何も保存していません。"]
        for p in problems[:30]:
            where = (
                grid.cell_name(p.row, p.col)
                if p.row < len(grid.rows) and p.col < len(grid.columns)
                else f"{p.row + 1}行目 {p.col + 1}列目"
            )
            lines.append(f"・{where}: {p.reason}")
        if len(problems) > 30:
            lines.append(f"ほか {len(problems) - 30}か所")
        return "\n".join(lines)

    # ----------------------------------------------------------------- history
    def history(self, address: CellAddress) -> list[AuditEntry]:
        key = record_key(address.union_id, address.product_id, address.month)
        return self.ctx.audit.history("results", key)

    def describe_cell(self, address: CellAddress) -> str:
        union = self.ctx.unions.get(address.union_id)
        product = self.ctx.products.by_id(address.product_id)
        who = f"{union.union_code} {union.name}" if union else f"単組 {address.union_id}"
        return f"{who} / {product.name} / {month_label(address.month)}発効"
