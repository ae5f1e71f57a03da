"""Reading the values of an estimate as a clerk types them or a 別紙2 sheet holds them.

Premiums as ``¥49,690`` / ``49690`` / ``49,690円`` (whole yen ≥ 0); dates as
``2022年2月14日`` / ``2022-02-14`` / ``2022/2/14`` / ``令和4年2月14日`` or an Excel date;
支払 as 年/月 (年払/月払 accepted); 車両 as ○ or blank; grades kept as the text entered
("6(5)", "-", "20").  Each parser raises :class:`ValueError` with a Japanese reason.
"""

from __future__ import annotations

import unicodedata
from decimal import Decimal

from kyosai_desktop.domain import cells
from kyosai_desktop.domain.cells import CellError, is_blank, parse_date, parse_yen
from kyosai_desktop.domain.estimates import PAYMENTS

__all__ = [
    "blank",
    "grade_text",
    "parse_age",
    "parse_cover",
    "parse_date",
    "parse_payment",
    "parse_percent_candidates",
    "parse_yen",
    "plain_text",
]

blank = is_blank


def _norm(value: object) -> str:
    text = unicodedata.normalize("NFKC", str(value)).strip()
    return text.replace("−", "-").replace("‐", "-").replace("ー", "-") if text else text


def parse_payment(value: object) -> str | None:
    """支払: 年 or 月 (年払 / 月払 / 年額 / 月額 accepted); blank → None."""
    if blank(value):
        return None
    text = _norm(value)
    for suffix in ("払い", "払", "額"):
        text = text.removesuffix(suffix)
    if text not in PAYMENTS:
        raise ValueError(f"支払「{value}」は 年 か 月 で入力してください。")
    return text


_YES = {"○", "〇", "◯", "有", "あり", "有り", "1", "true", "yes", "付帯"}
_NO = {"", "-", "×", "無", "なし", "無し", "0", "false", "no"}


def parse_cover(value: object) -> bool:
    """車両 (vehicle cover): ○ = yes, blank = no."""
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    text = _norm(value).lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise ValueError(f"車両「{value}」は ○ (車両補償あり) か空欄で入力してください。")


def parse_age(value: object) -> int | None:
    """年齢: a whole number 0–120 (``28`` / ``28歳``); blank → None."""
    if blank(value):
        return None
    try:
        age = cells.parse_count(
            value.strip().removesuffix("歳") if isinstance(value, str) else value,
            label="年齢",
            maximum=10**6,
        )
    except CellError as exc:
        if "使えない数字" in str(exc):
            raise
        raise CellError(f"年齢「{cells.shown(value)}」は数字で入力してください。") from None
    if age is None or not 0 <= age <= 120:
        raise CellError(f"年齢「{cells.shown(value)}」は 0〜120 で入力してください。")
    return age


def plain_text(value: object) -> str | None:
    """Text as entered, trimmed; Excel's 11.0 becomes "11"; blank → None; no control characters."""
    return cells.parse_text(value)


# 現在等級 / 適応等級 are kept as entered ("6(5)", "-", "20"): plain text, never derived.
grade_text = plain_text


def parse_percent_candidates(value: object) -> list[Decimal]:
    """A sheet's 引下率 as percents, rounded to 1 decimal.

    ``"-52.0%"`` / ``"-52.0"`` give -52.0.  A bare number may be a percent (-52.0) or, as
    Excel stores a %-formatted cell, a fraction (-0.52); both readings are returned and the
    caller accepts either.
    """
    try:
        return cells.percent_candidates(value, label="引下率")
    except CellError:
        raise CellError(
            f"引下率「{cells.shown(value)}」は数値ではありません (例: -52.0%)。"
        ) from None
