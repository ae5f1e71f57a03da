"""Parsing of counts typed or imported by clerks (whole numbers ≥ 0)."""

from __future__ import annotations

import re
import unicodedata

_INT_RE = re.compile(r"^[+-]?\d+$")
_NUM_RE = re.compile(r"^[+-]?\d+(\.\d*)?$")


class CountError(ValueError):
    """A value that is not a whole number ≥ 0; ``str(exc)`` is a Japanese reason."""


def normalise_text(value: object) -> str:
    """NFKC-normalise (full-width digits → ASCII), drop commas and surrounding space."""
    text = unicodedata.normalize("NFKC", str(value)).strip()
    return text.replace(",", "").replace(" ", "")


def parse_count(value: object, *, allow_blank: bool = False) -> int | None:
    """Return a whole number ≥ 0 from a cell value, or raise :class:`CountError`.

    Accepts ints, integral floats (Excel stores 12 as 12.0), ``"1,234"``, ``"１２"`` and a
    trailing ``件``.  Blank gives ``None`` when ``allow_blank``.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        if allow_blank:
            return None
        raise CountError("値が空です。0以上の整数を入力してください。")
    if isinstance(value, bool):
        raise CountError("0以上の整数を入力してください。")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if value != value or not value.is_integer():
            raise CountError(f"「{value:g}」は整数ではありません。件数は整数で入力してください。")
        number = int(value)
    else:
        text = normalise_text(value).removesuffix("件")
        if _INT_RE.match(text):
            number = int(text)
        elif _NUM_RE.match(text):
            if float(text).is_integer():
                number = int(float(text))
            else:
                raise CountError(f"「{value}」は整数ではありません。件数は整数で入力してください。")
        else:
            raise CountError(f"「{value}」は数値ではありません。0以上の整数を入力してください。")
    if number < 0:
        raise CountError(f"「{value}」は負の数です。0以上の整数を入力してください。")
    return number
