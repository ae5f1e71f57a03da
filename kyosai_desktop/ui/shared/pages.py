"""Registry of the main window's pages. Each page module exposes ``PAGE = PageSpec(...)``.

Pages are built on first show, so start-up only pays for the page it opens on.  A page
widget may offer ``undo_stack`` (a QUndoStack) to join the window's 元に戻す/やり直し, and
``refresh(kind)`` which the window calls when the data bus reports a change.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtWidgets import QWidget

from kyosai_desktop.services.context import AppContext
from kyosai_desktop.ui.shared.events import DataBus

# Order = order in the navigation list.
PAGE_MODULES = [
    "kyosai_desktop.ui.entry.entry_page",
    "kyosai_desktop.ui.progress.progress_page",
    "kyosai_desktop.ui.model_unions.model_unions_page",
    "kyosai_desktop.ui.estimates.estimates_page",
    "kyosai_desktop.ui.master.master_page",
]


@dataclass(frozen=True)
class PageSpec:
    key: str
    title: str
    factory: Callable[[AppContext, DataBus], QWidget]
    shortcut: str | None = None


def page_specs() -> list[PageSpec]:
    specs = []
    for name in PAGE_MODULES:
        module = importlib.import_module(name)
        specs.append(module.PAGE)
    return specs
