"""Japanese must draw on a machine without Japanese fonts, on screen and in every PDF.

The app bundles KyosaiGothic (IPAexGothic with no glyph shared between code points, built by
tools/build_font.py).  These tests check that it covers every character the app's source and
master data can show, that Qt resolves text to it, and that a produced PDF embeds it (read back
with pypdf, and with ``pdffonts`` when poppler is installed).
"""

from __future__ import annotations

import ast
import csv
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QRectF
from PySide6.QtGui import QFontInfo, QRawFont

from kyosai_desktop.paths import font_path, seed_dir

PACKAGE = Path(__file__).resolve().parents[1] / "kyosai_desktop"


def _displayed_characters() -> set[str]:
    """Every non-ASCII character in the package's string literals (not docstrings) and seed data."""
    chars: set[str] = set()
    for source in PACKAGE.rglob("*.py"):
        tree = ast.parse(source.read_text(encoding="utf-8"))
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
            and node.body
            and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)
        }
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in docstrings
            ):
                chars.update(ch for ch in node.value if ord(ch) > 0x7F)
    for seed in seed_dir().glob("*.csv"):
        with seed.open(encoding="utf-8") as fh:
            for row in csv.reader(fh):
                chars.update(ch for cell in row for ch in cell if ord(ch) > 0x7F)
    return {ch for ch in chars if ch.isprintable() and not ch.isspace()}


ROOT = Path(__file__).resolve().parents[1]


def test_bundled_font_and_licence_are_present():
    assert font_path().is_file()
    assert (font_path().parent / "IPA_Font_License_Agreement_v1.0.txt").is_file()
    # A Derived Program must carry its own name and ship with the way back to the original
    # (IPA Font License v1.0, Article 3.1): the original and the build script are in tools/.
    assert "ipa" not in font_path().name.lower()
    assert (ROOT / "tools" / "font-source" / "ipaexg.ttf").is_file()
    assert (ROOT / "tools" / "font-source" / "IPA_Font_License_Agreement_v1.0.txt").is_file()
    assert (ROOT / "tools" / "build_font.py").is_file()


def test_bundled_font_covers_every_displayed_character(qapp):
    raw = QRawFont(str(font_path()), 12)
    assert raw.isValid()
    chars = _displayed_characters()
    assert len(chars) > 300  # the app really is Japanese: kana, kanji, full-width marks
    missing = sorted(ch for ch in chars if not raw.supportsCharacter(ord(ch)))
    assert missing == [], f"同梱フォントにない文字: {''.join(missing)}"


def test_application_font_is_the_bundled_one(qapp, app_font):
    assert app_font == "KyosaiGothic"
    info = QFontInfo(qapp.font())
    assert info.family() == "KyosaiGothic"


def _write_sample_pdf(path: Path) -> None:
    from kyosai_desktop.render.fonts import japanese_font
    from kyosai_desktop.render.paper import PaperDocument, render_pdf

    class Sample(PaperDocument):
        title = "フォント確認"

        def page_count(self) -> int:
            return 1

        def paint_page(self, painter, index, rect: QRectF) -> None:
            painter.setFont(japanese_font(14))
            painter.drawText(
                rect.adjusted(0, 0, 0, -rect.height() + 40), "宮城県支部 団体生命共済 到達率 56.4%"
            )

    render_pdf(Sample(), path)


def test_pdf_embeds_the_japanese_font(qapp, tmp_path):
    pdf = tmp_path / "sample.pdf"
    _write_sample_pdf(pdf)
    reader = PdfReader(pdf)
    text = reader.pages[0].extract_text()
    assert "団体生命共済" in text and "宮城県支部" in text
    fonts = []
    for font in reader.pages[0]["/Resources"]["/Font"].values():
        font = font.get_object()
        for descendant in font.get("/DescendantFonts", [font]):
            descriptor = descendant.get_object().get("/FontDescriptor")
            if descriptor is not None:
                descriptor = descriptor.get_object()
                fonts.append(
                    (
                        str(descriptor["/FontName"]),
                        any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")),
                    )
                )
    assert fonts, "PDF に文字フォントがありません"
    assert all(embedded for _, embedded in fonts), fonts
    assert any("KyosaiGothic" in name for name, _ in fonts), fonts


@pytest.mark.skipif(
    shutil.which("pdffonts") is None, reason="poppler-utils (pdffonts) not installed"
)
def test_pdffonts_reports_embedded(qapp, tmp_path):
    pdf = tmp_path / "sample.pdf"
    _write_sample_pdf(pdf)
    out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in out.splitlines()[2:] if line.strip()]
    assert rows and all("KyosaiGothic" in row[0] for row in rows), out
    # columns: name type encoding emb sub uni object ID -> "emb" is the 4th from the end of flags
    assert all(row[-5] == "yes" for row in rows), out


def test_pdf_text_copies_as_the_printed_characters(qapp, tmp_path):
    """目標 / 加入 / 大分 / 日 must copy and search as themselves, not as Kangxi radicals."""
    from kyosai_desktop.render.fonts import japanese_font
    from kyosai_desktop.render.paper import PaperDocument, render_pdf

    words = "目標 加入 大分 2025年2月28日 団体生命共済 入力"

    class Sample(PaperDocument):
        title = "検索確認"

        def page_count(self) -> int:
            return 1

        def paint_page(self, painter, index, rect: QRectF) -> None:
            painter.setFont(japanese_font(12))
            painter.drawText(rect.adjusted(0, 0, 0, -rect.height() + 30), words)

    pdf = render_pdf(Sample(), tmp_path / "search.pdf")
    text = PdfReader(pdf).pages[0].extract_text()
    for word in words.split():
        assert word in text, (word, text)  # no NFKC needed
    assert not any(0x2E80 <= ord(ch) <= 0x2FDF for ch in text)
