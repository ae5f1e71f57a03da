"""A large sheet is read by calamine in two halves at once (services/xlsx_halves.py); the
grid must be the whole sheet's, cell for cell, whatever the halves hold."""

from __future__ import annotations

import datetime as dt
import io
import threading
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from kyosai_desktop.cli import main
from kyosai_desktop.services import xlsx_halves
from kyosai_desktop.services.sheet_reader import _calamine_rows
from kyosai_desktop.services.tabular import ImportFailed, read_table

SHEET = "xl/worksheets/sheet1.xml"


def _big(
    path: Path, extra: dict[str, object] | None = None, gap: int = 0, shared: bool = False
) -> Path:
    """A sheet of 5,000 rows (about 1.2 MB of XML, over xlsx_halves.SPLIT_BYTES); text as
    inline strings, or (``shared``) in the shared-strings part as Excel writes it."""
    wb = Workbook(write_only=not shared)
    ws = wb.create_sheet("単組")
    if shared:
        wb.remove(wb.worksheets[0])
    ws.append(["見出し", "数", "率", "名前"])
    for i in range(5000):
        if i == 2500 and gap:
            for _ in range(gap):
                ws.append([])
        day = dt.date(2024, 4, 1) + dt.timedelta(days=i % 365)  # a date cell: styles shared
        ws.append([f"{i:05d}", i, i / 7, f"組合 {i % 700}", i % 3 == 0, day])
    wb.save(path)
    if extra:
        from openpyxl import load_workbook

        wb = load_workbook(path)
        for ref, value in extra.items():
            wb.active[ref] = value
        wb.save(path)
    return path


def _grids(path: Path) -> tuple[list, list, xlsx_halves.Halves | None]:
    data = path.read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        xml, infos = zf.read(SHEET), zf.infolist()
    cut = xlsx_halves.split(data, infos, SHEET, xml)
    whole = _calamine_rows(path.name, data, "単組", None)
    return whole, _calamine_rows(path.name, data, "単組", cut), cut


@pytest.mark.parametrize(
    "extra,gap,shared",
    [
        ({}, 0, False),
        ({}, 0, True),
        ({"K4900": "右下だけ"}, 0, False),  # the second half is the wider one
        ({"M5": 1}, 0, False),  # the first half is the wider one
        ({}, 25, False),  # empty rows where the sheet is cut
    ],
    ids=["inline", "shared-strings", "wide-second", "wide-first", "gap"],
)
def test_two_halves_give_the_whole_sheets_grid(tmp_path, extra, gap, shared):
    whole, halves, cut = _grids(_big(tmp_path / "big.xlsx", extra, gap, shared))
    assert cut is not None and 1 < cut.second_row < len(whole)  # it was cut
    assert halves == whole
    assert {len(row) for row in halves} == {len(whole[0])}


def test_the_import_reads_in_halves_and_gets_the_same_table(tmp_path):
    path = _big(tmp_path / "big.xlsx", {"K4900": "右下だけ"})
    whole, _, _ = _grids(path)
    table = read_table(path)
    assert table.rows.raw == whole  # type: ignore[attr-defined]


def test_a_sheet_that_cannot_be_cut_is_read_whole(tmp_path):
    small = tmp_path / "small.xlsx"
    wb = Workbook()
    wb.active.append(["a", 1])
    wb.save(small)
    data = small.read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert xlsx_halves.split(data, zf.infolist(), SHEET, zf.read(SHEET)) is None
    big = _big(tmp_path / "big.xlsx")
    data = big.read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        xml, infos = zf.read(SHEET), zf.infolist()
    unnumbered = xml.replace(b'<row r="', b'<row x="')
    assert xlsx_halves.split(data, infos, SHEET, unnumbered) is None
    cut = xlsx_halves.split(data, infos, SHEET, xml)
    assert cut is not None
    before = xml.rfind(b"<row ", 0, xml.find(b'<row r="%d"' % cut.second_row))
    backwards = xml[:before] + b'<row r="9999" ' + xml[before + len(b"<row ") :]
    assert xlsx_halves.split(data, infos, SHEET, backwards) is None  # rows out of order


def test_a_half_calamine_refuses_is_refused_as_the_whole_sheet(tmp_path, capsys):
    """A broken second half is read again whole, so the refusal is the whole sheet's own:
    the same Japanese message, no thread left, the database untouched."""
    path = _big(tmp_path / "big.xlsx")
    data = path.read_bytes()
    broken = tmp_path / "broken.xlsx"
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w") as zout:
        for item in zin.infolist():
            body = zin.read(item.filename)
            if item.filename == SHEET:
                at = body.find(b'<row r="4500"')
                body = body[:at] + b"<c><v>1</c>" + body[at:]  # mismatched tags late in the sheet
            zout.writestr(item.filename, body, zipfile.ZIP_DEFLATED)
    broken.write_bytes(out.getvalue())
    with pytest.raises(ImportFailed, match="Excel ファイルとして読めません"):
        read_table(broken)
    assert not [t for t in threading.enumerate() if t.name == "sheet-read"]
    db = tmp_path / "k.sqlite3"
    assert main(["--db", str(db), "init", "--branch", "05"]) == 0
    before = db.read_bytes()
    capsys.readouterr()
    assert main(["--db", str(db), "import", "model-unions", str(broken), "--fy", "2024"]) == 2
    err = capsys.readouterr().err
    assert "Excel ファイルとして読めません" in err and "Traceback" not in err
    assert db.read_bytes() == before
    assert not [t for t in threading.enumerate() if t.name == "sheet-read"]


def test_halves_are_joined_by_the_second_halfs_first_row_number():
    """Rows before the second half's first row come from the first half (padded when it
    ends earlier — empty rows at the cut), the rest from the second; widths made equal."""
    first = [["a", 1.0], ["", ""], ["b", 2.0]]  # sheet rows 1-3
    second = [["", "", ""]] * 5 + [["c", 3.0, "x"], ["d", 4.0, ""]]  # rows 6-7, padded
    grids = {b"1": first, b"2": [list(r) for r in second]}
    rows = xlsx_halves.read(xlsx_halves.Halves(b"1", b"2", 6), lambda p, _: (grids[p], 0))
    assert rows == [
        ["a", 1.0, ""],
        ["", "", ""],
        ["b", 2.0, ""],
        ["", "", ""],
        ["", "", ""],
        ["c", 3.0, "x"],
        ["d", 4.0, ""],
    ]
    assert rows[3] is not rows[4]  # rows to be converted one by one are distinct lists
    # a second half without a value: the first half is the sheet
    grids = {b"1": [["a", 1.0], ["b", 2.0]], b"2": [["", ""]] * 5}
    joined = xlsx_halves.read(xlsx_halves.Halves(b"1", b"2", 6), lambda p, _: (grids[p], 0))
    assert joined == [["a", 1.0], ["b", 2.0]]
    # the second half read without its leading empty rows: its first value is on row 8
    grids = {b"1": [["a", 1.0], ["b", 2.0]], b"2": [["c", 3.0, "x"]]}
    joined = xlsx_halves.read(
        xlsx_halves.Halves(b"1", b"2", 6), lambda p, leading: (grids[p], 7 if leading else 0)
    )
    assert joined == [["a", 1.0, ""], ["b", 2.0, ""]] + [["", "", ""]] * 5 + [["c", 3.0, "x"]]


@pytest.mark.parametrize("moved", [100, 4900], ids=["late-row-early", "early-row-late"])
def test_a_row_out_of_order_away_from_the_cut_is_not_lost(tmp_path, moved):
    """Rows out of order where split() does not look (Excel never writes them): the halves
    would each hold a row of the other's range; the sheet is then read whole, every value
    where the whole sheet has it."""
    path = _big(tmp_path / "big.xlsx")
    data = path.read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        xml = zf.read(SHEET)
    start = xml.find(b'<row r="%d"' % moved)
    end = xml.find(b"</row>", start) + len(b"</row>")
    row, rest = xml[start:end], xml[:start] + xml[end:]
    # row 100 moved to the end of the sheet, or row 4900 to the beginning
    at = rest.rfind(b"</row>") + len(b"</row>") if moved == 100 else rest.find(b"<row ")
    shuffled = rest[:at] + row + rest[at:]
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w") as zout:
        for item in zin.infolist():
            body = shuffled if item.filename == SHEET else zin.read(item.filename)
            zout.writestr(item.filename, body, zipfile.ZIP_DEFLATED)
    odd = tmp_path / "odd.xlsx"
    odd.write_bytes(out.getvalue())
    whole, halves, cut = _grids(odd)
    assert cut is not None  # split() saw nothing wrong at the cut
    assert halves == whole
    assert any(r[:2] == [f"{moved - 2:05d}", float(moved - 2)] for r in whole)


def _aliased(data: bytes, member: str, n: int) -> bytes:
    """``data`` with ``n`` more directory entries pointing at ``member``'s own bytes."""
    import struct

    central, end = struct.Struct("<4s6H3L5H2L"), struct.Struct("<4s4H2LH")
    at_end = data.rfind(b"PK\x05\x06")
    fields = list(end.unpack_from(data, at_end))
    cd_at, cd_size, count = fields[6], fields[5], fields[4]
    cd = data[cd_at : cd_at + cd_size]
    at, entry = 0, None
    while at < len(cd):
        e = central.unpack_from(cd, at)
        if cd[at + 46 : at + 46 + e[10]] == member.encode():
            entry = e
        at += 46 + e[10] + e[11] + e[12]
    assert entry is not None
    extra = b""
    for i in range(n):
        name = b"x/%05d" % i
        e = list(entry)
        e[10], e[11], e[12] = len(name), 0, 0
        extra += central.pack(*e) + name
    cd += extra
    return (
        data[:cd_at] + cd + end.pack(b"PK\x05\x06", 0, 0, count + n, count + n, len(cd), cd_at, 0)
    )


def test_directory_entries_sharing_one_members_bytes_are_not_copied_into_the_halves(tmp_path):
    """A crafted package can point many directory entries at the sheet's bytes (zipfile opens
    it): each half would copy them once per entry — 4 MB asking for tens of GB. Such a
    package is read whole (the grid unchanged), without copies."""
    data = _big(tmp_path / "big.xlsx").read_bytes()
    crafted = _aliased(data, SHEET, 50)
    with zipfile.ZipFile(io.BytesIO(crafted)) as zf:
        assert len(zf.namelist()) > 50
        xml, infos = zf.read(SHEET), zf.infolist()
    assert xlsx_halves.split(crafted, infos, SHEET, xml) is None
    path = tmp_path / "aliased.xlsx"
    path.write_bytes(crafted)
    whole, halves, cut = _grids(path)
    assert cut is None and halves == whole and len(whole) == 5001


def test_a_local_header_naming_another_member_sends_the_sheet_to_the_whole_read(tmp_path):
    """The halves copy each member under its local header's name; if that differs from the
    directory's (a damaged package calamine still reads whole), a half would lose that
    member — the styles, so dates came back as serial numbers. Such a package is read whole."""
    import datetime

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("単組")
    ws.append(["番号", "日付"])
    for i in range(40000):
        ws.append([i, datetime.date(2024, 4, 1)])
    path = tmp_path / "dates.xlsx"
    wb.save(path)
    data = bytearray(path.read_bytes())
    at = data.find(b"xl/styles.xml")  # the first one is the local header's
    assert data[at - 30 : at - 26] == b"PK\x03\x04"
    data[at + len("xl/styles.xm")] = ord("X")
    path.write_bytes(bytes(data))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        xml, infos = zf.read(SHEET), zf.infolist()
    assert xlsx_halves.split(bytes(data), infos, SHEET, xml) is None
    rows = read_table(path).rows
    assert rows[1][1] == rows[40000][1] == datetime.date(2024, 4, 1)


def test_sheet_rows_index_like_a_list():
    from kyosai_desktop.services.sheet_reader import SheetRows

    rows = SheetRows([["a", 1.0], ["", 2.5], ["c", ""]])
    assert (
        rows[-1] == ["c", None] and rows[0] == ["a", 1] and rows[1:] == [[None, 2.5], ["c", None]]
    )
    for bad in (3, -4):
        with pytest.raises(IndexError):
            rows[bad]
