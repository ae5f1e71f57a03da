"""The main window: navigation on the left, one page at a time, menus, status bar.

Pages are built on first show (start-up only pays for the page it opens on).  The ファイル
menu imports files, makes a backup and restores one; 表示 switches pages with F2–F6; the
status bar shows the branch and the database file; the window remembers its geometry.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QKeySequence, QUndoGroup, QUndoStack
from PySide6.QtWidgets import (
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QSplitter,
    QStackedWidget,
    QWidget,
)

from kyosai_desktop import APP_TITLE, __version__
from kyosai_desktop.services.context import AppContext
from kyosai_desktop.services.demo_mark import is_demo
from kyosai_desktop.ui.shared import interaction
from kyosai_desktop.ui.shared.events import ChangeEvent, DataBus
from kyosai_desktop.ui.shared.pages import PageSpec, page_specs

GEOMETRY_KEY = "main/geometry"
LAST_PAGE_KEY = "main/last_page"


def branch_title(ctx: AppContext) -> str:
    if ctx.is_hq:
        return "本部 (全国集計)"
    code = ctx.branch
    name = ctx.prefectures.name_of(code) if code else None
    if not name:
        return "県支部未設定"
    return name if code == "60" else f"{name}県支部"


def redo_shortcuts(platform: list[QKeySequence]) -> list[QKeySequence]:
    """The platform's redo keys (only Ctrl+Shift+Z on GNOME and KDE) plus Ctrl+Y, which clerks
    know from Excel and Windows."""
    keys = list(platform)
    if QKeySequence("Ctrl+Y") not in keys:
        keys.append(QKeySequence("Ctrl+Y"))
    return keys


class MainWindow(QMainWindow):
    def __init__(
        self, ctx: AppContext, bus: DataBus | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.bus = bus or DataBus(self)
        self.specs: list[PageSpec] = page_specs(hq=ctx.is_hq)
        self.pages: dict[str, QWidget] = {}
        self._pending: dict[str, ChangeEvent] = {}  # data changes a hidden page has not seen
        self.undo_group = QUndoGroup(self)
        # The window's own steps (an import made on a page without an undo stack of its own).
        self.window_undo = QUndoStack(self)
        self.undo_group.addStack(self.window_undo)
        self._build()
        self.bus.changed.connect(self._on_data_changed)
        self.update_title()

    # ----------------------------------------------------------------- layout
    def _build(self) -> None:
        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.nav.setStyleSheet("QListWidget#navigation::item { padding: 6px 4px; }")
        for spec in self.specs:
            item = QListWidgetItem(f"{spec.title}　{spec.shortcut or ''}".rstrip())
            item.setData(Qt.ItemDataRole.UserRole, spec.key)
            if spec.shortcut:
                item.setToolTip(f"{spec.title} ({spec.shortcut})")
            self.nav.addItem(item)
        widest = max(
            (
                self.nav.fontMetrics().horizontalAdvance(self.nav.item(i).text())
                for i in range(self.nav.count())
            ),
            default=120,
        )
        self.nav.setMinimumWidth(widest + 28)
        self.nav.setMaximumWidth(widest + 80)
        self.stack = QStackedWidget()
        for _ in self.specs:
            self.stack.addWidget(QWidget())  # placeholders, replaced on first show
        splitter = QSplitter()
        splitter.addWidget(self.nav)
        splitter.addWidget(self.stack)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([widest + 28, 1100])
        self.setCentralWidget(splitter)
        self.nav.currentRowChanged.connect(self.show_page_index)
        self._build_menus()
        self.branch_label = QLabel()
        self.path_label = QLabel()
        self.path_label.setStyleSheet("color: #595959;")
        self.exchange_label = QLabel()
        self.exchange_label.setObjectName("exchange_status")
        self.statusBar().addPermanentWidget(self.exchange_label)
        self.statusBar().addPermanentWidget(self.branch_label)
        self.statusBar().addPermanentWidget(self.path_label)
        self.resize(1280, 800)
        geometry = QSettings().value(GEOMETRY_KEY)
        if geometry is not None:
            self.restoreGeometry(geometry)

    def _action(self, menu, text: str, slot, shortcut=None) -> QAction:
        act = QAction(text, self)
        if shortcut is not None:
            act.setShortcut(QKeySequence(shortcut))
        act.triggered.connect(lambda _=False: slot())
        menu.addAction(act)
        return act

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("ファイル(&F)")
        import_menu = file_menu.addMenu("取り込み(&I)")
        from kyosai_desktop.ui.shared.import_kinds import KINDS

        self.import_actions = {
            key: self._action(
                import_menu, f"{spec.label}ファイル…", lambda k=key: self.import_file(k)
            )
            for key, spec in KINDS.items()
        }
        import_menu.addSeparator()
        if self.ctx.is_hq:  # headquarters: the branches' report packages
            self.package_action = self._action(
                import_menu, "報告パッケージ (県支部から)…", lambda: self.import_report_package()
            )
        else:  # a branch: headquarters' national figures
            self.national_action = self._action(
                import_menu, "全国実績ファイル (本部から)…", lambda: self.import_national()
            )
        file_menu.addSeparator()
        self.checkout_action = self._action(
            file_menu, "持ち出し用コピーを作成…", lambda: self.exchange.checkout()
        )
        self.export_changes_action = self._action(
            file_menu, "変更を書き出す…", lambda: self.exchange.export()
        )
        self.import_changes_action = self._action(
            file_menu, "変更を取り込む…", lambda: self.exchange.import_package()
        )
        self.conflicts_action = self._action(
            file_menu, "競合の一覧…", lambda: self.exchange.show_conflicts()
        )
        if (
            self.ctx.is_hq
        ):  # a branch's own imports and laptop exchange have no place at headquarters
            for act in (
                *self.import_actions.values(),
                self.checkout_action,
                self.export_changes_action,
                self.import_changes_action,
                self.conflicts_action,
            ):
                act.setVisible(False)
        file_menu.addSeparator()
        self.backup_action = self._action(file_menu, "バックアップを作成(&B)", self.make_backup)
        self.backup_to_action = self._action(
            file_menu, "バックアップを別の場所に保存(&U)…", self.backup_elsewhere
        )
        self.restore_action = self._action(
            file_menu, "バックアップから復元(&R)…", self.restore_backup
        )
        file_menu.addSeparator()
        self._action(
            file_menu, "終了(&X)", self.close, "Ctrl+Q"
        )  # StandardKey.Quit is empty on Windows

        edit_menu = self.menuBar().addMenu("編集(&E)")
        undo = self.undo_group.createUndoAction(self, "元に戻す")
        undo.setShortcut(QKeySequence.StandardKey.Undo)
        redo = self.undo_group.createRedoAction(self, "やり直し")
        redo.setShortcuts(redo_shortcuts(QKeySequence.keyBindings(QKeySequence.StandardKey.Redo)))
        edit_menu.addAction(undo)
        edit_menu.addAction(redo)
        self.undo_action, self.redo_action = undo, redo
        edit_menu.addSeparator()
        self.filter_action = self._action(
            edit_menu, "この画面の絞り込み(&F)", self.focus_filter, "Ctrl+F"
        )
        self.search_action = self._action(
            edit_menu, "検索 (単組・見積り・キャンペーン)(&S)…", self.open_search, "Ctrl+Shift+F"
        )

        view_menu = self.menuBar().addMenu("表示(&V)")
        self.page_actions: dict[str, QAction] = {}
        for index, spec in enumerate(self.specs):
            self.page_actions[spec.key] = self._action(
                view_menu, spec.title, lambda i=index: self.nav.setCurrentRow(i), spec.shortcut
            )

        help_menu = self.menuBar().addMenu("ヘルプ(&H)")
        self.help_action = self._action(
            help_menu, "使い方ガイド (この画面)(&G)", self.show_help, "F1"
        )
        self.help_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self._action(help_menu, "キー操作の一覧(&K)", lambda: self.show_help("shortcuts"))
        help_menu.addSeparator()
        self._action(
            help_menu,
            "バージョン情報",
            lambda: interaction.information(
                self,
                "バージョン情報",
                f"{APP_TITLE}\nバージョン {__version__}\nデータベース: {self.ctx.path}",
            ),
        )

    @property
    def exchange(self):
        """The laptop-exchange menu actions, loaded on first use (the engine is not start-up's)."""
        if getattr(self, "_exchange", None) is None:
            from kyosai_desktop.ui.exchange.actions import ExchangeActions

            self._exchange = ExchangeActions(self)
        return self._exchange

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

    def current_page_key(self) -> str | None:
        row = self.nav.currentRow()
        return self.specs[row].key if row >= 0 else None

    def show_page_index(self, index: int) -> None:
        if index < 0:
            return
        widget = self._ensure_page(index)
        self._catch_up(self.specs[index].key)
        self.stack.setCurrentIndex(index)
        stack = getattr(widget, "undo_stack", None)
        self.undo_group.setActiveStack(stack if stack is not None else self.window_undo)
        QSettings().setValue(LAST_PAGE_KEY, self.specs[index].key)

    def import_undo_stack(self) -> QUndoStack:
        """Where an import's undo step goes: the stack Ctrl+Z acts on now (the page's own)."""
        stack = self.undo_group.activeStack()
        if stack is None:
            stack = self.window_undo
            self.undo_group.setActiveStack(stack)
        return stack

    def _last_page_index(self) -> int:
        key = QSettings().value(LAST_PAGE_KEY, "")
        keys = [s.key for s in self.specs]
        return keys.index(key) if key in keys else 0

    def build_last_page(self) -> QWidget:
        """Build the page the window will open on (before it is shown; errors propagate)."""
        return self._ensure_page(self._last_page_index())

    def restore_last_page(self) -> None:
        self.nav.setCurrentRow(self._last_page_index())

    def _on_data_changed(self, event: ChangeEvent) -> None:
        """Refresh the page on screen now; hidden pages catch up when they are shown.

        Refreshing every built page on each saved cell would make an edit cost the sum of
        all their reloads; deferring keeps an edit at the cost of the visible page, and the
        changes a hidden page missed reach it as one merged event.
        """
        current = self.current_page_key()
        for key, widget in list(self.pages.items()):
            if key == current:
                self._refresh(widget, event)
            elif event.origin is not widget:
                pending = self._pending.get(key)
                self._pending[key] = event if pending is None else pending.merged(event)
        self.update_title()

    @staticmethod
    def _refresh(widget: QWidget, event: ChangeEvent) -> None:
        refresh = getattr(widget, "refresh", None)
        if refresh is not None:
            refresh(event)

    def _catch_up(self, key: str) -> None:
        event = self._pending.pop(key, None)
        widget = self.pages.get(key)
        if widget is not None and event is not None:
            self._refresh(widget, event)

    def commit_pending(self) -> bool:
        """Commit every open cell editor; False when one holds a refused value."""
        ok = True
        for widget in self.pages.values():
            commit = getattr(widget, "commit_pending", None)
            if commit is not None and commit() is False:
                ok = False
        return ok

    # ----------------------------------------------------------------- actions
    def update_title(self) -> None:
        branch = branch_title(self.ctx)
        demo = "【デモデータ】" if is_demo(self.ctx) else ""
        from kyosai_desktop.services.exchange_status import status as exchange_status
        from kyosai_desktop.ui.exchange.status_bar import status_text

        st = exchange_status(self.ctx.conn)
        laptop = "【持ち出し用コピー】" if st.role == "laptop" else ""
        # The app's name last: Qt appends the application display name to a title that does not
        # end with it, so "APP — branch" showed the name twice ("APP — branch — APP").
        self.setWindowTitle(f"{branch}{demo}{laptop} — {APP_TITLE}")
        self.exchange_label.setText(status_text(st))
        self.exchange_label.setVisible(bool(self.exchange_label.text()))
        self.export_changes_action.setEnabled(st.role == "laptop")
        self.checkout_action.setEnabled(st.role != "laptop")
        code = self.ctx.branch
        self.branch_label.setText(f"{branch} ({code})" if code else branch)
        self.path_label.setText(f"データベース: {self.ctx.path}")

    def show_help(self, topic: str | None = None):
        """Open the user guide on ``topic``, else on the page for the screen in front (F1)."""
        from kyosai_desktop.ui.shared.help_window import HelpWindow, topic_for_page

        if getattr(self, "help_window", None) is None:
            self.help_window = HelpWindow(self)
        self.help_window.present(topic or topic_for_page(self.current_page_key()))
        return self.help_window

    def focus_filter(self):
        """Ctrl+F: the page's filter box; a page without one opens the global search."""
        from kyosai_desktop.ui.shared.search_jump import focus_filter

        key = self.current_page_key()
        edit = focus_filter(self.pages.get(key) if key else None)
        return edit if edit is not None else self.open_search()

    def open_search(self, text: str = ""):
        """Ctrl+Shift+F: find a union, an estimate or a campaign and jump to it."""
        from kyosai_desktop.ui.shared.search_dialog import SearchDialog
        from kyosai_desktop.ui.shared.search_jump import open_hit

        if getattr(self, "search_dialog", None) is None or self.search_dialog.ctx is not self.ctx:
            self.search_dialog = SearchDialog(self.ctx, self)
            self.search_dialog.chosen.connect(lambda hit: open_hit(self, hit))
        self.search_dialog.start(text)
        return self.search_dialog

    def import_file(self, kind: str, path=None):
        """Start importing a 単組 / 目標 / 実績 file; returns the running import (or None)."""
        from kyosai_desktop.ui.shared.import_dialog import MasterImport

        self.commit_pending()
        self.master_import = MasterImport(self.ctx, self.bus, self)
        return self.master_import if self.master_import.run(kind, path) else None

    def import_national(self, path=None):
        """Import headquarters' national figures (全国実績) through the one import flow."""
        from pathlib import Path

        from kyosai_desktop.services.national_import import plan_national
        from kyosai_desktop.ui.shared.import_flow import ImportFlow

        self.commit_pending()
        if path is None:
            path = interaction.open_file(
                self, "全国実績ファイルを選択", "CSV / Excel (*.csv *.xlsx)"
            )
            if path is None:
                return None
        chosen = Path(path)
        self.national_flow = ImportFlow(self.ctx, self.bus, self)
        self.national_flow.start(
            "全国実績の取り込み",
            chosen.name,
            lambda ctx, progress: plan_national(ctx, chosen, progress=progress),
        )
        return self.national_flow

    def import_report_package(self, path=None):
        """HQ mode: import a branch's report package (through the 県支部一覧 page's flow)."""
        page = self.show_page("hq_branches")
        return page.import_package(path)

    def backup_elsewhere(self):
        """A backup where the clerk chooses (a USB stick); the dialog remembers the folder."""
        from datetime import datetime

        name = f"{self.ctx.path.stem}-{datetime.now():%Y%m%d-%H%M%S}.sqlite3"
        dest = interaction.save_file(
            self, "バックアップを別の場所に保存 (USB メモリなど)", name, "バックアップ (*.sqlite3)"
        )
        return None if dest is None else self.make_backup(dest)

    def make_backup(self, dest=None):
        """Copy, check and rotate the database on the background runner; returns the task."""
        from kyosai_desktop.services.backup import make_backup
        from kyosai_desktop.ui.shared import runner

        self.commit_pending()

        def done(dest) -> None:
            self.statusBar().showMessage(f"バックアップを作成しました: {dest}", 8000)

        def failed(exc: BaseException) -> None:
            interaction.critical(
                self,
                "バックアップ",
                f"バックアップを作成できませんでした。\n{runner.error_message(exc)}",
            )

        self.backup_task = runner.run(
            self,
            "バックアップ",
            "バックアップを作成しています…",
            lambda job: make_backup(job.ctx, dest),
            ctx=self.ctx,
            on_done=done,
            on_error=failed,
            cancellable=False,
        )
        return self.backup_task

    def restore_backup(self, path=None) -> bool:
        """Choose a backup, confirm, keep a safety copy of the current data, restore, reopen."""
        from kyosai_desktop.paths import backups_dir_for
        from kyosai_desktop.services.restore import RestoreFailed, inspect_backup, restore_backup
        from kyosai_desktop.store.errors import StoreError

        title = "バックアップから復元"
        if path is None:
            path = interaction.open_file(
                self,
                f"{title} — ファイルを選択 ({backups_dir_for(self.ctx.path)})",
                "バックアップ (*.sqlite3 *.db);;すべてのファイル (*)",
            )
            if path is None:
                return False
        try:
            info = inspect_backup(path, self.ctx.path)
        except StoreError as exc:
            interaction.critical(
                self,
                title,
                f"このファイルからは復元できません。現在のデータは変更していません。\n{exc}",
            )
            return False
        if not interaction.confirm(
            self,
            title,
            f"{info.describe()}\n\n現在のデータをこのバックアップの内容に置き換えます。"
            "置き換える前に、現在のデータを backups フォルダに保存します。よろしいですか？",
        ):
            return False
        if not self.commit_pending():
            return False  # a refused value is still being corrected: keep it
        try:
            new_ctx, safety = restore_backup(self.ctx, path)
        except RestoreFailed as exc:  # the old context is closed: go on with the reopened one
            self.replace_context(exc.ctx)
            interaction.critical(self, title, f"復元できませんでした。\n{exc}")
            return False
        except (StoreError, OSError, RuntimeError) as exc:
            interaction.critical(self, title, f"復元できませんでした。\n{exc}")
            return False
        self.replace_context(new_ctx)
        interaction.information(
            self,
            title,
            f"復元しました。\n復元前のデータは次のファイルに保存してあります:\n{safety}",
        )
        return True

    def replace_context(self, ctx: AppContext) -> None:
        """Rebuild every page on a newly opened database (after a restore)."""
        current = self.nav.currentRow()
        for key, widget in list(self.pages.items()):
            index = next(i for i, s in enumerate(self.specs) if s.key == key)
            stack = getattr(widget, "undo_stack", None)
            if stack is not None:
                self.undo_group.removeStack(stack)
            self.stack.removeWidget(widget)
            self.stack.insertWidget(index, QWidget())
            widget.deleteLater()
        self.pages.clear()
        self._pending.clear()
        self.window_undo.clear()  # its steps replay on the database just closed
        self.ctx = ctx
        self.show_page_index(max(0, current))
        self.update_title()

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt API
        if not self.commit_pending():
            event.ignore()  # the editor keeps the refused value for the clerk to correct
            return
        from kyosai_desktop.ui.shared import runner

        if runner.busy():  # an import or a PDF is still running on the background worker
            interaction.information(
                self,
                "処理中",
                "取り込みや PDF の作成が終わっていません。"
                "終わるまで待つか、進行状況の「キャンセル」を押してから閉じてください。",
            )
            event.ignore()
            return
        QSettings().setValue(GEOMETRY_KEY, self.saveGeometry())
        super().closeEvent(event)
