"""Follow the presenter: the console shows a page and every screen of the session hears it from
one event; bad ``document.show`` commands are refused and change nothing.

Whether a tablet *moves* to the page is the tablet's choice (a delegate who left follow mode
stays where they are): the server sends the event to every screen, and the tablet UI and its
browser test decide. These tests prove the server side only.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from django.conf import settings
from django.test import Client
from django.utils import timezone

from documents import services
from documents.models import Document, Presentation
from meeting.badges import sign_in_url
from meeting.models import Attendance, Delegate, Session
from realtime.actors import Actor
from realtime.models import CommandReceipt
from realtime.publish import capturing
from tests.documents import pdfs, ws
from tests.factories import make_council, make_session, make_staff
from tests.realtime import helpers

pytestmark = pytest.mark.django_db(transaction=True)

TABLETS = 30
PAGES = 9


@dataclass
class Sitting:
    session: Session
    delegates: list[Delegate]
    chair: Any
    document: Document  # 9 pages, for the delegates
    other_document: Document  # of another session of the same council
    foreign_document: Document  # of another council's session


def _sitting(seats: int) -> Sitting:
    council, other_council = make_council(seats=seats), make_council(seats=3)
    session = make_session(council=council)
    delegates = list(council.delegates.order_by("seat_label"))
    # Checked in already: opening a tablet changes nothing, so every event is the test's.
    Attendance.objects.bulk_create(
        Attendance(session=session, delegate=d, status="present", changed_at=timezone.now())
        for d in delegates
    )
    clerk = Actor(user=make_staff(role="clerk"))

    def upload(target: Session, title: str, pages: int) -> Document:
        return services.document_upload(
            session_id=target.pk,
            title=title,
            data=pdfs.make_pdf([f"{title} — trang {n}" for n in range(1, pages + 1)]),
            actor=clerk,
        )

    return Sitting(
        session=session,
        delegates=delegates,
        chair=make_staff(role="chair", council=session.council),
        document=upload(session, "Báo cáo kinh tế - xã hội", PAGES),
        other_document=upload(make_session(council=council), "Tờ trình kỳ trước", 3),
        foreign_document=upload(make_session(council=other_council), "Tài liệu xã khác", 8),
    )


@pytest.fixture
def sitting(transactional_db) -> Sitting:
    return _sitting(TABLETS)


@pytest.fixture
def small_sitting(transactional_db) -> Sitting:
    return _sitting(3)


@database_sync_to_async
def _session_seq(session_id: int) -> int:
    return Session.objects.get(pk=session_id).seq


@database_sync_to_async
def _presentation(session_id: int) -> tuple[int | None, int] | None:
    row = Presentation.objects.filter(session_id=session_id).first()
    return None if row is None else (row.document_id, row.page)


# -- in one process: 30 tablets, a projector and the console -----------------------------------


async def test_thirty_tablets_hear_the_shown_page_from_one_publication(sitting):
    session, document = sitting.session, sitting.document
    tablets = [await helpers.tablet(session, d) for d in sitting.delegates]
    projector = helpers.projector(session)
    console = await helpers.chair(session, sitting.chair)
    screens = [*tablets, projector, console]
    try:
        snapshots = await ws.open_all(screens)
        start_seq = snapshots[0]["seq"]
        for snapshot in snapshots:
            assert snapshot["seq"] == start_seq
            assert snapshot["data"]["presentation"] == {"document": None, "page": None}
        for snapshot in snapshots[:TABLETS]:
            assert [d["id"] for d in snapshot["data"]["documents"]] == [document.pk]

        with capturing() as published:
            await helpers.command(
                console, "document.show", "show-7", document_id=document.pk, page=7
            )
            ack, console_shown = await ws.answer_and_event(console, "document.shown")
            shown = [
                *await asyncio.gather(
                    *(helpers.receive_until(screen, "document.shown") for screen in screens[:-1])
                ),
                console_shown,
            ]
        assert ack["id"] == "show-7"
        assert ack["data"] == {"document_id": document.pk, "page": 7}

        # ONE publication, to the session's public group, for all 32 screens.
        assert [(p["group"], json.loads(p["text"])["type"]) for p in published] == [
            (f"session.{session.pk}.public", "document.shown")
        ]
        assert await _session_seq(session.pk) == start_seq + 1
        # Every screen got the very same frame: page 7 of the document, the next seq.
        assert all(frame == shown[0] for frame in shown)
        frame = shown[0]
        assert (frame["type"], frame["id"], frame["seq"]) == ("document.shown", None, start_seq + 1)
        assert frame["data"]["page"] == 7
        assert frame["data"]["document"]["id"] == document.pk
        assert frame["data"]["document"]["pages"] == PAGES
        assert frame["data"]["document"]["pages_url"].startswith(f"/documents/{document.pk}/")
        assert json.loads(published[0]["text"]) == frame
        # Once each: nothing more is on its way to anyone.
        assert await ws.silent(screens)
        assert await _presentation(session.pk) == (document.pk, 7)

        # A tablet (re)connecting later is told the page in its snapshot.
        late = await helpers.tablet(session, sitting.delegates[0])
        screens.append(late)
        snapshot = await helpers.connect_and_snapshot(late)
        assert snapshot["seq"] == start_seq + 1
        assert snapshot["data"]["presentation"] == frame["data"]
    finally:
        await ws.close_all(screens)


async def test_the_console_repeating_a_show_is_answered_again_without_a_second_event(
    small_sitting,
):
    session, document = small_sitting.session, small_sitting.document
    tablet = await helpers.tablet(session, small_sitting.delegates[0])
    console = await helpers.chair(session, small_sitting.chair)
    try:
        await ws.open_all([tablet, console])
        await helpers.command(console, "document.show", "show-2", document_id=document.pk, page=2)
        first, _event = await ws.answer_and_event(console, "document.shown")
        seq = await _session_seq(session.pk)
        await helpers.receive_until(tablet, "document.shown")
        with capturing() as published:
            await helpers.command(
                console, "document.show", "show-2", document_id=document.pk, page=2
            )
            assert await helpers.receive_until(console, "ack") == first
        assert published == []
        assert await _session_seq(session.pk) == seq
        assert await tablet.receive_nothing(0.2)
    finally:
        await ws.close_all([tablet, console])


# -- bad document.show: a clear error, nothing changed, nothing sent ---------------------------


@database_sync_to_async
def _receipts() -> list[tuple[str, str]]:
    return sorted(CommandReceipt.objects.values_list("actor", "command_id"))


def _bad_shows(sitting: Sitting) -> list[tuple[str, str, dict]]:
    """(screen, code, data) of document.show commands that must be refused."""
    document = sitting.document.pk
    return [
        ("console", "document.not_found", {"document_id": 10**9, "page": 1}),
        # Another session of the same council; another council's session: not this session's.
        ("console", "document.not_found", {"document_id": sitting.other_document.pk, "page": 1}),
        ("console", "document.not_found", {"document_id": sitting.foreign_document.pk, "page": 1}),
        ("console", "document.bad_page", {"document_id": document, "page": 0}),
        ("console", "document.bad_page", {"document_id": document, "page": -3}),
        ("console", "document.bad_page", {"document_id": document, "page": PAGES + 1}),
        ("console", "message.malformed", {"document_id": document, "page": "7"}),
        ("console", "message.malformed", {"document_id": str(document), "page": 1}),
        ("console", "message.malformed", {"document_id": document, "page": True}),
        ("console", "message.malformed", {"document_id": document}),
        # Only the console shows pages to the room.
        ("tablet", "command.forbidden", {"document_id": document, "page": 1}),
        ("projector", "command.forbidden", {"document_id": document, "page": 1}),
    ]


async def test_bad_document_show_commands_are_refused_and_change_nothing(small_sitting):
    session, document = small_sitting.session, small_sitting.document
    by_name = {
        "tablet": await helpers.tablet(session, small_sitting.delegates[0]),
        "projector": helpers.projector(session),
        "console": await helpers.chair(session, small_sitting.chair),
    }
    screens = list(by_name.values())
    try:
        await ws.open_all(screens)
        seq, receipts = await _session_seq(session.pk), await _receipts()
        with capturing() as published:
            for n, (screen, code, data) in enumerate(_bad_shows(small_sitting)):
                await ws.refused(by_name[screen], "document.show", f"bad-{n}", code, **data)
        assert published == []
        assert await _session_seq(session.pk) == seq
        assert await _presentation(session.pk) is None
        assert await _receipts() == receipts
        assert await ws.silent(screens)
        # The connections are still good: the next valid command works.
        console, tablet = by_name["console"], by_name["tablet"]
        await helpers.command(console, "document.show", "ok", document_id=document.pk, page=PAGES)
        ack, _event = await ws.answer_and_event(console, "document.shown")
        assert ack["data"] == {"document_id": document.pk, "page": PAGES}
        assert (await helpers.receive_until(tablet, "document.shown"))["seq"] == seq + 1
    finally:
        await ws.close_all(screens)


# -- on real servers: two daphne processes, Redis, badge-signed tablets ------------------------


@pytest.fixture
def servers(transactional_db):
    """Two daphne processes on the test database and one Redis channel layer."""
    from tests.servers import running_servers

    with running_servers(2, redis=True) as started:
        yield started
        for server in started:  # shown by pytest only when the test fails
            print(f"--- {server.log} ---\n{server.log.read_text()[-4000:]}")


@pytest.fixture
def chair_cookie(sitting) -> str:
    client = Client()
    client.force_login(sitting.chair)  # committed: the servers can read the session row
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@pytest.mark.e2e
@pytest.mark.timeout(120)
async def test_on_two_real_servers_every_tablet_gets_page_seven(sitting, chair_cookie, servers):
    from tests.e2e import client as e2e

    session, document = sitting.session, sitting.document
    one, two = servers
    home = {d.pk: (one if i % 2 == 0 else two) for i, d in enumerate(sitting.delegates)}
    screens: list[e2e.Screen] = []
    try:
        cookies = await asyncio.gather(
            *(
                asyncio.to_thread(e2e.badge_sign_in, sign_in_url(home[d.pk].http, d))
                for d in sitting.delegates
            )
        )
        opening = [
            e2e.Screen.open(f"tablet-{d.seat_label}", home[d.pk], f"/ws/tablet/{session.pk}/", c)
            for d, c in zip(sitting.delegates, cookies, strict=True)
        ] + [
            e2e.Screen.open("console", one, f"/ws/chair/{session.pk}/", chair_cookie),
            e2e.Screen.open(
                "projector", two, f"/ws/projector/{session.pk}/?key={session.projector_key}"
            ),
        ]
        results = await asyncio.gather(*opening, return_exceptions=True)
        screens.extend(r for r in results if isinstance(r, e2e.Screen))
        for result in results:
            if isinstance(result, BaseException):
                raise result
        *tablets, console, projector = screens

        answer = await console.command("document.show", "show-7", document_id=document.pk, page=7)
        assert answer["type"] == "ack", answer
        assert answer["data"] == {"document_id": document.pk, "page": 7}
        seq = await sync_to_async(lambda: Session.objects.get(pk=session.pk).seq)()
        await asyncio.gather(*(screen.until_seq(seq) for screen in screens))
        for screen in screens:
            # Each screen checked every seq on the way (no gap, no repeat): one event.
            shown = [e for e in screen.events if e["type"] == "document.shown"]
            assert len(shown) == 1, screen.name
            assert shown[0]["seq"] == seq, screen.name
            assert shown[0]["data"]["page"] == 7, screen.name
            assert shown[0]["data"]["document"]["id"] == document.pk, screen.name

        # Tablets leave; waiting for the console to see them go lets the servers finish
        # recording each departure before they are stopped.
        gone = {d.pk for d in sitting.delegates}

        def all_gone(frame: dict) -> bool:
            if frame["type"] == "roster.presence" and not frame["data"]["connected"]:
                gone.discard(frame["data"]["delegate_id"])
            return not gone

        await asyncio.gather(*(tablet.close() for tablet in tablets))
        await console.receive_until(all_gone)
    finally:
        await asyncio.gather(*(screen.close() for screen in screens))
