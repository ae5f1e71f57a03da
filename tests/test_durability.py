"""Nothing committed is lost when the process dies a moment later (WAL, synchronous=FULL).

A child process opens the real database file, makes an edit the way the entry grid does
(ResultsRepository.apply, one commit) and kills itself with SIGKILL — no close, no
checkpoint.  The parent then reopens the file and finds the value and its audit record.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import pytest

from kyosai_desktop.services.context import open_context

CHILD = textwrap.dedent(
    """
    import os, signal, sys
    from kyosai_desktop.services.context import open_context
    from kyosai_desktop.store.results import CellChange
    ctx = open_context(sys.argv[1])
    union = ctx.unions.find("05", "001")
    product = ctx.products.resolve("団体生命共済")
    ctx.results.apply([CellChange(union.id, product.id, "2025-02", 42)])
    print("committed", flush=True)
    os.kill(os.getpid(), signal.SIGKILL)
    """
)


@pytest.mark.skipif(os.name == "nt", reason="SIGKILL is POSIX")
def test_edit_survives_sigkill(ctx, db_path):
    ctx.unions.add("05", "001", "仙台市職員労働組合")
    ctx.close()
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(db_path)], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert proc.stdout.strip() == "committed"
    reopened = open_context(db_path)
    try:
        union = reopened.unions.find("05", "001")
        product = reopened.products.resolve("団生")
        assert reopened.results.get(union.id, product.id, "2025-02") == 42
        audit = reopened.conn.execute(
            "SELECT old_value, new_value FROM audit WHERE table_name = 'results'"
        ).fetchall()
        assert [tuple(r) for r in audit] == [(None, "42")]
    finally:
        reopened.close()
