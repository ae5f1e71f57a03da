"""Build the bundled font (KyosaiGothic) from the original IPAexGothic.

    pip install fonttools   # build-time only; the app never imports it
    python tools/build_font.py            # writes resources/fonts/kyosai-gothic.ttf

Why: IPAexGothic maps several code points to one glyph (長 U+9577 and the radical ⻑ U+2ED1,
− U+2212 and the soft hyphen U+00AD, — U+2014 and U+0336, …).  A PDF writer can only name
each embedded glyph by one code point, and Qt names it by the lowest, so a page printed with
長野 copies and searches as ⻑野.  This gives every code point that shares a glyph, except the
one that keeps it (the ideograph, the dash, the ordinary space …), its own identical copy of
that glyph (outline and hinting instructions copied, same advance widths).  Nothing else
changes: the glyphs of ordinary text keep their ids, so screens and pages draw exactly as
before, and every code point the original covers is still covered.

Licence (IPA Font License v1.0, Article 3.1): this is a Derived Program, so it carries its own
name (no "IPA" in the font or file name), is licensed under the same agreement (copied next
to it), and the original plus this script (how to rebuild it or go back) ship in the source
tree: ``tools/font-source/``.  The output is deterministic (no timestamps), so running this
again reproduces the committed file.
"""

from __future__ import annotations

import sys
import unicodedata
from collections import defaultdict
from pathlib import Path

from fontTools.ttLib import TTFont
from fontTools.ttLib.tables._g_l_y_f import Glyph

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "tools" / "font-source" / "ipaexg.ttf"
TARGET = ROOT / "resources" / "fonts" / "kyosai-gothic.ttf"

FAMILY = "KyosaiGothic"
VERSION = "Version 004.01; KyosaiGothic 1"
DESCRIPTION = (
    "KyosaiGothic is a Derived Program of IPAexGothic 004.01 made for kyosai-desktop: every code "
    "point that shared a glyph with another (CJK radicals, compatibility ideographs, dashes, "
    "spaces) has its own copy of that glyph, so PDF text copies as printed. Licensed under the "
    "IPA Font License Agreement v1.0."
)

_RADICALS = range(0x2E80, 0x2FE0)
_COMPAT = (range(0xF900, 0xFB00), range(0x2F800, 0x2FA20))


def _secondary_rank(cp: int) -> tuple[int, int]:
    """Sort key: the code point that keeps the original glyph sorts first.

    Radicals, compatibility ideographs, combining marks, format characters (soft hyphen)
    and modifier letters give way to the ideograph / punctuation they look like; among
    equals, CJK-block characters (U+3000 ideographic space) win, then the lowest.
    """
    cat = unicodedata.category(chr(cp))
    if cp in _RADICALS:
        rank = 4
    elif any(cp in r for r in _COMPAT):
        rank = 3
    elif cat.startswith("M") or cat == "Cf":
        rank = 2
    elif cat == "Lm" or 0xFE10 <= cp <= 0xFE4F:  # modifier letters, vertical presentation forms
        rank = 1
    else:
        rank = 0
    return rank, (0 if 0x3000 <= cp < 0xA000 else 1), cp


def shared_glyphs(font: TTFont) -> dict[str, list[int]]:
    """Glyph name -> its code points (best first), for glyphs that more than one maps to."""
    by_glyph: dict[str, list[int]] = defaultdict(list)
    for cp, glyph in font.getBestCmap().items():
        by_glyph[glyph].append(cp)
    return {g: sorted(cps, key=_secondary_rank) for g, cps in by_glyph.items() if len(cps) > 1}


def _raw(glyf, glyph: str) -> bytes:
    """A glyph's stored bytes, untouched (never expanded and recompiled, which would recompute
    its bounding box and could move its hinting by a fraction of a pixel)."""
    stored = glyf.glyphs[glyph]
    return stored.data if hasattr(stored, "data") else stored.compile(glyf)


def unshare(font: TTFont) -> dict[int, str]:
    """Give each secondary code point its own copy of the glyph; returns cp -> new glyph."""
    glyf, hmtx = font["glyf"], font["hmtx"]
    vmtx = font["vmtx"] if "vmtx" in font else None
    order = list(font.getGlyphOrder())
    new: dict[int, str] = {}
    for glyph, cps in sorted(shared_glyphs(font).items(), key=lambda item: item[1][0]):
        for cp in cps[1:]:
            name = f"{glyph}.u{cp:04X}"
            glyf.glyphs[name] = Glyph(_raw(glyf, glyph))  # the same bytes: outline and hinting
            hmtx.metrics[name] = hmtx.metrics[glyph]
            if vmtx is not None:
                vmtx.metrics[name] = vmtx.metrics[glyph]
            order.append(name)
            new[cp] = name
    font.setGlyphOrder(order)
    glyf.glyphOrder = order
    for table in font["cmap"].tables:
        if table.format == 14:
            continue
        for cp, name in new.items():
            if cp in table.cmap:
                table.cmap[cp] = name
    return new


def rename(font: TTFont) -> None:
    """A Derived Program must not use the original's name (Article 3.1 (4))."""
    names = font["name"]
    for record in list(names.names):
        if record.nameID in (1, 4, 6, 16, 17, 18, 21, 22):
            record.string = FAMILY
        elif record.nameID == 3:
            record.string = f"{FAMILY} {VERSION}"
        elif record.nameID == 5:
            record.string = VERSION
    for platform, encoding, lang in ((1, 0, 0), (3, 1, 0x409)):
        names.setName(DESCRIPTION, 10, platform, encoding, lang)
    for record in names.names:
        text = record.toUnicode()
        if record.nameID in (1, 3, 4, 6, 16, 17) and ("IPA" in text or "ゴシック" in text):
            raise SystemExit(f"name {record.nameID} still names the original: {text}")


def build(source: Path = SOURCE, target: Path = TARGET) -> dict[int, str]:
    # No recalculation: every existing glyph and table keeps its bytes (screens draw as before).
    font = TTFont(str(source), recalcTimestamp=False, recalcBBoxes=False)
    new = unshare(font)
    rename(font)
    target.parent.mkdir(parents=True, exist_ok=True)
    font.save(str(target))
    check = TTFont(str(target))
    left = shared_glyphs(check)
    if left:
        raise SystemExit(f"glyphs still shared: {left}")
    return new


if __name__ == "__main__":
    copies = build()
    print(
        f"{TARGET.relative_to(ROOT)}: {len(copies)} code points got their own glyph",
        file=sys.stderr,
    )
