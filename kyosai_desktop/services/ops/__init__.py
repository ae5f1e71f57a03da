"""Operations: every user action that changes data, Qt-free, used by the GUI and the CLI.

* ``changes`` — :class:`OpChanges` / :class:`ChangeKind`, what an operation changed;
* ``core`` — :func:`operation`, the one transaction + audit collection frame;
* ``entry``, ``master``, ``estimates`` — the operations of each screen;
* ``replay`` — undo / redo of an ``OpChanges`` with the "still holds what it wrote" check.
"""

from kyosai_desktop.services.ops.changes import ALL_KINDS, ChangeKind, OpChanges
from kyosai_desktop.services.ops.core import Op, operation

__all__ = ["ALL_KINDS", "ChangeKind", "Op", "OpChanges", "operation"]
