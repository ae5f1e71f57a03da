"""PDF text copies as printed: every character the reports can print round-trips through
``pdftotext`` unchanged, compared without any normalisation.

The original IPAexGothic shares one glyph between 長 and the radical ⻑, − and the soft hyphen,
— and U+0336 …; a PDF names a glyph by one code point, so 長野 used to copy as ⻑野.  The bundled
KyosaiGothic (tools/build_font.py) gives each such code point its own copy of the glyph.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from PySide6.QtCore import QRectF, Qt

from kyosai_desktop.paths import font_path, seed_dir
from tests.model_union_fixtures import SAMPLE, Unit, fy_months, write_sheet
from tests.test_fonts import _displayed_characters

ROOT = Path(__file__).resolve().parents[1]
ORIGINAL = ROOT / "tools" / "font-source" / "ipaexg.ttf"
SAMPLE_PREFS = SAMPLE.parent / "prefectures.csv"

needs_pdftotext = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils not installed"
)


def _shared_in_original() -> set[str]:
    """Characters that shared a glyph with another code point in the original font."""
    by_glyph: dict[str, list[int]] = {}
    for cp, glyph in TTFont(str(ORIGINAL), lazy=True).getBestCmap().items():
        by_glyph.setdefault(glyph, []).append(cp)
    return {chr(cp) for cps in by_glyph.values() if len(cps) > 1 for cp in cps}


def _printable(chars: set[str]) -> set[str]:
    """Leave out what has no visible glyph of its own to copy (spaces, soft hyphen, marks),
    and characters beyond U+FFFF: Qt's PDF writer builds its text map over the BMP only, so
    those print but do not copy (a Qt limitation, not the font's)."""
    return {
        ch
        for ch in chars
        if ch.isprintable()
        and not ch.isspace()
        and ord(ch) <= 0xFFFF
        and not unicodedata.category(ch).startswith(("M", "C"))
    }


def _report_characters() -> set[str]:
    chars = _displayed_characters()  # every label, header, message, seed
    chars |= {chr(cp) for cp in range(0x21, 0x7F)}  # ASCII: digits, signs, codes
    chars |= set("−—△○▲●◎×÷～〜‘’“”・ー々％，．：（）")
    chars |= set(
        "八戸市 民生 黄金 西宮 黒部 長門 青梅 入間 大月 日立 金山"
    )  # union names are free text
    for path in (seed_dir() / "prefectures.csv", SAMPLE_PREFS):
        if path.exists():
            with path.open(encoding="utf-8") as fh:
                chars |= {ch for row in csv.DictReader(fh) for ch in row["pref_name"]}
    return _printable(chars)


def _lines(chars: set[str], width: int = 40) -> list[str]:
    ordered = "".join(sorted(chars))
    return [ordered[i : i + width] for i in range(0, len(ordered), width)]


def _render_lines(lines: list[str], path: Path) -> Path:
    from kyosai_desktop.render.paper import PaperDocument, draw_text, render_pdf

    per_page = 40

    class Lines(PaperDocument):
        title = "文字確認"

        def page_count(self) -> int:
            return -(-len(lines) // per_page)

        def paint_page(self, painter, index, rect: QRectF) -> None:
            for row, line in enumerate(lines[index * per_page : (index + 1) * per_page]):
                draw_text(
                    painter,
                    QRectF(0, row * 18, rect.width(), 16),
                    Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                    line,
                    10.5,
                )

    return render_pdf(Lines(), path)


def _pdftotext(path: Path) -> list[str]:
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return ["".join(line.split()) for line in out.splitlines() if line.strip()]


def test_bundled_font_shares_no_glyph_and_covers_the_original():
    font, original = TTFont(str(font_path()), lazy=True), TTFont(str(ORIGINAL), lazy=True)
    cmap, original_cmap = font.getBestCmap(), original.getBestCmap()
    assert set(cmap) == set(original_cmap)  # nothing dropped
    glyphs = list(cmap.values())
    assert len(set(glyphs)) == len(glyphs)  # one code point per glyph
    hmtx, original_hmtx = font["hmtx"], original["hmtx"]
    for cp, glyph in cmap.items():  # same shapes and widths as before
        assert hmtx[glyph] == original_hmtx[original_cmap[cp]]
    glyf, original_glyf = font["glyf"], original["glyf"]
    for cp in (0x2ED1, 0x2212, 0x00AD, 0x2014, 0x0336, 0x2FCA, 0x9ED2):
        a, b = glyf[cmap[cp]], original_glyf[original_cmap[cp]]
        assert a.compile(glyf) == b.compile(original_glyf), hex(cp)
    family = {r.toUnicode() for r in font["name"].names if r.nameID in (1, 4, 6, 16)}
    assert family == {"KyosaiGothic"}  # licence: not the original's name


def test_build_script_reproduces_the_bundled_font(tmp_path):
    from tools.build_font import build

    out = tmp_path / "rebuilt.ttf"
    build(ORIGINAL, out)
    rebuilt, bundled = TTFont(str(out), lazy=True), TTFont(str(font_path()), lazy=True)
    assert rebuilt.getBestCmap() == bundled.getBestCmap()
    assert rebuilt.getGlyphOrder() == bundled.getGlyphOrder()
    assert [(r.nameID, r.toUnicode()) for r in rebuilt["name"].names] == [
        (r.nameID, r.toUnicode()) for r in bundled["name"].names
    ]


@needs_pdftotext
def test_every_printable_character_round_trips_through_pdftotext(qapp, tmp_path):
    chars = _report_characters()
    assert {
        "長",
        "野",
        "崎",
        "青",
        "森",
        "黒",
        "部",
        "西",
        "戸",
        "民",
        "黄",
        "−",
        "—",
        "△",
        "○",
    } <= chars
    assert len(chars) > 500
    lines = _lines(chars)
    assert _pdftotext(_render_lines(lines, tmp_path / "chars.pdf")) == lines


@needs_pdftotext
def test_look_alikes_copy_as_themselves(qapp, tmp_path):
    """The radicals, compatibility ideographs and dashes that shared a glyph in the original
    font: each copies as itself, not as its twin."""
    chars = _printable(_shared_in_original())
    assert {"⻑", "長", "⻘", "青", "⿊", "黒", "−", "—", "〜", "～"} <= chars
    lines = _lines(chars, 30)
    assert _pdftotext(_render_lines(lines, tmp_path / "twins.pdf")) == lines


def _units() -> list[Unit]:
    names = [
        ("03", "001", "青森市職員労働組合"),
        ("18", "001", "長野県職員労働組合"),
        ("19", "001", "黒部市職員労働組合"),
        ("44", "001", "長崎市職員労働組合"),
        ("13", "001", "西東京市職員労働組合"),
    ]
    units = []
    for n, (pref, code, name) in enumerate(names):
        unit = Unit(pref, code, name, 800 + n, 300 + n, 4, 20)
        for month in fy_months(2024, 6)[:9]:
            unit.counts[month] = 1 + n
        units.append(unit)
    return units


@needs_pdftotext
def test_national_model_union_pdf_finds_the_place_names(ctx, db_path, tmp_path):
    from kyosai_desktop.cli import main
    from kyosai_desktop.services.model_union_import import import_model_unions

    ctx.settings.set_branch("13")
    import_model_unions(ctx, write_sheet(tmp_path / "hq.xlsx", _units()), 2024)
    pdf = tmp_path / "national.pdf"
    assert (
        main(
            [
                "--db",
                str(db_path),
                "report",
                "model-unions",
                "--fy",
                "2024",
                "--as-of",
                "2025-02",
                "--out",
                str(pdf),
            ]
        )
        == 0
    )
    text = "".join(_pdftotext(pdf))
    for word in ("長野", "長崎", "青森", "黒部", "西東京"):
        assert word in text, word
    assert not any(0x2E80 <= ord(ch) <= 0x2FDF for ch in text)
