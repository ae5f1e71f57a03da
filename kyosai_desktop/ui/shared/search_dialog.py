"""The global search (Ctrl+Shift+F): type part of a name, pick a result, jump to the record.

Results come from ``ctx.search`` (the FTS5 trigram index).  The dialog only finds; the main
window decides where a hit opens (``chosen`` carries the :class:`SearchHit`).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kyosai_desktop.services.context import AppContext
from kyosai_desktop.store.search import SearchHit

LIMIT = 200


class SearchDialog(QDialog):
    chosen = Signal(object)  # SearchHit

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("検索")
        self.edit = QLineEdit()
        self.edit.setPlaceholderText(
            "単組名・コード、見積りの氏名・車名・備考、キャンペーン名 (一部でよい)"
        )
        self.edit.setClearButtonEnabled(True)
        self.results = QListWidget()
        self.results.setObjectName("searchResults")
        self.status = QLabel("")
        layout = QVBoxLayout(self)
        layout.addWidget(self.edit)
        layout.addWidget(self.results, 1)
        layout.addWidget(self.status)
        self._timer = QTimer(self, singleShot=True, interval=150)
        self._timer.timeout.connect(self.run_query)
        self.edit.textChanged.connect(lambda _t: self._timer.start())
        self.edit.returnPressed.connect(self._open_current)
        self.results.itemActivated.connect(lambda item: self._open(item))
        self.resize(640, 480)

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt API
        """↓/↑ in the box move through the results, so the hands stay on the keyboard."""
        if (
            self.edit.hasFocus()
            and event.key() in (Qt.Key.Key_Down, Qt.Key.Key_Up)
            and self.results.count()
        ):
            step = 1 if event.key() == Qt.Key.Key_Down else -1
            row = max(0, min(self.results.count() - 1, self.results.currentRow() + step))
            self.results.setCurrentRow(row)
            return
        super().keyPressEvent(event)

    def start(self, text: str = "") -> None:
        if text:
            self.edit.setText(text)
        self.edit.selectAll()
        self.edit.setFocus()
        self.show()
        self.raise_()
        self.activateWindow()

    def hits(self) -> list[SearchHit]:
        return [
            self.results.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.results.count())
        ]

    def run_query(self) -> None:
        self._timer.stop()
        text = self.edit.text().strip()
        hits = self.ctx.search.search(text, limit=LIMIT + 1) if text else []
        self.results.clear()
        for hit in hits[:LIMIT]:
            item = QListWidgetItem(f"［{hit.kind_label}］ {hit.title}　　{hit.detail}")
            item.setData(Qt.ItemDataRole.UserRole, hit)
            item.setToolTip(f"{hit.title}\n{hit.detail}")
            self.results.addItem(item)
        if hits:
            self.results.setCurrentRow(0)
        if not text:
            self.status.setText("")
        elif not hits:
            self.status.setText("見つかりませんでした。")
        else:
            more = (
                f" (先頭の {LIMIT} 件。語を足して絞り込んでください)" if len(hits) > LIMIT else ""
            )
            self.status.setText(f"{min(len(hits), LIMIT)} 件{more}。Enter でその画面を開きます。")

    def _open_current(self) -> None:
        if self._timer.isActive():
            self.run_query()
        item = self.results.currentItem()
        if item is not None:
            self._open(item)

    def _open(self, item: QListWidgetItem) -> None:
        self.chosen.emit(item.data(Qt.ItemDataRole.UserRole))
        self.hide()
