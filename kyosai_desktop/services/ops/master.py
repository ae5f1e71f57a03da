"""Operations of the マスタ・設定 screen (and ``kyosai init``): master-data edits and settings.

Each returns the :class:`OpChanges` it made (one commit).  Cell edits of the master tables
are :class:`~kyosai_desktop.services.ops.fields.FieldWrite`\\ s — the field's audit address
and its parsed value — written by :func:`edit` as one step, so a pasted block is all or
nothing and its undo (``ops.replay``) writes through the very same field writers.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from kyosai_desktop.services import master_edit
from kyosai_desktop.services.context import AppContext
from kyosai_desktop.services.ops import fields
from kyosai_desktop.services.ops.changes import OpChanges
from kyosai_desktop.services.ops.core import operation
from kyosai_desktop.store.settings import BRANCH_KEY
from kyosai_desktop.store.unions import Union

MASTER = "master"


def edit(ctx: AppContext, writes: Sequence[fields.FieldWrite], source: str = MASTER) -> OpChanges:
    """Write master-table cells as one edit (all or nothing)."""
    with operation(ctx.conn, source) as op:
        fields.write_all(ctx, writes, source)
    ctx.products.invalidate()
    return op.changes


def set_branch(ctx: AppContext, pref_code: str | None, source: str = MASTER) -> OpChanges:
    """Which branch this database belongs to (None: not chosen yet, as a cancelled setup leaves it)."""
    with operation(ctx.conn, source) as op:
        if pref_code is None:
            ctx.settings.set(BRANCH_KEY, None, source=source)
        else:
            ctx.settings.set_branch(pref_code)
    return op.changes


def set_setting(ctx: AppContext, key: str, value: str | None, source: str = MASTER) -> OpChanges:
    with operation(ctx.conn, source) as op:
        ctx.settings.set(key, value, source=source)
    return op.changes


def set_support_branch(
    ctx: AppContext, pref_code: str, flag: bool, source: str = MASTER
) -> OpChanges:
    with operation(ctx.conn, source) as op:
        ctx.master_admin.set_support_branch(pref_code, flag, source=source)
    return op.changes


def set_org_join_threshold(ctx: AppContext, value: object) -> tuple[Decimal, OpChanges]:
    """組織加入 threshold (%), checked by ``master_edit.parse_percent``."""
    with operation(ctx.conn, MASTER) as op:
        threshold = master_edit.set_org_join_threshold(ctx, value)
    return threshold, op.changes


def add_fiscal_year(ctx: AppContext, year: int) -> tuple[bool, OpChanges]:
    """Add a year with the default start months; False when it exists already."""
    with operation(ctx.conn, MASTER) as op:
        added = ctx.master_admin.add_fiscal_year(year)
    return added, op.changes


def add_union(
    ctx: AppContext, pref_code: str, code: object, name: object, **values: object
) -> tuple[Union, OpChanges]:
    """A new union, checked by ``master_edit.add_union``."""
    with operation(ctx.conn, MASTER) as op:
        union = master_edit.add_union(ctx, pref_code, code, name, **values)
    return union, op.changes
