"""Resolutions in the search index (kind ``resolutions.resolution``): the number, the title and
the full text of the signed PDF, so that "ngan sach 2027" finds a resolution by what its
signed copy says. Written by the services in their transaction; rebuilt from here
(``chamber search_reindex``)."""

from __future__ import annotations

from collections.abc import Iterator

from documents.models import PageText
from resolutions.models import Resolution
from search.services import Indexed, search_index_update_many
from search.sources import register_source

KIND = "resolutions.resolution"


def _indexed(resolution: Resolution, pages: str) -> Indexed:
    return Indexed(
        kind=KIND,
        object_id=resolution.pk,
        council_id=resolution.council_id,
        text=f"{resolution.symbol} {resolution.title} {pages}",
        period=resolution.adopted_on,
    )


def _text_of(sha256: str | None) -> str:
    if not sha256:
        return ""
    return " ".join(
        PageText.objects.filter(file_id=sha256).order_by("number").values_list("text", flat=True)
    )


def index_resolution(resolution: Resolution) -> None:
    """(Re-)index one resolution; call inside the service's transaction."""
    search_index_update_many(items=[_indexed(resolution, _text_of(resolution.signed_file_id))])


def _all() -> Iterator[Indexed]:
    for resolution in Resolution.objects.order_by("pk").iterator(chunk_size=200):
        yield _indexed(resolution, _text_of(resolution.signed_file_id))


def connect() -> None:
    register_source(KIND, _all)
