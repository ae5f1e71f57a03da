"""The privacy check's multi-text search (services/text_finder.py) against brute force.

Random texts and haystacks (Japanese, digits, regex metacharacters, control characters;
texts that overlap, that are prefixes of one another, that end the haystack), then the case
that made anonymising take 14 minutes: 20,000 phone numbers sharing "090-" and a file full
of "09" — answered exactly, with the work bounded by the haystack, not by the texts.
"""

from __future__ import annotations

import random

from kyosai_desktop.services.text_finder import TextFinder

ALPHABETS = (
    "0123456789-",
    "佐藤鈴木高橋090-",
    "アイウエオ連絡は夕方 番",
    "ab]^\\-.[*(\n\x00\ufffd",
    "あ𠮷髙ｱ①",
)


def brute(texts: list[str], haystack: str) -> set[str]:
    return {t for t in texts if t in haystack}


def random_case(rng: random.Random) -> tuple[list[str], str]:
    alphabet = rng.choice(ALPHABETS) + rng.choice(ALPHABETS)
    haystack = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 300)))
    texts: list[str] = []
    for _ in range(rng.randint(1, 40)):
        kind = rng.random()
        if kind < 0.4 and haystack:  # a piece of the haystack: found, often overlapping
            i = rng.randrange(len(haystack))
            texts.append(haystack[i : i + rng.randint(1, 12)])
        elif kind < 0.6 and texts:  # a prefix or an extension of another text
            other = rng.choice(texts)
            if rng.random() < 0.5:
                texts.append(other[: rng.randint(1, max(1, len(other)))])
            else:
                texts.append(other + "".join(rng.choice(alphabet) for _ in range(3)))
        elif kind < 0.7 and haystack:  # the very end of the haystack
            texts.append(haystack[-rng.randint(1, min(len(haystack), 8)) :])
        else:
            texts.append("".join(rng.choice(alphabet) for _ in range(rng.randint(1, 10))))
    return texts, haystack


def test_the_answer_is_brute_forces_on_random_texts_and_haystacks():
    rng = random.Random(12)
    for _ in range(3000):
        texts, haystack = random_case(rng)
        finder = TextFinder(texts)
        assert finder.search(haystack) == brute(texts, haystack), (texts, haystack)
        assert finder.search("") == brute(texts, "")


def test_edge_cases():
    texts = ["090-1234", "090-12345", "090", "09", "佐藤 太郎", "佐藤", "番", "z", "", "\x00\x00"]
    assert TextFinder(texts).search("x090-12345") == {"090-1234", "090-12345", "090", "09", ""}
    assert TextFinder(texts).search("佐藤 太") == {"佐藤", ""}
    assert TextFinder(texts).search("…佐藤 太郎") == {"佐藤 太郎", "佐藤", ""}
    assert TextFinder(texts).search("1番") == {"番", ""}
    assert TextFinder(texts).search("\x00\x00\x00z") == {"\x00\x00", "z", ""}
    assert TextFinder([]).search("anything") == set()
    assert TextFinder(["ab", "ab"]).search("xab") == {"ab"}


def test_long_texts_and_a_deep_chain_of_prefixes():
    """A 備考 edited a little at a time leaves each version in the audit trail."""
    chain = ["夕方" + "、土日" * k for k in range(3000)]
    long_note = "".join(chr(0x4E00 + k % 2000) for k in range(20_000))
    texts = [*chain, long_note, long_note[:-1] + "x"]
    haystack = "…" + chain[1500] + "…" + long_note
    assert TextFinder(texts).search(haystack) == brute(texts, haystack)
    assert TextFinder(texts).search(haystack) >= {*chain[:1501], long_note}


class CountingStr(str):
    """A haystack that counts the comparisons the finder makes on it (the production path)."""

    compares = 0

    def startswith(self, *args):  # type: ignore[no-untyped-def, override]
        CountingStr.compares += 1
        return str.startswith(self, *args)


def test_twenty_thousand_phones_sharing_a_prefix_cost_one_comparison_per_candidate():
    rng = random.Random(3)
    phones = [f"090-{i:04d}-{i * 7 % 10000:04d}" for i in range(1, 20_001)]
    notes = [f"連絡は夕方 {i} 番" for i in range(1, 2001)]
    texts = phones + notes
    pieces = []
    for n in range(6000):  # a file full of "09": months, times, numbers — and a few real texts
        pieces.append(f"2023-09-{n % 28 + 1:02d} 09:{n % 60:02d} \x00\x0309{n}")
        if n % 100 == 0:
            pieces.append(rng.choice(texts))
    haystack = "".join(pieces) + phones[-1]  # the last one ends the haystack
    expected = brute(texts, haystack)
    assert phones[-1] in expected and len(expected) > 50
    CountingStr.compares = 0
    assert TextFinder(texts).search(CountingStr(haystack)) == expected
    # The old index compared every "09" (18,000 of them here) with all 20,000 phone numbers:
    # 360 million comparisons.  Now it is a handful per found text, one per other "09".
    occurrences = haystack.count("09")
    assert occurrences > 18_000
    assert CountingStr.compares <= occurrences + 10 * len(expected) + haystack.count("連絡")


def test_the_logical_text_is_every_text_value_in_row_order(tmp_path):
    """What the check treats as "still used elsewhere": joined by SQLite now, not row by row."""
    import sqlite3

    from kyosai_desktop.services.privacy_check import _logical_text

    conn = sqlite3.connect(tmp_path / "t.sqlite3")
    conn.execute('CREATE TABLE "odd ""name""" (a INTEGER, "b ""c""" TEXT, d BLOB, e)')
    conn.execute("CREATE TABLE search_index_x (t TEXT)")  # a copy: left out
    conn.execute("CREATE TABLE empty (t TEXT)")
    rows = [
        (1, "佐藤 太郎", b"\x00blob", None),
        ("text in an integer column", None, "text in a blob column", 2.5),
        (None, "NUL\x00inside", None, "090-1234-5678"),
        (3, "", b"", ""),
    ]
    conn.executemany('INSERT INTO "odd ""name""" VALUES (?, ?, ?, ?)', rows)
    conn.execute("INSERT INTO search_index_x VALUES ('佐藤 花子')")
    conn.commit()
    expected = "\x00".join(v for row in rows for v in row if isinstance(v, str))
    assert _logical_text(conn) == expected
    conn.execute('DELETE FROM "odd ""name"""')
    assert _logical_text(conn) == ""
    conn.close()
