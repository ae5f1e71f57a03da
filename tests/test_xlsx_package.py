"""The plain-zip reader that spares loading zipfile before calamine starts: every member as
zipfile reads it; anything else is left to zipfile (and a damaged file keeps its message)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from kyosai_desktop.services.tabular import read_table
from kyosai_desktop.services.xlsx_package import NotPlain, Package


def _book(path: Path) -> Path:
    wb = Workbook()
    wb.active.title = "単組 & 名簿"
    for i in range(50):
        wb.active.append([f"{i:03d}", i, i / 3, "組合 " + str(i)])
    wb.save(path)
    return path


def _rezip(src: bytes, **kwargs) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(src)) as zin, zipfile.ZipFile(out, "w", **kwargs) as zout:
        for item in zin.infolist():
            zout.writestr(item.filename, zin.read(item.filename))
    return out.getvalue()


class _Unseekable(io.RawIOBase):
    """A stream zipfile cannot seek back in: it writes sizes after the data (descriptors)."""

    def __init__(self) -> None:
        self.buffer = io.BytesIO()

    def writable(self) -> bool:
        return True

    def write(self, b) -> int:
        return self.buffer.write(b)


def test_every_member_reads_as_zipfile_reads_it(tmp_path):
    data = _book(tmp_path / "b.xlsx").read_bytes()
    stored = _rezip(data, compression=zipfile.ZIP_STORED)
    sink = _Unseekable()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(sink, "w") as zout:
        for item in zin.infolist():
            with zout.open(zipfile.ZipInfo(item.filename), "w") as fh:
                fh.write(zin.read(item.filename))
    described = sink.buffer.getvalue()
    assert any(i.flag_bits & 0x8 for i in zipfile.ZipFile(io.BytesIO(described)).infolist())
    for package in (data, stored, described):
        plain = Package(package)
        with zipfile.ZipFile(io.BytesIO(package)) as zf:
            assert [m.filename for m in plain.infolist()] == zf.namelist()
            for info in zf.infolist():
                member = plain.getinfo(info.filename)
                assert (member.file_size, member.CRC, member.date_time) == (
                    info.file_size,
                    info.CRC,
                    info.date_time,
                )
                assert plain.read(info.filename) == zf.read(info.filename)
        with pytest.raises(KeyError):
            plain.getinfo("xl/nothing.xml")


@pytest.mark.parametrize("kind", ["zip64", "prefixed", "crc", "truncated-member"])
def test_anything_else_is_left_to_zipfile(tmp_path, kind):
    """Not plain, or not adding up: the plain reader refuses, and the import reads the file
    as zipfile does (or refuses it as before)."""
    path = _book(tmp_path / "b.xlsx")
    data = path.read_bytes()
    if kind == "zip64":
        out = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w") as zout:
            for item in zin.infolist():
                with zout.open(item.filename, "w", force_zip64=True) as fh:
                    fh.write(zin.read(item.filename))
        odd = out.getvalue()
    elif kind == "prefixed":
        odd = b"PK junk before the package\n" + data  # (zipfile allows it)
    else:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            info = zf.getinfo("xl/worksheets/sheet1.xml")
        start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
        broken = bytearray(data)
        if kind == "crc":
            broken[start + 5] ^= 0x01
        else:
            broken[start : start + info.compress_size] = b"\x00" * info.compress_size
        odd = bytes(broken)
    target = tmp_path / "odd.xlsx"
    target.write_bytes(odd)
    if kind in ("zip64", "prefixed"):  # zipfile reads these: so does the import
        try:  # (the plain reader may read a zip64-marked member: then as zipfile does)
            plain = Package(odd).read("xl/worksheets/sheet1.xml")
        except NotPlain:
            plain = None
        assert plain in (None, zipfile.ZipFile(io.BytesIO(odd)).read("xl/worksheets/sheet1.xml"))
        assert kind == "zip64" or plain is None
        assert read_table(target).rows[49][1] == 49
    else:
        from kyosai_desktop.services.tabular import ImportFailed

        with pytest.raises(NotPlain):
            Package(odd).read("xl/worksheets/sheet1.xml")
        with pytest.raises(ImportFailed, match="Excel ファイルとして読めません"):
            read_table(target)
