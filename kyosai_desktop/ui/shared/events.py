"""One "data changed" signal after writes, so every screen refreshes itself.

The bus carries a :class:`ChangeEvent`: the typed change set an operation returned
(``services.ops.OpChanges``: its kinds and rows) and who made it (``origin``, the page or
widget that wrote).  A page that has already shown its own write skips events whose origin
is itself — no echo flags.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from kyosai_desktop.services.ops import ChangeKind, OpChanges


@dataclass(frozen=True)
class ChangeEvent:
    changes: OpChanges
    origin: object = None

    @property
    def kinds(self) -> frozenset[ChangeKind]:
        return self.changes.kinds

    def touches(self, *kinds: ChangeKind) -> bool:
        return self.changes.touches(*kinds)

    def merged(self, other: ChangeEvent) -> ChangeEvent:
        """Two events as one (a hidden page catching up); the origin is kept only if shared."""
        origin = self.origin if self.origin is other.origin else None
        return ChangeEvent(self.changes.merged(other.changes), origin)


def event(*kinds: ChangeKind, origin: object = None) -> ChangeEvent:
    """An event known only by its kinds (an import, a restored database)."""
    return ChangeEvent(OpChanges.of(*kinds), origin)


class DataBus(QObject):
    changed = Signal(object)  # ChangeEvent

    def announce(self, changes: OpChanges, origin: object = None) -> None:
        """Tell every screen what ``origin`` changed (nothing when the change set is empty)."""
        if not changes.empty:
            self.changed.emit(ChangeEvent(changes, origin))
