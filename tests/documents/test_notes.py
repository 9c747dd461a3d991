"""Private notes over the tablet WebSocket: the author's devices hear of them, nobody else ever
does; a note on a document the delegate may not note is refused and writes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

from documents import services
from documents.models import Document, Note
from meeting.models import Attendance, Delegate, Session
from realtime.actors import Actor
from realtime.publish import capturing
from tests.documents import pdfs, ws
from tests.factories import make_council, make_session, make_staff
from tests.realtime import helpers

pytestmark = pytest.mark.django_db(transaction=True)

TEXT = "Hỏi lại về khoản chi đầu tư công: 12,5 tỷ đồng?"


@dataclass
class Room:
    session: Session
    author: Delegate
    neighbour: Delegate  # same council, same session
    chair: Any
    document: Document  # 4 pages, for the delegates
    confidential: Document
    other_session_document: Document  # same council, another session
    foreign_document: Document  # another council
    foreign_session: Session
    outsider: Delegate  # of the other council


@pytest.fixture
def room(transactional_db) -> Room:
    council, other = make_council(seats=3), make_council(seats=3)
    session, foreign_session = make_session(council=council), make_session(council=other)
    author, neighbour = council.delegates.order_by("seat_label")[:2]
    outsider = other.delegates.first()
    for who, where in ((author, session), (neighbour, session), (outsider, foreign_session)):
        Attendance.objects.create(
            session=where, delegate=who, status="present", changed_at=timezone.now()
        )
    clerk = Actor(user=make_staff(role="clerk"))

    def upload(target: Session, title: str, access: str = "delegates") -> Document:
        return services.document_upload(
            session_id=target.pk,
            title=title,
            data=pdfs.make_pdf([f"{title}: {line}" for line in pdfs.VIETNAMESE_PAGES]),
            access=access,
            actor=clerk,
        )

    return Room(
        session=session,
        author=author,
        neighbour=neighbour,
        chair=make_staff(role="chair", council=session.council),
        document=upload(session, "Dự toán ngân sách"),
        confidential=upload(session, "Phương án nhân sự", "confidential"),
        other_session_document=upload(make_session(council=council), "Kỳ họp trước"),
        foreign_document=upload(foreign_session, "Tài liệu xã khác"),
        foreign_session=foreign_session,
        outsider=outsider,
    )


@database_sync_to_async
def _notes() -> list[tuple[int, int, int, str]]:
    return sorted(Note.objects.values_list("delegate_id", "document_id", "page", "text"))


async def test_a_note_reaches_the_authors_devices_only(room):
    author_tablet = await helpers.tablet(room.session, room.author)
    author_phone = await helpers.tablet(room.session, room.author)  # a second device
    neighbour = await helpers.tablet(room.session, room.neighbour)
    projector = helpers.projector(room.session)
    console = await helpers.chair(room.session, room.chair)
    screens = [author_tablet, author_phone, neighbour, projector, console]
    try:
        snapshots = await ws.open_all(screens)
        assert [s["data"].get("notes") for s in snapshots] == [[], [], [], None, None]
        seq = snapshots[0]["seq"]

        with capturing() as published:
            await helpers.command(
                author_tablet, "note.save", "n1", document_id=room.document.pk, page=3, text=TEXT
            )
            ack, own_notice = await ws.answer_and_event(author_tablet, "note.saved")
            other_notice = await helpers.receive_until(author_phone, "note.saved")
        assert ack["data"] == {"document_id": room.document.pk, "page": 3}
        expected = {"document_id": room.document.pk, "page": 3, "text": TEXT}
        for notice in (own_notice, other_notice):
            assert notice["type"] == "note.saved" and notice["id"] is None
            assert notice["data"] == expected
            assert notice["seq"] == seq  # a notice: the session's seq does not move
        # One publication, to the author's own group; nothing for the session's groups.
        assert [p["group"] for p in published] == [f"delegate.{room.author.pk}"]
        assert await _notes() == [(room.author.pk, room.document.pk, 3, TEXT)]

        # Nobody else heard anything, and the neighbour's fresh snapshot has no note.
        assert await ws.silent([author_tablet, author_phone, neighbour, projector, console])
        await helpers.command(neighbour, "snapshot.request", "s1")
        snapshot = await helpers.receive_until(neighbour, "snapshot")
        assert snapshot["data"]["notes"] == []
        await helpers.command(console, "snapshot.request", "s2")
        assert "notes" not in (await helpers.receive_until(console, "snapshot"))["data"]

        # The author comes back (a reconnect): the note is in the snapshot.
        await author_tablet.disconnect()
        again = await helpers.tablet(room.session, room.author)
        screens.append(again)
        snapshot = await helpers.connect_and_snapshot(again)
        assert snapshot["data"]["notes"] == [expected]
    finally:
        await ws.close_all(screens)


async def test_saving_again_rewrites_the_same_note(room):
    tablet = await helpers.tablet(room.session, room.author)
    try:
        await ws.open_all([tablet])
        for n, text in enumerate(["Bản nháp", "Bản cuối: đồng ý", ""], start=1):
            await helpers.command(
                tablet, "note.save", f"n{n}", document_id=room.confidential.pk, page=1, text=text
            )
            _ack, notice = await ws.answer_and_event(tablet, "note.saved")
            assert notice["data"]["text"] == text
            assert await _notes() == [(room.author.pk, room.confidential.pk, 1, text)]
        # Repeating a command id does not write again (the first answer is given back).
        await helpers.command(
            tablet, "note.save", "n1", document_id=room.confidential.pk, page=1, text="Bản nháp"
        )
        assert (await helpers.receive_until(tablet, "ack"))["data"]["page"] == 1
        assert await _notes() == [(room.author.pk, room.confidential.pk, 1, "")]
    finally:
        await ws.close_all([tablet])


async def test_a_note_on_a_document_out_of_reach_is_refused_and_writes_nothing(room):
    author_tablet = await helpers.tablet(room.session, room.author)
    author_phone = await helpers.tablet(room.session, room.author)
    console = await helpers.chair(room.session, room.chair)
    outsider = await helpers.tablet(room.foreign_session, room.outsider)
    screens = [author_tablet, author_phone, console, outsider]
    document = room.document.pk
    bad = [
        # Another council's document (through this session's tablet), another session's, none.
        (author_tablet, "document.not_found", {"document_id": room.foreign_document.pk}),
        (author_tablet, "document.not_found", {"document_id": room.other_session_document.pk}),
        (author_tablet, "document.not_found", {"document_id": 10**9}),
        # The other council's delegate, on their own session's tablet, at our document.
        (outsider, "document.not_found", {"document_id": document}),
        (author_tablet, "document.bad_page", {"document_id": document, "page": 0}),
        (author_tablet, "document.bad_page", {"document_id": document, "page": 5}),
        (author_tablet, "message.malformed", {"document_id": document, "text": 42}),
        (author_tablet, "message.malformed", {"document_id": document, "text": None}),
        (author_tablet, "message.malformed", {"document_id": str(document)}),
        # Notes are the delegates' own: the console cannot write one.
        (console, "command.forbidden", {"document_id": document}),
    ]
    try:
        await ws.open_all(screens)
        with capturing() as published:
            for n, (comm, code, data) in enumerate(bad):
                await ws.refused(
                    comm, "note.save", f"bad-{n}", code, **{"page": 1, "text": TEXT, **data}
                )
        assert published == []
        assert await _notes() == []
        assert await ws.silent(screens)
    finally:
        await ws.close_all(screens)
