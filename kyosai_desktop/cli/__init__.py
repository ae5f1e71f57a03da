"""The ``kyosai`` command: the GUI when called bare, and subcommands on the same services.

Each feature registers its subcommands in its own module (listed in ``COMMAND_MODULES``);
``report`` and ``import`` are shared groups.  Failures print a Japanese message on stderr
and exit non-zero; a refused import exits 2 and changes nothing.
"""

from __future__ import annotations

import gc
import importlib
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from kyosai_desktop import APP_TITLE, __version__

TYPE_CHECKING = False  # typing itself loads after the sheet has started reading (3 ms)
if TYPE_CHECKING:  # argparse loads after a sheet to import has started reading (_read_early)
    import argparse

    from kyosai_desktop.services.file_reading import PendingTable

# Feature modules under kyosai_desktop/cli/ that add subcommands (see register()), and the
# commands each one adds (tests/test_cli.py checks the two agree).  A command line naming
# one of them builds only that module's parsers: building all of them costs ~30 ms, which
# every command would otherwise pay before it starts its work.
COMMAND_MODULES = {
    "master": ("init", "unions", "targets", "results", "report branch", "backup"),
    "model_unions": ("import model-unions", "report model-unions", "report union-sheets"),
    "estimates": ("estimates", "report estimates"),
    "recovery": ("restore",),
    "hq": ("hq", "report national", "national"),
    "exchange": ("exchange",),
    "templates": ("template",),
}
_GROUPS = ("import", "report")


class CommandError(Exception):
    """A failure to report to the clerk in Japanese (exit code 1, or ``code``)."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def build_parser(modules: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The whole ``kyosai`` parser, or only the subcommands of ``modules``."""
    import argparse
    from pathlib import Path

    parser = argparse.ArgumentParser(
        prog="kyosai", description=f"{APP_TITLE} — 引数なしで画面を開きます。"
    )
    parser.add_argument(
        "--db", type=Path, help="データベースファイル (省略時はユーザーデータフォルダ)"
    )
    parser.add_argument("--version", action="version", version=f"kyosai-desktop {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    groups = {
        "root": sub,
        "import": sub.add_parser("import", help="取り込み").add_subparsers(
            dest="what", metavar="KIND", required=True
        ),
        "report": sub.add_parser("report", help="帳票・集計の出力").add_subparsers(
            dest="what", metavar="KIND", required=True
        ),
    }
    for name in COMMAND_MODULES if modules is None else modules:
        importlib.import_module(f"kyosai_desktop.cli.{name}").register(groups)
    return parser


def _module_for(argv: Sequence[str]) -> str | None:
    """The one module that adds the command ``argv`` names; "" when it names none (the
    window opens: no subcommand parser is needed); None for help, version or an unknown
    command (the whole parser then answers)."""
    words: list[str] = []
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg in ("-h", "--help", "--version"):
            return None
        elif arg == "--db":
            skip = True
        elif not arg.startswith("-"):
            words.append(arg)
            if len(words) == 2:
                break
    if not words:
        return ""
    command = " ".join(words) if words[0] in _GROUPS else words[0]
    for name, commands in COMMAND_MODULES.items():
        if command in commands:
            return name
    return None


@contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic garbage collection inside the block: a bulk import allocates some hundred
    thousand containers (rows, cells, parameters) and makes no cycles, yet the collector
    would walk them some 350 times (≈50 ms of a national sheet's import)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def open_ctx(args: argparse.Namespace):
    from kyosai_desktop.services.context import open_context

    return open_context(args.db)


class EarlyRead:
    """A sheet to import whose reading started before the command line was parsed: the
    command uses it only if the parsed arguments name the same file and sheet."""

    def __init__(self, file: str, sheet: str | None) -> None:
        self.file, self.sheet = file, sheet
        self.pending: PendingTable | None = None
        self.error: Exception | None = None
        try:
            from kyosai_desktop.services.file_reading import start_reading

            self.pending = start_reading(file, sheet=sheet)
        except Exception as exc:  # noqa: BLE001 - raised again by take(), if it is used
            self.error = exc

    def take(self, file: object, sheet: str | None) -> PendingTable | None:
        """The pending read if it is of ``file`` and ``sheet`` (its refusal raised now), else
        None (the command reads the file itself; this read is dropped)."""
        from pathlib import Path

        if Path(str(file)) != Path(self.file) or sheet != self.sheet:
            self.drop()
            return None
        if self.error is not None:
            raise self.error
        return self.pending

    def drop(self) -> None:
        if self.pending is not None:
            self.pending.abandon()
            self.pending = None


def _read_early(argv: Sequence[str]) -> EarlyRead | None:
    """Start reading the sheet of ``kyosai import model-unions FILE`` before anything else
    (argparse and the subcommand's parser take ≈10 ms; python-calamine reads meanwhile).
    A guess from the words alone: the command checks it against its parsed arguments."""
    words: list[str] = []
    sheet: str | None = None
    takes_value = ("--db", "--fy", "--start-month", "--sheet")
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg in takes_value:
            if arg == "--sheet" and i + 1 < len(argv):
                sheet = argv[i + 1]
            i += 2
            continue
        if arg.startswith("--sheet="):
            sheet = arg[len("--sheet=") :]
        elif not arg.startswith("-"):
            words.append(arg)
        i += 1
    if len(words) == 3 and words[:2] == ["import", "model-unions"]:
        return EarlyRead(words[2], sheet)
    return None


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    early = _read_early(argv)
    module = _module_for(argv)
    parser = build_parser(None if module is None else [module] if module else [])
    try:
        args = parser.parse_args(argv)
    except BaseException:  # a usage error (SystemExit): the early read is not wanted
        if early is not None:
            early.drop()
        raise
    args.early_read = early
    if getattr(args, "handler", None) is None:
        from kyosai_desktop.ui.app import run_gui

        return run_gui(db_path=args.db)
    try:
        return int(args.handler(args) or 0)
    except CommandError as exc:
        print(str(exc), file=sys.stderr)
        return exc.code
    except Exception as exc:  # noqa: BLE001 - known failures get their message, others re-raise
        return _failure(exc)


def _failure(exc: Exception) -> int:
    """The exit code for a failure, its message printed; the error classes are imported only
    now, so a command does not load the modules of failures it never had (tests/test_cli_imports)."""
    from kyosai_desktop.services.files import OutputError
    from kyosai_desktop.services.report_package import PackageError
    from kyosai_desktop.services.tabular import ImportFailed
    from kyosai_desktop.store.errors import CorruptDatabaseError, NotADatabaseError, StoreError

    if isinstance(exc, ImportFailed):
        print(exc.summary(), file=sys.stderr)
        return 2
    if isinstance(exc, (CorruptDatabaseError, NotADatabaseError)):
        print(
            f"エラー: {exc}\n"
            "バックアップから戻すには: kyosai restore (一覧) / kyosai restore --latest --yes",
            file=sys.stderr,
        )
        return 1
    if isinstance(exc, PackageError):
        print(str(exc), file=sys.stderr)
        return 2
    if isinstance(exc, (StoreError, OutputError, ValueError)):
        print(f"エラー: {exc}", file=sys.stderr)
        return 1
    raise exc
