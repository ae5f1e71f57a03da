"""Make the text of our PDFs copy and search as the characters that were printed.

The bundled Japanese font draws 入 and the Kangxi radical ⼊ (U+2F0A) with one glyph.  When
Qt embeds the font it writes, for each glyph, the lowest code point that uses it, so a PDF
printed with 目標 or 加入 copies and searches as ⽬標 / 加⼊: the page looks right, but a
search for 加入 fails.  Every such radical has a compatibility decomposition (NFKC) to the
ideograph, so this rewrites the destination code points of each /ToUnicode map through
NFKC, appended as an incremental update (the pages themselves are not rewritten).
"""

from __future__ import annotations

import re
import unicodedata
from io import BytesIO
from pathlib import Path

from pypdf import PdfWriter
from pypdf.generic import StreamObject

# CJK Radicals Supplement and Kangxi Radicals: glyphs shared with unified ideographs.
_RADICALS = range(0x2E80, 0x2FE0)
_HEX = re.compile(rb"<([0-9A-Fa-f]{4,})>")


def _fixed_code(hex_code: bytes) -> bytes:
    text = hex_code.decode("ascii")
    if len(text) != 4:
        return hex_code
    cp = int(text, 16)
    if cp in _RADICALS:
        nfkc = unicodedata.normalize("NFKC", chr(cp))
        if len(nfkc) == 1 and ord(nfkc) <= 0xFFFF:
            return f"{ord(nfkc):04X}".encode("ascii")
    return hex_code


def fix_cmap(data: bytes) -> bytes:
    """Rewrite the destination code points of a ToUnicode CMap (sources stay as they are)."""
    out: list[bytes] = []
    section = None
    for line in data.split(b"\n"):
        stripped = line.strip()
        if stripped.endswith(b"beginbfrange"):
            section = "range"
        elif stripped.endswith(b"beginbfchar"):
            section = "char"
        elif stripped in (b"endbfrange", b"endbfchar"):
            section = None
        elif section is not None:
            codes = list(_HEX.finditer(line))
            skip = 2 if section == "range" else 1  # bfrange: <lo> <hi> dest…; bfchar: <src> <dest>
            if len(codes) > skip:
                pieces, last = [], 0
                for i, m in enumerate(codes):
                    pieces.append(line[last:m.start(1)])
                    pieces.append(m.group(1) if i < skip else _fixed_code(m.group(1)))
                    last = m.end(1)
                pieces.append(line[last:])
                line = b"".join(pieces)
        out.append(line)
    return b"\n".join(out)


def fix_text_mapping(path: Path | str) -> int:
    """Fix the ToUnicode maps of a PDF in place; returns how many maps changed."""
    path = Path(path)
    writer = PdfWriter(BytesIO(path.read_bytes()), incremental=True)
    seen: set[int] = set()
    changed = 0
    for page in writer.pages:
        resources = page.get("/Resources")
        fonts = resources.get_object().get("/Font") if resources else None
        if not fonts:
            continue
        for ref in fonts.get_object().values():
            tu = ref.get_object().get("/ToUnicode")
            if tu is None or tu.idnum in seen:
                continue
            seen.add(tu.idnum)
            stream = tu.get_object()
            assert isinstance(stream, StreamObject)
            data = stream.get_data()
            fixed = fix_cmap(data)
            if fixed != data:
                stream.set_data(fixed)
                changed += 1
    if changed:
        with open(path, "wb") as fh:
            writer.write(fh)
    return changed
