"""The monthly entry's one operation: write result cells (typed, pasted, cleared)."""

from __future__ import annotations

from collections.abc import Sequence

from kyosai_desktop.services.context import AppContext
from kyosai_desktop.services.ops.changes import OpChanges
from kyosai_desktop.services.ops.core import operation
from kyosai_desktop.store.results import CellChange


def write_cells(ctx: AppContext, changes: Sequence[CellChange], source: str) -> OpChanges:
    """Write the cells' ``new`` values as one edit (one commit, audited with ``source``).

    Cells already holding their value are skipped; the returned rows are the cells that
    changed, old → new.
    """
    with operation(ctx.conn, source) as op:
        ctx.results.apply(changes, source=source)
    return op.changes


def cells(changes: OpChanges) -> list[CellChange]:
    """The result cells of a change set as ``CellChange`` (new, old)."""
    out = []
    for row in changes.rows_of("results"):
        union_id, product_id, month = row.key.split(":")
        out.append(CellChange(int(union_id), int(product_id), month, row.new, row.old))  # type: ignore[arg-type]
    return out
