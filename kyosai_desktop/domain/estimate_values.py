"""Reading the values of an estimate as a clerk types them or a 別紙2 sheet holds them.

Premiums as ``¥49,690`` / ``49690`` / ``49,690円`` (whole yen ≥ 0); dates as
``2022年2月14日`` / ``2022-02-14`` / ``2022/2/14`` / ``令和4年2月14日`` or an Excel date;
支払 as 年/月 (年払/月払 accepted); 車両 as ○ or blank; grades kept as the text entered
("6(5)", "-", "20").  Each parser raises :class:`ValueError` with a Japanese reason.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from kyosai_desktop.domain.estimates import PAYMENTS

_ERAS = {"令和": 2018, "R": 2018, "平成": 1988, "H": 1988}
_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_ERA_RE = re.compile(r"^(令和|平成|R|H)\s*(\d{1,2}|元)\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_YEN_RE = re.compile(r"^[+-]?\d+$")


def blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _norm(value: object) -> str:
    text = unicodedata.normalize("NFKC", str(value)).strip()
    return text.replace("−", "-").replace("‐", "-").replace("ー", "-") if text else text


def parse_yen(value: object, *, label: str = "掛金", signed: bool = False) -> int | None:
    """Whole yen from ``¥49,690`` / ``49690`` / ``49,690円`` / 49690.0; blank → None."""
    if blank(value):
        return None
    if isinstance(value, bool):
        raise ValueError(f"{label}「{value}」は金額ではありません。")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if value != value or not value.is_integer():
            raise ValueError(f"{label}「{value:g}」は円単位の整数で入力してください。")
        number = int(value)
    else:
        text = _norm(value).replace(",", "").replace(" ", "").replace("¥", "").replace("\\", "")
        text = text.removesuffix("円")
        if text.startswith("-¥"):
            text = "-" + text[2:]
        if not _YEN_RE.match(text):
            raise ValueError(f"{label}「{value}」は金額ではありません (例: ¥49,690 または 49690)。")
        number = int(text)
    if number < 0 and not signed:
        raise ValueError(f"{label}「{value}」が負の数です。掛金は0円以上で入力してください。")
    return number


def parse_date(value: object, *, label: str = "日付") -> str | None:
    """ISO ``YYYY-MM-DD`` from the accepted forms; blank → None; impossible dates refused."""
    if blank(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = _norm(value).replace(" ", "")
    if text.endswith("00:00:00"):
        text = text[:-8].strip().rstrip("T")
    m = _DATE_RE.match(text)
    if m:
        y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    else:
        m = _ERA_RE.match(text)
        if not m:
            raise ValueError(f"{label}「{value}」は日付として読めません (例: 2022年2月14日 または 2022-02-14)。")
        era_year = 1 if m.group(2) == "元" else int(m.group(2))
        y, mo, d = _ERAS[m.group(1)] + era_year, int(m.group(3)), int(m.group(4))
    try:
        return dt.date(y, mo, d).isoformat()
    except ValueError:
        raise ValueError(f"{label}「{value}」は存在しない日付です。") from None


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
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = _norm(value).removesuffix("歳")
    if not text.isdigit():
        raise ValueError(f"年齢「{value}」は数字で入力してください。")
    age = int(text)
    if not 0 <= age <= 120:
        raise ValueError(f"年齢「{value}」は 0〜120 で入力してください。")
    return age


def plain_text(value: object) -> str | None:
    """Text as entered, trimmed; Excel's 11.0 becomes "11"; blank → None."""
    if blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# 現在等級 / 適応等級 are kept as entered ("6(5)", "-", "20"): plain text, never derived.
grade_text = plain_text


def parse_percent_candidates(value: object) -> list[Decimal]:
    """A sheet's 引下率 as percents, rounded to 1 decimal.

    ``"-52.0%"`` / ``"-52.0"`` give -52.0.  A bare number may be a percent (-52.0) or, as
    Excel stores a %-formatted cell, a fraction (-0.52); both readings are returned and the
    caller accepts either.
    """
    if blank(value):
        return []
    one = Decimal("0.1")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = Decimal(str(value))
        return [(number * 100).quantize(one, ROUND_HALF_UP), number.quantize(one, ROUND_HALF_UP)]
    text = _norm(value).replace(" ", "").replace(",", "")
    is_percent = text.endswith("%")
    text = text.removesuffix("%")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"引下率「{value}」は数値ではありません (例: -52.0%)。") from None
    if is_percent:
        return [number.quantize(one, ROUND_HALF_UP)]
    return [number.quantize(one, ROUND_HALF_UP), (number * 100).quantize(one, ROUND_HALF_UP)]
