"""Reading a large sheet with calamine in two halves at once, on two threads.

calamine reads a sheet on one core (about 90 ms for the national model-union sheet of 3,000
unions) and releases the GIL meanwhile.  A sheet's XML is a list of ``<row>`` elements, so it
can be cut between two rows into two sheets, each packed into a copy of the workbook (every
other part as it was: shared strings, styles …); both are read at the same time and their
rows put end to end — on two cores in about 55 ms.

What the second half's rows are does not depend on the first half: its first row carries its
number (``r="…"``, checked here), every later row and cell is numbered from there as in the
whole sheet.  The rows are put together by that number (rows of the first half before it,
of the second half from it on), every row as wide as the wider half — the grid the whole
sheet gives.  A sheet this cannot cut (small, no numbered row near the middle, rows out of
order at the cut, a package it cannot copy) is read whole, and so is one whose halves
calamine refuses: the refusal is then the whole sheet's own.

In the command's import the halves run beside its own work (loading modules, opening the
database): the sheet is parsed 10–13 ms sooner and the whole command ends 20–30 ms sooner on
the national sheet (tests/bench_model_union_import.py's sheet, 31 alternated runs); on a
machine with one free core it gains nothing.
"""

from __future__ import annotations

import re
import struct
import threading
import zlib

from kyosai_desktop.services.xlsx_package import DEFLATED, STORED

TYPE_CHECKING = False  # (zipfile loads only for a package that is not a plain zip)
if TYPE_CHECKING:
    import zipfile

    from kyosai_desktop.services.xlsx_package import Member

SPLIT_BYTES = 1_000_000  # a sheet XML smaller than this is read whole (cutting costs ~1 ms)

_FIRST_ROW = re.compile(rb"<((?:\w+:)?)row[\s>/]")
_NUMBERED_ROW = re.compile(rb'<(?:\w+:)?row\s[^>]*?\br="([0-9]+)"')

_LOCAL = struct.Struct("<4s5H3L2H")  # a zip's local file header
_CENTRAL = struct.Struct("<4s6H3L5H2L")  # …its central directory entry
_END = struct.Struct("<4s4H2LH")  # …and the end of the central directory


class Halves:
    """Two packages, each with half of the sheet's rows; the second starts at sheet row
    ``second_row`` (1-based)."""

    __slots__ = ("first", "second", "second_row")

    def __init__(self, first: bytes, second: bytes, second_row: int) -> None:
        self.first = first
        self.second = second
        self.second_row = second_row


def split(
    data: bytes, infos: list[zipfile.ZipInfo] | list[Member], member: str, xml: bytes
) -> Halves | None:
    """The package ``data`` (its members ``infos``) as two packages with half of ``member``'s
    rows (``xml``) each, or None when the sheet is read whole (see the module's docstring)."""
    if len(xml) < SPLIT_BYTES:
        return None
    first = _FIRST_ROW.search(xml)
    if first is None:
        return None
    prefix = first.group(1)
    start = first.start()
    close = b"</" + prefix + b"row>"
    end = xml.rfind(close)
    if end < 0:
        return None
    end += len(close)
    middle = xml.find(b"<" + prefix + b"row ", start + (end - start) // 2, end)
    numbered = _NUMBERED_ROW.match(xml, middle) if middle > start else None
    if numbered is None or numbered.group(1)[:1] == b"0" or len(numbered.group(1)) > 7:
        return None
    before = xml.rfind(b"<" + prefix + b"row ", start, middle)
    numbered_before = _NUMBERED_ROW.match(xml, before) if before >= start else None
    if numbered_before is not None and int(numbered_before.group(1)) >= int(numbered.group(1)):
        return None  # rows out of order (Excel never writes them): read as a whole
    view = memoryview(xml)
    head, tail = view[:start], view[end:]
    first_half = _with_member(data, infos, member, [head, view[start:middle], tail])
    if first_half is None:
        return None
    second_half = _with_member(data, infos, member, [head, view[middle:end], tail])
    if second_half is None:
        return None
    return Halves(first_half, second_half, int(numbered.group(1)))


def read(halves: Halves, read_package) -> list:
    """Both halves' rows, read at the same time, as the whole sheet's grid.

    ``read_package(package, leading)`` gives ``(rows, offset)``: a package's rows and the
    0-based sheet row of the first; with ``leading`` False they start at row 1 (offset 0),
    with True the empty rows before its first value may be left out (the second half's
    first 1,500 rows of a national sheet: 2.6 ms of empty lists not made)."""
    second: list = []
    failed: list[BaseException] = []

    def read_second() -> None:
        try:
            second.append(read_package(halves.second, True))
        except BaseException as exc:  # noqa: BLE001 - raised again below, in the reader
            failed.append(exc)

    thread = threading.Thread(target=read_second, name="sheet-read")
    thread.start()
    try:
        first, _ = read_package(halves.first, False)
    finally:
        thread.join()
    if failed:
        raise failed[0]
    rest, offset = second[0]
    cut = halves.second_row - 1  # rows before the second half's first row
    before = rest[: max(0, cut - offset)]  # the second half's rows before its first row
    if len(first) > cut or any(row.count("") != len(row) for row in before):
        # a row out of order away from the cut (which split() checks): Excel never writes
        # one, but the grid would lose it — the caller reads the sheet whole instead
        raise ValueError("rows out of order")
    rest = rest[len(before) :]
    if not rest:  # the second half holds no value: the first half is the sheet
        return first
    width = max(len(first[0]) if first else 0, len(rest[0]))
    gap = cut - len(first) + max(0, offset - cut)  # empty rows between the halves' values
    rows = first[:cut] + [[""] * width for _ in range(gap)] + rest
    for row in rows:
        if len(row) < width:
            row.extend([""] * (width - len(row)))
    return rows


def _directory_name(info: zipfile.ZipInfo | Member) -> bytes:
    """A member's name as the central directory spells it."""
    raw = getattr(info, "raw_name", None)  # a Member of xlsx_package
    if isinstance(raw, bytes):
        return raw
    name = getattr(info, "orig_filename", info.filename)
    return name.encode("utf-8" if info.flag_bits & 0x800 else "cp437")


def _disjoint(infos: list[zipfile.ZipInfo] | list[Member]) -> bool:
    """Whether every member's bytes (local header to the end of its data) are its own: a
    crafted package can point many directory entries at one member's bytes, which the copies
    of the package would then hold once per entry (a 4 MB file asking for 59 GB)."""
    spans = sorted(
        (i.header_offset, i.header_offset + _LOCAL.size + i.compress_size) for i in infos
    )
    return all(end <= start for (_, end), (start, _) in zip(spans, spans[1:], strict=False))


def _with_member(
    data: bytes, infos: list[zipfile.ZipInfo] | list[Member], member: str, pieces: list[memoryview]
) -> bytes | None:
    """The package again with ``member`` replaced by ``pieces`` (stored uncompressed) and
    every other member's bytes copied as they were; None for a package this does not cover
    (zip64, encryption, a compression other than deflate)."""
    length = sum(len(p) for p in pieces)
    if len(data) > 0x7FFFFFFF or length > 0x7FFFFFFF or len(infos) > 0xFFFF:
        return None
    if not _disjoint(infos):  # directory entries sharing bytes: each copy would repeat them
        return None
    parts: list[bytes | memoryview] = []
    central: list[bytes] = []
    offset = 0
    for info in infos:
        header = data[info.header_offset : info.header_offset + _LOCAL.size]
        if (
            len(header) != _LOCAL.size
            or header[:4] != b"PK\x03\x04"
            or info.flag_bits & 0x1  # encrypted
            or info.compress_type not in (STORED, DEFLATED)
            or info.file_size > 0xFFFFFFFF
            or info.compress_size > 0xFFFFFFFF
        ):
            return None
        name_len, extra_len = _LOCAL.unpack(header)[-2:]
        start = info.header_offset + _LOCAL.size
        raw_name = data[start : start + name_len]
        if raw_name != _directory_name(info):
            return None  # the local header names another member: not what the reader read
        start += name_len + extra_len
        body: list[bytes | memoryview]
        if info.filename == member:
            method, body, size, crc = STORED, list(pieces), length, 0
            for piece in pieces:
                crc = zlib.crc32(piece, crc)
        else:
            method, body = info.compress_type, [data[start : start + info.compress_size]]
            size, crc = info.file_size, info.CRC
            if len(body[0]) != info.compress_size:
                return None
        stored = sum(len(p) for p in body)
        flags = info.flag_bits & 0x800  # UTF-8 names; sizes are in the header (no descriptor)
        y, mo, d, h, mi, s = info.date_time
        dos_time, dos_date = h << 11 | mi << 5 | s // 2, max(y - 1980, 0) << 9 | mo << 5 | d
        fields = (20, flags, method, dos_time, dos_date, crc, stored, size)
        central.append(
            _CENTRAL.pack(b"PK\x01\x02", 20, *fields, name_len, 0, 0, 0, 0, 0, offset) + raw_name
        )
        parts += [_LOCAL.pack(b"PK\x03\x04", *fields, name_len, 0), raw_name, *body]
        offset += _LOCAL.size + name_len + stored
    directory = b"".join(central)
    end = _END.pack(b"PK\x05\x06", 0, 0, len(infos), len(infos), len(directory), offset, 0)
    return b"".join([*parts, directory, end])
