"""The user guide inside the app: Japanese HTML pages under ``resources/help``, offline.

F1 opens it on the page for the screen in front (``topic_for_page``); the contents list on
the left reaches every page, links between pages work, 戻る/進む walk the history.  One
guide window per main window: F1 again brings it to the front on the new topic.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from kyosai_desktop.paths import resources_dir

# The guide's pages in the order of the contents list: (file stem, title).
TOPICS: list[tuple[str, str]] = [
    ("index", "はじめに"),
    ("first_start", "初めて使うとき"),
    ("entry", "月次入力 (毎月の入力)"),
    ("progress", "県支部実績"),
    ("model_unions", "本部の加入拡大モデル単組シート"),
    ("union_visits", "単組訪問 (単組進捗シート)"),
    ("estimates", "見積りキャンペーン"),
    ("master", "マスタ・設定"),
    ("search", "検索"),
    ("exchange", "ノートパソコンとのやり取り"),
    ("backups", "バックアップと復元"),
    ("shortcuts", "キー操作の一覧"),
]

# Main-window page key -> the guide page F1 opens for it.
PAGE_TOPICS = {
    "entry": "entry",
    "progress": "progress",
    "model_unions": "model_unions",
    "estimates": "estimates",
    "master": "master",
}


def help_dir() -> Path:
    return resources_dir() / "help"


def topic_path(topic: str) -> Path:
    return help_dir() / f"{topic}.html"


def topic_for_page(page_key: str | None) -> str:
    return PAGE_TOPICS.get(page_key or "", "index")


class HelpWindow(QDialog):
    """Contents on the left, the page on the right; not modal, so the clerk can keep working."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("使い方ガイド")
        self.setWindowFlag(Qt.WindowType.Window, True)
        self.setModal(False)
        self.contents = QListWidget()
        self.contents.setObjectName("helpContents")
        self.contents.setSpacing(2)
        for stem, title in TOPICS:
            item = QListWidgetItem(title)
            item.setData(Qt.ItemDataRole.UserRole, stem)
            self.contents.addItem(item)
        self.browser = QTextBrowser()
        self.browser.setObjectName("helpBrowser")
        self.browser.setOpenExternalLinks(False)
        self.browser.setSearchPaths([str(help_dir())])
        self.back_button = QPushButton("◀ 戻る")
        self.forward_button = QPushButton("進む ▶")
        self.home_button = QPushButton("目次")
        self.back_button.setShortcut(QKeySequence(QKeySequence.StandardKey.Back))
        self.forward_button.setShortcut(QKeySequence(QKeySequence.StandardKey.Forward))
        self.back_button.clicked.connect(self.browser.backward)
        self.forward_button.clicked.connect(self.browser.forward)
        self.home_button.clicked.connect(lambda: self.show_topic("index"))
        self.browser.backwardAvailable.connect(self.back_button.setEnabled)
        self.browser.forwardAvailable.connect(self.forward_button.setEnabled)
        self.back_button.setEnabled(False)
        self.forward_button.setEnabled(False)
        self.browser.sourceChanged.connect(self._source_changed)
        self.contents.currentItemChanged.connect(self._contents_clicked)

        buttons = QHBoxLayout()
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.forward_button)
        buttons.addWidget(self.home_button)
        buttons.addStretch(1)
        close = QPushButton("閉じる")
        close.clicked.connect(self.close)
        buttons.addWidget(close)
        splitter = QSplitter()
        splitter.addWidget(self.contents)
        splitter.addWidget(self.browser)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([200, 700])
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(splitter, 1)
        self.resize(960, 640)

    def topic(self) -> str:
        """The stem of the page shown (``entry`` for entry.html)."""
        return Path(self.browser.source().toLocalFile()).stem

    def show_topic(self, topic: str) -> None:
        path = topic_path(topic)
        if not path.is_file():
            path = topic_path("index")
        self.browser.setSource(QUrl.fromLocalFile(str(path)))

    def _source_changed(self, url: QUrl) -> None:
        stem = Path(url.toLocalFile()).stem
        for row in range(self.contents.count()):
            if self.contents.item(row).data(Qt.ItemDataRole.UserRole) == stem:
                self.contents.blockSignals(True)
                self.contents.setCurrentRow(row)
                self.contents.blockSignals(False)
                break
        title = self.browser.documentTitle()
        self.setWindowTitle(f"使い方ガイド — {title}" if title else "使い方ガイド")

    def _contents_clicked(self, current, _previous) -> None:
        if current is not None:
            self.show_topic(current.data(Qt.ItemDataRole.UserRole))

    def present(self, topic: str) -> None:
        self.show_topic(topic)
        self.show()
        self.raise_()
        self.activateWindow()
