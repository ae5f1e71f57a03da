"""Strict parsers for one cell, typed by a clerk or read from an imported file.

Every importer and every form reads its values through these functions, so a value means
the same everywhere: the 基準日 of a union and the 満期日 of an estimate accept the same
dates, a count is the same count in the entry grid, the master screen and an import.

Each parser takes what a cell holds (text, an int or float from Excel, a date) and returns
the stored value, ``None`` for a blank cell where blank is allowed, or raises
:class:`CellError` whose text is the Japanese reason shown at the cell.  They are strict
where a loose reading would store something wrong:

* digits are ASCII or full-width only (``١٢`` or ``²`` are not digits here);
* numbers are bounded (no 2^63, no 5,000-digit text reaching ``int()``), months and dates
  to the years 2000–2100 (dates 1900–2100), and the message says the range;
* names refuse control characters, which would break every xlsx that shows them.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal

MAX_COUNT = 99_999_999  # 件数 · 組合員数 · 目標: eight digits is far above any branch
MAX_YEN = 999_999_999  # premiums and differences, in yen
MIN_YEAR, MAX_YEAR = 2000, 2100  # fiscal years and YYYY-MM months
MIN_DATE_YEAR = 1900  # dates (満期日, 基準日 …)
MAX_TEXT = 200  # longest free text in one cell (備考 …)
NAME_MAX = 60  # longest name (単組名, キャンペーン名 …)
_MAX_DIGITS = 30  # longer numeric text is refused before any conversion

_FULLWIDTH_DIGITS = {chr(0xFF10 + i) for i in range(10)}
_INT_RE = re.compile(r"[+-]?[0-9]+", re.ASCII)
_DEC_RE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)", re.ASCII)
_DATE_RE = re.compile(r"([0-9]{4})[-/.年]([0-9]{1,2})[-/.月]([0-9]{1,2})日?", re.ASCII)
_ERA_DATE_RE = re.compile(
    r"(令和|平成|昭和|R|H|S)([0-9]{1,2}|元)[-/.年]([0-9]{1,2})[-/.月]([0-9]{1,2})日?", re.ASCII
)
_MONTH_RE = re.compile(r"([0-9]{4})[-/年.]([0-9]{1,2})月?", re.ASCII)
_ERA_MONTH_RE = re.compile(r"(令和|平成|R|H)([0-9]{1,2}|元)[-/.年]([0-9]{1,2})月?", re.ASCII)
_ERAS = {"令和": 2018, "R": 2018, "平成": 1988, "H": 1988, "昭和": 1925, "S": 1925}
_MINUS = str.maketrans({"−": "-", "‐": "-", "ー": "-", "－": "-", "△": "-", "▲": "-"})
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")

YES = frozenset({"1", "○", "〇", "◯", "はい", "yes", "true", "on", "有", "あり", "有り"})
NO = frozenset({"", "0", "×", "いいえ", "no", "false", "off", "無", "なし", "無し", "-"})


class CellError(ValueError):
    """A cell value that cannot be stored; ``str(exc)`` is the Japanese reason."""


# ------------------------------------------------------------------ helpers


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def shown(value: object, limit: int = 40) -> str:
    """The value as quoted in a message: shortened, control characters made visible."""
    text = str(value)
    text = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _check_digits(value: object, what: str) -> None:
    """Refuse digits other than ASCII and full-width (Arabic-Indic, superscripts, …)."""
    for ch in str(value):
        if ("0" <= ch <= "9") or ch in _FULLWIDTH_DIGITS:
            continue
        if ch.isdigit():  # Nd digits of other scripts, superscripts, circled ①
            raise CellError(
                f"{what}「{shown(value)}」に使えない数字「{ch}」があります。半角か全角の 0〜9 で入力してください。"
            )


def normalise_text(value: object) -> str:
    """NFKC (full-width → ASCII), minus signs unified, commas and spaces removed."""
    text = unicodedata.normalize("NFKC", str(value)).strip().translate(_MINUS)
    return text.replace(",", "").replace(" ", "")


def _whole(value: object, what: str, *, limit: int, suffixes: tuple[str, ...] = ()) -> int:
    """A whole number (sign allowed) from a cell, bounded by ``±limit``."""
    if isinstance(value, bool):
        raise CellError(f"{what}「{value}」は数値ではありません。")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise CellError(f"{what}「{value}」は数値ではありません。")
        if not value.is_integer():
            raise CellError(f"{what}「{value:g}」は整数ではありません。整数で入力してください。")
        if abs(value) > limit:
            raise CellError(
                f"{what}「{value:g}」が大きすぎます。{limit:,} までで入力してください。"
            )
        number = int(value)
    elif isinstance(value, Decimal):
        if not value.is_finite() or value != value.to_integral_value():
            raise CellError(f"{what}「{value}」は整数ではありません。整数で入力してください。")
        if abs(value) > limit:
            raise CellError(
                f"{what}「{shown(value)}」が大きすぎます。{limit:,} までで入力してください。"
            )
        number = int(value)
    elif isinstance(value, str):
        _check_digits(value, what)
        text = normalise_text(value)
        for suffix in suffixes:
            text = text.removesuffix(suffix)
        if len(text) > _MAX_DIGITS and _DEC_RE.fullmatch(text):
            raise CellError(
                f"{what}「{shown(value)}」が大きすぎます。{limit:,} までで入力してください。"
            )
        if _INT_RE.fullmatch(text):
            number = int(text)
        elif _DEC_RE.fullmatch(text):
            number_d = Decimal(text)
            if number_d != number_d.to_integral_value():
                raise CellError(
                    f"{what}「{shown(value)}」は整数ではありません。整数で入力してください。"
                )
            number = int(number_d)
        else:
            raise CellError(f"{what}「{shown(value)}」は数値ではありません。")
    else:
        raise CellError(f"{what}「{shown(value)}」は数値ではありません。")
    if abs(number) > limit:
        raise CellError(
            f"{what}「{shown(value)}」が大きすぎます。{limit:,} までで入力してください。"
        )
    return number


# ------------------------------------------------------------------ numbers


def parse_count(
    value: object, *, allow_blank: bool = False, label: str = "", maximum: int = MAX_COUNT
) -> int | None:
    """A whole number 0 … ``maximum`` ("1,234", "１２", "12件", 12.0); blank → None if allowed."""
    if is_blank(value):
        if allow_blank:
            return None
        raise CellError(
            f"{label}の値が空です。0以上の整数を入力してください。"
            if label
            else "値が空です。0以上の整数を入力してください。"
        )
    try:
        number = _whole(value, label, limit=maximum, suffixes=("件", "人"))
    except CellError as exc:
        msg = str(exc)
        if "数値ではありません" in msg:
            msg += " 0以上の整数を入力してください。"
        raise CellError(msg) from None
    if number < 0:
        raise CellError(f"{label}「{shown(value)}」は負の数です。0以上の整数を入力してください。")
    return number


def parse_signed(value: object, *, label: str = "", maximum: int = MAX_COUNT) -> int:
    """A signed whole number: "-17", "−17", "△17", "1,502"."""
    return _whole(value, label, limit=maximum)


def parse_yen(value: object, *, label: str = "掛金", signed: bool = False) -> int | None:
    """Whole yen from ``¥49,690`` / ``49690`` / ``49,690円`` / 49690.0; blank → None."""
    if is_blank(value):
        return None
    number_value: object = value
    if isinstance(value, str):
        _check_digits(value, label)
        text = unicodedata.normalize("NFKC", value).strip()
        number_value = text.replace("¥", "").replace("\\", "").removesuffix("円")
    try:
        number = _whole(number_value, label, limit=MAX_YEN)
    except CellError as exc:
        reason = str(exc)
        if "整数ではありません" in reason:
            raise CellError(
                f"{label}「{shown(value)}」は円単位の整数で入力してください。"
            ) from None
        if "大きすぎます" in reason:
            raise CellError(
                f"{label}「{shown(value)}」が大きすぎます。{MAX_YEN:,} 円までで入力してください。"
            ) from None
        if "使えない数字" in reason:
            raise
        raise CellError(
            f"{label}「{shown(value)}」は金額ではありません (例: ¥49,690 または 49690)。"
        ) from None
    if number < 0 and not signed:
        raise CellError(f"{label}「{shown(value)}」が負の数です。掛金は0円以上で入力してください。")
    return number


def parse_decimal(value: object, *, label: str = "値", low: Decimal, high: Decimal) -> Decimal:
    """A decimal number within [low, high] (bounded before any arithmetic)."""
    if isinstance(value, bool) or is_blank(value):
        raise CellError(f"{label}「{shown(value)}」は数値ではありません。")
    if isinstance(value, int | float | Decimal):
        if isinstance(value, float) and not math.isfinite(value):
            raise CellError(f"{label}「{value}」は数値ではありません。")
        number = Decimal(str(value))
    else:
        _check_digits(value, label)
        text = normalise_text(value)
        if len(text) > _MAX_DIGITS or not _DEC_RE.fullmatch(text):
            raise CellError(f"{label}「{shown(value)}」は数値ではありません。")
        number = Decimal(text)
    if not low <= number <= high:
        raise CellError(
            f"{label}「{shown(value)}」は範囲外です。{low}〜{high} で入力してください。"
        )
    return number


def parse_percent(
    value: object, *, label: str = "", low: Decimal = Decimal(1), high: Decimal = Decimal(100)
) -> Decimal:
    """A percent typed as "80", "80%", "８０．５"; whole numbers come back as ``Decimal(80)``."""
    text = value.strip().removesuffix("%").removesuffix("％") if isinstance(value, str) else value
    try:
        number = parse_decimal(text, label=label, low=low, high=high)
    except CellError as exc:
        if "範囲外" in str(exc):
            raise CellError(f"{label}{low}〜{high} の値 (%) で入力してください。") from None
        raise CellError(
            f"{label}「{shown(value)}」は数値ではありません。{low}〜{high} の値 (%) で入力してください。"
        ) from None
    return number.quantize(Decimal(1)) if number == number.to_integral_value() else number


_RATE_LOW, _RATE_HIGH = Decimal(-100000), Decimal(100000)
_RATE_LOW_F, _RATE_HIGH_F = float(_RATE_LOW), float(_RATE_HIGH)  # (NaN and ±inf fail both)


def parse_rate(value: object, *, label: str = "率") -> Decimal:
    """A rate as a sheet holds it: 0.457 (Excel percent), 45.7 or "45.7%" — as written."""
    if type(value) is float and _RATE_LOW_F <= value <= _RATE_HIGH_F:
        return Decimal(repr(value))  # Excel's number, in range (parse_decimal's result)
    text = value.strip().removesuffix("%").removesuffix("％") if isinstance(value, str) else value
    try:
        return parse_decimal(text, label=label, low=_RATE_LOW, high=_RATE_HIGH)
    except CellError:
        raise CellError(f"{label}「{shown(value)}」は率として読めません。") from None


def percent_candidates(value: object, *, label: str = "引下率") -> list[Decimal]:
    """A sheet's percent rounded to 1 decimal; a bare number may be a percent or a fraction."""
    if is_blank(value):
        return []
    one = Decimal("0.1")
    is_percent = isinstance(value, str) and value.strip().endswith(("%", "％"))
    number = parse_rate(value, label=label)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return [(number * 100).quantize(one, ROUND_HALF_UP), number.quantize(one, ROUND_HALF_UP)]
    if is_percent:
        return [number.quantize(one, ROUND_HALF_UP)]
    return [number.quantize(one, ROUND_HALF_UP), (number * 100).quantize(one, ROUND_HALF_UP)]


# ------------------------------------------------------------------ codes, flags, text


def parse_code(value: object, width: int, *, label: str = "コード") -> str | None:
    """A code as text with its leading zeros ("7" / 7 / 7.0 / "７" → "007"); blank → None."""
    if type(value) is str and 0 < len(value) <= width and value.isascii() and value.isdigit():
        return value.zfill(width)  # the common case, already plain ASCII digits
    if is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer() and 0 <= value < 10**width:
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise CellError(f"{label}「{shown(value)}」は{width}桁までの数字で入力してください。")
    _check_digits(value, label)
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if not re.fullmatch(f"[0-9]{{1,{width}}}", text, re.ASCII):
        raise CellError(f"{label}「{shown(value)}」は{width}桁までの数字で入力してください。")
    return text.zfill(width)


def parse_flag(value: object, *, label: str = "", strict: bool = True) -> bool:
    """○/1/はい → True, blank/×/0/いいえ → False; anything else refused when ``strict``."""
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFKC", str(value)).strip().lower()
    if text in YES or (label and text == label.lower()):
        return True
    if text in NO or not strict:
        return False
    raise CellError(f"{label}「{shown(value)}」は ○ (はい) か空欄 (いいえ) で入力してください。")


def parse_text(value: object, *, label: str = "", limit: int = MAX_TEXT) -> str | None:
    """Free text as entered, trimmed; Excel's 11.0 becomes "11"; blank → None."""
    if is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    bad = _CONTROL.search(text)
    if bad:
        raise CellError(
            f"{label}「{shown(text)}」に制御文字 (\\x{ord(bad.group()):02x}) が含まれています。取り除いてください。"
        )
    if len(text) > limit:
        raise CellError(
            f"{label}が長すぎます ({len(text):,} 文字)。{limit} 文字以内で入力してください。"
        )
    return text


def parse_name(value: object, *, label: str = "名称", limit: int = NAME_MAX) -> str:
    """A name: trimmed (an ideographic space counts as a space), never empty, no control characters."""
    text = parse_text(
        str(value).replace("\u3000", " ") if value is not None else None, label=label, limit=limit
    )
    if text is None:
        raise CellError(f"{label}は空にできません。")
    if "\n" in text or "\r" in text or "\t" in text:
        raise CellError(f"{label}「{shown(text)}」に改行やタブは使えません。")
    return text


# ------------------------------------------------------------------ dates and months


def _date_of(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return None


def parse_date(value: object, *, label: str = "日付") -> str | None:
    """ISO ``YYYY-MM-DD`` from 2025-04-01, 2025/4/1, 2025年4月1日, 令和7年4月1日, R7.4.1 or a
    date cell; blank → None; impossible dates and years outside 1900–2100 refused."""
    if is_blank(value):
        return None
    day = _date_of(value)
    if day is None:
        if not isinstance(value, str):
            raise CellError(
                f"{label}「{shown(value)}」は日付ではありません (例: 2025-04-01、2025年4月1日、令和7年4月1日)。"
            )
        _check_digits(value, label)
        text = unicodedata.normalize("NFKC", value).replace(" ", "").strip()
        if text.endswith("00:00:00"):
            text = text[:-8].rstrip("T")
        m = _DATE_RE.fullmatch(text)
        era = _ERA_DATE_RE.fullmatch(text) if m is None else None
        if m:
            y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
        elif era:
            y = _ERAS[era.group(1)] + (1 if era.group(2) == "元" else int(era.group(2)))
            mo, d = int(era.group(3)), int(era.group(4))
        else:
            raise CellError(
                f"{label}「{shown(value)}」は日付ではありません (例: 2025-04-01、2025年4月1日、令和7年4月1日)。"
            )
        try:
            day = dt.date(y, mo, d)
        except ValueError:
            raise CellError(f"{label}「{shown(value)}」は存在しない日付です。") from None
    if not MIN_DATE_YEAR <= day.year <= MAX_YEAR:
        raise CellError(
            f"{label}「{shown(value)}」は範囲外です。{MIN_DATE_YEAR}年〜{MAX_YEAR}年の日付で入力してください。"
        )
    return day.isoformat()


def parse_month(value: object, *, label: str = "年月") -> str:
    """``YYYY-MM`` from 2025-02, 2025/2, 2025年2月, 令和7年2月 or a date cell; 2000–2100 only."""
    if is_blank(value):
        raise CellError(f"{label}が空です。YYYY-MM の形式で入力してください (例: 2025-02)。")
    day = _date_of(value)
    if day is not None:
        y, mo = day.year, day.month
    else:
        if not isinstance(value, str):
            raise CellError(
                f"{label}「{shown(value)}」は YYYY-MM の形式で指定してください (例: 2025-02)。"
            )
        _check_digits(value, label)
        text = unicodedata.normalize("NFKC", value).replace(" ", "").strip()
        m = _MONTH_RE.fullmatch(text)
        era = _ERA_MONTH_RE.fullmatch(text) if m is None else None
        if m:
            y, mo = int(m.group(1)), int(m.group(2))
        elif era:
            y = _ERAS[era.group(1)] + (1 if era.group(2) == "元" else int(era.group(2)))
            mo = int(era.group(3))
        else:
            raise CellError(
                f"{label}「{shown(value)}」は YYYY-MM の形式で指定してください (例: 2025-02)。"
            )
        if not 1 <= mo <= 12:
            raise CellError(f"{label}「{shown(value)}」の月は 1〜12 で指定してください。")
    if not MIN_YEAR <= y <= MAX_YEAR:
        raise CellError(
            f"{label}「{shown(value)}」は範囲外です。{MIN_YEAR}年1月〜{MAX_YEAR}年12月で指定してください。"
        )
    return f"{y:04d}-{mo:02d}"


def parse_month_of_year(value: object, *, label: str = "月") -> int | None:
    """A month number 1–12 ("10", "10月", "１０", 10.0); blank → None."""
    if is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer() and 1 <= value <= 12:
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise CellError(f"{label}「{shown(value)}」は 1〜12 の月で入力してください。")
    _check_digits(value, label)
    text = unicodedata.normalize("NFKC", str(value)).strip().removesuffix("月")
    if not re.fullmatch(r"[0-9]{1,2}", text, re.ASCII) or not 1 <= int(text) <= 12:
        raise CellError(f"{label}「{shown(value)}」は 1〜12 の月で入力してください。")
    return int(text)


def parse_fiscal_year(value: object, *, label: str = "年度") -> int:
    """A fiscal year 2000–2100 ("2025", "2025年度", 2025.0)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 10**6:
        value = int(value)
    if is_blank(value) or isinstance(value, bool) or not isinstance(value, int | str):
        raise CellError(f"{label}「{shown(value)}」は 2025 のように西暦4桁で入力してください。")
    _check_digits(value, label)
    text = unicodedata.normalize("NFKC", str(value)).strip().removesuffix("度").removesuffix("年")
    if not re.fullmatch(r"[0-9]{4}", text, re.ASCII):
        raise CellError(f"{label}「{shown(value)}」は 2025 のように西暦4桁で入力してください。")
    year = int(text)
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise CellError(
            f"{label}「{shown(value)}」は範囲外です。{MIN_YEAR}〜{MAX_YEAR} で入力してください。"
        )
    return year


__all__ = [
    "CellError",
    "MAX_COUNT",
    "MAX_YEN",
    "is_blank",
    "normalise_text",
    "parse_code",
    "parse_count",
    "parse_date",
    "parse_decimal",
    "parse_fiscal_year",
    "parse_flag",
    "parse_month",
    "parse_month_of_year",
    "parse_name",
    "parse_percent",
    "parse_rate",
    "parse_signed",
    "parse_text",
    "parse_yen",
    "percent_candidates",
    "shown",
]
