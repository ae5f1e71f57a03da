"""The bundled Japanese font, registered with Qt before any text is drawn.

KyosaiGothic (resources/fonts/kyosai-gothic.ttf) is IPAexGothic with every code point that
shared a glyph given its own copy, so PDF text copies as printed (tools/build_font.py).

A fresh machine may have no Japanese font at all; without this every character would be a
box on screen and missing from PDFs.  PDFs embed the glyphs they use (Qt subsets TrueType).
"""

from __future__ import annotations

from functools import cache

from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication

from kyosai_desktop.paths import font_path

FALLBACK_FAMILY = "KyosaiGothic"


@cache
def app_font_family() -> str:
    font_id = QFontDatabase.addApplicationFont(str(font_path()))
    if font_id < 0:
        raise RuntimeError(f"同梱フォントを読み込めません: {font_path()}")
    families = QFontDatabase.applicationFontFamilies(font_id)
    return families[0] if families else FALLBACK_FAMILY


def install_app_font(app: QGuiApplication, point_size: float = 10.0) -> str:
    family = app_font_family()
    font = QFont(family)
    font.setPointSizeF(point_size)
    font.setStyleStrategy(QFont.StyleStrategy.PreferAntialias)
    app.setFont(font)
    return family


def japanese_font(point_size: float, *, bold: bool = False) -> QFont:
    font = QFont(app_font_family())
    font.setPointSizeF(point_size)
    font.setBold(bold)
    return font
