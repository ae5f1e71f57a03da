"""What the laptop exchange keeps in the database that can hold personal data, and forgetting it.

``exchange_conflicts`` keeps both values of a conflict (an estimate's 氏名 may be one) and the
laptop's whole record; ``exchange_imports.changeset`` keeps what each package brought.
Anonymising a campaign (store/estimates.py) calls :func:`forget_personal` in its transaction.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence


def _scrub(text: str | None, personal: Sequence[str], mark: str) -> str | None:
    if text is None:
        return None
    value = json.loads(text)
    if isinstance(value, dict):
        value = {k: (mark if k in personal and v is not None else v) for k, v in value.items()}
    return json.dumps(value, ensure_ascii=False)


def forget_personal(conn: sqlite3.Connection, estimate_keys: Sequence[str], personal: Sequence[str],
                    mark: str) -> None:
    """Replace the personal fields of these estimates in the conflict list with ``mark`` and
    drop every kept package changeset (the next package is then taken whole, which only costs
    a repeated conflict where the office changed a value after the earlier package)."""
    marked = json.dumps(mark, ensure_ascii=False)
    for start in range(0, len(estimate_keys), 500):
        chunk = list(estimate_keys[start:start + 500])
        marks = ",".join("?" * len(chunk))
        rows = conn.execute(
            "SELECT id, field, base_value, office_value, laptop_value, laptop_row FROM exchange_conflicts"
            f" WHERE table_name = 'estimates' AND record_key IN ({marks})", chunk).fetchall()
        for cid, field, base, office, laptop, row in rows:
            if field in personal:
                base, office, laptop = (None if v is None else marked for v in (base, office, laptop))
            elif field == "*":
                base, office, laptop = (_scrub(v, personal, mark) for v in (base, office, laptop))
            conn.execute("UPDATE exchange_conflicts SET base_value = ?, office_value = ?, laptop_value = ?,"
                         " laptop_row = ? WHERE id = ?", (base, office, laptop, _scrub(row, personal, mark), cid))
    conn.execute("UPDATE exchange_imports SET changeset = NULL WHERE changeset IS NOT NULL")
