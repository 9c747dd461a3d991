"""Similar petitions, diacritic-blind: no network, no model — words and letter trigrams.

Both texts are folded (search.folding: "Ngập nước" and "ngap nuoc" are the same); the score
is the mean of the Dice coefficients of their content words (a Vietnamese stop list taken out)
and of their character trigrams (which forgive a typo or a word cut differently). A council's
petitions of one period are a few hundred: they are compared in Python, one query.
"""

from __future__ import annotations

import re
from datetime import timedelta

from search.folding import fold

# Folded function words and the words every petition says ("cử tri kiến nghị đề nghị …").
STOP_WORDS = frozenset(
    """
    va cua cac nhung la co khong de cho voi trong tai o khi bi duoc da dang se nay do thi ma
    ve tu den mot nhieu can nen hay hoac cung nhu theo tren duoi sau truoc ra vao lai con
    cu tri kien nghi de nghi phan anh yeu cau xem xet giai quyet tinh trang viec hien nay
    """.split()
)
WINDOW = timedelta(days=120)
THRESHOLD = 0.3
_WORD = re.compile(r"[a-z0-9]+")


def words(folded: str) -> set[str]:
    return {w for w in _WORD.findall(folded) if w not in STOP_WORDS and len(w) > 1}


def trigrams(folded: str) -> set[str]:
    text = " " + " ".join(sorted(words(folded))) + " "
    return {text[i : i + 3] for i in range(len(text) - 2)}


def _dice(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


def score(a: str, b: str) -> float:
    """Similarity of two texts in [0, 1] (either may be folded already or not)."""
    fa, fb = fold(a), fold(b)
    return (_dice(words(fa), words(fb)) + _dice(trigrams(fa), trigrams(fb))) / 2


def similar_petitions(petition, *, limit: int = 8, threshold: float = THRESHOLD) -> list[tuple]:
    """``(petition, score)`` of the same council and period, best first, that this one could
    be grouped with: not yet grouped, still received — or consolidated ones still open."""
    from django.db.models import Q

    from petitions.models import OPEN_STATUSES, Petition, Status

    period = (petition.received_on - WINDOW, petition.received_on + WINDOW)
    loose = Q(status=Status.RECEIVED, group__isnull=True) & ~Q(source=Petition.Source.CONSOLIDATED)
    groups = Q(source=Petition.Source.CONSOLIDATED, status__in=OPEN_STATUSES)
    candidates = (
        Petition.objects.filter(council_id=petition.council_id, received_on__range=period)
        # Groups do not nest: a consolidated petition gathers loose ones only.
        .filter(loose if petition.is_group else loose | groups)
        .exclude(pk=petition.pk)
    )
    mine_words, mine_grams = words(petition.folded), trigrams(petition.folded)
    found = []
    for pk, folded in candidates.values_list("pk", "folded"):
        value = (_dice(mine_words, words(folded)) + _dice(mine_grams, trigrams(folded))) / 2
        if value >= threshold:
            found.append((pk, value))
    found.sort(key=lambda item: -item[1])
    found = found[:limit]
    rows = Petition.objects.in_bulk([pk for pk, _value in found])
    return [(rows[pk], round(value, 2)) for pk, value in found]
