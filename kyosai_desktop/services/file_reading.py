"""Opening an import file and starting to read its cells: the first step of every import.

:func:`start_reading` checks the file as a whole now (every refusal of the file is raised
here) and reads an xlsx sheet's cells in a thread, so the caller can do other work meanwhile
(the CLI's import loads its modules and opens the database while python-calamine reads).

This module and :mod:`sheet_reader` import only what reading needs (no dataclasses, csv or
datetime at import): the CLI imports them first and starts calamine before the rest of the
import loads, about 15 ms earlier than through :mod:`tabular` (tests/bench_model_union_import.py).
:mod:`tabular`'s tables and errors are imported when a result or a refusal is made.
"""

from __future__ import annotations

from pathlib import Path

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
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        _refuse(f"ファイルが見つかりません: {path}")
    except IsADirectoryError:
        _refuse(f"{path} はフォルダです。取り込むファイルを指定してください。")
    except PermissionError:
        _refuse(f"ファイルを開けません (他のプログラムが使用中か、権限がありません): {path}")
    except OSError:
        _refuse(f"ファイルを読めません: {path}")
    if not data.strip():
        _refuse(f"ファイルが空です: {path.name}")
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        _refuse(
            f"{path.name} は古い Excel 形式 (.xls) か、パスワード付きの Excel ファイルです。"
            "Excel で .xlsx 形式 (パスワードなし) に保存し直してから取り込んでください。"
        )
    try:
        if data[:2] == b"PK":
            return PendingTable(
                path.name, grid=start_xlsx(path.name, data, sheet, background=background)
            )
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            _refuse(f"{path.name} は Excel ファイルとして読めません (壊れているか、別の形式です)。")
        rows = read_csv(path.name, data).rows
    except SheetChoiceNeeded as exc:
        from kyosai_desktop.services.tabular import SheetChoiceRequired

        raise SheetChoiceRequired(str(exc), exc.sheets, exc.active) from None
    except SheetRefused as exc:
        _refuse(str(exc))
    from kyosai_desktop.services.tabular import Table

    return PendingTable(path.name, table=Table(rows=rows, is_excel=False, source=path.name))


def _refuse(message: str) -> NoReturn:
    from kyosai_desktop.services.tabular import ImportFailed

    raise ImportFailed(message) from None
