"""Placeholder page (マスタ・設定) — being built; replaced before this session ends."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

from kyosai_desktop.ui.pages import PageSpec


def _build(ctx, bus):
    return QLabel("マスタ・設定 (作成中)")


PAGE = PageSpec(key="master", title="マスタ・設定", factory=_build, shortcut="F6")
