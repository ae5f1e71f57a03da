"""Opening an import file and starting to read its cells: the first step of every import.

:func:`start_reading` checks the file as a whole now (every refusal of the file is raised
here) and reads an xlsx sheet's cells in a thread, so the caller can do other work meanwhile
(the CLI's import loads its modules and opens the database while python-calamine reads).

This module and :mod:`sheet_reader` import only what reading needs (no dataclasses, typing,
csv, datetime, pathlib or zipfile at import; tests/test_reading_starts_first.py): the CLI
imports them first and starts calamine before the rest of the import loads — 73 → 48 ms after
the process starts, with the other early steps (tests/bench_model_union_import.py).
:mod:`tabular`'s tables and errors are imported when a result or a refusal is made.
"""

from __future__ import annotations

import os

from kyosai_desktop.services.sheet_reader import (
    PendingGrid,
    SheetChoiceNeeded,
    SheetRefused,
    SheetRows,
    read_csv,
    start_xlsx,
)

TYPE_CHECKING = False  # typing itself is not imported before calamine starts (2 ms)
if TYPE_CHECKING:
    from pathlib import Path
    from typing import NoReturn

    from kyosai_desktop.services.tabular import Table


class PendingTable:
    """A file already checked whose cells may still be being read: :meth:`result` is the
    :class:`~kyosai_desktop.services.tabular.Table` (raising
    :class:`~kyosai_desktop.services.tabular.ImportFailed` if the cells cannot be read)."""

    def __init__(self, source: str, *, grid: PendingGrid | None = None, table: Table | None = None):
        self.source = source
        self._grid = grid
        self._table = table

    def abandon(self) -> None:
        """Not wanted after all: wait for the reading thread and drop what it read."""
        if self._grid is not None:
            self._grid.abandon()
            self._grid = None

    def result(self) -> Table:
        from kyosai_desktop.services.tabular import ImportFailed, Table, is_blank

        if self._table is None:
            assert self._grid is not None
            try:
                grid = self._grid.result()
            except SheetRefused as exc:
                raise ImportFailed(str(exc)) from None
            rows = grid.rows
            raw = rows.raw if isinstance(rows, SheetRows) else rows
            assert isinstance(raw, list)
            while raw and all(is_blank(v) for v in raw[-1]):  # as read: "" is blank too
                raw.pop()
            if not raw:
                raise ImportFailed(f"{self.source} のシート「{grid.sheet}」にデータがありません。")
            self._table = Table(rows=rows, is_excel=True, source=self.source, sheet=grid.sheet)
            self._grid = None
        return self._table


def start_reading(
    path: Path | str, *, sheet: str | None = None, background: bool = True
) -> PendingTable:
    """Open and check a file now (every refusal of the file as a whole is raised here, as
    :class:`~kyosai_desktop.services.tabular.ImportFailed`) and read an xlsx sheet's cells in
    the background (``background=False``: in :meth:`PendingTable.result`)."""
    try:
        with open(path, "rb") as fh:  # (pathlib loads later: 3 ms before calamine starts)
            data = fh.read()
    except FileNotFoundError:
        _refuse(f"ファイルが見つかりません: {_shown(path)}")
    except IsADirectoryError:
        _refuse(f"{_shown(path)} はフォルダです。取り込むファイルを指定してください。")
    except PermissionError:
        _refuse(
            f"ファイルを開けません (他のプログラムが使用中か、権限がありません): {_shown(path)}"
        )
    except OSError:
        _refuse(f"ファイルを読めません: {_shown(path)}")
    name = os.path.basename(os.fspath(path))  # a file that could be read: Path(path).name
    if not data.strip():
        _refuse(f"ファイルが空です: {name}")
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        _refuse(
            f"{name} は古い Excel 形式 (.xls) か、パスワード付きの Excel ファイルです。"
            "Excel で .xlsx 形式 (パスワードなし) に保存し直してから取り込んでください。"
        )
    try:
        if data[:2] == b"PK":
            return PendingTable(name, grid=start_xlsx(name, data, sheet, background=background))
        if os.path.splitext(name)[1].lower() in (".xlsx", ".xlsm"):
            _refuse(f"{name} は Excel ファイルとして読めません (壊れているか、別の形式です)。")
        rows = read_csv(name, data).rows
    except SheetChoiceNeeded as exc:
        from kyosai_desktop.services.tabular import SheetChoiceRequired

        raise SheetChoiceRequired(str(exc), exc.sheets, exc.active) from None
    except SheetRefused as exc:
        _refuse(str(exc))
    from kyosai_desktop.services.tabular import Table

    return PendingTable(name, table=Table(rows=rows, is_excel=False, source=name))


def _shown(path: Path | str) -> str:
    """The path as a message shows it (as pathlib writes it)."""
    from pathlib import Path

    return str(Path(path))


def _refuse(message: str) -> NoReturn:
    from kyosai_desktop.services.tabular import ImportFailed

    raise ImportFailed(message) from None
