"""Every field an operation can set, addressed like its audit row: (table, record key, field).

``read`` gives the field's current typed value, ``write`` sets it through the audited
repository (one savepoint in the caller's operation).  A whole-record field ("*") reads
the record itself (None when absent); writing a record puts it back, writing None deletes
it.  The master edits (``ops.master.edit``) and every undo / redo (``ops.replay``) write
through here, so a field is written the same way whoever asks.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from kyosai_desktop.services.context import AppContext
from kyosai_desktop.store.audit import WHOLE_RECORD
from kyosai_desktop.store.results import CellChange


class NotReplayable(ValueError):
    """A change no operation can write back (an import's bulk rows, a new union)."""


@dataclass(frozen=True)
class FieldWrite:
    """Set ``field`` of record ``key`` of ``table`` to ``value`` (the audit row's address)."""

    table: str
    key: str
    field: str
    value: object


Reader = Callable[[AppContext, str, str], object]
Writer = Callable[[AppContext, str, str, object, str], None]


def _ids(key: str) -> list[str]:
    return key.split(":")


# ---------------------------------------------------------------- results
def _result_cell(key: str) -> tuple[int, int, str]:
    union_id, product_id, month = _ids(key)
    return int(union_id), int(product_id), month


def _read_result(ctx: AppContext, key: str, field: str) -> object:
    return ctx.results.get(*_result_cell(key))


def write_results(ctx: AppContext, writes: Sequence[FieldWrite], source: str) -> None:
    """Several cells at once (one read and one bulk write, not one savepoint per cell)."""
    ctx.results.apply([CellChange(*_result_cell(w.key), w.value) for w in writes], source=source)  # type: ignore[arg-type]


# ---------------------------------------------------------------- master data
def _read_union(ctx: AppContext, key: str, field: str) -> object:
    union = ctx.unions.get(int(key))
    if union is None or field == WHOLE_RECORD:
        raise NotReplayable("単組の追加は元に戻せません。")
    return getattr(union, field)


def _write_union(ctx: AppContext, key: str, field: str, value: object, source: str) -> None:
    ctx.unions.update(int(key), source=source, **{field: value})


def _read_product(ctx: AppContext, key: str, field: str) -> object:
    ctx.products.invalidate()
    return getattr(ctx.products.by_id(int(key)), field)


def _write_product(ctx: AppContext, key: str, field: str, value: object, source: str) -> None:
    ctx.products.update(int(key), source=source, **{field: value})


def start_months_value(start_month: int, model_start_month: int) -> str:
    """The value of a year's "start_months" field, as its audit row shows it: "6/5"."""
    return f"{start_month}/{model_start_month}"


def _read_year(ctx: AppContext, key: str, field: str) -> object:
    row = next((r for r in ctx.master_admin.fiscal_years() if r[0] == int(key)), None)
    if field == "label":
        return None if row is None else row[1]
    if field == "start_months":
        return None if row is None else start_months_value(row[2], row[3])
    raise NotReplayable("年度の追加は元に戻せません。")


def _write_year(ctx: AppContext, key: str, field: str, value: object, source: str) -> None:
    if field == "label":
        ctx.master_admin.set_fiscal_year_label(int(key), str(value), source=source)
        return
    start, model_start = (int(v) for v in str(value).split("/"))
    ctx.fiscal_years.set_start_months(int(key), start, model_start, source=source)


def target_key(fiscal_year: int, product_id: int, version: str, union_id: int | None) -> str:
    return f"{fiscal_year}:{product_id}:{version}:{union_id or ''}"


def _target(key: str) -> tuple[int, int, str, int | None]:
    year, product_id, version, union_id = _ids(key)
    return int(year), int(product_id), version, int(union_id) if union_id else None


def _read_target(ctx: AppContext, key: str, field: str) -> object:
    return ctx.targets.get(*_target(key))


def _write_target(ctx: AppContext, key: str, field: str, value: object, source: str) -> None:
    year, product_id, version, union_id = _target(key)
    ctx.fiscal_years.ensure(year)
    ctx.targets.set(year, product_id, version, value, union_id, source=source)  # type: ignore[arg-type]


def _read_setting(ctx: AppContext, key: str, field: str) -> object:
    return ctx.settings.get(key)


def _write_setting(ctx: AppContext, key: str, field: str, value: object, source: str) -> None:
    ctx.settings.set(key, None if value is None else str(value), source=source)


def _read_prefecture(ctx: AppContext, key: str, field: str) -> object:
    return ctx.master_admin.support_branch(key)


def _write_prefecture(ctx: AppContext, key: str, field: str, value: object, source: str) -> None:
    ctx.master_admin.set_support_branch(key, bool(value), source=source)


# ---------------------------------------------------------------- estimates and campaigns
# (their store modules are imported on use: the entry page, which replays through this
# module, opens at start-up without them — tests/bench_foundation.py)
def _read_estimate(ctx: AppContext, key: str, field: str) -> object:
    estimate = ctx.estimates.get(int(key))
    if field == WHOLE_RECORD:
        return estimate
    if estimate is None:
        raise KeyError(f"見積り {key} はありません。")
    return getattr(estimate, field)


def _write_estimate(ctx: AppContext, key: str, field: str, value: object, source: str) -> None:
    if field != WHOLE_RECORD:
        ctx.estimates.update(int(key), source=source, **{field: value})
    elif value is None:
        ctx.estimates.delete(int(key), source=source)
    else:
        from kyosai_desktop.store.estimates import Estimate

        assert isinstance(value, Estimate)
        ctx.estimates.restore(value, source=source)


def _read_campaign(ctx: AppContext, key: str, field: str) -> object:
    campaign = ctx.campaigns.get(int(key))
    if field == WHOLE_RECORD:
        return campaign
    if campaign is None:
        raise KeyError(f"キャンペーン {key} はありません。")
    return getattr(campaign, field)


def _write_campaign(ctx: AppContext, key: str, field: str, value: object, source: str) -> None:
    if field != WHOLE_RECORD:
        ctx.campaigns.update(int(key), source=source, **{field: value})
    elif value is None:
        ctx.campaigns.delete(int(key), source=source)
    else:
        from kyosai_desktop.store.estimate_campaigns import Campaign

        assert isinstance(value, Campaign)
        ctx.campaigns.restore(value, source=source)


def _read_joined(ctx: AppContext, key: str, field: str) -> object:
    from kyosai_desktop.store.estimate_campaigns import JOINED

    campaign_id, union_id = (int(v) for v in _ids(key))
    row = ctx.conn.execute(
        "SELECT 1 FROM estimate_campaign_unions WHERE campaign_id = ? AND union_id = ?",
        (campaign_id, union_id),
    ).fetchone()
    return JOINED if row else None


def _write_joined(ctx: AppContext, key: str, field: str, value: object, source: str) -> None:
    campaign_id, union_id = (int(v) for v in _ids(key))
    if value is None:
        ctx.campaigns.remove_union(campaign_id, union_id, source=source)
    else:
        ctx.campaigns.add_unions(campaign_id, [union_id], source=source)


FIELDS: dict[str, tuple[Reader, Writer]] = {
    "unions": (_read_union, _write_union),
    "products": (_read_product, _write_product),
    "fiscal_years": (_read_year, _write_year),
    "targets": (_read_target, _write_target),
    "settings": (_read_setting, _write_setting),
    "prefectures": (_read_prefecture, _write_prefecture),
    "estimates": (_read_estimate, _write_estimate),
    "estimate_campaigns": (_read_campaign, _write_campaign),
    "estimate_campaign_unions": (_read_joined, _write_joined),
}


def read(ctx: AppContext, table: str, key: str, field: str) -> object:
    if table == "results":
        return _read_result(ctx, key, field)
    if table not in FIELDS:
        raise NotReplayable(f"「{table}」の変更 (取り込みなど) は元に戻せません。")
    return FIELDS[table][0](ctx, key, field)


def write_all(ctx: AppContext, writes: Sequence[FieldWrite], source: str) -> None:
    """Write in order, inside the caller's operation; runs of result cells go in one bulk write."""
    i = 0
    while i < len(writes):
        w = writes[i]
        if w.table == "results":
            j = i
            while j < len(writes) and writes[j].table == "results":
                j += 1
            write_results(ctx, writes[i:j], source)
            i = j
            continue
        if w.table not in FIELDS:
            raise NotReplayable(f"「{w.table}」の変更 (取り込みなど) は元に戻せません。")
        FIELDS[w.table][1](ctx, w.key, w.field, w.value, source)
        i += 1
