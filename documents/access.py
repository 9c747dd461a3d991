"""Who may read which document. Every page request asks here: no URL is a key by itself."""

from __future__ import annotations

from dataclasses import dataclass

from documents.models import Document
from meeting.access import signed_in_delegate
from meeting.models import Delegate
from meeting.scope import Everywhere, councils_for

# The projector page records in the browser's session which sessions' keys it was given.
PROJECTOR_SESSIONS_KEY = "projector_sessions"


@dataclass(frozen=True)
class Reader:
    """The person (or room screen) asking, and the name their confidential pages carry."""

    delegate: Delegate | None = None
    staff_name: str | None = None
    projector_sessions: tuple[int, ...] = ()
    # The councils whose documents the staff user reads (meeting.scope).
    staff_councils: frozenset[int] | Everywhere = frozenset()

    @property
    def watermark_name(self) -> str | None:
        if self.delegate is not None:
            return self.delegate.full_name
        return self.staff_name


def reader_for(request) -> Reader:
    user = request.user
    staff = None
    scopes = [
        councils_for(user, "meeting.run_session"),
        councils_for(user, "documents.view_document"),
    ]
    if any(isinstance(scope, Everywhere) for scope in scopes):
        councils = scopes[0] if isinstance(scopes[0], Everywhere) else scopes[1]
    else:
        councils = frozenset(scopes[0] | scopes[1])
    if isinstance(councils, Everywhere) or councils:
        staff = user.get_full_name() or user.get_username()
    return Reader(
        delegate=signed_in_delegate(request.session),
        staff_name=staff,
        projector_sessions=tuple(request.session.get(PROJECTOR_SESSIONS_KEY, [])),
        staff_councils=councils,
    )


def _staff_of(reader: Reader, document: Document) -> bool:
    return reader.staff_name is not None and document.session.council_id in reader.staff_councils


def may_read(reader: Reader, document: Document) -> bool:
    """Page images: public for anyone; for delegates, the council's delegates, the staff and
    the session's projector; confidential, delegates and staff only (and watermarked)."""
    if document.access == Document.Access.PUBLIC:
        return document.session.status != "draft" or _staff_of(reader, document)
    if _staff_of(reader, document):
        return True
    in_council = reader.delegate is not None and (
        reader.delegate.council_id == document.session.council_id
    )
    if document.access == Document.Access.DELEGATES:
        return in_council or document.session_id in reader.projector_sessions
    return in_council


def may_download_original(reader: Reader, document: Document) -> bool:
    """The PDF itself: never for a confidential document, except to the staff."""
    if document.access == Document.Access.CONFIDENTIAL:
        return _staff_of(reader, document)
    return may_read(reader, document)
