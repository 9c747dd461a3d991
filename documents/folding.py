"""Text folded for search: no diacritics, lower case — "nghi quyet" finds "Nghị quyết"."""

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
    """The original words around the first match of ``query`` (folded), or None."""
    folded, positions = fold_with_positions(text)
    needle = fold(query).strip()
    at = folded.find(needle) if needle else -1
    if at < 0:
        return None
    original = unicodedata.normalize("NFC", text)
    start = positions[at]
    end = positions[at + len(needle) - 1] + 1
    left, right = max(0, start - around), min(len(original), end + around)
    prefix = "…" if left > 0 else ""
    suffix = "…" if right < len(original) else ""
    return prefix + " ".join(original[left:right].split()) + suffix
