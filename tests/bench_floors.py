"""Shared measuring for the benchmark scripts (not collected by pytest; not a benchmark itself).

Every figure a benchmark prints is printed beside floors measured in the same run, with its
ratio to each (``Figures.line``).  In-process timings are medians of several runs after one
untimed warm-up (``median_ms``: bytecode of lazily imported modules compiled, caches and the
page cache warm).  A screen timing ends with ONE paint: ``PaintCount`` counts the paint events
the timed action caused, and the line shows the count.  The floors provided here:

* ``bare_table_ms`` — a plain QTableView of the same size and shape with a constant model,
  reset and painted once (the least a table on screen costs);
* ``PdfTextFloor`` — a bare QPdfWriter writing the same text onto the same number of pages of
  the same size with the app's font: the strings ``pdftotext -layout`` reads back from our PDF,
  one ``drawText`` per string at its place (no lines, no shading, no layout work).
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path


def median_ms(fn: Callable[[], object], runs: int, warmup: int = 1) -> tuple[float, list[float]]:
    """Median wall time of ``fn`` in ms over ``runs`` runs after ``warmup`` untimed runs."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), times


def load() -> str:
    return f"load {os.getloadavg()[0]:.2f} (2 cores)"


class Figures:
    """Prints each figure with its floors and ratios; remembers whether every goal was met."""

    def __init__(self, width: int = 58) -> None:
        self.ok = True
        self.width = width

    def line(
        self,
        label: str,
        median: float,
        floors: dict[str, float] | None = None,
        *,
        goal_ms: float | None = None,
        runs: list[float] | None = None,
        paints: int | None = None,
        note: str = "",
        judged: float | None = None,
    ) -> bool:
        """One figure in ms.  ``judged`` is the value the goal is checked on (default the median)."""
        met = True
        verdict = "info"
        if goal_ms is not None:
            met = (median if judged is None else judged) < goal_ms
            self.ok &= met
            verdict = f"goal < {goal_ms:,.0f} ms {'OK' if met else 'MISSED'}"
        ratios = "  ".join(
            f"{name} {value:,.1f} ms (×{median / value:.1f})"
            for name, value in (floors or {}).items()
            if value > 0
        )
        extras = []
        if paints is not None:
            extras.append(f"paints {paints}")
        if runs:
            extras.append("runs " + " ".join(f"{t:.0f}" for t in runs))
        if note:
            extras.append(note)
        pad = " " * max(0, self.width - _columns(label))
        print(
            f"{label}{pad} {median:9,.1f} ms  {verdict}"
            + (f"   floors: {ratios}" if ratios else "")
            + (f"   [{'; '.join(extras)}]" if extras else ""),
            flush=True,
        )
        return met


class PaintCount:
    """Counts the paint events of ``widget`` (e.g. a table's viewport) while installed."""

    def __init__(self, widget) -> None:
        from PySide6.QtCore import QEvent, QObject

        counter = self

        class _Filter(QObject):
            def eventFilter(self, obj, event):  # noqa: N802 - Qt's name
                if event.type() == QEvent.Type.Paint:
                    counter.count += 1
                return False

        self.count = 0
        self._filter = _Filter()
        self.widget = widget
        widget.installEventFilter(self._filter)

    def take(self) -> int:
        count, self.count = self.count, 0
        return count

    def close(self) -> None:
        self.widget.removeEventFilter(self._filter)


def timed_paints(
    fn: Callable[[], object], widget, runs: int, warmup: int = 1
) -> tuple[float, list[float], int]:
    """``median_ms`` of a screen action, and the most paints of ``widget`` any timed run caused."""
    counter = PaintCount(widget)
    for _ in range(warmup):
        fn()
    counter.take()
    times, most = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
        most = max(most, counter.take())
    counter.close()
    return statistics.median(times), times, most


def bare_table_ms(app, rows: int, cols: int, size, runs: int = 5) -> float:
    """One reset and paint of a plain QTableView of ``rows`` × ``cols`` constant cells (median)."""
    from PySide6.QtCore import QAbstractTableModel, Qt
    from PySide6.QtWidgets import QTableView

    class Constant(QAbstractTableModel):
        def rowCount(self, parent=None):  # noqa: N802
            return rows

        def columnCount(self, parent=None):  # noqa: N802
            return cols

        def data(self, index, role=Qt.ItemDataRole.DisplayRole):
            return "1,234" if role == Qt.ItemDataRole.DisplayRole else None

    view = QTableView()
    view.resize(size)
    model = Constant()
    view.setModel(model)
    view.show()
    app.processEvents()

    def paint():
        model.beginResetModel()
        model.endResetModel()
        app.processEvents()  # the one paint the reset scheduled

    median, _ = median_ms(paint, runs)
    view.close()
    return median


_SEGMENT = re.compile(r"\S+(?: \S+)*")


def _columns(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


class PdfTextFloor:
    """A bare QPdfWriter writing the text of ``ours`` (read back with pdftotext) — the PDF floor."""

    def __init__(self, ours: Path) -> None:
        if shutil.which("pdftotext") is None:
            raise SystemExit("pdftotext (poppler-utils) is needed for the PDF floor")
        text = subprocess.run(
            ["pdftotext", "-layout", str(ours), "-"], capture_output=True, text=True, check=True
        ).stdout
        info = subprocess.run(
            ["pdfinfo", str(ours)], capture_output=True, text=True, check=True
        ).stdout
        size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info)
        pages = re.search(r"Pages:\s+(\d+)", info)
        assert size and pages, info
        self.width, self.height = float(size.group(1)), float(size.group(2))
        self.pages: list[list[tuple[float, float, str]]] = []
        for page in text.split("\f")[: int(pages.group(1))]:
            lines = page.split("\n")
            cols = max((_columns(line) for line in lines), default=1) or 1
            step_x = self.width / cols
            step_y = self.height / max(len(lines), 1)
            strings = []
            for row, line in enumerate(lines):
                for m in _SEGMENT.finditer(line):
                    x = _columns(line[: m.start()]) * step_x
                    strings.append((x, (row + 1) * step_y, m.group(0)))
            self.pages.append(strings)
        while len(self.pages) < int(pages.group(1)):
            self.pages.append([])

    @property
    def strings(self) -> int:
        return sum(len(p) for p in self.pages)

    def write(self, out: Path) -> Path:
        from PySide6.QtCore import QMarginsF, QPointF, QSizeF
        from PySide6.QtGui import QPageLayout, QPageSize, QPainter, QPdfWriter

        from kyosai_desktop.render.fonts import japanese_font
        from kyosai_desktop.render.paper import ensure_gui_app

        ensure_gui_app()
        writer = QPdfWriter(str(out))
        writer.setResolution(72)
        writer.setPageLayout(
            QPageLayout(
                QPageSize(QSizeF(self.width, self.height), QPageSize.Unit.Point),
                QPageLayout.Orientation.Portrait,
                QMarginsF(0, 0, 0, 0),
            )
        )
        painter = QPainter(writer)
        painter.setFont(japanese_font(7))
        for n, strings in enumerate(self.pages):
            if n:
                writer.newPage()
            for x, y, text in strings:
                painter.drawText(QPointF(x, y), text)
        painter.end()
        del writer
        return out

    def pdf_pages(self, path: Path) -> int:
        info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
        found = re.search(r"Pages:\s+(\d+)", info)
        return int(found.group(1)) if found else 0
