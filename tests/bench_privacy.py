"""Benchmark: anonymising a 20,000-estimate campaign and checking the bytes afterwards (issue 12).

Run: ``.venv/bin/python tests/bench_privacy.py``.  Builds the campaign of tests/bench_estimates.py
(300 unions, 20,000 estimates), gives every estimate its own contact and note (20,000+ distinct
texts to search for), puts three daily backups and one safety copy in the backups folder, then on
identical copies of that folder measures

* the floor: the clearing alone (``EstimateRepository.anonymise_campaign``), and
* ``anonymise_and_verify``: the clearing, the checkpoint, the byte search of the database file,
  WAL and shm, rewriting the safety copy and checking the backups,

and prints both and their ratio (the check's cost as a multiple of the clearing it verifies).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_estimates import build  # noqa: E402

from kyosai_desktop.services.backup import make_backup  # noqa: E402
from kyosai_desktop.services.context import open_context  # noqa: E402
from kyosai_desktop.services.estimate_privacy import anonymise_and_verify  # noqa: E402
from kyosai_desktop.store.tx import transaction  # noqa: E402


def prepare(folder: Path) -> tuple[Path, int]:
    db = folder / "bench.sqlite3"
    ctx, cid = build(db)
    with transaction(ctx.conn):
        ctx.conn.execute(
            "UPDATE estimates SET contact = '090-' || printf('%04d', id) || '-' || printf('%04d', id * 7 % 10000),"
            " notes = '連絡は夕方 ' || id || ' 番'"
        )
    for i in range(3):
        make_backup(ctx, folder / "backups" / f"bench-2025010{i}-000000.sqlite3")
    make_backup(ctx, folder / "backups" / "bench-before-restore-20250101-000000.sqlite3")
    ctx.close()
    return db, cid


def main() -> int:
    root = Path(tempfile.mkdtemp(prefix="bench-privacy-"))
    src = root / "src"
    src.mkdir()
    t0 = time.perf_counter()
    db, cid = prepare(src)
    size = db.stat().st_size
    print(
        f"built in {time.perf_counter() - t0:.1f} s: {size / 1e6:.1f} MB database, 4 copies in backups/"
    )
    runs = {}
    for label in ("clear", "verify"):
        work = root / label
        shutil.copytree(src, work)
        ctx = open_context(work / db.name)
        start = time.perf_counter()
        if label == "clear":
            ctx.estimates.anonymise_campaign(cid)
        else:
            done = anonymise_and_verify(ctx, cid, today=date(2025, 6, 1))
            report = done.report
        runs[label] = time.perf_counter() - start
        ctx.close()
    print(f"  clearing alone (floor):      {runs['clear']:.2f} s")
    print(
        f"  anonymise_and_verify:        {runs['verify']:.2f} s  "
        f"(searched {report.searched:,} texts, not checkable {report.shared:,}, ok={report.ok},"
        f" rewritten {len(report.rewritten)}, backups still holding {len(report.holding)})"
    )
    print(f"  ratio verify / clear:        {runs['verify'] / runs['clear']:.1f}")
    shutil.rmtree(root)
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
