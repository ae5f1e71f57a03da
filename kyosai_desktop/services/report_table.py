"""A report as plain data: the one object every tabular output is drawn from.

Services build a :class:`ReportTable` (title, header bands, columns, rows, totals, summary,
notes); then

* ``ui/shared/report_model.py`` shows it on screen (``ReportTableModel``: display text, raw values
  under a sort role, tone colours, frozen columns),
* ``services/xlsx_report.py`` writes it as a print-ready workbook, and
* ``render/paper_table.py`` paints it on paper / PDF (header repeated on every page, fitted
  to the page width, page numbers, totals at the end),

so a figure can never read differently on screen, in Excel and on paper.  Cells carry
both the raw value (for sorting and Excel number formats) and the display text, which is
produced once here with the formatting rules of ``domain/rates.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Generic, NamedTuple, TypeVar, overload

from kyosai_desktop.domain.rates import DASH, format_count, format_percent, format_signed

# Column kinds: how a value is formatted, aligned and typed in Excel.
TEXT = "text"  # free text, left
CODE = "code"  # codes kept as text with leading zeros ("01", "039"), centred
COUNT = "count"  # whole number with thousands separators, right
SIGNED = "signed"  # signed whole number (+3 / -17 / 0), right
PERCENT = "percent"  # Decimal percent as computed by domain/rates (56.4 → "56.4%"), right
YEN = "yen"  # whole yen ("¥49,690" / "¥-25,820"), right
DATE = "date"  # a date shown as 2022年2月14日 (value: datetime.date or ISO text), centred
KINDS = (TEXT, CODE, COUNT, SIGNED, PERCENT, YEN, DATE)

NUMERIC_KINDS = (COUNT, SIGNED, PERCENT, YEN)


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    kind: str = TEXT
    band: str | None = None  # upper header merged over consecutive columns with the same band
    width: float = 4.0  # minimum width in em (full-width characters of the body font)
    frozen: bool = False  # stays in view when scrolling sideways (screen only)
    decimals: int = 1  # PERCENT only: decimals shown (1 → 56.4%, 2 → 46.24%)
    toned: bool = False  # the cell tone of this column is the row's progress colour

    @property
    def align(self) -> str:
        if self.kind in NUMERIC_KINDS:
            return "right"
        if self.kind in (CODE, DATE):
            return "center"
        return "left"


class Cell(NamedTuple):
    """One cell: immutable, compared and hashed by its four fields.  A named tuple rather than
    a frozen dataclass: a national list makes hundreds of thousands of them, and a tuple is
    made several times faster (a frozen dataclass sets each field through object.__setattr__)."""

    value: object = None  # raw value: int, Decimal, str, date or None
    text: str = ""  # what is shown / printed
    tone: str | None = None  # domain/tones name, or None
    tooltip: str | None = None  # e.g. "シートの値 27 と計算値 37 が違います"


def format_value(value: object, kind: str, decimals: int = 1) -> str:
    """Display text for a raw value of a column kind (the single formatting rule)."""
    if kind == COUNT:
        return format_count(value)  # type: ignore[arg-type]
    if kind == SIGNED:
        return format_signed(value)  # type: ignore[arg-type]
    if kind == PERCENT:
        if value is None:
            return DASH
        return format_percent(
            Decimal(value).quantize(  # type: ignore[arg-type]
                Decimal(1).scaleb(-decimals)
            )
        )
    if kind == YEN:
        return DASH if value is None else f"¥{value:,}"
    if kind == DATE:
        return format_date(value)
    return "" if value is None else str(value)


def format_date(value: object) -> str:
    """``2022-02-14`` / date → ``2022年2月14日``; blank stays blank."""
    if value is None or value == "":
        return ""
    return _date_text(value.isoformat() if hasattr(value, "isoformat") else str(value))


@lru_cache(maxsize=4096)
def _date_text(text: str) -> str:
    """A list of 14,000 estimates has a few hundred dates: each one's text is made once."""
    try:
        y, m, d = (int(p) for p in text[:10].split("-"))
    except ValueError:
        return text
    return f"{y}年{m}月{d}日"


def cell(
    value: object,
    kind: str = TEXT,
    *,
    tone: str | None = None,
    tooltip: str | None = None,
    decimals: int = 1,
    text: str | None = None,
) -> Cell:
    """A cell whose text follows its column kind (or an explicit ``text``)."""
    return Cell(value, format_value(value, kind, decimals) if text is None else text, tone, tooltip)


T = TypeVar("T")


class LazyRows(Sequence[list[Cell]], Generic[T]):
    """A report's rows made when first asked for: ``make(item)`` for each of ``items``.

    A list of 14,000 open estimates shows a screenful: the screen asks only for the rows it
    paints, while the writers (xlsx, PDF, CSV, print) iterate and get every row.  A row is
    made once and kept; it must have ``width`` cells.  Compares equal to a list of the same
    rows, so a lazy table equals the same table made eagerly.

    ``value(item, column)``, if given, is the raw value of that cell without making the row
    (the value its cell would have): sorting by a column (:func:`column_values`) then makes
    no row.  ``whole_pass()``, if given, is called before a pass over every row (iteration,
    comparison, a column's values): a maker that reads its rows a block at a time can read
    them all at once instead.
    """

    def __init__(
        self,
        items: Sequence[T],
        make: Callable[[T], list[Cell]],
        width: int,
        value: Callable[[T, int], object] | None = None,
        whole_pass: Callable[[], object] | None = None,
    ) -> None:
        self._items = items
        self._make = make
        self._width = width
        self._value = value
        self._whole_pass = whole_pass
        self._made: list[list[Cell] | None] = [None] * len(items)

    def before_whole_pass(self) -> None:
        """Say that every row is about to be asked for (e.g. a filter over every row's text)."""
        if self._whole_pass is not None and None in self._made:
            self._whole_pass()

    def column_values(self, column: int) -> list[object]:
        """The raw values of a column, row by row (rows not made yet are not made, if the
        rows were given a ``value``)."""
        self.before_whole_pass()
        value = self._value
        if value is None:
            return [self._row(i)[column].value for i in range(len(self._made))]
        return [
            value(item, column) if row is None else row[column].value
            for row, item in zip(self._made, self._items, strict=True)
        ]

    def __len__(self) -> int:
        return len(self._made)

    def _row(self, i: int) -> list[Cell]:
        row = self._made[i]
        if row is None:
            row = self._make(self._items[i])
            if len(row) != self._width:
                raise ValueError(f"row has {len(row)} cells for {self._width} columns")
            self._made[i] = row
        return row

    @overload
    def __getitem__(self, i: int) -> list[Cell]: ...

    @overload
    def __getitem__(self, i: slice) -> list[list[Cell]]: ...

    def __getitem__(self, i: int | slice) -> list[Cell] | list[list[Cell]]:
        if isinstance(i, slice):
            return [self._row(j) for j in range(*i.indices(len(self._made)))]
        return self._row(range(len(self._made))[i])  # negative indices, IndexError

    def __iter__(self) -> Iterator[list[Cell]]:
        self.before_whole_pass()
        return (self._row(i) for i in range(len(self._made)))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (LazyRows, list)):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"LazyRows({len(self)} rows)"


def column_values(rows: Sequence[list[Cell]], column: int) -> list[object]:
    """The raw values at ``column`` of ``rows`` (a list, or LazyRows without making them)."""
    if isinstance(rows, LazyRows):
        return rows.column_values(column)
    return [r[column].value for r in rows]


@dataclass
class ReportTable:
    """Rows of cells under columns; ``totals`` rows come last (合計), ``summary`` heads it."""

    title: str
    columns: list[Column]
    # a list, or LazyRows (made when first asked for; their width is checked then)
    rows: Sequence[list[Cell]] = field(default_factory=list)
    totals: list[list[Cell]] = field(default_factory=list)
    subtitle: str = ""
    summary: list[tuple[str, str]] = field(default_factory=list)  # (label, text) pairs
    notes: list[str] = field(default_factory=list)  # printed under the table
    row_keys: list[object] = field(default_factory=list)  # e.g. union ids, per row
    group_by: str | None = None  # a column whose repeated values print once per group (県名)
    legend: dict[str, str] = field(default_factory=dict)  # tone → label, if coloured
    # Rows printed after the totals under a ※ line (社保労連, which the 合計 leaves out), as the
    # xlsx and PDF writers and the screen lay them out; their keys as ``row_keys``.
    after_totals: list[list[Cell]] = field(default_factory=list)
    after_totals_note: str = ""
    after_totals_keys: list[object] = field(default_factory=list)

    def __post_init__(self) -> None:
        rows = [] if isinstance(self.rows, LazyRows) else self.rows
        for r in [*rows, *self.totals, *self.after_totals]:
            if len(r) != len(self.columns):
                raise ValueError(
                    f"row has {len(r)} cells for {len(self.columns)} columns: {self.title}"
                )

    def index(self, key: str) -> int:
        for i, col in enumerate(self.columns):
            if col.key == key:
                return i
        raise KeyError(key)

    def column_values(self, key: str) -> list[object]:
        i = self.index(key)
        return [r[i].value for r in self.rows]

    def has_bands(self) -> bool:
        return any(c.band for c in self.columns)

    def band_spans(self) -> list[tuple[int, int, str | None]]:
        """(first, count, band) runs of consecutive columns sharing a band (None = no band)."""
        spans: list[tuple[int, int, str | None]] = []
        for i, col in enumerate(self.columns):
            if spans and spans[-1][2] == col.band and col.band is not None:
                first, count, band = spans[-1]
                spans[-1] = (first, count + 1, band)
            else:
                spans.append((i, 1, col.band))
        return spans

    def display_rows(self) -> list[list[str]]:
        """Every row then every totals row as text (what a CSV export writes)."""
        return [[c.text for c in r] for r in [*self.rows, *self.totals]]

    def header_titles(self) -> list[str]:
        return [c.title for c in self.columns]

    def select(self, keep: Sequence[int]) -> ReportTable:
        """A copy with only the rows at ``keep`` (totals unchanged — recompute them if needed)."""
        return ReportTable(
            self.title,
            self.columns,
            [self.rows[i] for i in keep],
            self.totals,
            self.subtitle,
            self.summary,
            self.notes,
            [self.row_keys[i] for i in keep] if self.row_keys else [],
            self.group_by,
            self.legend,
        )


# Fill colours per tone (RGB hex), shared by the screen, the workbook and the paper so a
# colour means the same everywhere.  Light enough to print in black and white.
TONE_FILLS: dict[str, str] = {
    "achieved": "C6EFCE",  # green
    "on_track": "DDEBF7",  # light blue
    "behind": "FFEB9C",  # yellow
    "far_behind": "F8CBAD",  # orange-red
    "flagged": "FFF2CC",  # pale yellow
    "total": "E7E6E6",  # grey
}
HEADER_FILL = "D9E1F2"

# A column is made at least as wide as the longest word of its title, up to this many em
# (a longer word still wraps where it must).
TITLE_WORD_CAP_EM = 8.0


def title_words(title: str) -> list[str]:
    """The pieces a column title may wrap between: at spaces and explicit line breaks only
    (「1人あたり平均」 is one word — not 「1人あたり平」 over 「均」)."""
    return title.split()


def wrap_title(title: str, fits: Callable[[str], bool]) -> str:
    """``title`` with line breaks at its spaces where the whole line would not fit: the
    words joined greedily while ``fits`` says a line still fits its column."""
    if fits(title):
        return title
    out: list[str] = []
    for part in title.split("\n"):
        lines: list[str] = []
        for word in part.split():
            if lines and fits(f"{lines[-1]} {word}"):
                lines[-1] = f"{lines[-1]} {word}"
            else:
                lines.append(word)
        out += lines or [""]
    return "\n".join(out)
