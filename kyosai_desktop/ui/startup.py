"""Opening the database at start-up, with the way out when it cannot be opened.

:func:`open_or_recover` opens the database; on a refusal it shows the start-up recovery
dialog (``ui/startup_recovery.py``: the reason, restore a backup, try again, another file
or quit).  The dialog's module is imported only then: defining its QDialog costs about
20 ms, a sixth of a bare window's start (tests/bench_foundation.py).
"""

from __future__ import annotations

from pathlib import Path

from kyosai_desktop.services.context import AppContext, open_context
from kyosai_desktop.store.errors import EmptyDatabaseFileError, StoreError
from kyosai_desktop.ui.shared import interaction


def open_or_recover(path: Path, *, check_later: bool = False) -> AppContext | None:
    """Open ``path``; on refusal offer restore / retry / another file / quit. None = quit.

    ``check_later``: see ``open_context`` (the caller confirms with ``ctx.db.confirm_intact()``).
    """
    allow_empty = False
    while True:
        try:
            return open_context(path, allow_empty=allow_empty, check_later=check_later)
        except EmptyDatabaseFileError as exc:
            if interaction.confirm(
                None,
                "空のファイル",
                f"{path}\nは空のファイル (0 バイト) です。"
                "このファイルを新しいデータベースとして使いますか？\n"
                "(「いいえ」を選ぶと、別のファイルを開くか終了できます)",
            ):
                allow_empty = True
                continue
            error: StoreError = exc
        except StoreError as exc:
            error = exc
        from kyosai_desktop.ui.startup_recovery import (
            OPEN_OTHER,
            RESTORE,
            StartupRecoveryDialog,
            _restore,
        )

        dialog = StartupRecoveryDialog(path, error)
        accepted = interaction.exec_dialog(dialog)
        action, target = dialog.action, dialog.target
        dialog.deleteLater()
        if not accepted or action is None:
            return None
        if action == OPEN_OTHER and target is not None:
            path, allow_empty = target, False
        elif action == RESTORE and target is not None:
            _restore(path, target)
