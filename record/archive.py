"""The archive: closed sessions, searchable across sessions and councils.

A council's archive includes its communes' (the councils under it). Search ignores
diacritics and case, like the document reader, and finds texts holding every word of the
query: session titles, agenda items, polls and their outcomes, and the text of the documents.
"""

from __future__ import annotations

from documents.folding import fold, snippet
from documents.models import Document, PageText
from meeting.models import AgendaItem, Council, Session
from voting.models import Poll

MAX_RESULTS = 100


def councils_under(council: Council | None) -> list[int] | None:
    """The council and every council below it (None: all councils)."""
    if council is None:
        return None
    found, frontier = [council.pk], [council.pk]
    while frontier:
        frontier = list(Council.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        found.extend(frontier)
    return found


def _matches(text: str, words: list[str]) -> bool:
    """Every word of the query is in the text (in any order, apart or together)."""
    folded = fold(text)
    return all(word in folded for word in words)


def search(*, council: Council | None, query: str, include_restricted) -> list[dict]:
    """Closed sessions, each with what matched; all closed sessions when there is no query.

    ``include_restricted``: True, False, or the ids of the councils whose delegates-only and
    confidential documents this reader may search (meeting.scope.councils_for).
    """
    sessions = Session.objects.filter(status=Session.Status.CLOSED).select_related("council")
    scope = councils_under(council)
    if scope is not None:
        sessions = sessions.filter(council_id__in=scope)
    sessions = list(sessions.order_by("-planned_start", "-number")[:MAX_RESULTS])
    # Word by word: "nghi quyet ngan sach" finds "Nghị quyết về ngân sách".
    words = fold(query).split()
    results = []
    for session in sessions:
        hits = []
        if words:
            if _matches(session.title, words):
                hits.append({"kind": "session", "text": session.title})
            for title in AgendaItem.objects.filter(session=session).values_list("title", flat=True):
                if _matches(title, words):
                    hits.append({"kind": "agenda", "text": title})
            for poll in Poll.objects.filter(session=session).exclude(status=Poll.Status.DRAFT):
                if _matches(poll.title, words):
                    outcome = getattr(poll, "result", None)
                    hits.append(
                        {
                            "kind": "poll",
                            "text": poll.title,
                            "passed": None if outcome is None or outcome.void else outcome.passed,
                        }
                    )
            documents = Document.objects.filter(session=session).select_related("file")
            restricted = include_restricted is True or (
                not isinstance(include_restricted, bool)
                and session.council_id in include_restricted
            )
            if not restricted:
                documents = documents.filter(access=Document.Access.PUBLIC)
            by_file = {d.file_id: d for d in documents}
            pages = PageText.objects.filter(file_id__in=by_file)
            for word in words:
                pages = pages.filter(folded__contains=word)
            for page in pages.order_by("file_id", "number")[:20]:
                document = by_file[page.file_id]
                hits.append(
                    {
                        "kind": "document",
                        "text": document.title,
                        "page": page.number,
                        "snippet": snippet(page.text, query) or snippet(page.text, words[0]),
                        "document_id": document.pk,
                    }
                )
            if not hits:
                continue
        results.append({"session": session, "hits": hits})
    return results
