"""Placeholder page (モデル単組) — being built; replaced before this session ends."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

from kyosai_desktop.ui.pages import PageSpec


def _build(ctx, bus):
    return QLabel("モデル単組 (作成中)")


PAGE = PageSpec(key="model_unions", title="モデル単組", factory=_build, shortcut="F4")
