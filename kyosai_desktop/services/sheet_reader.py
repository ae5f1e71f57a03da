"""Reading the cells of an imported file: xlsx with python-calamine, CSV in any of Excel's encodings.

Whatever the bytes, the result is a grid of values or :class:`SheetRefused` with a Japanese
message (never a zip, zlib or XML detail in English):

* **xlsx** — values come from python-calamine (Rust; about ten times faster than openpyxl's
  read-only mode).  What calamine does not give is read from the package itself with the
  standard library: the workbook's sheet list, states and active tab (``xl/workbook.xml``) and
  formula cells saved without a value (a file written by a program that does not calculate),
  found by a scan of that one sheet's XML.  openpyxl is not used for reading.  The package is
  opened by :mod:`xlsx_package` (zipfile only for one that is not a plain zip), a large sheet
  is read in two halves at once (:mod:`xlsx_halves`), and the rows come back as
  :class:`SheetRows` (converted as they are looked at; ``raw`` as calamine gave them).
* **in which order** — the used range is checked before calamine starts (it lays the range
  out densely: one stray value at XFD1048576 aborts the process); the formula scan runs while
  it reads.  Importing this module loads no dataclasses, typing, csv, datetime, pathlib or
  zipfile, so the command line starts calamine before the rest of the import loads.
* **which sheet** — the one visible worksheet; a hidden or very hidden sheet is never read in
  its place.  With several visible sheets the caller must name one (``sheet=``):
  :class:`SheetChoiceNeeded` lists them, so the CLI can point at ``--sheet`` and a window
  can ask.
* **CSV** — UTF-8 (with or without BOM), UTF-16 with BOM (Excel's "Unicode text", tab
  separated), UTF-16 without BOM, Shift_JIS (cp932); comma or tab separated; CR, LF or CRLF
  line ends; fields of any length.
"""

from __future__ import annotations

import io
import os
import re
import threading
import zlib
from collections.abc import Sequence
from pyexpat import ExpatError, ParserCreate

from kyosai_desktop.services import xlsx_halves
from kyosai_desktop.services.xlsx_halves import Halves
from kyosai_desktop.services.xlsx_package import NotPlain, Package

TYPE_CHECKING = False  # zipfile loads only when a package is not a plain zip (10 ms)
if TYPE_CHECKING:
    import zipfile

_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_MAX_CELLS = 5_000_000  # a used range larger than this is not one of ours
_MAX_XML_BYTES = 400_000_000  # refuse zip bombs before inflating them
_EXACT_FLOAT = 2**53
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


class SheetRefused(Exception):
    """The file cannot be read as a table; ``str(exc)`` is a Japanese message."""


class SheetChoiceNeeded(SheetRefused):
    """Several sheets are visible; the caller must say which (``sheets`` lists them)."""

    def __init__(self, message: str, sheets: list[str], active: str | None) -> None:
        super().__init__(message)
        self.sheets = sheets
        self.active = active


class Grid:
    """Rows of cell values, and the sheet they came from (None for a CSV).

    (This module and :mod:`file_reading` import no more than reading needs — no dataclasses,
    csv or datetime at import — since the CLI starts calamine before anything else loads.)
    """

    __slots__ = ("rows", "sheet")

    def __init__(self, rows: Sequence[list[object]], sheet: str | None = None) -> None:
        self.rows = rows
        self.sheet = sheet


def column_letter(index: int) -> str:
    """1 → A, 27 → AA (no openpyxl import needed for a cell address)."""
    out = ""
    while index > 0:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


# ------------------------------------------------------------------ xlsx


def _damaged(name: str) -> SheetRefused:
    return SheetRefused(
        f"{name} は Excel ファイルとして読めません (ファイルが壊れているか、.xlsx 形式ではありません)。"
        "Excel で開いて .xlsx 形式で保存し直してから取り込んでください。"
    )


class _SheetEntry:
    __slots__ = ("name", "state", "part")

    def __init__(self, name: str, state: str, part: str | None) -> None:
        self.name = name
        self.state = state  # visible | hidden | veryHidden
        self.part = part  # zip member of its XML


def _read_member(zf: zipfile.ZipFile | Package, member: str, name: str) -> bytes:
    """A member's bytes; a plain :class:`Package` that cannot read it raises NotPlain (the
    caller opens the package with zipfile instead)."""
    try:
        info = zf.getinfo(member)
        if info.file_size > _MAX_XML_BYTES:
            raise SheetRefused(
                f"{name} のシートが大きすぎます (展開すると {info.file_size / 1e6:,.0f} MB)。"
            )
        return zf.read(member)
    except (SheetRefused, NotPlain):
        raise
    except (
        KeyError,
        zlib.error,
        NotImplementedError,
        RuntimeError,
        OSError,
        EOFError,
        ValueError,
        OverflowError,
    ):
        raise _damaged(name) from None
    except Exception as exc:
        import zipfile

        if isinstance(exc, zipfile.BadZipFile):
            raise _damaged(name) from None
        raise


def _elements(xml: bytes) -> list[tuple[tuple[str, ...], dict[str, str]]]:
    """Every element of an XML part as (its path from the root, its attributes), names as
    ``{namespace}local`` — what ElementTree would give, with expat alone (ElementTree's
    import costs 3 ms before calamine can start)."""
    out: list[tuple[tuple[str, ...], dict[str, str]]] = []
    path: list[str] = []

    def start(tag: str, attrs: dict[str, str]) -> None:
        path.append("{" + tag if "}" in tag else tag)
        out.append((tuple(path), attrs))

    def end(tag: str) -> None:
        path.pop()

    parser = ParserCreate(namespace_separator="}")
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.Parse(xml, True)
    return out


def _workbook_sheets(zf: zipfile.ZipFile | Package, name: str) -> tuple[list[_SheetEntry], int]:
    """Every sheet of the workbook in tab order, and the index of the active tab."""
    try:
        book = _elements(_read_member(zf, "xl/workbook.xml", name))
        rels = _elements(_read_member(zf, "xl/_rels/workbook.xml.rels", name))
    except ExpatError:
        raise _damaged(name) from None
    relationship = f"{{{_PKG_REL_NS}}}Relationship"
    targets = {a.get("Id"): a.get("Target", "") for p, a in rels if p[-1] == relationship}
    sheet, rel_id = f"{{{_MAIN_NS}}}sheet", f"{_REL_NS}}}id"  # expat's attribute names have no "{"
    view_path = (f"{{{_MAIN_NS}}}bookViews", f"{{{_MAIN_NS}}}workbookView")
    sheets = []
    view = None
    for p, attrs in book:
        if p[-1] == sheet:
            target = targets.get(attrs.get(rel_id))
            if target:
                target = target.lstrip("/") if target.startswith("/") else "xl/" + target
                target = re.sub(r"[^/]+/\.\./", "", target)
            sheets.append(_SheetEntry(attrs.get("name", ""), attrs.get("state", "visible"), target))
        elif view is None and p[1:] == view_path:
            view = attrs
    try:
        active = int(view.get("activeTab", "0")) if view is not None else 0
    except ValueError:
        active = 0
    return sheets, active


def _choose(sheets: list[_SheetEntry], active: int, wanted: str | None, name: str) -> _SheetEntry:
    if wanted is not None:
        for entry in sheets:
            if entry.name == wanted:
                return entry
        shown = "、".join(f"「{s.name}」" for s in sheets if s.state == "visible") or "(なし)"
        raise SheetRefused(
            f"シート「{wanted}」が {name} にありません。表示されているシート: {shown}"
        )
    visible = [s for s in sheets if s.state == "visible"]
    if not visible:
        raise SheetRefused(f"{name} には表示されているシートがありません (すべて非表示です)。")
    if len(visible) == 1:
        return visible[0]
    active_name = sheets[active].name if 0 <= active < len(sheets) else None
    listed = "、".join(f"「{s.name}」" for s in visible)
    raise SheetChoiceNeeded(
        f"{name} には表示されているシートが {len(visible)} 枚あります ({listed})。"
        "取り込むシートを指定してください (コマンドでは --sheet シート名)。",
        [s.name for s in visible],
        active_name if any(s.name == active_name for s in visible) else None,
    )


_TOKEN = re.compile(
    rb"<(?:\w+:)?row\b([^>]*)>|<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S
)
_ATTR_R = re.compile(rb'\br="([A-Z]+)([0-9]+)"')
_ATTR_ROW = re.compile(rb'\br="([0-9]+)"')
_ATTR_T = re.compile(rb'\bt="(\w+)"')
_HAS_F = re.compile(rb"<(?:\w+:)?f\b")
# Literal-prefix patterns: re's fast search skips to the prefix, so a 5 MB sheet without any
# formula is cleared in a few milliseconds (the exact patterns above then confirm a hit).
_MAYBE_F = (re.compile(rb"<f\b"), re.compile(rb":f\b"))
_V = re.compile(rb"<(?:\w+:)?v\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?v>)", re.S)


def formulas_without_value(xml: bytes, limit: int = 20) -> list[str]:
    """Addresses of formula cells saved without a calculated value (at most ``limit``)."""
    if not any(p.search(xml) for p in _MAYBE_F) or not _HAS_F.search(xml):
        return []
    out: list[str] = []
    row = 0
    col = 0
    for m in _TOKEN.finditer(xml):
        if m.group(1) is not None:
            r = _ATTR_ROW.search(m.group(1))
            row = int(r.group(1)) if r else row + 1
            col = 0
            continue
        attrs, body = m.group(2), m.group(3)
        ref = _ATTR_R.search(attrs)
        if ref:
            address = (ref.group(1) + ref.group(2)).decode("ascii")
            col = _column_index(ref.group(1).decode("ascii"))
        else:
            col += 1
            address = f"{column_letter(col)}{row}"
        if not body or not _HAS_F.search(body):
            continue
        v = _V.search(body)
        kind = _ATTR_T.search(attrs)
        text_result = kind is not None and kind.group(1) in (b"str", b"inlineStr")
        if v is None or (not v.group(1) and not text_result):
            out.append(address)
            if len(out) >= limit:
                break
    return out


# An address with a third letter or a sixth digit: after one or two letters and up to five
# digits (possessive, so nothing is tried twice) anything but the closing quote.  No leading
# \\b: the literal prefix lets re skip ahead (5.6 ms on a 5.6 MB sheet; 9.5 ms with the
# alternation it replaces, 50 ms with \\b); a false hit such as ``xr="AAA1"`` only sends the
# sheet to the exact count below.
_WIDE_OR_FAR = re.compile(rb'r="[A-Z]{1,2}+[0-9]{0,5}+[^"]')
# XML also allows r='…' and white space around "=" (calamine reads both, and would then lay out
# a far cell the quick decision above cannot see): a sheet with an apostrophe, a tab or a line
# break in its data, or an "r" next to white space and "=", is counted with the pattern below
# (the exact count of every sheet the quick decision does not clear).
_SPACED_R = re.compile(rb"r\s+=|r=\s")
_REF = re.compile(rb"""\br\s*=\s*["']([A-Z]{1,3})([0-9]{1,7})["']""")


def _far_corner(xml: bytes) -> str | None:
    """The last cell of a sheet whose used range is too large to read, else None.

    calamine lays the used range out densely, so one value far away (XFD1048576) would ask for
    hundreds of gigabytes and abort the process; the range is checked before it reads.
    """
    data = max(xml.find(b"<sheetData"), xml.find(b":sheetData"), 0)
    usual = not any(xml.find(c, data) >= 0 for c in (b"'", b"\t", b"\n", b"\r")) and (
        _SPACED_R.search(xml, data) is None
    )
    if usual:
        pos = max(xml.rfind(b"<row "), xml.rfind(b":row "))
        last = _ATTR_ROW.search(xml, pos, pos + 400) if pos >= 0 else None
        last_row = int(last.group(1)) if last else 0
        if last_row * 702 <= _MAX_CELLS and not _WIDE_OR_FAR.search(xml):
            return None  # at most column ZZ and few rows: decided without reading every address
    max_row = max_col = 0
    for letters, digits in _REF.findall(xml):
        max_row = max(max_row, int(digits))
        max_col = max(max_col, _column_index(letters.decode("ascii")))
    if max_row * max_col > _MAX_CELLS:
        return f"{column_letter(max_col)}{max_row}"
    return None


def _column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _plain(value: object) -> object:
    import datetime as dt

    if value == "":
        return None
    if type(value) is float and value.is_integer() and -_EXACT_FLOAT <= value <= _EXACT_FLOAT:
        return int(value)
    if isinstance(value, dt.time | dt.timedelta):
        return str(value)
    return value


class PendingGrid:
    """A sheet already checked (sheet choice, used range) whose cells are being read.

    python-calamine releases the GIL while it parses, so with ``background=True`` the read
    runs in a thread while the caller goes on (the CLI imports its modules and opens the
    database meanwhile); :meth:`result` waits for it.  Without, the read happens in
    :meth:`result` itself.
    """

    def __init__(
        self,
        name: str,
        data: bytes,
        sheet: str,
        *,
        background: bool,
        halves: Halves | None = None,
    ) -> None:
        self._name, self._data, self.sheet = name, data, sheet
        self._halves = halves  # the sheet cut in two, read at once
        self._rows: list[list[object]] | None = None
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        if background:
            import python_calamine  # noqa: F401 - imported here, not inside the thread

            # not a daemon: the interpreter waits for it at exit rather than stopping it
            # inside calamine
            self._thread = threading.Thread(target=self._read, name="sheet-read")
            self._thread.start()

    def _read(self) -> None:
        try:
            self._rows = _calamine_rows(self._name, self._data, self.sheet, self._halves)
        except BaseException as exc:  # noqa: BLE001 - raised again by result(), in the caller
            self._error = exc

    def abandon(self) -> None:
        """The sheet was refused after all: wait for the reading thread and drop what it read."""
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        self._rows, self._error, self._data, self._halves = None, None, b"", None

    def result(self) -> Grid:
        """The sheet's values (numbers that are whole as int, empty text as None)."""
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        elif self._rows is None and self._error is None:
            self._read()
        if self._error is not None:
            raise self._error
        rows, self._rows = self._rows or [], None
        self._data, self._halves = b"", None
        return Grid(SheetRows(rows), self.sheet)


def start_xlsx(
    name: str, data: bytes, sheet: str | None = None, *, background: bool = True
) -> PendingGrid:
    """Check the workbook and choose its sheet now (refusals are raised here), and read the
    chosen sheet's cells in the background (see :class:`PendingGrid`)."""
    try:
        entry, xml, members = _sheet_xml(Package(data), name, sheet)
    except NotPlain:  # not a plain zip, or one that does not add up: zipfile decides
        entry, xml, members = _sheet_xml_by_zipfile(data, name, sheet)
    # Only the used range must be checked before calamine starts (it lays the range out
    # densely); the formula scan runs while calamine reads.  A sheet with both faults gets
    # the formula message, as it always did.
    far = _far_corner(xml)
    if far is not None:
        _refuse_formulas_without_value(name, entry.name, xml)
        raise SheetRefused(
            f"{name} のシート「{entry.name}」は使われている範囲が広すぎます (最後のセル {far})。"
            "表の外の不要な行・列を削除して保存し直してから取り込んでください。"
        )
    assert entry.part is not None  # (_sheet_xml refused a sheet without its part)
    halves = xlsx_halves.split(data, members, entry.part, xml) if os.cpu_count() != 1 else None
    pending = PendingGrid(name, data, entry.name, background=background, halves=halves)
    try:
        _refuse_formulas_without_value(name, entry.name, xml)
    except SheetRefused:
        pending.abandon()
        raise
    return pending


def _sheet_xml(
    zf: zipfile.ZipFile | Package, name: str, sheet: str | None
) -> tuple[_SheetEntry, bytes, list]:
    """The chosen sheet, its XML and the package's members."""
    sheets, active = _workbook_sheets(zf, name)
    entry = _choose(sheets, active, sheet, name)
    if entry.part is None:
        raise _damaged(name)
    return entry, _read_member(zf, entry.part, name), zf.infolist()


def _sheet_xml_by_zipfile(
    data: bytes, name: str, sheet: str | None
) -> tuple[_SheetEntry, bytes, list]:
    import zipfile

    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        OSError,
        ValueError,
        EOFError,
        NotImplementedError,
    ):
        raise _damaged(name) from None
    with zf:
        return _sheet_xml(zf, name, sheet)


def _refuse_formulas_without_value(name: str, sheet: str, xml: bytes) -> None:
    missing = formulas_without_value(xml)
    if missing:
        more = " ほか" if len(missing) >= 20 else ""
        raise SheetRefused(
            f"{name} のシート「{sheet}」に、計算結果が保存されていない数式のセルがあります"
            f" (セル {', '.join(missing)}{more})。Excel で開いて保存し直してから取り込んでください。"
        )


def plain_value(value: object) -> object:
    """One cell as :func:`_values` gives it: for a reader that converts only the cells it
    uses, from :attr:`SheetRows.raw`."""
    if type(value) is str:
        return value or None
    if type(value) is float:
        whole = value.is_integer() and -_EXACT_FLOAT <= value <= _EXACT_FLOAT
        return int(value) if whole else value
    return _plain(value)


class SheetRows(Sequence[list[object]]):
    """A sheet's rows, each converted (:func:`_values`) the first time it is looked at.

    ``raw`` holds the rows as calamine read them (whole numbers as float, empty cells as "")
    for a reader that goes through every row and converts only the cells it uses
    (:func:`plain_value`): the national model-union sheet's 160,000 cells are then not
    converted twice.
    """

    __slots__ = ("raw", "_converted")

    def __init__(self, raw: list[list[object]]) -> None:
        self.raw = raw
        self._converted: dict[int, list[object]] = {}

    def __len__(self) -> int:
        return len(self.raw)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self.raw)))]
        if index < 0:
            index += len(self.raw)
            if index < 0:
                raise IndexError("row index out of range")
        row = self._converted.get(index)
        if row is None:
            row = self._converted[index] = _values(self.raw[index])
        return row

    def __eq__(self, other: object) -> bool:
        if isinstance(other, SheetRows | list):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]


def _values(row: Sequence[object]) -> list[object]:
    """One row as the importers want it: whole floats as int (within 2^53), "" as None,
    times as text; most cells are text or a float, so those are tested first."""
    e = _EXACT_FLOAT
    return [
        (v or None)
        if type(v) is str
        else (int(v) if v.is_integer() and -e <= v <= e else v)
        if type(v) is float
        else _plain(v)
        for v in row
    ]


def _calamine_rows(
    name: str, data: bytes, sheet: str, halves: Halves | None
) -> list:  # of lists of cell values
    """The sheet's grid; a large sheet is read in two halves at once (:mod:`xlsx_halves`)
    and, if calamine refuses a half, whole — so a refusal is always the whole sheet's."""
    from python_calamine import CalamineWorkbook

    def read(package: bytes, leading: bool = False) -> tuple[list, int]:
        """(rows, 0-based sheet row of the first): from row 1, or (``leading``) from the
        first row with a value when the sheet's values start in column A."""
        with CalamineWorkbook.from_filelike(io.BytesIO(package)) as book:
            cells = book.get_sheet_by_name(sheet)
            start = getattr(cells, "start", None) if leading else None
            if start is not None and start[1] == 0:
                return cells.to_python(skip_empty_area=True), start[0]
            return cells.to_python(skip_empty_area=False), 0

    try:
        if halves is not None:
            try:
                return xlsx_halves.read(halves, read)
            except (KeyboardInterrupt, SystemExit, MemoryError):
                raise
            except BaseException:  # noqa: BLE001, S110 - read whole below
                pass
        return read(data)[0]
    except (KeyboardInterrupt, SystemExit, MemoryError):
        raise
    except BaseException:  # calamine's own errors, and a Rust panic (a BaseException)
        raise _damaged(name) from None


# ------------------------------------------------------------------ CSV


def _decode(name: str, data: bytes) -> str:
    import codecs

    if data.startswith(codecs.BOM_UTF8):
        encodings = ["utf-8-sig"]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ["utf-16"]
    elif b"\x00" in data[:4096]:
        # UTF-16 without a BOM: the NUL halves of ASCII characters sit on odd (LE) or even (BE) bytes
        head = data[:4096]
        odd, even, half = head[1::2].count(0), head[0::2].count(0), len(head) // 2
        encodings = (
            ["utf-16-le"]
            if odd >= half // 4 and odd > 4 * even
            else ["utf-16-be"]
            if even >= half // 4 and even > 4 * odd
            else []
        )
    else:
        encodings = ["utf-8", "cp932"]
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, UnicodeError):
            continue
        if "\x00" in text or (encoding.startswith("utf-16-") and _CONTROL.search(text[:2048])):
            break  # a guess that gives control characters was binary after all
        return text
    if b"\x00" in data[:4096]:
        raise SheetRefused(f"{name} は CSV でも Excel でもありません (バイナリファイルです)。")
    raise SheetRefused(
        f"{name} の文字コードを判別できません (UTF-8、UTF-16 (Unicode テキスト) か Shift_JIS で保存してください)。"
    )


def read_csv(name: str, data: bytes) -> Grid:
    """A CSV or tab-separated text file as rows of strings."""
    import csv

    csv.field_size_limit(2**31 - 1)  # a long field is a value to check, not a reason to crash
    text = _decode(name, data)
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    try:
        rows: list[list[object]] = [
            list(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        ]
    except csv.Error:
        raise SheetRefused(
            f'{name} は CSV として読めません (引用符 " の対応が崩れているなど)。'
        ) from None
    return Grid(rows)
