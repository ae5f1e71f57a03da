"""Validated master-data edits (unions, products, fiscal years, targets, branch settings).

The settings screen hands in what the clerk typed; each parser returns the stored value or
raises :class:`EditRefused` with a Japanese reason shown at the cell.  Writes go through the
audited repositories (one commit each).  No Qt here, so every rule is tested directly.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from kyosai_desktop.domain import cells
from kyosai_desktop.domain.cells import NAME_MAX, CellError
from kyosai_desktop.domain.rates import is_org_joined
from kyosai_desktop.services.context import AppContext
from kyosai_desktop.store.master import Product
from kyosai_desktop.store.settings import ORG_JOIN_THRESHOLD_KEY
from kyosai_desktop.store.unions import Union


class EditRefused(ValueError):
    """An edit that cannot be stored; ``str(exc)`` is the Japanese reason."""


def _norm(value: object) -> str:
    return "" if value is None else unicodedata.normalize("NFKC", str(value)).strip()


def is_blank(value: object) -> bool:
    return value is None or _norm(value) == ""


# ---------------------------------------------------------------- value parsers
# The rules are the domain's cell parsers (the same as every import); a refusal becomes
# EditRefused so the screen shows it at the cell.


def _refusing(parse: Callable[..., Any]) -> Callable[..., Any]:
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        try:
            return parse(*args, **kwargs)
        except CellError as exc:
            raise EditRefused(str(exc)) from None

    wrapped.__doc__ = parse.__doc__
    wrapped.__name__ = parse.__name__
    return wrapped


def parse_name(value: object, what: str = "名称") -> str:
    return _refusing(cells.parse_name)(value, label=what, limit=NAME_MAX)


def parse_optional_count(value: object) -> int | None:
    return _refusing(cells.parse_count)(value, allow_blank=True)


def parse_month_of_year(value: object) -> int | None:
    """発効月 / start month: 1–12 ("10", "10月", "１０"); blank gives None."""
    return _refusing(cells.parse_month_of_year)(value)


def parse_date(value: object) -> str | None:
    """``2025-04-01`` / ``2025/4/1`` / ``2025年4月1日`` / ``令和7年4月1日`` → ``2025-04-01``."""
    return _refusing(cells.parse_date)(value)


def parse_union_code(value: object) -> str:
    """単組コード: up to three digits, kept as text with leading zeros ("7" → "007")."""
    code = _refusing(cells.parse_code)(value, 3, label="単組コード")
    if code is None:
        raise EditRefused("単組コード「」は3桁までの数字で入力してください (例: 007)。")
    return code


def parse_flag(value: object) -> bool:
    return _refusing(cells.parse_flag)(value)


def parse_percent(
    value: object, *, low: Decimal = Decimal(1), high: Decimal = Decimal(100)
) -> Decimal:
    return _refusing(cells.parse_percent)(value, low=low, high=high)


def parse_note(value: object) -> str | None:
    return _refusing(cells.parse_text)(value, label="備考")


# ---------------------------------------------------------------- unions

UNION_PARSERS = {
    "name": lambda v: parse_name(v, "単組名"),
    "members": parse_optional_count,
    "holdings": parse_optional_count,
    "figures_as_of": parse_date,
    "effective_month": parse_month_of_year,
    "org_joined": parse_flag,
    "active": parse_flag,
    "note": parse_note,
}


def parse_union_value(field: str, value: object) -> object:
    return UNION_PARSERS[field](value)


def add_union(
    ctx: AppContext, pref_code: str, code: object, name: object, **values: object
) -> Union:
    """Add a union after checking its code and name; other fields are parsed like edits."""
    union_code = parse_union_code(code)
    clean_name = parse_name(name, "単組名")
    existing = ctx.unions.find(pref_code, union_code)
    if existing is not None:
        raise EditRefused(
            f"単組コード {pref_code}-{union_code} は既に「{existing.name}」で登録されています。"
        )
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
        return parse_note(value)
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
