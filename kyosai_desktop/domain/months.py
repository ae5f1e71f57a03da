"""Months as ``YYYY-MM`` text, and fiscal years that start in a configurable month.

"2024年度" names the year that starts in 2024 (DOMAIN §3).  Product results run June →
May; the model-union year ran June → May through 2024 and May → April from 2025.  Start
months are per-year data, never hard-coded here.
"""

from __future__ import annotations

from dataclasses import dataclass

from kyosai_desktop.domain.cells import parse_month as _parse_month


def make_month(year: int, month: int) -> str:
    if not 1 <= month <= 12:
        raise ValueError(f"月は1〜12で指定してください: {month}")
    return f"{year:04d}-{month:02d}"


def parse_month(text: object) -> str:
    """Accept ``2025-02``, ``2025/2``, ``2025年2月``, ``令和7年2月``; return ``2025-02``.

    One rule with every importer (:func:`kyosai_desktop.domain.cells.parse_month`): years
    2000–2100 only; raises ``ValueError`` (``CellError``) with a Japanese reason.
    """
    return _parse_month(text)


def split_month(ym: str) -> tuple[int, int]:
    return int(ym[:4]), int(ym[5:7])


def add_months(ym: str, n: int) -> str:
    y, m = split_month(ym)
    idx = y * 12 + (m - 1) + n
    return make_month(idx // 12, idx % 12 + 1)


def months_between(start: str, end: str) -> list[str]:
    """Inclusive list of months from start to end (empty when end < start)."""
    out: list[str] = []
    cur = start
    while cur <= end:
        out.append(cur)
        cur = add_months(cur, 1)
    return out


def month_label(ym: str) -> str:
    """``2025-02`` → ``2025年2月``."""
    y, m = split_month(ym)
    return f"{y}年{m}月"


@dataclass(frozen=True)
class FiscalYear:
    """A business year: ``year`` is the calendar year it starts in."""

    year: int
    start_month: int

    @property
    def label(self) -> str:
        return f"{self.year}年度"

    @property
    def first(self) -> str:
        return make_month(self.year, self.start_month)

    @property
    def last(self) -> str:
        return add_months(self.first, 11)

    def months(self) -> list[str]:
        return [add_months(self.first, i) for i in range(12)]

    def contains(self, ym: str) -> bool:
        return self.first <= ym <= self.last

    def months_to(self, as_of: str) -> list[str]:
        """Months of this year from its start through ``as_of`` (clamped to the year)."""
        return months_between(self.first, min(as_of, self.last))

    def same_period_last_year(self, as_of: str) -> tuple[str, str]:
        """First and last month of the previous year's same period (as_of − 12 months)."""
        return add_months(self.first, -12), add_months(min(as_of, self.last), -12)


def fiscal_year_of(ym: str, start_month: int) -> int:
    y, m = split_month(ym)
    return y if m >= start_month else y - 1


class MonthOutsideYear(ValueError):
    """An as-of month outside the report's fiscal year; ``str(exc)`` is Japanese."""


def check_as_of(as_of: str, year: FiscalYear, *also: FiscalYear) -> None:
    """Refuse an as-of month outside ``year`` (or every one of ``also``, other layouts of it).

    Before the start a report would print a table of zeros and a period like
    "2024年6月〜2024年3月"; after the end it would silently stop at the year's last month.
    """
    if any(y.contains(as_of) for y in (year, *also)):
        return
    span = f"{year.label} ({month_label(year.first)}〜{month_label(year.last)})"
    where = "が始まる前" if as_of < year.first else "が終わった後"
    raise MonthOutsideYear(
        f"集計月 {month_label(as_of)} は {span} {where}です。{year.label}の中の月を指定してください。"
    )
