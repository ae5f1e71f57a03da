"""Undo steps of the monthly entry: one QUndoCommand per clerk edit (a cell, a paste, a Delete).

The edit itself is written before the command is pushed (so a failed write never lands on
the stack); ``redo`` after an undo, and ``undo``, write again through the page's
``replay`` — each one commit, audited with source "redo" / "undo".  ``replay`` gets the
values it expects to find (what this step last wrote) so a cell changed elsewhere in the
meantime is not overwritten silently; when the replay is refused the step is dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from PySide6.QtGui import QUndoCommand

from kyosai_desktop.services.entry import source_label
from kyosai_desktop.store.results import CellChange


class ReplayTarget(Protocol):
    def replay(self, changes: Sequence[CellChange], source: str) -> bool:
        """Write ``new`` of each change where the cell still holds ``old``; False = refused."""
        ...


class CellEditCommand(QUndoCommand):
    """Cells changed by one edit, with their values before (``old``) and after (``new``)."""

    def __init__(self, target: ReplayTarget, changes: Sequence[CellChange], source: str) -> None:
        n = len(changes)
        super().__init__(f"{source_label(source)} ({n}セル)")
        self.target = target
        self.changes = list(changes)
        self.source = source
        self._written = True  # the page wrote the edit before pushing this command

    def redo(self) -> None:
        if self._written:
            self._written = False
            return
        if not self.target.replay(self.changes, "redo"):
            self.setObsolete(True)

    def undo(self) -> None:
        back = [CellChange(c.union_id, c.product_id, c.month, c.old, c.new) for c in self.changes]
        if not self.target.replay(back, "undo"):
            self.setObsolete(True)
