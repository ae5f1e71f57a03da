"""Importing a unions / targets / results file from the GUI, through the one import flow.

``MasterImport(ctx, bus, parent).run(kind)`` asks for a file and hands it to
:class:`~kyosai_desktop.ui.shared.import_flow.ImportFlow`: the file is read and checked once
off the UI thread, the one review dialog shows what would change (or every problem with
its row and cell), 取り込む writes the parsed rows in one transaction and every screen is
told through the data bus.  ``finished`` carries the import's report (None when refused,
declined or cancelled).  Used by the settings screen, the first-launch setup and the
ファイル menu.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from kyosai_desktop.services.context import AppContext
from kyosai_desktop.ui.shared import interaction
from kyosai_desktop.ui.shared.events import DataBus
from kyosai_desktop.ui.shared.import_kinds import KINDS, ImportKind

if TYPE_CHECKING:
    from kyosai_desktop.ui.shared.import_flow import ImportFlow

FILE_FILTER = "Excel / CSV (*.xlsx *.xlsm *.csv);;すべてのファイル (*)"


class MasterImport(QObject):
    """Ask for a 単組 / 目標 / 実績 file and import it through the one flow."""

    finished = Signal(str, object)  # kind, the ImportReport (None: refused / declined / cancelled)

    def __init__(self, ctx: AppContext, bus: DataBus | None, parent: QWidget | None) -> None:
        super().__init__(parent)
        # Imported here: the menus list KINDS at start-up, the flow is needed on first import.
        from kyosai_desktop.ui.shared.import_flow import ImportFlow

        self.flow: ImportFlow = ImportFlow(ctx, bus, parent)
        self.parent_widget = parent
        self.kind = ""
        self.flow.finished.connect(lambda report: self.finished.emit(self.kind, report))

    def run(self, kind: str, path: Path | str | None = None) -> bool:
        """Start importing (asks for the file when ``path`` is None); False when no file was chosen."""
        spec = KINDS[kind]
        if path is None:
            path = interaction.open_file(
                self.parent_widget,
                f"{spec.label}のファイルを選択 (列: {spec.headers})",
                FILE_FILTER,
            )
            if path is None:
                return False
        path = Path(path)
        self.kind = kind
        planner = spec.planner
        self.flow.start(
            f"{spec.label}の取り込み",
            path.name,
            lambda ctx, progress, sheet=None: planner(ctx, path, progress=progress, sheet=sheet),
        )
        return True

    @property
    def running(self) -> bool:
        return self.flow.running


def header_help() -> str:
    """Rich text listing each file's columns (shown on the import tab and in setup)."""
    rows = "".join(f"<li><b>{k.label}</b>: {k.headers}</li>" for k in KINDS.values())
    return f"<ul style='margin-left:0'>{rows}</ul>"


__all__ = ["KINDS", "ImportKind", "MasterImport", "header_help"]
