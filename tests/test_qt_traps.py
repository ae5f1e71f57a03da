"""Known PySide6 traps, kept as regression tests.

PySide6 6.12.0 on Python 3.11 aborts the process (``Fatal Python error: none_dealloc``)
after a few thousand Qt calls that return None.  The project pins PySide6 below 6.12 on
Python 3.11; this test makes 100,000 such calls in a real (offscreen) window in a separate
process, so an abort shows up as a failed exit code instead of killing the test run.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from importlib.metadata import version

CALLS = 100_000

SCRIPT = textwrap.dedent(
    f"""
    import sys
    from PySide6.QtWidgets import QApplication, QLabel, QMainWindow
    app = QApplication(sys.argv)
    window = QMainWindow()
    label = QLabel(window)
    window.setCentralWidget(label)
    window.show()
    app.processEvents()
    for i in range({CALLS}):
        label.setText(f"件数 {{i}}")       # returns None
        window.setWindowTitle("共済")      # returns None
    app.processEvents()
    assert label.text() == "件数 {CALLS - 1}"
    print("ok", {CALLS})
    """
)


def test_installed_combination_cannot_hit_none_dealloc():
    major, minor = (int(part) for part in version("PySide6-Essentials").split(".")[:2])
    if sys.version_info < (3, 12):
        assert (major, minor) < (6, 12), "PySide6 6.12 aborts on Python 3.11 (none_dealloc)"


def test_100k_none_returning_calls_in_a_real_window():
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "none_dealloc" not in proc.stderr
    assert proc.stdout.strip() == f"ok {CALLS}"
