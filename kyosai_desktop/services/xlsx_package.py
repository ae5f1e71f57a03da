"""The members of an xlsx package, read with zlib alone while ``zipfile`` is not loaded yet.

``import zipfile`` costs about 10 ms (it loads pathlib, shutil, bz2 and lzma), and the
command line's import cannot start calamine before it has read the workbook part and the
sheet out of the package.  An xlsx written by Excel or any library is a plain zip: one disk,
no zip64, members stored or deflated.  :class:`Package` reads exactly that — the central
directory, a member's local header, its data inflated and its CRC checked — with the
attributes of ``zipfile.ZipInfo`` that the readers use.  It refuses (:class:`NotPlain`)
anything else, and anything that does not add up; the caller then opens the package with
``zipfile``, whose answer (a member, or an error the caller reports as a damaged file) is
the one the package gets.
"""

from __future__ import annotations

import os
import struct
import zlib

_END = struct.Struct("<4s4H2LH")
_CENTRAL = struct.Struct("<4s6H3L5H2L")
_LOCAL = struct.Struct("<4s5H3L2H")
STORED, DEFLATED = 0, 8


class NotPlain(Exception):
    """Not a package :class:`Package` reads: open it with zipfile."""


class Member:
    """One member, with the names ``zipfile.ZipInfo`` gives its attributes."""

    __slots__ = (
        "filename",
        "raw_name",
        "flag_bits",
        "compress_type",
        "CRC",
        "compress_size",
        "file_size",
        "header_offset",
        "date_time",
    )

    def __init__(self, fields: tuple, filename: str, raw_name: bytes) -> None:
        (_, _, _, flags, method, time, date, crc, csize, size, _, _, _, _, _, _, offset) = fields
        self.filename = filename
        self.raw_name = raw_name  # as the directory spells it (the local header must too)
        self.flag_bits = flags
        self.compress_type = method
        self.CRC = crc
        self.compress_size = csize
        self.file_size = size
        self.header_offset = offset
        self.date_time = (
            (date >> 9) + 1980,
            (date >> 5) & 0xF,
            date & 0x1F,
            time >> 11,
            (time >> 5) & 0x3F,
            (time & 0x1F) * 2,
        )


def _as_zipfile_names(filename: str) -> str:
    """A member's name as zipfile gives it: cut at a NUL, and (on Windows) "\\" as "/"."""
    filename = filename.split("\x00", 1)[0]
    if os.sep != "/" and os.sep in filename:
        filename = filename.replace(os.sep, "/")
    return filename


class Package:
    """The members of a plain zip package ``data`` (see the module's docstring)."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        end_at = data.rfind(b"PK\x05\x06", max(0, len(data) - 22 - 0xFFFF))
        if end_at < 0 or end_at + _END.size > len(data):
            raise NotPlain
        _, disk, cd_disk, count_here, count, cd_size, cd_at, _ = _END.unpack_from(data, end_at)
        if disk or cd_disk or count_here != count or cd_at + cd_size != end_at:
            raise NotPlain  # several disks, zip64, data before the package …
        self._members: dict[str, Member] = {}
        self.members: list[Member] = []
        at = cd_at
        for _ in range(count):
            if at + _CENTRAL.size > end_at:
                raise NotPlain
            fields = _CENTRAL.unpack_from(data, at)
            name_len, extra_len, comment_len = fields[10], fields[11], fields[12]
            if fields[0] != b"PK\x01\x02" or fields[13] or 0xFFFFFFFF in fields[8:10]:
                raise NotPlain
            if fields[16] == 0xFFFFFFFF or fields[3] & 0x1 or fields[4] not in (STORED, DEFLATED):
                raise NotPlain  # zip64, encrypted, another compression
            raw = data[at + _CENTRAL.size : at + _CENTRAL.size + name_len]
            try:
                filename = raw.decode("utf-8" if fields[3] & 0x800 else "cp437")
            except UnicodeDecodeError:
                raise NotPlain from None
            member = Member(fields, _as_zipfile_names(filename), raw)
            self.members.append(member)
            self._members[filename] = member  # the last of a repeated name, as zipfile
            at += _CENTRAL.size + name_len + extra_len + comment_len
        if at != end_at:
            raise NotPlain

    def infolist(self) -> list[Member]:
        return self.members

    def getinfo(self, name: str) -> Member:
        """The member called ``name`` (KeyError if there is none, as zipfile)."""
        return self._members[name]

    def read(self, name: str) -> bytes:
        """The member's bytes, inflated and checked; NotPlain if anything does not add up."""
        member = self._members[name]
        data = self._data
        at = member.header_offset
        if at + _LOCAL.size > len(data):
            raise NotPlain
        local = _LOCAL.unpack_from(data, at)
        name_len, extra_len = local[9], local[10]
        start = at + _LOCAL.size + name_len + extra_len
        end = start + member.compress_size
        if local[0] != b"PK\x03\x04" or end > len(data):
            raise NotPlain
        if data[at + _LOCAL.size : at + _LOCAL.size + name_len] != member.raw_name:
            raise NotPlain
        body = data[start:end]
        if member.compress_type == DEFLATED:
            inflater = zlib.decompressobj(-15)
            try:
                body = inflater.decompress(body, member.file_size + 1)
            except zlib.error:
                raise NotPlain from None
        if len(body) != member.file_size or zlib.crc32(body) != member.CRC:
            raise NotPlain
        return body
