"""Reading imported files: the visible sheet only, formulas without a value, Excel's encodings,
damaged packages — every refusal Japanese, through the service and the ``kyosai`` command."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from kyosai_desktop.cli import main
from kyosai_desktop.services.master_import import import_unions
from kyosai_desktop.services.sheet_reader import formulas_without_value
from kyosai_desktop.services.tabular import ImportFailed, SheetChoiceRequired, read_table

HEADER = ["自治労県コード", "単組コード", "単組名", "組合員数", "団生保有", "発効月"]
GOOD = [
    HEADER,
    ["05", "001", "仙台市職員労働組合", 4210, 2400, 6],
    ["05", "017", "石巻市職員労働組合", 1200, 610, 4],
]
DECOY = [HEADER, ["05", "999", "隠しシートの単組", 1, 1, 1]]


def book(path: Path, sheets: list[tuple[str, list[list[object]], str]], active: int = 0) -> Path:
    wb = Workbook()
    wb.remove(wb.active)
    for title, rows, state in sheets:
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
        ws.sheet_state = state
    wb.active = active
    wb.save(path)
    return path


def test_a_hidden_first_sheet_is_never_imported(ctx, tmp_path):
    path = book(
        tmp_path / "u.xlsx", [("古い", DECOY, "hidden"), ("単組", GOOD, "visible")], active=1
    )
    summary = import_unions(ctx, path)
    assert summary.added == 2 and ctx.unions.find("05", "999") is None
    assert read_table(path).sheet == "単組"


def test_several_visible_sheets_need_a_choice(ctx, tmp_path, capsys):
    path = book(
        tmp_path / "u.xlsx", [("下書き", DECOY, "visible"), ("単組", GOOD, "visible")], active=1
    )
    with pytest.raises(SheetChoiceRequired) as info:
        import_unions(ctx, path)
    assert info.value.sheets == ["下書き", "単組"] and info.value.active == "単組"
    assert "--sheet" in str(info.value) and ctx.unions.list() == []
    db = tmp_path / "cli.sqlite3"
    assert main(["--db", str(db), "init", "--branch", "05"]) == 0
    assert main(["--db", str(db), "unions", "import", str(path)]) == 2
    assert "表示されているシートが 2 枚" in capsys.readouterr().err
    assert main(["--db", str(db), "unions", "import", str(path), "--sheet", "単組"]) == 0
    assert main(["--db", str(db), "unions", "import", str(path), "--sheet", "ない"]) == 2
    assert "シート「ない」" in capsys.readouterr().err


def test_a_formula_without_a_saved_value_is_refused_with_its_cell(ctx, tmp_path):
    rows = [HEADER, ["05", "001", "仙台市職員労働組合", "=1000+210", 2400, 6]]
    path = book(tmp_path / "f.xlsx", [("単組", rows, "visible")])
    with pytest.raises(ImportFailed, match="計算結果が保存されていない数式.*D2"):
        import_unions(ctx, path)
    assert ctx.unions.list() == []


def test_formula_scan_keeps_values_and_text_results():
    xml = (
        b'<sheetData><row r="1"><c r="A1"><f>1+1</f><v>2</v></c><c r="B1" t="str"><f>""</f><v></v></c>'
        b'<c r="C1"><f>X</f></c><c r="D1"><f>Y</f><v/></c></row><row r="2"><c><f>Z</f></c></row></sheetData>'
    )
    assert formulas_without_value(xml) == ["C1", "D1", "A2"]


@pytest.mark.parametrize(
    "encoding,sep,newline",
    [
        ("utf-16", "\t", "\r\n"),  # Excel "Unicode テキスト"
        ("utf-16-le", ",", "\n"),
        ("utf-8-sig", ",", "\r\n"),
        ("cp932", ",", "\r"),
        ("utf-8", "\t", "\r"),
    ],
)
def test_csv_in_excels_encodings_and_line_ends(ctx, tmp_path, encoding, sep, newline):
    text = newline.join(sep.join(str(v) for v in row) for row in GOOD) + newline
    path = tmp_path / "u.csv"
    path.write_bytes(text.encode(encoding))
    assert import_unions(ctx, path).added == 2
    assert ctx.unions.find("05", "017").members == 1200


def test_a_huge_field_is_a_value_to_refuse_not_a_crash(ctx, tmp_path):
    path = tmp_path / "u.csv"
    path.write_text(
        "\n".join([",".join(HEADER), "05,001," + "あ" * 200_000 + ",1,1,1"]), encoding="utf-8"
    )
    with pytest.raises(ImportFailed, match="60 文字以内"):
        import_unions(ctx, path)


def _rezip(src: Path, dest: Path, change) -> Path:
    out = io.BytesIO()
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            zout.writestr(item.filename, change(item.filename, zin.read(item.filename)))
    dest.write_bytes(out.getvalue())
    return dest


@pytest.mark.parametrize("damage", ["truncated", "crc", "zlib", "xml", "method"])
def test_damaged_packages_get_a_japanese_message_without_zip_details(ctx, tmp_path, damage):
    good = book(tmp_path / "good.xlsx", [("単組", GOOD, "visible")])
    data = bytearray(good.read_bytes())
    bad = tmp_path / "bad.xlsx"
    if damage == "truncated":
        bad.write_bytes(bytes(data[: len(data) // 2]))
    elif damage == "xml":
        _rezip(
            good,
            bad,
            lambda name, body: body[: len(body) // 2] if name.endswith("sheet1.xml") else body,
        )
    else:
        with zipfile.ZipFile(good) as zf:
            info = zf.getinfo("xl/worksheets/sheet1.xml")
        start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
        if damage == "crc":
            data[start + 5] ^= 0x01
        elif damage == "zlib":
            data[start : start + 8] = b"\xff" * 8
        else:  # an unsupported compression method in the local and central headers
            data[info.header_offset + 8] = 99
            central = data.find(b"PK\x01\x02")
            while data[central + 46 : central + 46 + len(info.filename)] != info.filename.encode():
                central = data.find(b"PK\x01\x02", central + 4)
            data[central + 10] = 99
        bad.write_bytes(bytes(data))
    with pytest.raises(ImportFailed) as info:
        import_unions(ctx, bad)
    text = str(info.value)
    assert (
        "Excel ファイル" in text
        and "CRC" not in text
        and "zlib" not in text
        and "Error" not in text
    )
    assert ctx.unions.list() == []


@pytest.mark.parametrize("far", ["XFD1048576", "ZZ200000", "AAA9000"])
def test_a_value_far_away_is_refused_before_it_is_laid_out(ctx, tmp_path, far):
    """One stray value at XFD1048576 would make the reader allocate the whole range (an abort)."""
    wb = Workbook()
    ws = wb.active
    for row in GOOD:
        ws.append(row)
    ws[far] = 1
    wb.save(tmp_path / "far.xlsx")
    with pytest.raises(ImportFailed, match=f"範囲が広すぎます.*{far}"):
        import_unions(ctx, tmp_path / "far.xlsx")


@pytest.mark.parametrize("corner,rows", [("A60000", 60000), ("XFD2", 2)])
def test_a_tall_or_wide_sheet_within_bounds_is_read(tmp_path, corner, rows):
    wb = Workbook()
    ws = wb.active
    ws["A1"] = "x"
    ws[corner] = 1
    wb.save(tmp_path / "ok.xlsx")
    assert len(read_table(tmp_path / "ok.xlsx").rows) == rows


@pytest.mark.parametrize("damage", ["xml", "far", "hidden"])
def test_the_cli_import_reading_in_the_background_refuses_as_the_foreground_does(
    tmp_path, capsys, damage
):
    """``kyosai import model-unions`` checks the file, then reads its cells in a thread while
    it opens the database: a sheet calamine cannot read (the check passed it), a far value and
    a hidden sheet are still a Japanese refusal, exit 2, the database untouched."""
    import threading

    from kyosai_desktop.services.tabular import start_reading

    good = book(tmp_path / "good.xlsx", [("単組", GOOD, "visible")])
    bad = tmp_path / "bad.xlsx"
    if damage == "xml":
        _rezip(
            good,
            bad,
            lambda name, body: body[: len(body) // 2] if name.endswith("sheet1.xml") else body,
        )
    elif damage == "far":
        wb = Workbook()
        wb.active.append(GOOD[0])
        wb.active["XFD1048576"] = 1
        wb.save(bad)
    else:
        book(bad, [("隠し", GOOD, "hidden"), ("空", [], "visible")])  # never the hidden one
    expected = {
        "xml": "Excel ファイルとして読めません",
        "far": "範囲が広すぎます",
        "hidden": "シート「空」にデータがありません",
    }
    if damage == "xml":  # the check passes it; the refusal comes from the reading thread
        pending = start_reading(bad)
        with pytest.raises(ImportFailed, match=expected[damage]):
            pending.result()
        assert not [t for t in threading.enumerate() if t.name == "sheet-read"]
    db = tmp_path / "k.sqlite3"
    assert main(["--db", str(db), "init", "--branch", "05"]) == 0
    before = db.read_bytes()
    capsys.readouterr()
    assert main(["--db", str(db), "import", "model-unions", str(bad), "--fy", "2024"]) == 2
    err = capsys.readouterr().err
    assert expected[damage] in err and "Traceback" not in err
    assert db.read_bytes() == before


def _sheet_threads() -> list:
    import threading

    return [t for t in threading.enumerate() if t.name == "sheet-read"]


@pytest.mark.parametrize("far", [None, "XFD1048576"])
def test_a_formula_without_value_found_while_the_cells_are_read_is_refused_by_the_cli(
    tmp_path, capsys, far
):
    """The used range is checked before the reading thread starts, the formula scan while it
    reads: a formula saved without a value is still refused from ``start_reading`` (its
    cell named, the thread joined, nothing written), and a sheet with both faults gets the
    formula message as before."""
    from kyosai_desktop.services.tabular import start_reading

    rows = [GOOD[0], GOOD[1], ["05", "017", "石巻市職員労働組合", "=1000+200", 610, 4]]
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    if far is not None:
        wb.active[far] = 1
    bad = tmp_path / "formula.xlsx"
    wb.save(bad)
    message = "計算結果が保存されていない数式のセルがあります (セル D3)"
    with pytest.raises(ImportFailed, match=message.replace("(", r"\(").replace(")", r"\)")):
        start_reading(bad)
    assert not _sheet_threads()
    db = tmp_path / "k.sqlite3"
    assert main(["--db", str(db), "init", "--branch", "05"]) == 0
    before = db.read_bytes()
    capsys.readouterr()
    assert main(["--db", str(db), "import", "model-unions", str(bad), "--fy", "2024"]) == 2
    err = capsys.readouterr().err
    assert message in err and "範囲が広すぎます" not in err and "Traceback" not in err
    assert db.read_bytes() == before
    assert not _sheet_threads()


def test_the_workbook_part_is_read_with_its_namespaces_and_escapes(tmp_path):
    """The sheet list is read with expat alone: a prefixed namespace, a sheet name with
    escaped characters, a hidden first sheet and the active tab all count as before."""
    path = book(
        tmp_path / "u.xlsx",
        [("古い", DECOY, "hidden"), ("単組 & <本部>", GOOD, "visible"), ("メモ", GOOD, "visible")],
        active=1,
    )

    def prefixed(name: str, body: bytes) -> bytes:
        if name != "xl/workbook.xml":
            return body
        text = body.decode("utf-8")
        ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
        assert ns in text and "&amp;" in text and "&lt;" in text
        text = text.replace(ns, ns.replace("xmlns=", "xmlns:x="))
        text = re.sub(r"<(/?)(?!\?)(\w+[ />])", r"<\1x:\2", text)
        return text.encode("utf-8")

    bad = _rezip(path, tmp_path / "p.xlsx", prefixed)
    with pytest.raises(SheetChoiceRequired) as info:
        read_table(bad)
    assert info.value.sheets == ["単組 & <本部>", "メモ"] and info.value.active == "単組 & <本部>"
    table = read_table(bad, sheet="単組 & <本部>")
    assert table.sheet == "単組 & <本部>" and table.rows[2][1] == "017"
    with pytest.raises(ImportFailed, match="Excel ファイルとして読めません"):
        read_table(
            _rezip(path, tmp_path / "b.xlsx", lambda n, b: b[:-9] if n == "xl/workbook.xml" else b)
        )


@pytest.mark.parametrize(
    "ref,flagged",
    [
        ("A1", False),
        ("ZZ99999", False),
        ("AB12", False),
        ("AAA1", True),
        ("XFD1048576", True),
        ("A123456", True),
        ("ZZ200000", True),
    ],
)
def test_the_quick_used_range_test_sends_every_wide_or_far_address_to_the_exact_count(ref, flagged):
    """Without a third letter or a sixth digit anywhere, the last row decides; any such
    address is counted exactly (tests above: XFD1048576, ZZ200000, AAA9000 are refused)."""
    from kyosai_desktop.services.sheet_reader import _WIDE_OR_FAR, _far_corner

    xml = f'<sheetData><row r="1"><c r="{ref}" t="n"><v>1</v></c></row></sheetData>'.encode()
    assert bool(_WIDE_OR_FAR.search(xml)) is flagged
    assert (_far_corner(xml) is not None) is (ref in ("XFD1048576", "ZZ200000"))


@pytest.mark.parametrize(
    "spelling",
    [
        b"<row r='1048576'><c r='XFD1048576'",  # single quotes (XML allows them)
        b'<row r = "1048576"><c r = "XFD1048576"',  # white space around =
        b'<row\n r="1048576"><c\tr=\n"XFD1048576"',  # tab and line breaks
        b"<row r='200000'><c r='ZZ200000'",
    ],
    ids=["quotes", "spaces", "breaks", "quotes-tall"],
)
def test_a_far_value_spelled_another_way_is_still_refused_before_calamine(tmp_path, spelling):
    """The used-range check knew only r="…"; calamine also reads r='…' and r = "…", and a far
    cell spelled so made it allocate hundreds of GB and abort the process (the window too).
    Now refused in Japanese, exit 2, the database untouched — run in a child process, so a
    regression aborts the child, not the test run."""
    import subprocess
    import sys

    from kyosai_desktop.services.sheet_reader import _far_corner

    good = tmp_path / "good.xlsx"
    wb = Workbook()
    wb.active.append(["code"])
    wb.active.append([1])
    wb.save(good)
    bad = tmp_path / "bad.xlsx"
    _rezip(
        good,
        bad,
        lambda name, body: (
            body.replace(b'<row r="2"><c r="A2"', spelling) if name.endswith("sheet1.xml") else body
        ),
    )
    with zipfile.ZipFile(bad) as zf:
        xml = zf.read("xl/worksheets/sheet1.xml")
    assert spelling in xml and _far_corner(xml) is not None
    db = tmp_path / "k.sqlite3"
    assert main(["--db", str(db), "init", "--branch", "05"]) == 0
    before = db.read_bytes()
    code = "import sys; from kyosai_desktop.cli import main; sys.exit(main(sys.argv[1:]))"
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            code,
            "--db",
            str(db),
            "import",
            "model-unions",
            str(bad),
            "--fy",
            "2024",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, (done.returncode, done.stderr[-500:])
    assert "範囲が広すぎます" in done.stderr and "Traceback" not in done.stderr
    assert db.read_bytes() == before
