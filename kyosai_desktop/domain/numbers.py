"""Parsing of counts typed or imported by clerks (whole numbers ≥ 0).

The parser itself lives in :mod:`kyosai_desktop.domain.cells` with the other cell parsers;
these names are kept for the entry grid and older callers.
"""

from __future__ import annotations

from kyosai_desktop.domain.cells import CellError as CountError
from kyosai_desktop.domain.cells import normalise_text, parse_count

__all__ = ["CountError", "normalise_text", "parse_count"]
