"""Placeholder page (月次入力) — being built; replaced before this session ends."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

from kyosai_desktop.ui.pages import PageSpec


def _build(ctx, bus):
    return QLabel("月次入力 (作成中)")


PAGE = PageSpec(key="entry", title="月次入力", factory=_build, shortcut="F2")
