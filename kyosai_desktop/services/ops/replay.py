"""Undo and redo of any operation's :class:`OpChanges` (after git-cola's ``Command.do/undo``).

``replay(ctx, changes, undo=True)`` writes each row's ``old`` value back (newest row first);
``undo=False`` writes the ``new`` values again.  Before writing, every field must still hold
what this step left there (``new`` for an undo, ``old`` for a redo): a field changed since
by another edit or an import is a :class:`Conflict`, and the replay is refused as a whole
(:class:`ReplayRefused`, nothing written) unless the caller passes ``force=True`` after
asking the clerk.  A whole-record row (a created or deleted estimate or campaign) stands
for its record: the record's own field rows in the same change set are not replayed.
The replay is one operation (one commit, audited as "undo" / "redo") and returns its own
``OpChanges``.
"""

from __future__ import annotations

from dataclasses import dataclass

from kyosai_desktop.services.context import AppContext
from kyosai_desktop.services.ops import fields
from kyosai_desktop.services.ops.changes import OpChanges
from kyosai_desktop.services.ops.core import operation
from kyosai_desktop.store.audit import WHOLE_RECORD, AuditRow

UNDO, REDO = "undo", "redo"


@dataclass(frozen=True)
class Conflict:
    """A field that no longer holds what the step wrote: ``expected`` by the step, ``current`` now."""

    row: AuditRow
    expected: object
    current: object


class ReplayRefused(Exception):
    def __init__(self, conflicts: list[Conflict]) -> None:
        super().__init__(f"{len(conflicts)} か所がこの操作のあとで変更されています。")
        self.conflicts = conflicts


def steps(changes: OpChanges, *, undo: bool) -> list[AuditRow]:
    """The rows to write, in writing order (field rows of a created/deleted record dropped)."""
    whole = {(r.table, r.key) for r in changes.rows if r.field == WHOLE_RECORD}
    rows = [r for r in changes.rows if r.field == WHOLE_RECORD or (r.table, r.key) not in whole]
    return list(reversed(rows)) if undo else rows


def conflicts(ctx: AppContext, changes: OpChanges, *, undo: bool) -> list[Conflict]:
    out: list[Conflict] = []
    seen: set[tuple[str, str, str]] = set()
    for row in steps(changes, undo=undo):
        address = (row.table, row.key, row.field)
        if address in seen:  # an earlier step of this replay already checked (and rewrites) it
            continue
        seen.add(address)
        expected = row.new if undo else row.old
        current = fields.read(ctx, row.table, row.key, row.field)
        if current != expected:
            out.append(Conflict(row, expected, current))
    return out


def replay(ctx: AppContext, changes: OpChanges, *, undo: bool, force: bool = False) -> OpChanges:
    """Write the step back (undo) or again (redo) as one operation; see the module docstring."""
    source = UNDO if undo else REDO
    writes = [
        fields.FieldWrite(r.table, r.key, r.field, r.old if undo else r.new)
        for r in steps(changes, undo=undo)
    ]
    with operation(ctx.conn, source) as op:
        if not force:
            found = conflicts(ctx, changes, undo=undo)
            if found:
                raise ReplayRefused(found)
        fields.write_all(ctx, writes, source)
    return op.changes
