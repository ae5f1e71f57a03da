"""The two tabs of 月次入力: a selector row over an Excel-like grid, and the message bar.

``MonthPanel`` chooses an effective month (Ctrl+PgUp / Ctrl+PgDown or Alt+← / Alt+→ for
the previous / next month), ``UnionPanel`` a union (type to search by code or name;
Ctrl+PgUp / Ctrl+PgDown for the previous / next union) and a fiscal year.  Both reload
their grid through ``EntryService`` (one query per grid) and keep the current cell and
selection across reloads.  The page (``entry_page.py``) owns writing, undo and history.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from PySide6.QtCore import (
    QDate,
    QEvent,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QKeySequence, QPainter, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDateEdit,
    QFrame,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from kyosai_desktop.domain.months import add_months, make_month, month_label
from kyosai_desktop.services.entry import EntryGrid, EntryService
from kyosai_desktop.ui.entry.entry_models import EntryGridModel, MonthGridModel, UnionGridModel
from kyosai_desktop.ui.shared.grid_view import GridView

PREV_KEYS = ("Ctrl+PgUp", "Alt+Left")
NEXT_KEYS = ("Ctrl+PgDown", "Alt+Right")
TOTAL_KEY = "__total__"


class MessageBar(QFrame):
    """An inline message under the grid: red for a refusal, green for information.

    ``dismissed`` is emitted when the clerk closes it with ×."""

    dismissed = Signal()

    STYLES = {
        "error": "QFrame#entryMessage { background: #FDE9E7; border: 1px solid #C0504D; border-radius: 3px; }",
        "info": "QFrame#entryMessage { background: #EAF1DD; border: 1px solid #9BBB59; border-radius: 3px; }",
        "warning": "QFrame#entryMessage { background: #FFF2CC; border: 1px solid #BF9000; border-radius: 3px; }",
    }

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("entryMessage")
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        close = QToolButton()
        close.setText("×")
        close.setAutoRaise(True)
        close.setToolTip("閉じる")
        close.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        close.clicked.connect(self.dismiss)
        self.close_button = close
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        layout.addWidget(self.label, 1)
        layout.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
        self.kind = ""
        self.hide()

    def show_message(self, text: str, kind: str = "error") -> None:
        self.kind = kind
        self.setStyleSheet(self.STYLES[kind])
        self.label.setText(text)
        self.show()

    def clear(self) -> None:
        self.kind = ""
        self.label.clear()
        self.hide()

    def dismiss(self) -> None:
        """The clerk closed the message (×): it and what it points at (a refused paste's marks) go."""
        self.clear()
        self.dismissed.emit()

    @property
    def text(self) -> str:
        return self.label.text() if self.isVisible() else ""


class SummaryText(QWidget):
    """A one-line, right-aligned text that repaints without a relayout.

    The summary changes on every edit; a QLabel's setText re-lays out the whole page (and
    re-measures the grid's headers), which cost ~6 ms per keystroke on the national data.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("entrySummary")
        self._text = ""
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(self.fontMetrics().height() + 6)

    def text(self) -> str:
        return self._text

    def setText(self, text: str) -> None:  # noqa: N802 - QLabel-like
        if text != self._text:
            self._text = text
            self.setToolTip(text)
            self.update()

    def paintEvent(self, event) -> None:  # noqa: N802
        painter = QPainter(self)
        shown = self.fontMetrics().elidedText(self._text, Qt.TextElideMode.ElideLeft, self.width())
        painter.drawText(
            self.rect(), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, shown
        )
        painter.end()


class GridPanel(QWidget):
    """A selector row, a summary line and a GridView over an EntryGridModel."""

    model: EntryGridModel
    pref_code: str | None

    def __init__(
        self, service: EntryService, model: EntryGridModel, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.service = service
        self.model = model
        self.view = GridView(self)
        self.view.setModel(self.model)
        self.view.set_frozen(self.model.LABEL_COLUMNS)
        self.view.set_pinned_totals(True)
        self.view.verticalHeader().hide()
        fm = self.view.fontMetrics()
        self.view.verticalHeader().setDefaultSectionSize(fm.height() + 10)
        self.view.horizontalHeader().setMinimumHeight(fm.height() * 2 + 12)
        self.selectors = QHBoxLayout()
        self.summary = SummaryText()
        self.selectors.addWidget(self.summary, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addLayout(self.selectors)
        layout.addWidget(self.view, 1)
        self.stale = False

    @property
    def grid(self) -> EntryGrid | None:
        return self.model.grid

    def _shortcuts(self, keys: Iterable[str], slot) -> None:
        for key in keys:
            QShortcut(
                QKeySequence(key),
                self,
                activated=slot,
                context=Qt.ShortcutContext.WidgetWithChildrenShortcut,
            )

    # ----------------------------------------------------------------- loading
    def show_grid(self, grid: EntryGrid) -> None:
        """Show a (re)loaded grid, keeping the current cell and selection by their keys."""
        current = self._key_of(self.view.currentIndex())
        selected = [self._key_of(i) for i in self.view.selected_indexes()[:5000]]
        self.model.set_grid(grid)
        self.size_columns()
        self.stale = False
        self.update_summary()
        target = self._index_for(current) if current else QModelIndex()
        if not target.isValid():
            target = self.model.index(0, self.model.LABEL_COLUMNS)
        sel_model = self.view.selectionModel()
        sel_model.setCurrentIndex(target, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        restored = QItemSelection()
        for key in selected:
            index = self._index_for(key)
            if index.isValid():
                restored.select(index, index)
        if not restored.isEmpty():
            sel_model.select(restored, QItemSelectionModel.SelectionFlag.ClearAndSelect)

    def _key_of(self, index: QModelIndex) -> tuple[object, object] | None:
        g = self.model.grid
        if g is None or not index.isValid():
            return None
        r, c = index.row(), index.column() - self.model.LABEL_COLUMNS
        row_key = g.rows[r].key if r < len(g.rows) else TOTAL_KEY
        if c < 0:
            col_key: object = ("label", index.column())
        else:
            col_key = g.columns[c].key if c < len(g.columns) else TOTAL_KEY
        return row_key, col_key

    def _index_for(self, key: tuple[object, object]) -> QModelIndex:
        g = self.model.grid
        if g is None:
            return QModelIndex()
        row_key, col_key = key
        r = len(g.rows) if row_key == TOTAL_KEY else g.row_of(row_key)
        if isinstance(col_key, tuple):
            c = col_key[1]
        elif col_key == TOTAL_KEY:
            c = self.model.total_column
        else:
            pos = g.column_of(col_key)
            c = None if pos is None else pos + self.model.LABEL_COLUMNS
        return QModelIndex() if r is None or c is None else self.model.index(r, c)

    def select_cells(self, cells: list[tuple[int, int]]) -> None:
        """Select grid cells (row, col) and make the first one current."""
        if not cells:
            return
        selection = QItemSelection()
        for r, c in cells:
            index = self.model.index_of(r, c)
            selection.select(index, index)
        first = self.model.index_of(*min(cells))
        sel_model = self.view.selectionModel()
        sel_model.setCurrentIndex(first, QItemSelectionModel.SelectionFlag.NoUpdate)
        sel_model.select(selection, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self.view.scrollTo(first)

    # ----------------------------------------------------------------- look
    def size_columns(self) -> None:
        """Widths from the font (no per-row measuring, so 2,500 rows open at once)."""
        g = self.model.grid
        if g is None:
            return
        fm = self.view.fontMetrics()
        number = fm.horizontalAdvance("88,888") + 16
        lines = 1
        for col in range(self.model.LABEL_COLUMNS):
            self.view.setColumnWidth(col, self.label_width(col, fm))
        for c in range(len(g.columns)):
            title = self.model.column_title(c).split("\n")
            lines = max(lines, len(title))
            width = max(number, max(fm.horizontalAdvance(line) for line in title) + 14)
            self.view.setColumnWidth(c + self.model.LABEL_COLUMNS, width)
        self.view.setColumnWidth(self.model.total_column, fm.horizontalAdvance("888,888") + 18)
        self.view.horizontalHeader().setMinimumHeight(fm.height() * max(2, lines) + 12)
        self.view.apply_frozen()

    def label_width(self, col: int, fm) -> int:
        raise NotImplementedError

    def update_summary(self) -> None:
        raise NotImplementedError


class MonthPanel(GridPanel):
    """月別: one effective month for all the branch's unions."""

    month_changed = Signal(str)
    model: MonthGridModel

    def __init__(
        self, service: EntryService, pref_code: str | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(service, MonthGridModel(), parent)
        self.pref_code = pref_code
        self.month = ""
        self.month_edit = QDateEdit()
        self.month_edit.setObjectName("monthEdit")
        self.month_edit.setDisplayFormat("yyyy年M月")
        self.month_edit.setDateRange(QDate(2000, 1, 1), QDate(2099, 12, 1))
        self.month_edit.setCurrentSection(QDateEdit.Section.MonthSection)
        self.month_edit.dateChanged.connect(self._date_changed)
        label = QLabel("発効月(&M):")
        label.setBuddy(self.month_edit)
        prev = QToolButton(text="◀ 前月")
        prev.setToolTip("前の月 (Ctrl+PgUp / Alt+←)")
        prev.clicked.connect(lambda: self.step(-1))
        nxt = QToolButton(text="次月 ▶")
        nxt.setToolTip("次の月 (Ctrl+PgDown / Alt+→)")
        nxt.clicked.connect(lambda: self.step(1))
        for i, w in enumerate((label, self.month_edit, prev, nxt)):
            self.selectors.insertWidget(i, w)
        self._shortcuts(PREV_KEYS, lambda: self.step(-1))
        self._shortcuts(NEXT_KEYS, lambda: self.step(1))
        self.setTabOrder(self.month_edit, self.view)
        self.month_edit.setKeyboardTracking(False)  # load once the month is typed, not per digit
        self.month_edit.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802
        """Enter in the month selector loads the month and goes back to the grid."""
        if (
            watched is self.month_edit
            and event.type() == QEvent.Type.KeyPress
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        ):
            self.month_edit.interpretText()
            self._date_changed(self.month_edit.date())
            self.view.setFocus()
            return True
        return super().eventFilter(watched, event)

    def set_month(self, month: str) -> None:
        if month == self.month and self.model.grid is not None:
            return
        self.month = month
        y, m = int(month[:4]), int(month[5:7])
        self.month_edit.blockSignals(True)
        self.month_edit.setDate(QDate(y, m, 1))
        self.month_edit.blockSignals(False)
        self.reload()
        self.month_changed.emit(month)

    def step(self, n: int) -> None:
        if self.view.is_editing() and not self.view.commit_editor():
            return
        self.set_month(add_months(self.month, n))

    def _date_changed(self, date: QDate) -> None:
        month = make_month(date.year(), date.month())
        if month != self.month:
            self.set_month(month)

    def reload(self) -> None:
        self.show_grid(self.service.month_grid(self.month, self.pref_code))

    def label_width(self, col: int, fm) -> int:
        g = self.model.grid
        assert g is not None
        if col == MonthGridModel.COL_CODE:
            return fm.horizontalAdvance("00-000" if self.pref_code is None else "コード") + 22
        names = sorted({f"{h.label} {h.note}".strip() for h in g.rows}, key=len)[-40:]
        longest = max([fm.horizontalAdvance(n) for n in names] + [fm.horizontalAdvance("単組名")])
        return min(longest + 16, fm.horizontalAdvance("あ") * 18)

    def update_summary(self) -> None:
        g = self.model.grid
        if g is None:
            return
        fy = f" ({g.fiscal_year.label})" if g.fiscal_year else ""
        self.summary.setText(
            f"{g.title}{fy} · {len(g.rows)}単組 · 合計 {self.model.value_at(self.model.index(self.model.total_row, self.model.total_column)) or 0:,}件"
        )


class UnionPanel(GridPanel):
    """単組別: one union, the 12 months of a fiscal year."""

    model: UnionGridModel
    union_chosen = Signal(int)

    def __init__(
        self, service: EntryService, pref_code: str | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(service, UnionGridModel(), parent)
        self.pref_code = pref_code
        self.union_id: int | None = None
        self.year: int | None = None
        self.union_combo = QComboBox()
        self.union_combo.setObjectName("unionCombo")
        self.union_combo.setEditable(True)
        self.union_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.union_combo.setMinimumContentsLength(22)
        self.union_combo.lineEdit().setPlaceholderText("コードまたは名前で検索")
        completer = QCompleter(self.union_combo.model(), self.union_combo)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.union_combo.setCompleter(completer)
        self.union_combo.currentIndexChanged.connect(self._union_index_changed)
        self.union_combo.activated.connect(lambda _i: self.view.setFocus())
        self.union_combo.lineEdit().returnPressed.connect(self._search_entered)
        self.year_combo = QComboBox()
        self.year_combo.setObjectName("yearCombo")
        self.year_combo.currentIndexChanged.connect(self._year_index_changed)
        union_label = QLabel("単組(&U):")
        union_label.setBuddy(self.union_combo)
        year_label = QLabel("年度(&Y):")
        year_label.setBuddy(self.year_combo)
        prev = QToolButton(text="◀ 前の単組")
        prev.setToolTip("前の単組 (Ctrl+PgUp / Alt+←)")
        prev.clicked.connect(lambda: self.step(-1))
        nxt = QToolButton(text="次の単組 ▶")
        nxt.setToolTip("次の単組 (Ctrl+PgDown / Alt+→)")
        nxt.clicked.connect(lambda: self.step(1))
        for i, w in enumerate(
            (union_label, self.union_combo, year_label, self.year_combo, prev, nxt)
        ):
            self.selectors.insertWidget(i, w)
        self._shortcuts(PREV_KEYS, lambda: self.step(-1))
        self._shortcuts(NEXT_KEYS, lambda: self.step(1))
        self._loading = False

    def load_choices(self, around_month: str) -> None:
        """Fill the union and year selectors (keeping the current choice when it still exists)."""
        self._loading = True
        try:
            self.union_combo.clear()
            for union_id, text in self.service.union_choices(self.pref_code):
                self.union_combo.addItem(text, union_id)
            years = self.service.fiscal_years(around_month)
            self.year_combo.clear()
            for y in years:
                self.year_combo.addItem(f"{y}年度", y)
        finally:
            self._loading = False
        if self.year is None:
            self.year = self.service.fiscal_year_of(around_month)
        if self.union_id is None and self.union_combo.count():
            self.union_id = self.union_combo.itemData(0)
        self._sync_selectors()

    def _sync_selectors(self) -> None:
        self._loading = True
        try:
            i = self.union_combo.findData(self.union_id)
            self.union_combo.setCurrentIndex(i)
            j = self.year_combo.findData(self.year)
            if j < 0 and self.year is not None:
                self.year_combo.addItem(f"{self.year}年度", self.year)
                j = self.year_combo.count() - 1
            self.year_combo.setCurrentIndex(j)
        finally:
            self._loading = False

    def set_union(self, union_id: int, year: int | None = None) -> None:
        if self.view.is_editing() and not self.view.commit_editor():
            return
        self.union_id = union_id
        if year is not None:
            self.year = year
        self._sync_selectors()
        self.reload()

    def step(self, n: int) -> None:
        count = self.union_combo.count()
        if not count:
            return
        i = self.union_combo.findData(self.union_id)
        self.set_union(self.union_combo.itemData(max(0, min(count - 1, i + n))))

    def find_union(self, text: str) -> int | None:
        """The selector row a clerk means: a code ("2" → 002) or part of a name, first match."""
        key = unicodedata.normalize("NFKC", text).strip().casefold()
        if not key:
            return None
        texts = [
            unicodedata.normalize("NFKC", self.union_combo.itemText(i)).casefold()
            for i in range(self.union_combo.count())
        ]
        if key.isdigit():
            code = key.zfill(3)
            for i, t in enumerate(texts):
                if t.split(" ", 1)[0].split("-")[-1] == code:
                    return i
        return next((i for i, t in enumerate(texts) if key in t), None)

    def _search_entered(self) -> None:
        i = self.find_union(self.union_combo.currentText())
        if i is None:
            self._sync_selectors()  # unknown text: show the current union again
            return
        union_id = self.union_combo.itemData(i)
        if union_id != self.union_id:
            self.set_union(union_id)
        else:
            self._sync_selectors()
        self.view.setFocus()

    def _union_index_changed(self, i: int) -> None:
        if self._loading or i < 0:
            return
        union_id = self.union_combo.itemData(i)
        if union_id is not None and union_id != self.union_id:
            self.set_union(union_id)
            self.union_chosen.emit(union_id)

    def _year_index_changed(self, i: int) -> None:
        if self._loading or i < 0:
            return
        year = self.year_combo.itemData(i)
        if year == self.year:
            return
        if self.union_id is None:
            self.year = year
        else:
            self.set_union(self.union_id, year)

    def reload(self) -> None:
        if (
            self.union_id is None
            or self.year is None
            or self.service.ctx.unions.get(self.union_id) is None
        ):
            self.union_id = None
            return
        self.show_grid(self.service.union_grid(self.union_id, self.year))

    def label_width(self, col: int, fm) -> int:
        g = self.model.grid
        assert g is not None
        return (
            max([fm.horizontalAdvance(h.label) for h in g.rows] + [fm.horizontalAdvance("商品")])
            + 20
        )

    def update_summary(self) -> None:
        g = self.model.grid
        if g is None or g.fiscal_year is None:
            return
        fy = g.fiscal_year
        total = (
            self.model.value_at(self.model.index(self.model.total_row, self.model.total_column))
            or 0
        )
        self.summary.setText(
            f"{fy.label} ({month_label(fy.first)}〜{month_label(fy.last)}発効) · 合計 {total:,}件"
        )
