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
from collections.abc import Iterable
from pathlib import Path
from typing import Any

# An edge of the tree: the edge's string (its first character is the key it is stored under),
# the text that ends where the edge ends (or None), and the edges below, by first character.
_Edge = tuple[str, "str | None", "dict[str, _Edge]"]


def _char_class(chars: Iterable[str]) -> str:
    return "[" + "".join(re.escape(c) for c in sorted(chars)) + "]"


class TextFinder:
    """Which of many texts occur in a large string (radix tree, candidates found by ``re``)."""

    def __init__(self, texts: Iterable[str]) -> None:
        trie: dict[str, Any] = {}  # character trie; "" holds the text that ends there
        self.short: set[str] = set()  # texts of fewer than two characters
        for t in texts:
            if len(t) < 2:
                self.short.add(t)
                continue
            node = trie
            for ch in t:
                node = node.setdefault(ch, {})
            node[""] = t
        self.edges: dict[str, _Edge] = _compress(trie)
        self.pairs = {a + b for a, child in trie.items() for b in child if b}  # first two chars
        seconds = {c for child in trie.values() for c in child if c}
        self.start = (
            re.compile(_char_class(trie) + "(?=" + _char_class(seconds) + ")") if trie else None
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


def _compress(trie: dict[str, Any]) -> dict[str, _Edge]:
    """The radix tree of a character trie (iteratively: a text may be thousands of characters)."""
    root: dict[str, _Edge] = {}
    stack: list[tuple[dict[str, Any], dict[str, _Edge]]] = [(trie, root)]
    while stack:
        node, out = stack.pop()
        for ch, child in node.items():
            if not ch:
                continue
            label = [ch]
            while len(child) == 1 and "" not in child:
                ((nxt, child),) = child.items()
                label.append(nxt)
            below: dict[str, _Edge] = {}
            out[ch] = ("".join(label), child.get(""), below)
            stack.append((child, below))
    return root
