"""Text folded for search: no diacritics, lower case — "nghi quyet" finds "Nghị quyết".

``words`` is what the index stores and what a query is cut into: the folded text's runs of
ASCII letters and digits. Both engines (PostgreSQL's 'simple' parser, SQLite's unicode61
tokenizer) see the same words in a text of only ``[a-z0-9]`` and spaces, whatever their
locale — so the same query finds the same rows on both.
"""

import re
import unicodedata

# Letters that do not decompose into a base letter and a mark.
_SPECIAL = {"đ": "d", "Đ": "d", "ð": "d", "ł": "l", "Ł": "l", "ø": "o", "Ø": "o"}


def _fold_char(char: str) -> str:
    if char in _SPECIAL:
        return _SPECIAL[char]
    base = unicodedata.normalize("NFD", char)
    kept = "".join(c for c in base if not unicodedata.combining(c))
    return kept.lower()


def fold(text: str) -> str:
    return "".join(_fold_char(c) for c in unicodedata.normalize("NFC", text))


# Longer runs are not words a person types (PostgreSQL would also drop runs over 2,047 bytes).
_MAX_WORD = 60
_WORD = re.compile(r"[a-z0-9]+")


def words(text: str) -> list[str]:
    """The folded words of ``text``: "Nghị quyết 12/NQ-HĐND" → nghi, quyet, 12, nq, hdnd."""
    return [w for w in _WORD.findall(fold(text)) if len(w) <= _MAX_WORD]


def fold_with_positions(text: str) -> tuple[str, list[int]]:
    """The folded text and, for each of its characters, its index in the NFC original —
    so that a hit in the folded text points back at the words the reader sees."""
    original = unicodedata.normalize("NFC", text)
    folded, positions = [], []
    for index, char in enumerate(original):
        for piece in _fold_char(char):
            folded.append(piece)
            positions.append(index)
    return "".join(folded), positions


def snippet(text: str, query: str, *, around: int = 60) -> str | None:
    """The original words around the first match of ``query`` (folded) — the whole query if
    it stands in the text as typed, else its first word that does — or None."""
    folded, positions = fold_with_positions(text)
    at, needle = -1, ""
    for needle in [fold(query).strip(), *words(query)]:
        at = folded.find(needle) if needle else -1
        if at >= 0:
            break
    if at < 0:
        return None
    original = unicodedata.normalize("NFC", text)
    start = positions[at]
    end = positions[at + len(needle) - 1] + 1
    left, right = max(0, start - around), min(len(original), end + around)
    prefix = "…" if left > 0 else ""
    suffix = "…" if right < len(original) else ""
    return prefix + " ".join(original[left:right].split()) + suffix
