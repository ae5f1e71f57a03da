"""Before the main window: open the database, or offer a way out when it cannot be opened.

:func:`~kyosai_desktop.ui.startup.open_or_recover` opens the database; when that is refused it shows
:class:`StartupRecoveryDialog` with the reason (each cause has its own Japanese message,
store/connection.py) and what can be done about it:

* a damaged file — restore the newest backup that passes ``quick_check``, or one chosen
  from the list or from anywhere (services/restore.restore_file: safety copy first, the stale
  ``-wal``/``-shm`` handled);
* a file in use, read-only or on a full disk — try again once the cause is fixed;
* always — open another database file, or quit.

Another program's SQLite file is never offered for restoring over.  An existing empty
(0-byte) file is made a new database only when the clerk says so.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kyosai_desktop.services.restore import (
    Candidate,
    backup_candidates,
    inspect_backup,
    restore_file,
)
from kyosai_desktop.store.errors import (
    CorruptDatabaseError,
    DiskFullError,
    LockedDatabaseError,
    MigrationError,
    NotADatabaseError,
    ReadOnlyDatabaseError,
    StoreError,
)
from kyosai_desktop.ui.shared import interaction
from kyosai_desktop.ui.startup import open_or_recover  # noqa: F401 - its home until start-up got lighter

RESTORE, OPEN_OTHER, RETRY = "restore", "open_other", "retry"
# Refusals a backup can mend (the file is ours but damaged, or its upgrade failed).
RESTORABLE = (CorruptDatabaseError, NotADatabaseError, MigrationError)
# Refusals that go away once their cause is fixed outside the app.
RETRYABLE = (LockedDatabaseError, ReadOnlyDatabaseError, DiskFullError)
DB_FILTER = "データベース (*.sqlite3 *.db);;すべてのファイル (*)"


def _restorable(error: StoreError) -> bool:
    return isinstance(error, RESTORABLE) or type(error) is StoreError


class StartupRecoveryDialog(QDialog):
    """Why the database did not open, and the ways on: restore, retry, another file, quit."""

    def __init__(self, path: Path, error: StoreError, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.path, self.error = path, error
        self.action: str | None = None
        self.target: Path | None = None
        self.setWindowTitle("データベースを開けません")
        self.setMinimumWidth(640)
        layout = QVBoxLayout(self)
        head = QLabel(f"<b>データベースを開けません</b><br>{path}")
        head.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message = QLabel(str(error))
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(head)
        layout.addWidget(self.message)

        self.candidates: list[Candidate] = backup_candidates(path) if _restorable(error) else []
        self.backup_list = QListWidget()
        self.restore_latest_button = QPushButton("最新の正常なバックアップから復元")
        self.restore_selected_button = QPushButton("選んだバックアップから復元")
        self.choose_button = QPushButton("ファイルを指定して復元…")
        if _restorable(error):
            layout.addWidget(QLabel("backups フォルダのバックアップ (新しい順、検査済み):"))
            for c in self.candidates:
                item = QListWidgetItem(c.label())
                item.setToolTip(str(c.path) if c.ok else f"{c.path}\n{c.problem}")
                if not c.ok:
                    item.setFlags(
                        item.flags() & ~Qt.ItemFlag.ItemIsEnabled & ~Qt.ItemFlag.ItemIsSelectable
                    )
                self.backup_list.addItem(item)
            if not self.candidates:
                self.backup_list.addItem("(バックアップがありません)")
            self.backup_list.setMaximumHeight(160)
            layout.addWidget(self.backup_list)
            note = QLabel(
                "復元する前に、いまのファイルを backups フォルダにコピーします (何も失われません)。"
            )
            note.setWordWrap(True)
            layout.addWidget(note)
            row = QHBoxLayout()
            for b in (self.restore_latest_button, self.restore_selected_button, self.choose_button):
                row.addWidget(b)
            layout.addLayout(row)
        self.restore_latest_button.setEnabled(any(c.ok for c in self.candidates))
        self.restore_selected_button.setEnabled(False)
        self.backup_list.currentRowChanged.connect(self._selection_changed)
        self.restore_latest_button.clicked.connect(self._restore_latest)
        self.restore_selected_button.clicked.connect(self._restore_selected)
        self.choose_button.clicked.connect(self._choose_backup)

        self.retry_button = QPushButton("もう一度開く")
        self.open_other_button = QPushButton("別のファイルを開く…")
        self.quit_button = QPushButton("終了")
        row = QHBoxLayout()
        if isinstance(error, RETRYABLE):
            row.addWidget(self.retry_button)
        row.addStretch(1)
        row.addWidget(self.open_other_button)
        row.addWidget(self.quit_button)
        layout.addLayout(row)
        self.retry_button.clicked.connect(lambda: self._finish(RETRY, None))
        self.open_other_button.clicked.connect(self._open_other)
        self.quit_button.clicked.connect(self.reject)
        default = (
            self.restore_latest_button
            if self.restore_latest_button.isEnabled()
            else self.quit_button
        )
        default.setDefault(True)

    def summary_text(self) -> str:
        return str(self.error)

    def _selection_changed(self, row: int) -> None:
        ok = 0 <= row < len(self.candidates) and self.candidates[row].ok
        self.restore_selected_button.setEnabled(ok)

    def _finish(self, action: str, target: Path | None) -> None:
        self.action, self.target = action, target
        self.accept()

    def _restore_latest(self) -> None:
        good = next((c for c in self.candidates if c.ok), None)
        if good is not None:
            self._finish(RESTORE, good.path)

    def _restore_selected(self) -> None:
        row = self.backup_list.currentRow()
        if 0 <= row < len(self.candidates) and self.candidates[row].ok:
            self._finish(RESTORE, self.candidates[row].path)

    def _choose_backup(self) -> None:
        path = interaction.open_file(self, "復元するバックアップを選択", DB_FILTER)
        if path is not None:
            self._finish(RESTORE, path)

    def _open_other(self) -> None:
        path = interaction.open_file(self, "別のデータベースファイルを開く", DB_FILTER)
        if path is not None:
            self._finish(OPEN_OTHER, path)


def _restore(path: Path, backup: Path) -> bool:
    title = "バックアップから復元"
    try:
        info = inspect_backup(backup, path)
    except StoreError as exc:
        interaction.critical(None, title, f"このファイルからは復元できません。\n{exc}")
        return False
    if not interaction.confirm(
        None,
        title,
        f"{info.describe()}\n\n{path}\nをこのバックアップの内容に置き換えます。"
        "置き換える前に、いまのファイルを backups フォルダにコピーします。よろしいですか？",
    ):
        return False
    try:
        safety = restore_file(path, backup)
    except StoreError as exc:
        interaction.critical(None, title, str(exc))
        return False
    interaction.information(
        None,
        title,
        f"{backup.name} から復元しました。\n"
        f"復元前のファイルは次の場所にコピーしてあります:\n{safety}",
    )
    return True
