"""The master tables of the settings screen: unions, products, fiscal years, targets.

Each is a :class:`~kyosai_desktop.ui.master.master_table.MasterTableModel`: rows read through the
repositories, edits validated by ``services/master_edit`` and named as the stored field they
set (``field_write``); the operation ``ops.master.edit`` writes them (one commit each), then
the data bus is told what changed.
"""

from __future__ import annotations

from dataclasses import dataclass

from kyosai_desktop.domain.rates import join_rate, org_join_shortfall
from kyosai_desktop.services import master_edit as me
from kyosai_desktop.services.context import AppContext
from kyosai_desktop.services.ops.fields import FieldWrite, start_months_value, target_key
from kyosai_desktop.store.master import Product
from kyosai_desktop.store.targets import VERSIONS
from kyosai_desktop.store.unions import Union
from kyosai_desktop.ui.master.master_table import (
    COUNT,
    DATE,
    FLAG,
    MONTH,
    PERCENT,
    TEXT,
    Col,
    MasterTableModel,
)

# ---------------------------------------------------------------- unions


class UnionModel(MasterTableModel):
    columns = [
        Col("pref", "県", TEXT, editable=False, width=5),
        Col("union_code", "単組コード", TEXT, editable=False, width=5),
        Col("name", "単組名", TEXT, width=16),
        Col("members", "組合員数", COUNT, width=5),
        Col("holdings", "団生保有", COUNT, width=5),
        Col("figures_as_of", "基準日", DATE, width=7, tip="組合員数・団生保有の基準日"),
        Col("rate", "加入率", PERCENT, editable=False, width=4, tip="団生保有 ÷ 組合員数"),
        Col("effective_month", "発効月", MONTH, width=4, tip="継続募集の発効月"),
        Col("org_joined", "組織加入", FLAG, width=4),
        Col(
            "active",
            "有効",
            FLAG,
            width=3,
            tip="無効にした単組は入力画面に出ません (実績は残ります)",
        ),
        Col("note", "メモ", TEXT, width=14),
    ]

    def __init__(self, ctx: AppContext, parent=None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.pref_code: str | None = ctx.branch
        self.show_inactive = True
        self._pref_names = {p.code: p.name for p in ctx.prefectures.all()}
        self.reload()

    def set_filter(self, pref_code: str | None, show_inactive: bool) -> None:
        self.pref_code, self.show_inactive = pref_code, show_inactive
        self.reload()

    def reload(self) -> None:
        self.set_rows(self.ctx.unions.list(self.pref_code, active_only=not self.show_inactive))

    def key_of(self, row: Union) -> int:
        return row.id

    def value(self, row: Union, col: Col) -> object:
        if col.key == "pref":
            return f"{row.pref_code} {self._pref_names.get(row.pref_code, '')}"
        if col.key == "rate":
            return join_rate(row.holdings, row.members)
        return getattr(row, col.key)

    def parse(self, row: Union, col: Col, raw: object) -> object:
        return me.parse_union_value(col.key, raw)

    def field_write(self, key: int, col: Col, value: object) -> FieldWrite:
        return FieldWrite("unions", str(key), col.key, value)

    def record_label(self, key: str) -> str | None:
        union = self.ctx.unions.get(int(key))
        return None if union is None else f"{union.union_code} {union.name}"

    def tooltip(self, row: Union, col: Col) -> str | None:
        if col.key == "org_joined":
            rate = join_rate(row.holdings, row.members)
            if rate is None:
                return "加入率を計算できません (組合員数が未入力)"
            threshold = self.ctx.settings.org_join_threshold
            short = org_join_shortfall(row.members, row.holdings, threshold)
            judged = (
                "組織加入"
                if short == 0
                else f"組織加入まであと {short:,} 件 (みなし組織加入を失う可能性)"
            )
            return f"加入率 {rate}% ／ しきい値 {threshold:g}% → {judged}"
        return None


# ---------------------------------------------------------------- products


class ProductModel(MasterTableModel):
    columns = [
        Col("display_order", "表示順", COUNT, width=3),
        Col("name", "商品名", TEXT, editable=False, width=12),
        Col("rider_of", "付帯元", TEXT, width=8, tip="付帯商品の主契約 (付帯率 = 付帯 ÷ 主契約)"),
        Col("active_from", "適用開始", DATE, width=7),
        Col("active_to", "適用終了", DATE, width=7),
        Col("has_target", "目標あり", FLAG, width=4),
        Col("aliases", "別名 (取り込みで使える名前)", TEXT, editable=False, width=24),
        Col("note", "メモ", TEXT, width=16),
    ]

    def __init__(self, ctx: AppContext, parent=None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.admin = ctx.master_admin
        self.reload()

    def reload(self) -> None:
        self.ctx.products.invalidate()
        self._aliases = self.admin.product_aliases()
        self._names = {p.id: p.name for p in self.ctx.products.all()}
        self.set_rows(list(self.ctx.products.all()))

    def key_of(self, row: Product) -> int:
        return row.id

    def value(self, row: Product, col: Col) -> object:
        if col.key == "aliases":
            return "、".join(self._aliases.get(row.id, []))
        return getattr(row, col.key)

    def text(self, row: Product, col: Col) -> str:
        if col.key == "rider_of":
            return self._names.get(row.rider_of, "") if row.rider_of else ""
        return super().text(row, col)

    def parse(self, row: Product, col: Col, raw: object) -> object:
        return me.parse_product_value(self.ctx, row, col.key, raw)

    def field_write(self, key: int, col: Col, value: object) -> FieldWrite:
        return FieldWrite("products", str(key), col.key, value)

    def record_label(self, key: str) -> str | None:
        return self._names.get(int(key))


# ---------------------------------------------------------------- fiscal years


@dataclass(frozen=True)
class YearRow:
    year: int
    label: str
    start_month: int
    model_start_month: int


class FiscalYearModel(MasterTableModel):
    columns = [
        Col("year", "年度", TEXT, editable=False, width=4),
        Col("label", "表示名", TEXT, width=8),
        Col(
            "start_month",
            "商品実績の開始月",
            MONTH,
            width=9,
            tip="商品別実績の年度の始まり (6月開始など)",
        ),
        Col(
            "model_start_month",
            "モデル単組の開始月",
            MONTH,
            width=9,
            tip="加入拡大モデル単組の実績集約期間の始まり (2025年度から5月開始)",
        ),
    ]

    def __init__(self, ctx: AppContext, parent=None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.admin = ctx.master_admin
        self.reload()

    def reload(self) -> None:
        self.set_rows([YearRow(*r) for r in self.admin.fiscal_years()])

    def key_of(self, row: YearRow) -> int:
        return row.year

    def text(self, row: YearRow, col: Col) -> str:
        if col.key == "year":
            return str(row.year)
        return super().text(row, col)

    def parse(self, row: YearRow, col: Col, raw: object) -> object:
        if col.key == "label":
            return me.parse_year_label(raw)
        return me.parse_start_month(raw)

    def field_write(self, key: int, col: Col, value: object) -> FieldWrite:
        return self.field_writes([(key, col.key, value)])[0]

    def record_label(self, key: str) -> str | None:
        return f"{key}年度"

    def field_writes(self, changes: list[tuple[object, str, object]]) -> list[FieldWrite]:
        """Both start months of a year are one stored field: a block pasted over the two
        columns sets them together (one write per year, not the second undoing the first)."""
        writes: list[FieldWrite] = []
        months: dict[int, list[int]] = {}
        for key, col_key, value in changes:
            if col_key == "label":
                writes.append(FieldWrite("fiscal_years", str(key), "label", str(value)))
                continue
            if key not in months:
                row = next(r for r in self.rows if r.year == key)
                months[key] = [row.start_month, row.model_start_month]
            months[key][0 if col_key == "start_month" else 1] = int(value)
        writes += [
            FieldWrite("fiscal_years", str(year), "start_months", start_months_value(*pair))
            for year, pair in months.items()
        ]
        return writes


# ---------------------------------------------------------------- targets


def target_products(ctx: AppContext, targets: dict) -> list[Product]:
    """Products with a target flag, plus any that already has a target that year."""
    used = {p for p, _v, _u in targets}
    return [p for p in ctx.products.all() if p.has_target or p.id in used]


class BranchTargetModel(MasterTableModel):
    """Rows = products; the branch's 第1次 / 第2次 targets and the sums of union targets."""

    columns = [
        Col("product", "商品", TEXT, editable=False, width=12),
        Col("第1次", "第1次目標", COUNT, width=6),
        Col("第2次", "第2次目標", COUNT, width=6),
        Col("effective", "適用", TEXT, editable=False, width=4, tip="第2次があれば第2次を使います"),
        Col("u第1次", "単組目標計 (第1次)", COUNT, editable=False, width=8),
        Col("u第2次", "単組目標計 (第2次)", COUNT, editable=False, width=8),
    ]

    def __init__(self, ctx: AppContext, year: int, parent=None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.admin = ctx.master_admin
        self.year = year
        self.reload()

    def set_year(self, year: int) -> None:
        self.year = year
        self.reload()

    def reload(self) -> None:
        self.targets = self.admin.year_targets(self.year)
        self.union_sums: dict[tuple[int, str], int] = {}
        for (p, v, u), t in self.targets.items():
            if u is not None:
                self.union_sums[(p, v)] = self.union_sums.get((p, v), 0) + t
        rows = target_products(self.ctx, self.targets)
        totals = ["合計"] + [
            sum(self.value(r, c) or 0 for r in rows) if c.kind == COUNT else ""
            for c in self.columns[1:]
        ]
        self.set_rows(rows, [totals])

    def key_of(self, row: Product) -> int:
        return row.id

    def value(self, row: Product, col: Col) -> object:
        if col.key == "product":
            return row.name
        if col.key in VERSIONS:
            return self.targets.get((row.id, col.key, None))
        if col.key == "effective":
            if (row.id, "第2次", None) in self.targets:
                return "第2次"
            return "第1次" if (row.id, "第1次", None) in self.targets else ""
        return self.union_sums.get((row.id, col.key[1:]))

    def parse(self, row: Product, col: Col, raw: object) -> object:
        return me.parse_optional_count(raw)

    def field_write(self, key: int, col: Col, value: object) -> FieldWrite:
        return FieldWrite("targets", target_key(self.year, key, col.key, None), "target", value)


@dataclass(frozen=True)
class UnionTargetRow:
    id: int
    union_code: str
    name: str
    active: bool


class UnionTargetModel(MasterTableModel):
    """Rows = the branch's unions, columns = products; one version of one year."""

    def __init__(self, ctx: AppContext, year: int, version: str = "第1次", parent=None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.admin = ctx.master_admin
        self.year, self.version = year, version
        self.columns = []
        self.reload()

    def set_year_version(self, year: int, version: str) -> None:
        self.year, self.version = year, version
        self.reload()

    def reload(self) -> None:
        self.targets = self.admin.year_targets(self.year)
        products = target_products(self.ctx, self.targets)
        columns = [
            Col("union_code", "コード", TEXT, editable=False, width=3),
            Col("name", "単組名", TEXT, editable=False, width=14),
        ]
        columns += [
            Col(f"p{p.id}", p.name, COUNT, width=max(4, min(len(p.name), 7))) for p in products
        ]
        with_targets = {u for (_p, v, u) in self.targets if u is not None and v == self.version}
        unions = [
            UnionTargetRow(u.id, u.union_code, u.name, u.active)
            for u in self.ctx.unions.list(self.ctx.branch)
            if u.active or u.id in with_targets
        ]
        sums = ["単組計", ""] + [
            sum(self.targets.get((int(c.key[1:]), self.version, u.id), 0) for u in unions)
            for c in columns[2:]
        ]
        branch = ["県支部目標", ""] + [
            self.targets.get((int(c.key[1:]), self.version, None)) for c in columns[2:]
        ]
        if [c.key for c in columns] != [c.key for c in self.columns]:
            self.beginResetModel()
            self.columns = columns
            self.rows, self.total_rows = unions, [sums, branch]
            self.endResetModel()
        else:
            self.set_rows(unions, [sums, branch])

    def key_of(self, row: UnionTargetRow) -> int:
        return row.id

    def value(self, row: UnionTargetRow, col: Col) -> object:
        if col.key.startswith("p"):
            return self.targets.get((int(col.key[1:]), self.version, row.id))
        return getattr(row, col.key)

    def parse(self, row: UnionTargetRow, col: Col, raw: object) -> object:
        return me.parse_optional_count(raw)

    def field_write(self, key: int, col: Col, value: object) -> FieldWrite:
        return FieldWrite(
            "targets", target_key(self.year, int(col.key[1:]), self.version, key), "target", value
        )
