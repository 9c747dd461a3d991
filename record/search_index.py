"""What the archive searches, in the search index: session titles, agenda items and polls
(kinds ``meeting.session``, ``meeting.agenda_item``, ``voting.poll``), each with its session's
council. Document pages are documents' own kind (documents.search_index).

Kept in step by signals rather than by each service, because these titles are also written by
the admin and by fixtures; and a session is indexed whole again when it closes — the archive
shows closed sessions only, so whatever was written around the signals (a queryset
``update``) is right by the time anyone can find it.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models.signals import post_delete, post_save

from meeting.models import AgendaItem, Session
from search.services import Indexed, search_index_remove, search_index_update_many
from search.sources import register_source
from voting.models import Poll

SESSION, AGENDA_ITEM, POLL = "meeting.session", "meeting.agenda_item", "voting.poll"


def _session_entry(session: Session) -> Indexed:
    return Indexed(
        kind=SESSION,
        object_id=session.pk,
        council_id=session.council_id,
        text=session.title,
        period=session.planned_start,
    )


def _titles(kind: str, rows) -> Iterator[Indexed]:
    for pk, title, council_id in rows.values_list("pk", "title", "session__council_id"):
        yield Indexed(kind=kind, object_id=pk, council_id=council_id, text=title)


def index_session(session: Session) -> None:
    """The session's title, agenda items and polls, as they are now."""
    search_index_update_many(
        items=[
            _session_entry(session),
            *_titles(AGENDA_ITEM, AgendaItem.objects.filter(session=session)),
            *_titles(POLL, Poll.objects.filter(session=session)),
        ]
    )


def _title_changed(update_fields) -> bool:
    return update_fields is None or "title" in update_fields


def _session_saved(sender, instance: Session, update_fields=None, **kwargs) -> None:
    closing = update_fields is None or "status" in update_fields
    if closing and instance.status == Session.Status.CLOSED:
        index_session(instance)
    elif _title_changed(update_fields) or "council" in (update_fields or ()):
        search_index_update_many(items=[_session_entry(instance)])


def _item_saved(sender, instance, update_fields=None, **kwargs) -> None:
    if _title_changed(update_fields):
        kind = AGENDA_ITEM if sender is AgendaItem else POLL
        search_index_update_many(items=_titles(kind, sender.objects.filter(pk=instance.pk)))


def _deleted(sender, instance, **kwargs) -> None:
    kind = {Session: SESSION, AgendaItem: AGENDA_ITEM, Poll: POLL}[sender]
    search_index_remove(kind=kind, object_ids=[instance.pk])


def _all_sessions() -> Iterator[Indexed]:
    for session in Session.objects.only("pk", "council_id", "title", "planned_start").iterator():
        yield _session_entry(session)


def connect() -> None:
    register_source(SESSION, _all_sessions)
    register_source(AGENDA_ITEM, lambda: _titles(AGENDA_ITEM, AgendaItem.objects.all()))
    register_source(POLL, lambda: _titles(POLL, Poll.objects.all()))
    post_save.connect(_session_saved, sender=Session, dispatch_uid="search-archive-session")
    for model in (AgendaItem, Poll):
        post_save.connect(
            _item_saved, sender=model, dispatch_uid=f"search-archive-{model.__name__}"
        )
    for model in (Session, AgendaItem, Poll):
        post_delete.connect(
            _deleted, sender=model, dispatch_uid=f"search-archive-del-{model.__name__}"
        )
