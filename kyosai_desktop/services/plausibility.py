"""Figures that are allowed but worth a second look (a warning, never a refusal).

A union cannot sign more new contracts of one product in one month than it has members, so
such a figure is most likely a typing slip (an extra 0, a column shifted in a paste).  It is
saved all the same — the clerk may know better — and the entry screen says so.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from kyosai_desktop.services.context import AppContext
from kyosai_desktop.store.results import CellChange


@dataclass(frozen=True)
class AboveMembers:
    union: str  # "05-001 仙台市職員労働組合"
    product: str
    month: str
    count: int
    members: int

    def text(self) -> str:
        y, m = self.month.split("-")
        return (
            f"{self.union} {self.product} {int(y)}年{int(m)}月: {self.count:,}件は"
            f"組合員数 {self.members:,}人より多い件数です"
        )


def above_members(ctx: AppContext, changes: Iterable[CellChange]) -> list[AboveMembers]:
    """The written figures larger than their union's 組合員数 (unions without one are skipped)."""
    found = []
    unions: dict[int, object] = {}
    names = {p.id: p.name for p in ctx.products.all()}
    for c in changes:
        if c.new is None:
            continue
        if c.union_id not in unions:
            unions[c.union_id] = ctx.unions.get(c.union_id)
        union = unions[c.union_id]
        members = getattr(union, "members", None)
        if members is not None and c.new > members:
            found.append(
                AboveMembers(
                    f"{union.key} {union.name}",  # type: ignore[attr-defined]
                    names.get(c.product_id, "?"),
                    c.month,
                    c.new,
                    members,
                )
            )
    return found


def warning_text(found: list[AboveMembers], limit: int = 3) -> str:
    lines = [f.text() for f in found[:limit]]
    if len(found) > limit:
        lines.append(f"ほか {len(found) - limit} セル")
    return "注意 (保存しました): " + "、".join(lines) + "。入力の誤りでないか確かめてください。"
