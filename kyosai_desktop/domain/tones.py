"""Progress colouring, decided once for screen, Excel and paper.

A tone is a name, not a colour: the UI, the xlsx writer and the printed page each map it to
their own fill (``ui/palette.py``, ``services/xlsx_report.py``).  Progress is judged
against the share of the year already elapsed, so a union at 40 % in October is on track
while the same 40 % in March is behind.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

ACHIEVED = "achieved"  # 実績 ≥ 目標
ON_TRACK = "on_track"  # at or above the elapsed share of the year
BEHIND = "behind"  # below the elapsed share
FAR_BEHIND = "far_behind"  # below half of the elapsed share
FLAGGED = "flagged"  # a row that needs the clerk's attention (e.g. missing premiums)
TOTAL = "total"  # a totals row
TONES = (ACHIEVED, ON_TRACK, BEHIND, FAR_BEHIND, FLAGGED, TOTAL)

# Japanese legend shown beside coloured tables.
LEGEND = {
    ACHIEVED: "目標達成",
    ON_TRACK: "順調 (経過月数の割合以上)",
    BEHIND: "遅れ",
    FAR_BEHIND: "大きな遅れ (経過割合の半分未満)",
}


def elapsed_share(months_elapsed: int, months_in_year: int = 12) -> Fraction:
    """Share of the year elapsed: 9 months of 12 → 3/4 (clamped to 0..1)."""
    months_elapsed = max(0, min(months_elapsed, months_in_year))
    return Fraction(months_elapsed, months_in_year)


def progress_tone(
    actual: int | None, target: int | None, elapsed: Fraction | None = None
) -> str | None:
    """The tone of a progress figure; ``None`` when there is no target to judge against.

    Without ``elapsed`` only achievement is marked (a whole-year view).
    """
    if target is None or target <= 0 or actual is None:
        return None
    if actual >= target:
        return ACHIEVED
    if elapsed is None:
        return None
    ratio = Fraction(actual, target)
    if ratio >= elapsed:
        return ON_TRACK
    if ratio * 2 >= elapsed:
        return BEHIND
    return FAR_BEHIND


def tone_for_rate(rate: Decimal | None, elapsed: Fraction | None = None) -> str | None:
    """Same judgement from an already computed percent (e.g. 56.4)."""
    if rate is None:
        return None
    if rate >= 100:
        return ACHIEVED
    if elapsed is None:
        return None
    share = Fraction(rate) / 100
    if share >= elapsed:
        return ON_TRACK
    if share * 2 >= elapsed:
        return BEHIND
    return FAR_BEHIND
