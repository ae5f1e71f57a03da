"""The frame of every operation: one transaction, its audit rows collected, typed changes out.

::

    with operation(ctx.conn, "master") as op:
        ctx.unions.update(union_id, source="master", name="…")
    op.changes          # OpChanges: kinds {UNIONS}, the rows old → new

Repository writes nest inside as SAVEPOINTs, so an operation that makes several writes is
still one commit, all or nothing.  With ``dry_run=`` it is an import's all-or-nothing
transaction instead (a dry run rolls back and still reports what it would have changed).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from kyosai_desktop.services.ops.changes import ChangeKind, OpChanges
from kyosai_desktop.store import audit
from kyosai_desktop.store.tx import all_or_nothing, transaction


class Op:
    """What an ``operation`` block produced: ``changes`` is set when the block commits."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.changes = OpChanges(source=source)
        self.extra: set[ChangeKind] = set()

    def also(self, *kinds: ChangeKind) -> None:
        """Kinds to announce beyond those of the audited rows."""
        self.extra.update(kinds)


@contextmanager
def operation(
    conn: sqlite3.Connection,
    source: str,
    *,
    dry_run: bool | None = None,
    extra: Iterable[ChangeKind] = (),
) -> Iterator[Op]:
    op = Op(source)
    op.extra.update(extra)
    frame = transaction(conn) if dry_run is None else all_or_nothing(conn, dry_run=dry_run)
    with audit.collecting(conn) as rows, frame:
        yield op
    op.changes = OpChanges.from_rows(rows, source, op.extra)
