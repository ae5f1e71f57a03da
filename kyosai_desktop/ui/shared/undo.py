"""The one undo command: a QUndoCommand that replays an operation's change set.

Every undoable edit of the application — an entry cell or paste, a master-table edit, an
estimate or a campaign — is an operation (``services/ops``) that returns its
:class:`OpChanges`; the page pushes a :class:`ChangeCommand` holding them.  The operation
has already written when the command is pushed (a refused write never reaches the stack,
and an exception cannot cross Qt's C++ ``push``), so the first ``redo`` is skipped.  Undo
writes the old values back and redo the new ones, through ``ops.replay`` — each one
commit, audited "undo" / "redo" — after checking that every field still holds what this
step wrote.  When one does not, the page's :class:`ReplayHost` asks the clerk; if the clerk
declines (or the replay fails) the step is dropped from the stack.
"""

from __future__ import annotations

import sqlite3
from typing import Protocol

from PySide6.QtGui import QUndoCommand

from kyosai_desktop.services.context import AppContext
from kyosai_desktop.services.ops import OpChanges
from kyosai_desktop.services.ops.replay import Conflict, ReplayRefused, replay
from kyosai_desktop.store.errors import StoreError

UNDO_LABEL, REDO_LABEL = "元に戻す", "やり直し"
REPLAY_ERRORS = (ValueError, KeyError, sqlite3.Error, StoreError)


class ReplayHost(Protocol):
    def confirm_overwrite(self, conflicts: list[Conflict], action: str) -> bool:
        """Fields changed since this step: may the replay overwrite them?  (``action``: 元に戻す / やり直し)"""
        ...

    def replayed(self, changes: OpChanges, action: str) -> None:
        """Show what the undo / redo wrote and announce it."""
        ...

    def replay_failed(self, message: str, action: str) -> None:
        """The step could not be replayed (declined or refused); it leaves the stack."""
        ...


class ChangeCommand(QUndoCommand):
    def __init__(self, ctx: AppContext, changes: OpChanges, text: str, host: ReplayHost) -> None:
        super().__init__(text)
        self.ctx = ctx
        self.changes = changes
        self.host = host
        self._written = True  # the operation wrote before this command was pushed

    def redo(self) -> None:
        if self._written:
            self._written = False
            return
        self._replay(undo=False)

    def undo(self) -> None:
        self._replay(undo=True)

    def _replay(self, *, undo: bool) -> None:
        action = UNDO_LABEL if undo else REDO_LABEL
        try:
            try:
                done = replay(self.ctx, self.changes, undo=undo)
            except ReplayRefused as refused:
                if not self.host.confirm_overwrite(refused.conflicts, action):
                    self.setObsolete(True)
                    self.host.replay_failed(
                        f"{action}を取りやめました (この操作は履歴から外しました)。", action
                    )
                    return
                done = replay(self.ctx, self.changes, undo=undo, force=True)
        except REPLAY_ERRORS as exc:
            self.setObsolete(True)
            self.host.replay_failed(
                f"{action}できませんでした (この操作は履歴から外しました): {exc}", action
            )
            return
        self.host.replayed(done, action)


def describe_conflicts(conflicts: list[Conflict], name, action: str) -> str:
    """The question asked before overwriting: each changed field, what it holds now and what
    this step left there (``name(row)`` names the field for the clerk)."""
    lines = [
        f"・{name(c.row)}: この操作のあとで変更されています"
        if _is_record(c.current) or _is_record(c.expected)
        else f"・{name(c.row)}: 現在 {_fmt(c.current)} (この操作の値 {_fmt(c.expected)})"
        for c in conflicts[:10]
    ]
    more = f"\nほか {len(conflicts) - 10}か所" if len(conflicts) > 10 else ""
    return (
        "次の欄はこの操作のあとで別の操作 (取込など) により変更されています。\n"
        + "\n".join(lines)
        + more
        + f"\n\n上書きして{action}を行いますか?"
    )


def _is_record(value: object) -> bool:
    return hasattr(value, "__dataclass_fields__")


def _fmt(value: object) -> str:
    if value is None:
        return "(空欄)"
    if isinstance(value, bool):
        return "○" if value else "×"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)
