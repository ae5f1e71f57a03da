"""Atomic output files: write to a temporary file beside the target, then rename.

A crash or a full disk never leaves a half-written report in place of a good one, and a
target held open by Excel on Windows gives a clear Japanese message.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class OutputError(Exception):
    """A report or export could not be written; ``str(exc)`` is Japanese."""


def _apply_default_mode(path: Path) -> None:
    """mkstemp makes owner-only files; give the report the permissions a normal save would."""
    if os.name == "nt":
        return
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, 0o666 & ~umask)


@contextmanager
def atomic_path(target: Path | str) -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces ``target``."""
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"出力先のフォルダを作れません: {target.parent} ({exc})") from exc
    fd, tmp_name = tempfile.mkstemp(
        prefix=f".{target.stem}-", suffix=target.suffix, dir=target.parent
    )
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        _apply_default_mode(tmp)
        try:
            os.replace(tmp, target)
        except PermissionError as exc:
            raise OutputError(
                f"{target.name} に書き込めません。Excel などで開いている場合は閉じてから、もう一度実行してください。"
            ) from exc
    finally:
        if tmp.exists():
            tmp.unlink()
