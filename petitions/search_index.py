"""Petitions and their answers in the search index (search/): kinds ``petitions.petition`` (the
petition's text and place) and ``petitions.answer`` (the agency's answer), each keyed by the
petition's id, with its council and the day it was received as the period.

The services index in their own transaction (an entry commits or rolls back with its row).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from petitions.models import Petition
from search.services import Indexed, search_index_update_many
from search.sources import register_source

PETITION = "petitions.petition"
ANSWER = "petitions.answer"


def _petition(p: Petition) -> Indexed:
    return Indexed(
        kind=PETITION,
        object_id=p.pk,
        council_id=p.council_id,
        text=f"{p.text} {p.place}",
        period=p.received_on,
    )


def _answer(p: Petition) -> Indexed:
    return Indexed(
        kind=ANSWER,
        object_id=p.pk,
        council_id=p.council_id,
        text=p.answer_text,
        period=p.received_on,
    )


def index_petitions(petitions: Iterable[Petition]) -> None:
    search_index_update_many(items=[_petition(p) for p in petitions])


def index_answers(petition_ids: Iterable[int]) -> None:
    """The answers of these petitions as stored now (a group's members copied theirs)."""
    rows = Petition.objects.filter(pk__in=list(petition_ids)).exclude(answer_text="")
    search_index_update_many(
        items=[_answer(p) for p in rows.only("pk", "council_id", "answer_text", "received_on")]
    )


def _all_petitions() -> Iterator[Indexed]:
    fields = ("pk", "council_id", "text", "place", "received_on")
    for p in Petition.objects.only(*fields).iterator(chunk_size=1000):
        yield _petition(p)


def _all_answers() -> Iterator[Indexed]:
    rows = Petition.objects.exclude(answer_text="").only(
        "pk", "council_id", "answer_text", "received_on"
    )
    for p in rows.iterator(chunk_size=1000):
        yield _answer(p)


def connect() -> None:
    register_source(PETITION, _all_petitions)
    register_source(ANSWER, _all_answers)
