"""Validated master-data edits (unions, products, fiscal years, targets, branch settings).

The settings screen hands in what the clerk typed; each parser returns the stored value or
raises :class:`EditRefused` with a Japanese reason shown at the cell.  Writes go through the
audited repositories (one commit each).  No Qt here, so every rule is tested directly.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from decimal import Decimal, InvalidOperation

from kyosai_desktop.domain.numbers import CountError, parse_count
from kyosai_desktop.domain.rates import is_org_joined
from kyosai_desktop.services.context import AppContext
from kyosai_desktop.store.master import Product
from kyosai_desktop.store.settings import ORG_JOIN_THRESHOLD_KEY
from kyosai_desktop.store.unions import Union

NAME_MAX = 60
_DATE_RE = re.compile(r"^(\d{4})[-/年.](\d{1,2})[-/月.](\d{1,2})日?$")


class EditRefused(ValueError):
    """An edit that cannot be stored; ``str(exc)`` is the Japanese reason."""


def _norm(value: object) -> str:
    return "" if value is None else unicodedata.normalize("NFKC", str(value)).strip()


def is_blank(value: object) -> bool:
    return value is None or _norm(value) == ""


# ---------------------------------------------------------------- value parsers

def parse_name(value: object, what: str = "名称") -> str:
    text = str(value or "").strip().replace("\u3000", " ").strip()
    if not text:
        raise EditRefused(f"{what}は空にできません。")
    if len(text) > NAME_MAX:
        raise EditRefused(f"{what}は{NAME_MAX}文字以内で入力してください。")
    return text


def parse_optional_count(value: object) -> int | None:
    try:
        return parse_count(value, allow_blank=True)
    except CountError as exc:
        raise EditRefused(str(exc)) from None


def parse_month_of_year(value: object) -> int | None:
    """発効月 / start month: 1–12 ("10", "10月", "１０"); blank gives None."""
    if is_blank(value):
        return None
    text = _norm(value).removesuffix("月")
    if not text.isdigit() or not 1 <= int(text) <= 12:
        raise EditRefused(f"「{value}」は月ではありません。1〜12 で入力してください。")
    return int(text)


def parse_date(value: object) -> str | None:
    """``2025-04-01`` / ``2025/4/1`` / ``2025年4月1日`` → ``2025-04-01``; blank gives None."""
    if is_blank(value):
        return None
    if isinstance(value, date):
        return value.isoformat()
    m = _DATE_RE.match(_norm(value).replace(" ", ""))
    if not m:
        raise EditRefused(f"「{value}」は日付ではありません。2025-04-01 のように入力してください。")
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
    except ValueError:
        raise EditRefused(f"「{value}」という日付はありません。") from None


def parse_union_code(value: object) -> str:
    """単組コード: up to three digits, kept as text with leading zeros ("7" → "007")."""
    text = _norm(value)
    if not text.isdigit() or len(text) > 3:
        raise EditRefused(f"単組コード「{value}」は3桁までの数字で入力してください (例: 007)。")
    return text.zfill(3)


def parse_flag(value: object) -> bool:
    if isinstance(value, bool):
        return value
    return _norm(value).lower() in ("1", "true", "○", "〇", "はい", "yes", "on")


def parse_percent(value: object, *, low: Decimal = Decimal(1), high: Decimal = Decimal(100)) -> Decimal:
    text = _norm(value).removesuffix("%")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise EditRefused(f"「{value}」は数値ではありません。{low}〜{high} の値 (%) で入力してください。") from None
    if not low <= number <= high:
        raise EditRefused(f"{low}〜{high} の値 (%) で入力してください。")
    # A whole number is stored as "80", not "80.0" (normalize() would give "8E+1").
    return number.quantize(Decimal(1)) if number == number.to_integral_value() else number


# ---------------------------------------------------------------- unions

UNION_PARSERS = {
    "name": lambda v: parse_name(v, "単組名"),
    "members": parse_optional_count,
    "holdings": parse_optional_count,
    "figures_as_of": parse_date,
    "effective_month": parse_month_of_year,
    "org_joined": parse_flag,
    "active": parse_flag,
    "note": lambda v: None if is_blank(v) else str(v).strip(),
}


def parse_union_value(field: str, value: object) -> object:
    return UNION_PARSERS[field](value)


def add_union(ctx: AppContext, pref_code: str, code: object, name: object, **values: object) -> Union:
    """Add a union after checking its code and name; other fields are parsed like edits."""
    union_code = parse_union_code(code)
    clean_name = parse_name(name, "単組名")
    existing = ctx.unions.find(pref_code, union_code)
    if existing is not None:
        raise EditRefused(f"単組コード {pref_code}-{union_code} は既に「{existing.name}」で登録されています。")
    parsed = {k: parse_union_value(k, v) for k, v in values.items() if k in UNION_PARSERS}
    parsed = {k: v for k, v in parsed.items() if v is not None}
    return ctx.unions.add(pref_code, union_code, clean_name, **parsed)  # type: ignore[arg-type]


def org_join_suggestions(ctx: AppContext, unions: list[Union]) -> list[tuple[Union, bool]]:
    """Unions whose 組織加入 flag disagrees with 加入率 ≥ threshold: (union, judged flag)."""
    threshold = ctx.settings.org_join_threshold
    out = []
    for u in unions:
        judged = is_org_joined(u.members, u.holdings, threshold)
        if judged is None:
            continue
        if judged != u.org_joined:
            out.append((u, judged))
    return out


# ---------------------------------------------------------------- products

def parse_product_value(ctx: AppContext, product: Product, field: str, value: object) -> object:
    if field == "display_order":
        number = parse_optional_count(value)
        if number is None:
            raise EditRefused("表示順は空にできません。")
        return number
    if field == "rider_of":
        if is_blank(value):
            return None
        parent = ctx.products.resolve(str(value))
        if parent is None:
            raise EditRefused(f"商品「{value}」は登録されていません。")
        if parent.id == product.id:
            raise EditRefused("自分自身の付帯にはできません。")
        if parent.rider_of is not None:
            raise EditRefused(f"{parent.name} は付帯商品です。主契約の商品を選んでください。")
        if any(p.rider_of == product.id for p in ctx.products.all()):
            raise EditRefused(f"{product.name} には付帯商品があるため、付帯商品にはできません。")
        return parent.id
    if field in ("active_from", "active_to"):
        new = parse_date(value)
        start = new if field == "active_from" else product.active_from
        end = new if field == "active_to" else product.active_to
        if start and end and end < start:
            raise EditRefused("適用終了日が適用開始日より前になっています。")
        return new
    if field == "has_target":
        return parse_flag(value)
    if field == "note":
        return None if is_blank(value) else str(value).strip()
    raise EditRefused(f"{field} は変更できません。")


# ---------------------------------------------------------------- fiscal years

def parse_year_label(value: object) -> str:
    return parse_name(value, "年度の表示名")


def parse_start_month(value: object) -> int:
    month = parse_month_of_year(value)
    if month is None:
        raise EditRefused("開始月は空にできません。1〜12 で入力してください。")
    return month


# ---------------------------------------------------------------- settings

def set_org_join_threshold(ctx: AppContext, value: object) -> Decimal:
    threshold = parse_percent(value)
    ctx.settings.set(ORG_JOIN_THRESHOLD_KEY, str(threshold))
    return threshold
