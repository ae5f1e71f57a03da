"""Keep a grid's 合計 row (last row) and 合計 column (last column) in view while it scrolls.

Four small ``QTableView`` overlays share the grid's model and selection model, as the
frozen label columns of ``FrozenTableView`` do:

* ``bottom``  — the last row across the whole width, scrolled horizontally with the grid;
* ``bottom_left`` — the last row's label columns (「合計」), never scrolled;
* ``right``   — the last column with its header, scrolled vertically with the grid;
* ``corner``  — the grand total (last row × last column).

The grid scrolls per pixel, so at the end of its range its own 合計 row/column lie exactly
under the overlays; elsewhere the overlays cover a strip as wide as the totals, and
``open_rect`` tells the grid which part of its viewport is really visible (``scrollTo``
and Enter's "past the edge" check use it).  Rows are never hidden (that would cost a call
per row on every reload at national scale): the one-row overlays are one row high and
scrolled to their end, and the column overlays hide the few other columns.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QAbstractItemView, QFrame, QTableView

_STYLE_TOP = "QTableView { border: none; border-top: 1px solid #4472C4; }"
_STYLE_LEFT = "QTableView { border: none; border-left: 1px solid #4472C4; }"
_STYLE_CORNER = (
    "QTableView { border: none; border-top: 1px solid #4472C4; border-left: 1px solid #4472C4; }"
)
_LINE = 1  # the line between the grid and the totals: it lies on the grid line there


class _Overlay(QTableView):
    """A view that only scrolls with the grid: the shared current cell never scrolls it."""

    def scrollTo(self, index, hint=QAbstractItemView.ScrollHint.EnsureVisible) -> None:  # noqa: N802
        return


def _overlay(parent, style: str, header: bool) -> QTableView:
    view = _Overlay(parent)
    view.setAutoScroll(False)
    view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    view.verticalHeader().hide()
    if not header:
        view.horizontalHeader().hide()
    view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    view.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    view.setFrameShape(QFrame.Shape.NoFrame)
    view.setStyleSheet(style)
    view.setWordWrap(False)
    view.hide()
    return view


def _stay_at_end(view: QTableView, vertical: bool) -> None:
    bar = view.verticalScrollBar() if vertical else view.horizontalScrollBar()
    bar.rangeChanged.connect(lambda _lo, hi: bar.setValue(hi))


class PinnedTotals:
    """The overlays of one ``FrozenTableView`` (see module docstring)."""

    def __init__(self, grid) -> None:
        self.grid = grid
        self.enabled = False
        self.bottom = _overlay(grid, _STYLE_TOP, header=False)
        self.bottom_left = _overlay(grid, _STYLE_TOP, header=False)
        self.right = _overlay(grid, _STYLE_LEFT, header=True)
        self.corner = _overlay(grid, _STYLE_CORNER, header=False)
        for view in (self.bottom, self.bottom_left, self.corner):
            _stay_at_end(view, vertical=True)
        for view in (self.right, self.corner):
            _stay_at_end(view, vertical=False)
        grid.horizontalScrollBar().valueChanged.connect(self.bottom.horizontalScrollBar().setValue)
        grid.verticalScrollBar().valueChanged.connect(self.right.verticalScrollBar().setValue)
        grid.horizontalHeader().sectionResized.connect(self._section_resized)

    def views(self) -> tuple[QTableView, ...]:
        return (self.bottom, self.bottom_left, self.right, self.corner)

    # ----------------------------------------------------------------- model
    def set_model(self, model) -> None:
        """Share ``model``; on a reset, re-apply after the overlays took it (connected last)."""
        old = self.views()[0].model()
        if old is not None:
            old.modelReset.disconnect(self._reset_ends)
        for view in self.views():
            view.setModel(model)
            view.setSelectionModel(self.grid.selectionModel())
            view.setSelectionBehavior(self.grid.selectionBehavior())
            view.doubleClicked.connect(self.grid.doubleClicked.emit)
        if model is not None:
            model.modelReset.connect(self._reset_ends)

    def _reset_ends(self) -> None:
        self.apply(self.grid._frozen_count())

    def _columns(self) -> int:
        model = self.grid.model()
        return 0 if model is None else model.columnCount()

    def _rows(self) -> int:
        model = self.grid.model()
        return 0 if model is None else model.rowCount()

    def apply(self, frozen: int) -> None:
        """Copy widths and hide the columns each overlay does not show."""
        n = self._columns()
        show = self.enabled and n > 1 and self._rows() > 1
        for view in self.views():
            view.setVisible(show)
        if not show:
            return
        row_h = self.grid.verticalHeader().defaultSectionSize()
        last = n - 1
        for view in self.views():
            view.verticalHeader().setDefaultSectionSize(row_h)
            for col in range(n):
                view.setColumnWidth(col, self.grid.columnWidth(col))
        for col in range(n):
            self.right.setColumnHidden(col, col != last)
            self.corner.setColumnHidden(col, col != last)
            self.bottom_left.setColumnHidden(col, col >= frozen)
        self.bottom_left.setVisible(frozen > 0)
        for view in self.views():  # above the grid's frozen columns (never per layout: costly)
            view.raise_()
        self.update_geometry(frozen)

    def _section_resized(self, logical: int, _old: int, new: int) -> None:
        if not self.enabled:
            return
        for view in self.views():
            view.setColumnWidth(logical, new)
        self.update_geometry(self.grid._frozen_count())

    # ----------------------------------------------------------------- layout
    def pinned_size(self) -> tuple[int, int]:
        """(width of the pinned column, height of the pinned row); (0, 0) when off."""
        if not self.enabled or not self.bottom.isVisible():
            return 0, 0
        n = self._columns()
        return (
            self.grid.columnWidth(n - 1) + _LINE,
            self.grid.verticalHeader().defaultSectionSize() + _LINE,
        )

    def update_geometry(self, frozen: int) -> None:
        if not self.enabled or not self.bottom.isVisible():
            return
        vp = self.grid.viewport().geometry()
        width, height = self.pinned_size()
        header_h = self.grid.horizontalHeader().height()
        top = vp.bottom() + 1 - height
        left = vp.right() + 1 - width
        frozen_w = sum(
            self.grid.columnWidth(c) for c in range(frozen) if not self.grid.isColumnHidden(c)
        )
        self.bottom.setGeometry(vp.left(), top, vp.width(), height)
        self.bottom_left.setGeometry(vp.left(), top, frozen_w, height)
        self.right.setGeometry(left, vp.top() - header_h, width, vp.height() + header_h)
        self.right.horizontalHeader().setFixedHeight(header_h)
        self.corner.setGeometry(left, top, width, height)
        # the overlays' viewports match the grid's, so the synced scroll values line up
        self.bottom.horizontalScrollBar().setValue(self.grid.horizontalScrollBar().value())
        self.right.verticalScrollBar().setValue(self.grid.verticalScrollBar().value())

    def open_rect(self, rect: QRect) -> QRect:
        """``rect`` (the grid's viewport rect) less the strips the overlays cover."""
        width, height = self.pinned_size()
        return rect.adjusted(0, 0, -width, -height)
