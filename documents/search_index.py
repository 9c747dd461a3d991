"""Document pages in the search index (kind ``documents.page``).

A page belongs to a stored file, and one file may be a document of several councils (the same
bytes are stored once): its entry has no council, and readers scope it through the documents
they may read (documents.selectors.search, record.archive).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.db.models.signals import post_delete

from documents.models import PageText
from search.services import Indexed, search_index_remove, search_index_update_many
from search.sources import register_source

PAGE = "documents.page"


def _indexed(page: PageText) -> Indexed:
    return Indexed(kind=PAGE, object_id=page.pk, council_id=None, text=page.text)


def index_pages(pages: Iterable[PageText]) -> None:
    search_index_update_many(items=[_indexed(page) for page in pages])


def _all_pages() -> Iterator[Indexed]:
    for page in PageText.objects.only("pk", "text").iterator(chunk_size=500):
        yield _indexed(page)


def _page_deleted(sender, instance: PageText, **kwargs) -> None:
    search_index_remove(kind=PAGE, object_ids=[instance.pk])


def connect() -> None:
    register_source(PAGE, _all_pages)
    post_delete.connect(_page_deleted, sender=PageText, dispatch_uid="search-documents-page")
