"""Placeholder page (見積りキャンペーン) — being built; replaced before this session ends."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

from kyosai_desktop.ui.pages import PageSpec


def _build(ctx, bus):
    return QLabel("見積りキャンペーン (作成中)")


PAGE = PageSpec(key="estimates", title="見積りキャンペーン", factory=_build, shortcut="F5")
