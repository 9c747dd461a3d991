"""Reads of documents: what each screen may list, the presented page, notes, search."""

from __future__ import annotations

from django.urls import reverse

from documents.models import Document, Note, PageText, Presentation
from documents.search_index import PAGE
from meeting.models import Delegate, Session
from search.folding import fold, snippet
from search.selectors import search_ids

MAX_HITS = 200


def document_payload(document: Document) -> dict:
    return {
        "id": document.pk,
        "title": document.title,
        "access": document.access,
        "agenda_item_id": document.agenda_item_id,
        "pages": document.file.page_count,
        # Immutable: the file's hash is in the path. Clients append "<n>.png?w=<width>".
        "pages_url": reverse(
            "document-page",
            kwargs={"document_id": document.pk, "version": document.file_id[:12], "number": 1},
        ).removesuffix("1.png"),
        "pdf_url": reverse("document-pdf", kwargs={"document_id": document.pk})
        if document.access != Document.Access.CONFIDENTIAL
        else None,
    }


def presentation_payload(presentation: Presentation | None) -> dict:
    if presentation is None or presentation.document is None:
        return {"document": None, "page": None}
    return {"document": document_payload(presentation.document), "page": presentation.page}


def note_payload(note: Note) -> dict:
    return {"document_id": note.document_id, "page": note.page, "text": note.text}


def documents_of(session: Session, *, include_confidential: bool) -> list[Document]:
    documents = Document.objects.filter(session=session).select_related("file")
    if not include_confidential:
        documents = documents.exclude(access=Document.Access.CONFIDENTIAL)
    return list(documents)


def documents_public(session: Session, *, screen: str) -> dict:
    """What a screen shows of the session's documents, alike for every delegate (the shown page
    and the list; both change by events only): shareable at one seq. The projector gets only
    what is shown."""
    presentation = (
        Presentation.objects.select_related("document__file").filter(session=session).first()
    )
    snapshot = {"presentation": presentation_payload(presentation)}
    if screen in ("tablet", "chair"):
        snapshot["documents"] = [
            document_payload(d) for d in documents_of(session, include_confidential=True)
        ]
    return snapshot


def documents_snapshot(
    session: Session,
    *,
    screen: str,
    delegate: Delegate | None = None,
    public: dict | None = None,
) -> dict:
    """The documents part of a screen's snapshot: the public part (built here unless given)
    and a delegate's own notes."""
    snapshot = dict(public if public is not None else documents_public(session, screen=screen))
    if delegate is not None:
        snapshot["notes"] = [
            note_payload(n)
            for n in Note.objects.filter(delegate=delegate, document__session=session)
        ]
    return snapshot


def search(documents: list[Document], query: str) -> list[dict]:
    """Pages of these documents holding every word of the query (each as the beginning of a
    word), diacritics and case ignored — through the search index, not a scan."""
    if len(fold(query).strip()) < 2 or not documents:
        return []
    by_file: dict[str, list[Document]] = {}
    for document in documents:
        by_file.setdefault(document.file_id, []).append(document)
    hits = []
    pages = (
        PageText.objects.filter(file_id__in=by_file, pk__in=search_ids(kind=PAGE, query=query))
        .order_by("file_id", "number")
        .only("file_id", "number", "text")[:MAX_HITS]
    )
    for page in pages:
        for document in by_file[page.file_id]:
            hits.append(
                {
                    "document_id": document.pk,
                    "title": document.title,
                    "page": page.number,
                    "snippet": snippet(page.text, query),
                }
            )
    hits.sort(key=lambda hit: (hit["document_id"], hit["page"]))
    return hits
