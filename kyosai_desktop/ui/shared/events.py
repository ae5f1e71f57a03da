"""One "data changed" signal after writes, so every screen refreshes itself."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class DataBus(QObject):
    # kind: "results", "unions", "targets", "master", "model_unions", "estimates", "all"
    changed = Signal(str)
