"""Running a ``kyosai`` command in a fresh interpreter under ``python -X importtime``: the
modules it imported, in the order their import finished (tests/test_cli_imports.py,
tests/test_reading_starts_first.py)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

_COMMAND = "import sys; from kyosai_desktop.cli import main; sys.exit(main(sys.argv[1:]))"


def imported_in_order(
    args: Sequence[str], *, env: Mapping[str, str], cwd: Path | str | None = None
) -> list[str]:
    """The full names of the modules ``kyosai ARGS`` imported, in the order their import
    finished; the command must succeed."""
    run = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", _COMMAND, *args],
        capture_output=True,
        text=True,
        env=dict(env),
        cwd=cwd,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    return [
        line.rsplit("|", 1)[1].strip()
        for line in run.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    ]
