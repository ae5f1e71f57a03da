"""県支部一覧 (HQ mode, F2): the 47 branches with the date of their latest report package,
and who has not sent one yet; 報告パッケージを取り込む… runs the one import flow (review of
the package's dry run, then all or nothing)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from kyosai_desktop.services.context import AppContext
from kyosai_desktop.services.national_report import branch_status_table
from kyosai_desktop.services.ops import ChangeKind
from kyosai_desktop.ui.shared import interaction
from kyosai_desktop.ui.shared.events import ChangeEvent, DataBus
from kyosai_desktop.ui.shared.report_model import ReportTableView

PACKAGE_FILTER = "報告パッケージ (*.kyosai-report);;すべてのファイル (*)"


class BranchesPage(QWidget):
    def __init__(self, ctx: AppContext, bus: DataBus | None = None, parent=None) -> None:
        super().__init__(parent)
        self.ctx, self.bus = ctx, bus
        self.flow = None
        self.import_button = QPushButton("報告パッケージを取り込む(&I)…")
        self.title_label = QLabel()
        self.title_label.setStyleSheet("font-size: 13pt; font-weight: bold;")
        self.view = ReportTableView(show_filter=True)
        bar = QHBoxLayout()
        bar.addWidget(self.title_label)
        bar.addStretch(1)
        bar.addWidget(self.import_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)
        self.import_button.clicked.connect(lambda: self.import_package())
        self.reload()

    def reload(self) -> None:
        report = branch_status_table(self.ctx)
        self.view.set_report(report)
        self.title_label.setText(report.title)

    def refresh(self, event: ChangeEvent) -> None:
        if event.touches(ChangeKind.HQ_PACKAGES, ChangeKind.SETTINGS):
            self.reload()

    def import_package(self, path: Path | None = None):
        """Choose a package and import it through the review dialog; returns the flow."""
        from kyosai_desktop.services.hq_import import plan_package
        from kyosai_desktop.ui.shared.import_flow import ImportFlow

        if path is None:
            path = interaction.open_file(self, "報告パッケージを選択", PACKAGE_FILTER)
            if path is None:
                return None
        chosen = Path(path)
        self.flow = ImportFlow(self.ctx, self.bus, self)
        self.flow.start(
            "報告パッケージの取り込み",
            chosen.name,
            lambda ctx, progress: plan_package(ctx, chosen, progress=progress),
        )
        return self.flow


def build_page(ctx: AppContext, bus: DataBus) -> QWidget:
    return BranchesPage(ctx, bus)
