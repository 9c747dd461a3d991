"""The archive: closed sessions, searchable across sessions and councils.

A council's archive includes its communes' (the councils under it). Search ignores
diacritics and case, like the document reader, and finds texts holding every word of the
query: session titles, agenda items, polls and their outcomes, and the text of the documents.
"""

from __future__ import annotations

from django.db.models import Q

from documents.models import Document, PageText
from documents.search_index import PAGE
from meeting.models import AgendaItem, Council, Session
from record.search_index import AGENDA_ITEM, POLL, SESSION
from search.folding import snippet
from search.selectors import search_ids, search_words
from voting.models import Poll

MAX_RESULTS = 100
PAGES_PER_SESSION = 20


def councils_under(council: Council | None) -> list[int] | None:
    """The council and every council below it (None: all councils)."""
    if council is None:
        return None
    found, frontier = [council.pk], [council.pk]
    while frontier:
        frontier = list(Council.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        found.extend(frontier)
    return found


def _restricted_ok(include_restricted) -> Q:
    """The documents this reader may search: all, the public ones, or those plus the
    restricted ones of the councils they read."""
    if include_restricted is True:
        return Q()
    public = Q(access=Document.Access.PUBLIC)
    if include_restricted is False:
        return public
    return public | Q(session__council_id__in=list(include_restricted))


def search(*, council: Council | None, query: str, include_restricted) -> list[dict]:
    """Closed sessions, each with what matched; all closed sessions when there is no query.

    ``include_restricted``: True, False, or the ids of the councils whose delegates-only and
    confidential documents this reader may search (meeting.scope.councils_for).

    Through the search index: a handful of statements whatever the number of sessions, and
    the newest matching sessions, not matches among the newest sessions.
    """
    sessions = Session.objects.filter(status=Session.Status.CLOSED)
    scope = councils_under(council)
    if scope is not None:
        sessions = sessions.filter(council_id__in=scope)
    newest = ("-planned_start", "-number")
    if not search_words(query):
        chosen = sessions.select_related("council").order_by(*newest)[:MAX_RESULTS]
        return [{"session": session, "hits": []} for session in chosen]

    found = {
        kind: search_ids(kind=kind, query=query, council_ids=scope)
        for kind in (SESSION, AGENDA_ITEM, POLL)
    }
    items = AgendaItem.objects.filter(pk__in=found[AGENDA_ITEM], session__in=sessions)
    polls = (
        Poll.objects.filter(pk__in=found[POLL], session__in=sessions)
        .exclude(status=Poll.Status.DRAFT)
        .select_related("result")
    )
    documents = Document.objects.filter(session__in=sessions).filter(
        _restricted_ok(include_restricted)
    )
    pages = PageText.objects.filter(
        pk__in=search_ids(kind=PAGE, query=query), file__documents__in=documents
    )
    matched = sessions.filter(
        Q(pk__in=found[SESSION])
        | Q(pk__in=items.values("session_id"))
        | Q(pk__in=polls.values("session_id"))
        | Q(pk__in=documents.filter(file__pages__in=pages).values("session_id"))
    )
    chosen = list(matched.select_related("council").order_by(*newest)[:MAX_RESULTS])
    hits = _hits(chosen, query, found[SESSION], items, polls, documents, pages)
    return [{"session": session, "hits": hits[session.pk]} for session in chosen]


def _hits(sessions, query, session_ids, items, polls, documents, pages) -> dict[int, list]:
    """What matched in each of these sessions, in the order the archive shows it."""
    ids = [session.pk for session in sessions]
    hits: dict[int, list] = {pk: [] for pk in ids}
    for pk, title in Session.objects.filter(pk__in=session_ids, id__in=ids).values_list(
        "pk", "title"
    ):
        hits[pk].append({"kind": "session", "text": title})
    for session_id, title in items.filter(session_id__in=ids).values_list("session_id", "title"):
        hits[session_id].append({"kind": "agenda", "text": title})
    for poll in polls.filter(session_id__in=ids):
        outcome = getattr(poll, "result", None)
        hits[poll.session_id].append(
            {
                "kind": "poll",
                "text": poll.title,
                "passed": None if outcome is None or outcome.void else outcome.passed,
            }
        )
    # A session's files, each shown as its (last) document there, as before.
    by_file: dict[int, dict[str, Document]] = {pk: {} for pk in ids}
    for document in documents.filter(session_id__in=ids):
        by_file[document.session_id][document.file_id] = document
    files = {file_id for shown in by_file.values() for file_id in shown}
    matched_pages = list(
        pages.filter(file_id__in=files)
        .order_by("file_id", "number")
        .distinct()
        .values_list("pk", "file_id", "number")
    )
    shown_pages: dict[int, list[tuple[int, str, int]]] = {pk: [] for pk in ids}
    for page in matched_pages:
        for session_id, shown in by_file.items():
            if page[1] in shown and len(shown_pages[session_id]) < PAGES_PER_SESSION:
                shown_pages[session_id].append(page)
    wanted = {page[0] for listed in shown_pages.values() for page in listed}
    texts = dict(PageText.objects.filter(pk__in=wanted).values_list("pk", "text"))
    for session_id, listed in shown_pages.items():
        for pk, file_id, number in listed:
            document = by_file[session_id][file_id]
            hits[session_id].append(
                {
                    "kind": "document",
                    "text": document.title,
                    "page": number,
                    "snippet": snippet(texts[pk], query),
                    "document_id": document.pk,
                }
            )
    return hits
