"""Which of many texts occur in a large string — in one pass, linear in the string's length.

Used by the privacy check (services/privacy_check.py) to search the decoded bytes of database
files for tens of thousands of cleared texts at once.  The texts are held in a radix tree
(a trie whose chains of single children are merged into one edge string).  The candidate
positions — a character that begins some text followed by one that is the second character
of some text — are found by one regular expression, so the scan of the string runs in C;
a candidate whose two characters begin no text is dropped by one set lookup, and from the
others the tree is walked edge by edge (``str.startswith`` per edge), stopping at the first
mismatch.  The cost at a position is the number of branch points along its
longest partial match, never the number of texts that share a prefix: 20,000 phone numbers
that all begin with "090-" cost one step at an unrelated "09".

The answer is exactly ``{t for t in texts if t in haystack}``: texts of one character are
looked up directly, and the empty text (which occurs everywhere) is found in every string.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from operator import itemgetter
from pathlib import Path

# An edge of the tree: the edge's string (its first character is the key it is stored under),
# the text that ends where the edge ends (or None), and the edges below, by first character.
_Edge = tuple[str, "str | None", "dict[str, _Edge]"]


def _char_class(chars: Iterable[str]) -> str:
    return "[" + "".join(re.escape(c) for c in sorted(chars)) + "]"


class TextFinder:
    """Which of many texts occur in a large string (radix tree, candidates found by ``re``)."""

    def __init__(self, texts: Iterable[str]) -> None:
        self.short: set[str] = set()  # texts of fewer than two characters
        longer: set[str] = set()
        for t in texts:
            (longer if len(t) >= 2 else self.short).add(t)
        self.edges = _radix_tree(sorted(longer))
        self.pairs: set[str] = set()  # the texts' first two characters
        for first, (label, _text, below) in self.edges.items():
            self.pairs.update([label[:2]] if len(label) >= 2 else (first + c for c in below))
        self.start = (
            re.compile(
                _char_class(self.edges) + "(?=" + _char_class({p[1] for p in self.pairs}) + ")"
            )
            if self.edges
            else None
        )

    def search(self, haystack: str) -> set[str]:
        """The texts that occur in ``haystack``."""
        found = {t for t in self.short if t in haystack}
        if self.start is None:
            return found
        root, pairs, end, add = self.edges, self.pairs, len(haystack), found.add
        starts = haystack.startswith
        for m in self.start.finditer(haystack):
            i = m.start()
            if haystack[i : i + 2] not in pairs:
                continue
            edges = root
            while edges and i < end:
                edge = edges.get(haystack[i])
                if edge is None:
                    break
                label, text, edges = edge
                if not starts(label, i):
                    break
                i += len(label)
                if text is not None:
                    add(text)
        return found

    def search_file(self, path: Path) -> set[str]:
        """The texts found in the file's raw bytes (read as UTF-8, SQLite's text encoding)."""
        if not path.exists():
            return set()
        return self.search(path.read_bytes().decode("utf-8", "replace"))


def _radix_tree(texts: list[str]) -> dict[str, _Edge]:
    """The radix tree of sorted, distinct texts of two characters or more — built from the
    sorted list directly (edges are slices, never one object per character) and iteratively
    (a chain of texts, each a prefix of the next, can be thousands deep)."""
    root: dict[str, _Edge] = {}
    # (from, to, depth, edges): texts[from:to] share their first ``depth`` characters, and each
    # is longer than that; their edges below that point go into ``edges``.
    stack: list[tuple[int, int, int, dict[str, _Edge]]] = [(0, len(texts), 0, root)]
    while stack:
        lo, hi, depth, out = stack.pop()
        i = lo
        while i < hi:
            first = texts[i]
            c = first[depth]
            j = bisect_right(texts, c, i, hi, key=itemgetter(depth))  # same next character
            common = len(first) if j == i + 1 else _common_length(first, texts[j - 1], depth + 1)
            text = first if len(first) == common else None  # sorted: a prefix comes first
            below: dict[str, _Edge] = {}
            out[c] = (first[depth:common], text, below)
            rest = i + 1 if text is not None else i
            if rest < j:
                stack.append((rest, j, common, below))
            i = j
    return root


def _common_length(a: str, b: str, known: int) -> int:
    """The length of the common prefix of ``a`` and ``b``, whose first ``known`` characters are
    equal (binary search on slices: no loop per character)."""
    lo, hi = known, min(len(a), len(b))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[lo:mid] == b[lo:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo
