"""月次入力: new contracts per union × product × effective month, entered like Excel.

Two tabs share one undo stack (``undo_stack``, joined to the main window's 元に戻す /
やり直し):

* **月別** — one effective month: rows = the branch's unions, columns = that month's products;
* **単組別** — one union: rows = products, columns = the fiscal year's 12 months.

Every edit is checked (whole numbers ≥ 0; a bad paste is refused as a whole with every bad
cell listed), committed at once by the operation ``ops.entry.write_cells`` (one transaction,
audited, one undo step: a ``ChangeCommand``) and announced on the data bus with this page
as its origin.  ``commit_pending()`` commits an
editor still open (the main window calls it on close).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QPoint, Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut, QUndoStack
from PySide6.QtWidgets import QMenu, QTabWidget, QToolTip, QVBoxLayout, QWidget

from kyosai_desktop.services.context import AppContext
from kyosai_desktop.services.entry import (
    SOURCE_LABELS,
    CellAddress,
    EntryRefused,
    EntryService,
    parse_clipboard,
    source_label,
)
from kyosai_desktop.services.ops import ChangeKind, OpChanges
from kyosai_desktop.services.ops import entry as entry_ops
from kyosai_desktop.store.errors import StoreError
from kyosai_desktop.store.results import CellChange
from kyosai_desktop.ui.entry.entry_models import EntryGridModel
from kyosai_desktop.ui.entry.entry_panels import GridPanel, MessageBar, MonthPanel, UnionPanel
from kyosai_desktop.ui.shared import interaction
from kyosai_desktop.ui.shared.events import ChangeEvent, DataBus

if TYPE_CHECKING:  # loaded on first use: an edit, its history, an overwrite prompt
    from kyosai_desktop.services.ops.replay import Conflict
    from kyosai_desktop.ui.shared.audit_dialog import AuditDialog

WRITE_ERRORS = (sqlite3.Error, StoreError, ValueError, OSError)
# What the grids are built from; a change of anything but the figures also reloads the choices.
RELOAD_KINDS = (
    ChangeKind.RESULTS,
    ChangeKind.UNIONS,
    ChangeKind.PRODUCTS,
    ChangeKind.YEARS,
    ChangeKind.SETTINGS,
)


class EntryPage(QWidget):
    """The 月次入力 page: 月別 and 単組別 grids, one undo stack, audited commits."""

    def __init__(
        self, ctx: AppContext, bus: DataBus | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.bus = bus
        self.service = EntryService(ctx)
        self.undo_stack = QUndoStack(self)
        self.history_dialog: AuditDialog | None = None
        self.last_menu: QMenu | None = None
        self._stale = False
        self._stale_choices = False
        branch = ctx.branch
        self.month_panel = MonthPanel(self.service, branch)
        self.union_panel = UnionPanel(self.service, branch)
        self.message = MessageBar()
        self.message.dismissed.connect(
            self._clear_marks
        )  # a refused paste's marks go with its message
        self.tabs = QTabWidget()
        self.tabs.setObjectName("entryTabs")
        self.tabs.addTab(self.month_panel, "&1 月別 (1か月・全単組)")
        self.tabs.addTab(self.union_panel, "&2 単組別 (1単組・年度)")
        self.tabs.currentChanged.connect(self._tab_changed)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.message)
        for panel in self.panels:
            self._wire(panel)
        self._union_loaded = False
        self.month_panel.set_month(self.service.default_month(branch))
        self.month_panel.month_changed.connect(lambda _m: self._hint_if_empty())
        self._hint_if_empty()

    @property
    def panels(self) -> tuple[GridPanel, GridPanel]:
        return self.month_panel, self.union_panel

    def current_panel(self) -> GridPanel:
        return self.tabs.currentWidget()  # type: ignore[return-value]

    def _wire(self, panel: GridPanel) -> None:
        panel.model.writer = self.write
        view = panel.view
        view.paste_requested.connect(lambda text, p=panel: self.paste(p, text))
        view.clear_requested.connect(lambda indexes, p=panel: self.clear(p, indexes))
        view.menu_requested.connect(lambda index, pos, p=panel: self.open_menu(p, index, pos))
        view.readonly_typed.connect(lambda index, p=panel: self._readonly_typed(p, index))
        view.editing_cancelled.connect(lambda p=panel: self._editing_cancelled(p))
        QShortcut(
            QKeySequence("Ctrl+H"),
            view,
            activated=lambda p=panel: self.show_history(p),
            context=Qt.ShortcutContext.WidgetWithChildrenShortcut,
        )
        QShortcut(
            QKeySequence("Ctrl+Return"),
            view,
            activated=lambda p=panel: self.open_other(p),
            context=Qt.ShortcutContext.WidgetWithChildrenShortcut,
        )

    def _tab_changed(self, index: int) -> None:
        if self.tabs.widget(index) is self.union_panel:
            self._ensure_union_panel()
        self.current_panel().view.setFocus()

    def _ensure_union_panel(self) -> None:
        if not self._union_loaded:
            self._union_loaded = True
            self.union_panel.load_choices(self.month_panel.month)
            self.union_panel.reload()

    # ----------------------------------------------------------------- writing
    def write(
        self, model: EntryGridModel, cells: Sequence[tuple[int, int, object]], source: str
    ) -> bool:
        """Check and commit typed/pasted values of ``model``'s grid (the models' writer)."""
        grid = model.grid
        if grid is None:
            return False
        try:
            changes = self.service.plan(grid, cells)
        except EntryRefused as exc:
            self._refuse(model, exc)
            return False
        return self.commit(changes, source)

    def _refuse(self, model: EntryGridModel, exc: EntryRefused) -> None:
        errors = {
            (p.row, p.col): p.reason
            for p in exc.problems
            if 0 <= p.row < model.n_rows and 0 <= p.col < model.n_cols
        }
        model.set_errors(errors)
        self.message.show_message(str(exc), "error")
        panel = next((p for p in self.panels if p.model is model), None)
        if panel is not None and exc.problems:
            first = exc.problems[0]
            rect = panel.view.visualRect(model.index_of(first.row, first.col))
            QToolTip.showText(
                panel.view.viewport().mapToGlobal(rect.bottomLeft()), first.reason, panel.view
            )

    def commit(self, changes: Sequence[CellChange], source: str) -> bool:
        """One edit → one operation (one transaction) → one undo step; False when refused."""
        # cells equal to what the grid shows still go to the store: the operation compares
        # with the stored value (skipping true no-ops), so a stale grid never hides a difference
        todo = list(changes)
        if not todo:
            return True
        try:
            done = entry_ops.write_cells(self.ctx, todo, source)
        except WRITE_ERRORS as exc:
            self._write_failed(exc)
            return False
        self._after_write(entry_ops.cells(done) or todo, done)
        if not done.empty:
            from kyosai_desktop.ui.shared.undo import ChangeCommand

            n = len(done.rows)
            self.undo_stack.push(
                ChangeCommand(self.ctx, done, f"{source_label(source)} ({n}セル)", self)
            )
        self._clear_errors(todo)
        self._warn_if_implausible(todo)
        return True

    def _warn_if_implausible(self, changes: Sequence[CellChange]) -> None:
        """Saved, but a figure above the union's members is most likely a slip: say so."""
        from kyosai_desktop.services.plausibility import above_members, warning_text

        found = above_members(self.ctx, changes)
        if found:
            self.message.show_message(warning_text(found), "warning")

    # ReplayHost: the undo / redo of a step (ui/shared/undo.py)
    def confirm_overwrite(self, conflicts: list[Conflict], action: str) -> bool:
        from kyosai_desktop.ui.shared.undo import describe_conflicts

        return interaction.confirm(
            self, action, describe_conflicts(conflicts, self._cell_name, action)
        )

    def replayed(self, changes: OpChanges, action: str) -> None:
        written = entry_ops.cells(changes)
        self._after_write(written, changes)
        self.reveal(written)

    def replay_failed(self, message: str, action: str) -> None:
        self.message.show_message(message, "info")
        self.reload_all()

    def _cell_name(self, row) -> str:
        union_id, product_id, month = row.key.split(":")
        return self.service.describe_cell(CellAddress(int(union_id), int(product_id), month))

    def _after_write(self, done: Sequence[CellChange], changes: OpChanges) -> None:
        for panel in self.panels:
            if panel.stale and not panel.view.is_editing():
                panel.reload()
            else:
                panel.model.update_cells(done)
                panel.update_summary()
        if self.bus is not None:
            self.bus.announce(changes, origin=self)

    def _write_failed(self, exc: Exception) -> None:
        interaction.critical(
            self,
            "保存できません",
            f"入力を保存できませんでした。データベースは変更されていません。\n{exc}",
        )
        self.reload_all()

    def _clear_errors(self, changes: Sequence[CellChange]) -> None:
        for panel in self.panels:
            g = panel.model.grid
            if g is None:
                continue
            cells = {pos for c in changes if (pos := g.position(c.union_id, c.product_id, c.month))}
            if cells & set(panel.model.errors):
                panel.model.set_errors(
                    {k: v for k, v in panel.model.errors.items() if k not in cells}
                )
        if not any(p.model.errors for p in self.panels):
            self.message.clear()

    # ----------------------------------------------------------------- block edits
    def paste(self, panel: GridPanel, text: str) -> bool:
        model, view = panel.model, panel.view
        if view.is_editing() and not view.commit_editor():
            return False
        grid = model.grid
        if grid is None:
            return False
        cells = [c for i in view.selected_indexes() if (c := model.cell_of(i)) is not None]
        current = model.cell_of(view.currentIndex())
        start = min(cells) if cells else current
        if start is None:
            self.message.show_message(
                "貼り付ける位置 (入力欄) を選んでから貼り付けてください。", "error"
            )
            return False
        top, left = (
            min(c[0] for c in cells) if cells else start[0],
            min(c[1] for c in cells) if cells else start[1],
        )
        block = parse_clipboard(text)
        try:
            changes = self.service.plan_paste(
                grid, top, left, block, fill=cells if len(cells) > 1 else ()
            )
        except EntryRefused as exc:
            self._refuse(model, exc)
            return False
        if not self.commit(changes, "paste"):
            return False
        positions = [p for c in changes if (p := grid.position(c.union_id, c.product_id, c.month))]
        panel.select_cells(positions)
        return True

    def clear(self, panel: GridPanel, indexes: Sequence[QModelIndex]) -> bool:
        model = panel.model
        grid = model.grid
        if grid is None:
            return False
        cells = [
            c
            for i in indexes
            if (c := model.cell_of(i)) is not None and grid.values[c[0]][c[1]] is not None
        ]
        if not cells:
            if indexes and all(model.cell_of(i) is None for i in indexes):
                self.message.show_message("合計欄・見出しは削除できません。", "info")
            return False
        changes = self.service.plan(grid, [(r, c, "") for r, c in cells])
        return self.commit(changes, "clear")

    def _readonly_typed(self, panel: GridPanel, index: QModelIndex) -> None:
        tip = panel.model.data(index, Qt.ItemDataRole.ToolTipRole) if index.isValid() else None
        self.message.show_message(
            tip or "見出しの欄には入力できません。件数は白い入力欄に入力してください。", "info"
        )

    def _clear_marks(self) -> None:
        for panel in self.panels:
            if panel.model.errors:
                panel.model.set_errors({})

    def _editing_cancelled(self, panel: GridPanel) -> None:
        panel.model.set_errors({})
        self.message.clear()

    def commit_pending(self) -> bool:
        """Commit an editor left open (on close).  False when its value is refused (nothing saved)."""
        for panel in self.panels:
            editor = panel.view.current_editor()
            if editor is None:
                continue
            text = editor.text()
            if not panel.view.commit_editor():
                interaction.warning(
                    self,
                    "保存できない入力",
                    f"入力中の値「{text}」は保存できません。\n{self.message.label.text()}",
                )
                return False
        return True

    # ----------------------------------------------------------------- navigation
    def reveal(self, changes: Sequence[CellChange]) -> None:
        """Show the cells an undo/redo wrote: switch month/union if needed and select them."""
        if not changes:
            return
        first = changes[0]
        panel = self.current_panel()
        if panel is self.month_panel and first.month != self.month_panel.month:
            self.month_panel.set_month(first.month)
        elif panel is self.union_panel:
            g = self.union_panel.grid
            if (
                g is None
                or first.union_id != g.fixed
                or not (g.fiscal_year and g.fiscal_year.contains(first.month))
            ):
                self.union_panel.set_union(first.union_id, self.service.fiscal_year_of(first.month))
        g = panel.grid
        if g is not None:
            panel.select_cells(
                [p for c in changes if (p := g.position(c.union_id, c.product_id, c.month))]
            )

    def open_other(self, panel: GridPanel) -> None:
        """Ctrl+Enter: the same cell in the other grid (union → 単組別, month → 月別)."""
        address = panel.model.address(panel.view.currentIndex())
        if address is None:
            g, row = panel.grid, panel.view.currentIndex().row()
            if panel is not self.month_panel or g is None or not 0 <= row < len(g.rows):
                return
            address_union, address_month = int(g.rows[row].key), self.month_panel.month
            address_product = None
        else:
            address_union, address_product, address_month = (
                address.union_id,
                address.product_id,
                address.month,
            )
        if panel is self.month_panel:
            self._ensure_union_panel()
            self.union_panel.set_union(address_union, self.service.fiscal_year_of(address_month))
            target = self.union_panel
        else:
            self.month_panel.set_month(address_month)
            target = self.month_panel
        self.tabs.setCurrentWidget(target)
        g = target.grid
        if g is not None and address_product is not None:
            pos = g.position(address_union, address_product, address_month)
            if pos is not None:
                target.select_cells([pos])
        target.view.setFocus()

    def open_menu(self, panel: GridPanel, index: QModelIndex, pos: QPoint) -> QMenu:
        menu = QMenu(self)
        history = QAction("変更履歴…", menu, shortcut=QKeySequence("Ctrl+H"))
        history.setEnabled(panel.model.address(index) is not None)
        history.triggered.connect(lambda: self.show_history(panel, index))
        menu.addAction(history)
        menu.addSeparator()
        for title, key, slot in (
            ("コピー", QKeySequence.StandardKey.Copy, panel.view.copy_selection),
            (
                "貼り付け",
                QKeySequence.StandardKey.Paste,
                lambda: panel.view.paste_requested.emit(_clipboard_text()),
            ),
            (
                "削除",
                QKeySequence(Qt.Key.Key_Delete),
                lambda: self.clear(panel, panel.view.selected_indexes()),
            ),
        ):
            act = QAction(title, menu, shortcut=QKeySequence(key))
            act.triggered.connect(slot)
            menu.addAction(act)
        menu.addSeparator()
        other = QAction(
            "この単組を単組別で開く" if panel is self.month_panel else "この月を月別で開く",
            menu,
            shortcut=QKeySequence("Ctrl+Return"),
        )
        other.triggered.connect(lambda: self.open_other(panel))
        menu.addAction(other)
        self.last_menu = menu
        menu.popup(pos)
        return menu

    def show_history(
        self, panel: GridPanel, index: QModelIndex | None = None
    ) -> AuditDialog | None:
        index = panel.view.currentIndex() if index is None else index
        address = panel.model.address(index)
        if address is None:
            self.message.show_message(
                "変更履歴は入力欄 (合計・見出し以外) で表示できます。", "info"
            )
            return None
        value = panel.model.value_at(index)
        from kyosai_desktop.ui.shared.audit_dialog import AuditDialog

        dialog = AuditDialog(
            self.service.describe_cell(address),
            self.service.history(address),
            SOURCE_LABELS,
            "(空欄)" if value is None else f"{value:,}件",
            self,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.history_dialog = dialog
        dialog.open()
        return dialog

    def _hint_if_empty(self) -> None:
        g = self.month_panel.grid
        if g is not None and not g.rows:
            self.message.show_message(
                "この県支部には単組が登録されていません。「マスタ・設定」(F6) で単組を登録するか、"
                "ファイルから取り込んでください。",
                "info",
            )
        elif self.message.kind == "info" and "単組が登録されていません" in self.message.text:
            self.message.clear()

    # ----------------------------------------------------------------- refresh
    def refresh(self, event: ChangeEvent) -> None:
        """Reload when data changed elsewhere (this page's own writes are shown already)."""
        if event.origin is self or not event.touches(*RELOAD_KINDS):
            return
        choices = bool(event.kinds - {ChangeKind.RESULTS})
        if choices:
            self.ctx.products.invalidate()
            self.service.invalidate()
        if not self.isVisible():
            self._stale = True
            self._stale_choices = self._stale_choices or choices
            return
        self.reload_all(choices=choices)

    def reload_all(self, choices: bool = True) -> None:
        """Reload both grids; a grid whose editor holds a refused value reloads after it is fixed."""
        self._stale = False
        if choices:  # the branch itself may have been changed in マスタ・設定
            for panel in self.panels:
                if panel.pref_code != self.ctx.branch:
                    panel.pref_code = self.ctx.branch
                    if panel is self.union_panel:
                        self.union_panel.union_id = None
        for panel in self.panels:
            if panel is self.union_panel:
                if not self._union_loaded:
                    continue
                if choices:
                    self.union_panel.load_choices(self.month_panel.month)
            if panel.view.is_editing() and not panel.view.commit_editor():
                panel.stale = True
                continue
            panel.reload()
        self._hint_if_empty()

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        if self._stale:
            self.reload_all(choices=self._stale_choices)
            self._stale_choices = False


def _clipboard_text() -> str:
    from PySide6.QtGui import QGuiApplication

    return QGuiApplication.clipboard().text()


def build_page(ctx: AppContext, bus: DataBus) -> QWidget:
    return EntryPage(ctx, bus)
