"""A corpus of malformed import files, generated from good seeds (issue 12: ≥ 1,500 files).

Each :class:`Case` is one file for one importer, built from that importer's good seed by
one deterministic mutation: damaged bytes (truncated, flipped, foreign), a damaged xlsx
package (bad CRC, zlib garbage, unsupported compression, broken XML, missing parts), the
wrong sheets (hidden, several visible, none), a formula saved without its value, a missing
header, or one cell replaced by a value its column must refuse (2^63, 10^5000, ٣, 0000-01,
9999-12, control characters, impossible dates …), written as xlsx and as CSV in several
encodings.  Every case must be refused: the tests assert that, not merely "no crash".
"""

from __future__ import annotations

import csv
import io
import random
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook

# Values a column of each kind must refuse.
BAD = {
    "count": [2**63, "9" * 5000, "1e400", -1, 1.5, "abc", "٣", "²", "1_000", "十二", 10**20, "NaN"],
    "code": ["٣", "00٣", "1234", "A1", -1, 1.5, "²", 10**20, "0x1", "①"],
    "month": [
        "0000-01",
        "9999-12",
        "2024-13",
        "2024-00",
        "令和99年1月",
        "٢٠٢٤-06",
        2**63,
        "abc",
        "1999-12",
    ],
    "month_of_year": [13, 0, "13月", "٣", 2**63, "abc", 1.5],
    "name": ["\x01組合", "組合\n改行", "あ" * 61, "\x7f", "組合\x1b[31m"],
    "text": ["\x01", "備考\x08", "x" * 201],
    "date": [
        "2025-02-30",
        "0001-01-01",
        "9999-12-31",
        "昨日",
        "令和99年13月1日",
        2**63,
        "٢٠٢٥-01-01",
    ],
    "yen": [2**63, "9" * 5000, "-5", "1.5", "abc", "٣٠٠٠", 10**12],
    "year": ["0000", "9999", "abc", 2**63, "٢٠٢٤", 1.5],
    "product": ["存在しない商品", "商" * 70_000],
    "seq": ["٣", "abc", -1, 0, 1.5, 2**63, "²"],
    "age": [121, -1, "abc", 2**63, "٣٠", 1.5],
    "payment": ["週", "\x01"],
    "flag": ["たぶん", "2"],
    "version": ["第3次", "3", "\x01", "x" * 5000],
}


@dataclass
class Seed:
    importer: str
    rows: list[list[object]]
    header_row: int  # 0-based index of the header in rows
    kinds: dict[str, str]  # header label → kind of value (keys of BAD)
    data_rows: list[int]  # rows to mutate


@dataclass
class Case:
    importer: str
    name: str  # what was done (for a failing assertion)
    suffix: str
    data: bytes
    may_pass: bool = False  # a damaged CSV can still be a valid (shorter) file


# ------------------------------------------------------------------ writers


def xlsx_bytes(
    sheets: list[tuple[str, list[list[object]], str]], formulas: dict[str, object] | None = None
) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    for title, rows, state in sheets:
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
        ws.sheet_state = state
        for ref, formula in (formulas or {}).items():
            if state == "visible":
                ws[ref] = formula
    wb.active = (
        next(i for i, (_, _, state) in enumerate(sheets) if state == "visible")
        if any(s == "visible" for _, _, s in sheets)
        else 0
    )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def csv_bytes(
    rows: list[list[object]], encoding: str = "utf-8", sep: str = ",", newline: str = "\r\n"
) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=sep, lineterminator=newline)
    writer.writerows([["" if v is None else v for v in row] for row in rows])
    return out.getvalue().encode(encoding, errors="replace")


# ------------------------------------------------------------------ mutations


def _col_letter(index: int) -> str:
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def _rezip(
    data: bytes, change: Callable[[str, bytes], bytes | None], method: int = zipfile.ZIP_DEFLATED
) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", method) as zout:
        for item in zin.infolist():
            body = change(item.filename, zin.read(item.filename))
            if body is not None:
                zout.writestr(item.filename, body)
    return out.getvalue()


def _member_offset(data: bytes, member: str) -> tuple[int, int, int]:
    """(local header offset, data start, compressed size) of a member."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        info = zf.getinfo(member)
    start = (
        info.header_offset
        + 30
        + int.from_bytes(data[info.header_offset + 26 : info.header_offset + 28], "little")
        + int.from_bytes(data[info.header_offset + 28 : info.header_offset + 30], "little")
    )
    return info.header_offset, start, info.compress_size


def _set_method(data: bytes, member: str, method: int) -> bytes:
    buf = bytearray(data)
    local, _, _ = _member_offset(data, member)
    buf[local + 8 : local + 10] = method.to_bytes(2, "little")
    pos = buf.find(b"PK\x01\x02")
    while pos != -1:
        n = int.from_bytes(buf[pos + 28 : pos + 30], "little")
        if bytes(buf[pos + 46 : pos + 46 + n]) == member.encode():
            buf[pos + 10 : pos + 12] = method.to_bytes(2, "little")
        pos = buf.find(b"PK\x01\x02", pos + 4)
    return bytes(buf)


SHEET = "xl/worksheets/sheet1.xml"


def package_cases(importer: str, good: bytes, rng: random.Random) -> list[Case]:
    """Damaged xlsx packages and wrong sheets, from a good one-sheet xlsx."""
    cases: list[Case] = []

    def add(name: str, data: bytes) -> None:
        # the content-types part is not needed to read the cells: damaged there, the file may pass
        cases.append(Case(importer, name, ".xlsx", data, may_pass="Content_Types" in name))

    _, start, size = _member_offset(good, SHEET)
    for k in range(6):
        buf = bytearray(good)
        buf[start + rng.randrange(max(1, size))] ^= 1 << rng.randrange(8)
        add(f"crc/deflate bit flip {k}", bytes(buf))
    for k in range(3):
        buf = bytearray(good)
        at = start + rng.randrange(max(1, size - 16))
        buf[at : at + 16] = bytes(rng.randrange(256) for _ in range(16))
        add(f"zlib garbage {k}", bytes(buf))
    for method in (99, 6, 1, 12, 14, 95):
        add(f"compression method {method}", _set_method(good, SHEET, method))
    for member in (SHEET, "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml"):
        add(f"missing {member}", _rezip(good, lambda n, b, m=member: None if n == m else b))
        add(
            f"broken xml {member}",
            _rezip(good, lambda n, b, m=member: b[: len(b) * 2 // 3] if n == m else b),
        )
    add(
        "xml not well formed",
        _rezip(
            good,
            lambda n, b: b.replace(b"<sheetData>", b"<sheetData><row><c>") if n == SHEET else b,
        ),
    )
    add("stored sheet, bad crc", _flip_stored(good))
    return cases


def _flip_stored(good: bytes) -> bytes:
    stored = _rezip(good, lambda n, b: b, method=zipfile.ZIP_STORED)
    _, start, size = _member_offset(stored, SHEET)
    buf = bytearray(stored)
    buf[start + size // 2] ^= 0x20
    return bytes(buf)


def byte_cases(importer: str, good: bytes, suffix: str, rng: random.Random) -> list[Case]:
    cases: list[Case] = []

    def add(name: str, data: bytes, may_pass: bool = False) -> None:
        cases.append(Case(importer, name, suffix, data, may_pass))

    n = len(good)
    for frac in (0.02, 0.1, 0.3, 0.5, 0.7, 0.9):
        add(f"truncated at {frac}", good[: max(1, int(n * frac))], may_pass=suffix == ".csv")
    for k in range(12):
        buf = bytearray(good)
        for _ in range(1 + k):
            buf[rng.randrange(n)] = rng.randrange(256)
        add(f"bytes replaced {k}", bytes(buf), may_pass=True)  # may hit a timestamp or docProps
    add("empty", b"")
    add("spaces", b"  \r\n\t ")
    add("bom only", b"\xef\xbb\xbf")
    add("ole header (.xls or encrypted)", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + good[:512])
    add("random", bytes(rng.randrange(256) for _ in range(2048)))
    add("nul bytes inside", good[: n // 2] + b"\x00" * 64 + good[n // 2 :])
    add("pdf", b"%PDF-1.4\n" + bytes(rng.randrange(256) for _ in range(512)))
    add("zip of nothing", _empty_zip())
    return cases


def _empty_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("hello.txt", "hello")
    return out.getvalue()


def cell_cases(seed: Seed, rng: random.Random) -> list[Case]:
    """One cell replaced by a value its column must refuse; xlsx and CSV (rotating encodings)."""
    cases: list[Case] = []
    header = [str(v).strip() if v is not None else "" for v in seed.rows[seed.header_row]]
    encodings = [
        ("utf-8", ",", "\r\n"),
        ("utf-8-sig", ",", "\n"),
        ("utf-16", "\t", "\r\n"),
        ("cp932", ",", "\r"),
        ("utf-16-le", ",", "\n"),
    ]
    k = 0
    for label, kind in seed.kinds.items():
        col = header.index(label)
        for value in BAD[kind]:
            for r in seed.data_rows:
                rows = [list(row) for row in seed.rows]
                while len(rows[r]) <= col:
                    rows[r].append(None)
                rows[r][col] = value
                name = f"{label}={str(value)[:20]!r} row {r + 1}"
                if isinstance(value, str) and any(ord(c) < 32 and c not in "\t\n\r" for c in value):
                    data = _xlsx_with_text(rows, r, col, value)
                else:
                    data = xlsx_bytes([("Sheet", rows, "visible")])
                cases.append(Case(seed.importer, name, ".xlsx", data))
                enc, sep, nl = encodings[k % len(encodings)]
                k += 1
                if enc == "cp932" and isinstance(value, str) and not _encodable(value, enc):
                    enc = "utf-8"
                if "\n" in str(value) or "\r" in str(value):
                    nl = "\r\n"
                cases.append(
                    Case(seed.importer, f"{name} as {enc}", ".csv", csv_bytes(rows, enc, sep, nl))
                )
    return cases


def _encodable(text: str, encoding: str) -> bool:
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


def _xlsx_with_text(rows: list[list[object]], r: int, col: int, value: str) -> bytes:
    """openpyxl refuses control characters; write a placeholder and patch the shared XML."""
    marker = f"PLACEHOLDER{r}X{col}"
    rows = [list(row) for row in rows]
    rows[r][col] = marker
    good = xlsx_bytes([("Sheet", rows, "visible")])
    escaped = "".join(c if ord(c) >= 32 or c in "\t\n\r" else f"_x{ord(c):04X}_" for c in value)
    escaped = escaped.replace("\x7f", "_x007F_")
    return _rezip(good, lambda n, b: b.replace(marker.encode(), escaped.encode("utf-8")))


def structure_cases(seed: Seed, rng: random.Random) -> list[Case]:
    """Missing headers, wrong sheets, formulas without a value."""
    cases: list[Case] = []
    header = seed.rows[seed.header_row]
    required = list(seed.kinds)[:3]
    for label in required:
        rows = [list(row) for row in seed.rows]
        idx = [str(v).strip() if v is not None else "" for v in header].index(label)
        rows[seed.header_row][idx] = label + "?"
        cases.append(
            Case(
                seed.importer,
                f"header {label} renamed",
                ".xlsx",
                xlsx_bytes([("Sheet", rows, "visible")]),
            )
        )
        cases.append(Case(seed.importer, f"header {label} renamed", ".csv", csv_bytes(rows)))
    only_header = [list(row) for row in seed.rows[: seed.header_row + 1]]
    cases.append(
        Case(seed.importer, "header only", ".xlsx", xlsx_bytes([("Sheet", only_header, "visible")]))
    )
    cases.append(Case(seed.importer, "header only", ".csv", csv_bytes(only_header)))
    good = seed.rows
    bad = [list(row) for row in seed.rows]
    label, kind = next(iter(seed.kinds.items()))
    col = [str(v).strip() if v is not None else "" for v in header].index(label)
    bad[seed.data_rows[0]][col] = BAD[kind][0]
    cases.append(
        Case(
            seed.importer,
            "hidden good sheet first, visible bad",
            ".xlsx",
            xlsx_bytes([("隠し", good, "hidden"), ("表示", bad, "visible")]),
        )
    )
    cases.append(
        Case(
            seed.importer,
            "two visible sheets",
            ".xlsx",
            xlsx_bytes([("一", good, "visible"), ("二", good, "visible")]),
        )
    )
    both = xlsx_bytes([("一", good, "visible"), ("二", good, "veryHidden")])
    cases.append(
        Case(
            seed.importer,
            "all sheets hidden",
            ".xlsx",
            _rezip(
                both,
                lambda n, b: (
                    b.replace(b'state="visible"', b'state="hidden"')
                    if n == "xl/workbook.xml"
                    else b
                ),
            ),
        )
    )
    for label in list(seed.kinds)[:4]:
        col = [str(v).strip() if v is not None else "" for v in header].index(label)
        ref = f"{_col_letter(col)}{seed.data_rows[-1] + 1}"
        cases.append(
            Case(
                seed.importer,
                f"formula without value at {ref}",
                ".xlsx",
                xlsx_bytes([("Sheet", good, "visible")], formulas={ref: "=1+1"}),
            )
        )
    for corner in ("XFD1048576", "H1048576"):
        cases.append(
            Case(
                seed.importer,
                f"stray value at {corner}",
                ".xlsx",
                xlsx_bytes([("Sheet", good, "visible")], formulas={corner: 1}),
            )
        )
    cases.append(
        Case(
            seed.importer,
            "unbalanced quote",
            ".csv",
            csv_bytes(good).replace(b",", b',"', 1) + b'\x00"abc',
        )
    )
    return cases


def build_corpus(seeds: list[Seed], rng_seed: int = 12) -> list[Case]:
    rng = random.Random(rng_seed)
    cases: list[Case] = []
    for seed in seeds:
        good_xlsx = xlsx_bytes([("Sheet", seed.rows, "visible")])
        good_csv = csv_bytes(seed.rows)
        cases += package_cases(seed.importer, good_xlsx, rng)
        cases += byte_cases(seed.importer, good_xlsx, ".xlsx", rng)
        cases += byte_cases(seed.importer, good_csv, ".csv", rng)
        cases += structure_cases(seed, rng)
        cases += cell_cases(seed, rng)
    return cases


def write_case(directory: Path, index: int, case: Case) -> Path:
    path = directory / f"c{index:05d}{case.suffix}"
    path.write_bytes(case.data)
    return path
