"""The main window: navigation on the left, one page at a time, shared undo/redo."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QKeySequence, QUndoGroup
from PySide6.QtWidgets import (
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QSplitter,
    QStackedWidget,
    QWidget,
)

from kyosai_desktop import APP_TITLE
from kyosai_desktop.services.context import AppContext
from kyosai_desktop.ui import interaction
from kyosai_desktop.ui.events import DataBus
from kyosai_desktop.ui.pages import PageSpec, page_specs


class MainWindow(QMainWindow):
    def __init__(self, ctx: AppContext, bus: DataBus | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.bus = bus or DataBus(self)
        self.specs: list[PageSpec] = page_specs()
        self.pages: dict[str, QWidget] = {}
        self.undo_group = QUndoGroup(self)
        self._build()
        self.bus.changed.connect(self._on_data_changed)
        self.update_title()

    # ----------------------------------------------------------------- layout
    def _build(self) -> None:
        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setMaximumWidth(220)
        for spec in self.specs:
            item = QListWidgetItem(spec.title)
            item.setData(Qt.ItemDataRole.UserRole, spec.key)
            if spec.shortcut:
                item.setToolTip(f"{spec.title} ({spec.shortcut})")
            self.nav.addItem(item)
        self.stack = QStackedWidget()
        for _ in self.specs:
            self.stack.addWidget(QWidget())  # placeholders, replaced on first show
        splitter = QSplitter()
        splitter.addWidget(self.nav)
        splitter.addWidget(self.stack)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)
        self.setCentralWidget(splitter)
        self.nav.currentRowChanged.connect(self.show_page_index)

        file_menu = self.menuBar().addMenu("ファイル(&F)")
        backup = QAction("バックアップを作成(&B)", self)
        backup.triggered.connect(self.make_backup)
        file_menu.addAction(backup)
        file_menu.addSeparator()
        quit_action = QAction("終了(&X)", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)

        edit_menu = self.menuBar().addMenu("編集(&E)")
        undo = self.undo_group.createUndoAction(self, "元に戻す")
        undo.setShortcut(QKeySequence.StandardKey.Undo)
        redo = self.undo_group.createRedoAction(self, "やり直し")
        redo.setShortcut(QKeySequence.StandardKey.Redo)
        edit_menu.addAction(undo)
        edit_menu.addAction(redo)
        self.undo_action, self.redo_action = undo, redo

        view_menu = self.menuBar().addMenu("表示(&V)")
        for index, spec in enumerate(self.specs):
            act = QAction(spec.title, self)
            if spec.shortcut:
                act.setShortcut(QKeySequence(spec.shortcut))
            act.triggered.connect(lambda _=False, i=index: self.nav.setCurrentRow(i))
            view_menu.addAction(act)

        self.status_label = QLabel()
        self.statusBar().addPermanentWidget(self.status_label)
        self.resize(1280, 800)

    # ----------------------------------------------------------------- pages
    def page(self, key: str) -> QWidget:
        """The page widget for ``key``, building it on first use."""
        index = next(i for i, s in enumerate(self.specs) if s.key == key)
        return self._ensure_page(index)

    def _ensure_page(self, index: int) -> QWidget:
        spec = self.specs[index]
        if spec.key not in self.pages:
            widget = spec.factory(self.ctx, self.bus)
            widget.setObjectName(f"page_{spec.key}")
            old = self.stack.widget(index)
            self.stack.removeWidget(old)
            old.deleteLater()
            self.stack.insertWidget(index, widget)
            self.pages[spec.key] = widget
            stack = getattr(widget, "undo_stack", None)
            if stack is not None:
                self.undo_group.addStack(stack)
        return self.pages[spec.key]

    def show_page(self, key: str) -> QWidget:
        index = next(i for i, s in enumerate(self.specs) if s.key == key)
        self.nav.setCurrentRow(index)
        return self.pages[key]

    def show_page_index(self, index: int) -> None:
        if index < 0:
            return
        widget = self._ensure_page(index)
        self.stack.setCurrentIndex(index)
        stack = getattr(widget, "undo_stack", None)
        self.undo_group.setActiveStack(stack)
        QSettings().setValue("main/last_page", self.specs[index].key)

    def restore_last_page(self) -> None:
        key = QSettings().value("main/last_page", "")
        keys = [s.key for s in self.specs]
        self.nav.setCurrentRow(keys.index(key) if key in keys else 0)

    def _on_data_changed(self, kind: str) -> None:
        for widget in self.pages.values():
            refresh = getattr(widget, "refresh", None)
            if refresh is not None:
                refresh(kind)
        self.update_title()

    # ----------------------------------------------------------------- actions
    def update_title(self) -> None:
        code = self.ctx.branch
        name = self.ctx.prefectures.name_of(code) if code else None
        branch = f"{name}県支部" if name else "県支部未設定"
        self.setWindowTitle(f"{APP_TITLE} — {branch}")
        self.status_label.setText(f"データベース: {self.ctx.path}")

    def make_backup(self) -> None:
        from kyosai_desktop.services.backup import make_backup

        try:
            dest = make_backup(self.ctx)
        except Exception as exc:  # noqa: BLE001 - shown to the clerk
            interaction.critical(self, "バックアップ", f"バックアップを作成できませんでした。\n{exc}")
            return
        self.statusBar().showMessage(f"バックアップを作成しました: {dest}", 8000)

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt API
        for widget in self.pages.values():
            commit = getattr(widget, "commit_pending", None)
            if commit is not None:
                commit()
        super().closeEvent(event)
