"""Undoable estimate edits (QUndoCommand): add, edit, status step, delete.

Each command has already been applied when it is pushed (the page performs the write
first, so a refused write never reaches the stack); ``redo`` re-applies it after an undo.
Undo and redo write through the repository like any edit — audited with source
``undo`` / ``redo``, one commit per step however many estimates it touches — and announce
the change on the data bus.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QUndoCommand

from kyosai_desktop.store.estimates import EDITABLE, Estimate, EstimateRepository
from kyosai_desktop.store.tx import transaction

Notify = Callable[[], None]


def _fields(e: Estimate) -> dict[str, object]:
    return {k: getattr(e, k) for k in EDITABLE}


class _Applied(QUndoCommand):
    def __init__(self, text: str, repo: EstimateRepository, notify: Notify) -> None:
        super().__init__(text)
        self.repo = repo
        self.notify = notify
        self._first = True

    def redo(self) -> None:
        if self._first:
            self._first = False
            return
        self.apply()
        self.notify()

    def undo(self) -> None:
        self.revert()
        self.notify()

    def apply(self) -> None:
        raise NotImplementedError

    def revert(self) -> None:
        raise NotImplementedError


class AddEstimate(_Applied):
    def __init__(self, repo: EstimateRepository, added: Estimate, notify: Notify) -> None:
        super().__init__(f"見積りの追加 (No.{added.seq} {added.name or ''})", repo, notify)
        self.added = added

    def apply(self) -> None:
        self.repo.restore(self.added, source="redo")

    def revert(self) -> None:
        self.repo.delete(self.added.id, source="undo")


class EditEstimates(_Applied):
    """Field changes of one or more estimates (the form, or a status step on a selection)."""

    def __init__(self, text: str, repo: EstimateRepository, before: list[Estimate], after: list[Estimate],
                 notify: Notify) -> None:
        super().__init__(text, repo, notify)
        self.before = before
        self.after = after

    def _write(self, states: list[Estimate], source: str) -> None:
        with transaction(self.repo.conn):   # one commit, all or nothing
            for e in states:
                self.repo.update(e.id, source=source, **_fields(e))

    def apply(self) -> None:
        self._write(self.after, "redo")

    def revert(self) -> None:
        self._write(self.before, "undo")


class DeleteEstimates(_Applied):
    def __init__(self, repo: EstimateRepository, deleted: list[Estimate], notify: Notify) -> None:
        super().__init__(f"見積りの削除 ({len(deleted)} 件)", repo, notify)
        self.deleted = deleted

    def apply(self) -> None:
        with transaction(self.repo.conn):
            for e in self.deleted:
                self.repo.delete(e.id, source="redo")

    def revert(self) -> None:
        with transaction(self.repo.conn):
            for e in self.deleted:
                self.repo.restore(e, source="undo")
