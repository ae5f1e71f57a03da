"""Registry of the main window's pages: key, title, shortcut and the module that builds it.

A page's module is imported and the page built on first show, so start-up only pays for
the page it opens on (tests/bench_foundation.py).  Each page module defines
``build_page(ctx, bus)``.  A page
widget may offer ``undo_stack`` (a QUndoStack) to join the window's 元に戻す/やり直し, and
``refresh(kind)`` which the window calls when the data bus reports a change.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:
    from kyosai_desktop.services.context import AppContext
    from kyosai_desktop.ui.shared.events import DataBus


@dataclass(frozen=True)
class PageSpec:
    """A page as the navigation lists it; its module is imported when the page is first shown."""

    key: str
    title: str
    module: str  # defines ``build_page(ctx, bus) -> QWidget``
    shortcut: str | None = None

    def factory(self, ctx: AppContext, bus: DataBus) -> QWidget:
        build: Callable[[AppContext, DataBus], QWidget] = importlib.import_module(
            self.module
        ).build_page
        return build(ctx, bus)


# Order = order in the navigation list.
PAGES = [
    PageSpec("entry", "月次入力", "kyosai_desktop.ui.entry.entry_page", "F2"),
    PageSpec("progress", "県支部実績", "kyosai_desktop.ui.progress.progress_page", "F3"),
    PageSpec(
        "model_unions", "モデル単組", "kyosai_desktop.ui.model_unions.model_unions_page", "F4"
    ),
    PageSpec("estimates", "見積りキャンペーン", "kyosai_desktop.ui.estimates.estimates_page", "F5"),
    PageSpec("master", "マスタ・設定", "kyosai_desktop.ui.master.master_page", "F6"),
]


# A headquarters database (``kyosai init --hq``) shows these instead.
HQ_PAGES = [
    PageSpec("hq_branches", "県支部一覧", "kyosai_desktop.ui.hq.branches_page", "F2"),
    PageSpec("hq_national", "全国集計", "kyosai_desktop.ui.hq.national_page", "F3"),
]


def page_specs(hq: bool = False) -> list[PageSpec]:
    return list(HQ_PAGES if hq else PAGES)
