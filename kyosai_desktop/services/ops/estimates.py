"""Operations of the 見積りキャンペーン screen: estimates and campaigns.

Each is one commit and returns what it changed as :class:`OpChanges`, so every one of
them — a campaign's creation, edit and deletion included — can be undone by
``ops.replay``.  A campaign's deletion first takes its participating unions off (audited),
so that its undo puts them back too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from kyosai_desktop.domain.estimates import default_role
from kyosai_desktop.services.context import AppContext
from kyosai_desktop.services.estimate_privacy import (
    Anonymised,
    anonymise_and_verify,
    anonymise_campaign,
)
from kyosai_desktop.services.ops.changes import ChangeKind, OpChanges
from kyosai_desktop.services.ops.core import operation
from kyosai_desktop.store import audit
from kyosai_desktop.store.audit import WHOLE_RECORD
from kyosai_desktop.store.estimate_campaigns import Campaign
from kyosai_desktop.store.estimates import Estimate

SOURCE = "estimates"
# Above this many estimates written (an import, anonymising), screens read everything again:
# one read is quicker than as many reads by id.
FEW_ESTIMATES = 200


# ---------------------------------------------------------------- estimates
def add_estimate(
    ctx: AppContext, campaign_id: int, union_id: int, values: Mapping[str, object]
) -> tuple[Estimate, OpChanges]:
    """One estimate (No. = next free unless given; role = the campaign kind's default unless given)."""
    values = dict(values)
    if values.get("role") is None:
        campaign = ctx.campaigns.get(campaign_id)
        if campaign is not None:
            values["role"] = default_role(campaign.kind)
    with operation(ctx.conn, SOURCE) as op:
        added = ctx.estimates.add(campaign_id, union_id, source=SOURCE, **values)
    return added, op.changes


def edit_estimate(ctx: AppContext, estimate_id: int, values: Mapping[str, object]) -> OpChanges:
    with operation(ctx.conn, SOURCE) as op:
        ctx.estimates.update(estimate_id, source=SOURCE, **values)
    return op.changes


def set_status(
    ctx: AppContext, estimate_ids: Sequence[int], status: str, on: str | None
) -> OpChanges:
    """The same status step (dated ``on``) for several estimates, as one edit."""
    with operation(ctx.conn, SOURCE) as op:
        ctx.estimates.set_status_many(estimate_ids, status, on, source=SOURCE)
    return op.changes


def delete_estimates(ctx: AppContext, estimate_ids: Sequence[int]) -> OpChanges:
    with operation(ctx.conn, SOURCE) as op:
        for estimate_id in estimate_ids:
            ctx.estimates.delete(estimate_id, source=SOURCE)
    return op.changes


# ---------------------------------------------------------------- campaigns
def add_campaign(
    ctx: AppContext, values: Mapping[str, object], union_ids: Sequence[int]
) -> tuple[Campaign, OpChanges]:
    """A campaign (``values``: name, kind, period_from, period_to, product_id, note) and its unions."""
    values = dict(values)
    name, kind = str(values.pop("name", "")), str(values.pop("kind", "その他"))
    with operation(ctx.conn, SOURCE) as op:
        campaign = ctx.campaigns.add(name, kind, source=SOURCE, **values)  # type: ignore[arg-type]
        ctx.campaigns.add_unions(campaign.id, union_ids, source=SOURCE)
    return campaign, op.changes


def edit_campaign(
    ctx: AppContext, campaign_id: int, values: Mapping[str, object], union_ids: Sequence[int]
) -> OpChanges:
    """The campaign's fields and its participating unions, all of the form or nothing."""
    with operation(ctx.conn, SOURCE) as op:
        ctx.campaigns.update(campaign_id, source=SOURCE, **values)
        current = ctx.campaigns.union_ids(campaign_id)
        wanted = set(union_ids)
        ctx.campaigns.add_unions(
            campaign_id, [u for u in union_ids if u not in set(current)], source=SOURCE
        )
        for union_id in current:
            if union_id not in wanted:
                ctx.campaigns.remove_union(campaign_id, union_id, source=SOURCE)
    return op.changes


def delete_campaign(ctx: AppContext, campaign_id: int) -> OpChanges:
    """A campaign without estimates (one with estimates is refused), its unions first."""
    with operation(ctx.conn, SOURCE) as op:
        n = ctx.estimates.count(campaign_id)
        if n:
            raise ValueError(f"このキャンペーンには見積りが {n} 件あるため削除できません。")
        for union_id in ctx.campaigns.union_ids(campaign_id):
            ctx.campaigns.remove_union(campaign_id, union_id, source=SOURCE)
        ctx.campaigns.delete(campaign_id, source=SOURCE)
    return op.changes


def anonymise(
    ctx: AppContext, campaign_id: int, *, today: date | None = None
) -> tuple[int, OpChanges]:
    """Clear a finished campaign's personal data (``services.estimate_privacy``); the number of
    estimates and the changes.  Not undoable, by design: its own transaction is followed by a
    WAL checkpoint, so it runs outside an ``operation`` frame and only collects its audit row."""
    with audit.collecting(ctx.conn) as rows:
        n = anonymise_campaign(ctx, campaign_id, today=today)
    return n, OpChanges.from_rows(rows, "anonymise", extra=(ChangeKind.ESTIMATES,))


def anonymise_verified(
    ctx: AppContext, campaign_id: int, *, today: date | None = None
) -> tuple[Anonymised, OpChanges]:
    """:func:`anonymise`, then the check that the names are gone from the files and backups
    (``services.privacy_check``); the result carries the report and can run the check again."""
    with audit.collecting(ctx.conn) as rows:
        done = anonymise_and_verify(ctx, campaign_id, today=today)
    return done, OpChanges.from_rows(rows, "anonymise", extra=(ChangeKind.ESTIMATES,))


# ---------------------------------------------------------------- what a change wrote
def written_estimates(ctx: AppContext, changes: OpChanges) -> dict[int, Estimate | None] | None:
    """The estimates ``changes`` wrote, read again by id (None: no longer there) — or None
    when the change is more than a few estimates (other kinds of data, kinds beyond its rows,
    no rows, or more than :data:`FEW_ESTIMATES`): then what was read must be read again."""
    keys = changes.records("estimates")
    if (
        not changes.complete
        or changes.kinds - {ChangeKind.ESTIMATES}
        or not keys
        or len(keys) > FEW_ESTIMATES
        or not all(k.isdigit() for k in keys)  # e.g. a compact row of a bulk import
    ):
        return None
    return {int(k): ctx.estimates.get(int(k)) for k in keys}


def unions_written(
    changes: OpChanges, written: Mapping[int, Estimate | None], campaign_id: int
) -> set[int] | None:
    """The unions of ``campaign_id`` whose estimates ``written`` (from
    :func:`written_estimates`) are — an estimate's union never changes, and a deleted one is
    the whole-record row's old value — or None when one of them cannot be placed."""
    gone: dict[int, Estimate] = {}
    for r in changes.rows:
        if r.table == "estimates" and r.field == WHOLE_RECORD:
            for record in (r.old, r.new):
                if isinstance(record, Estimate):
                    gone[int(r.key)] = record
    out: set[int] = set()
    for estimate_id, now in written.items():
        record = now if now is not None else gone.get(estimate_id)
        if record is None:
            return None
        if record.campaign_id == campaign_id:
            out.add(record.union_id)
    return out
