"""Placeholder page (県支部実績) — being built; replaced before this session ends."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

from kyosai_desktop.ui.pages import PageSpec


def _build(ctx, bus):
    return QLabel("県支部実績 (作成中)")


PAGE = PageSpec(key="progress", title="県支部実績", factory=_build, shortcut="F3")
