"""Whether a database holds demo figures: the window title reads it at every start-up.

Kept apart from services/demo.py (the generator, which imports random, the import plan and
several repositories) so the start-up does not import the generator
(tests/bench_foundation.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kyosai_desktop.services.context import AppContext

DEMO_KEY = "demo_data"  # setting present = this database holds demo figures


def is_demo(ctx: AppContext) -> bool:
    return bool(ctx.settings.get(DEMO_KEY))
