"""A ballot the server could not record: the tablet says so plainly and sends the same again.

The database refuses to write ballots (a trigger raising "disk full", as a full disk would);
the delegate confirms her vote; the server answers ``server.error`` (retryable) on the same
socket; the tablet says in Vietnamese that the vote was NOT recorded and offers to send it
again. The disk is freed; "Gửi lại phiếu" sends the same command id, and the ballot counts once.
"""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.utils import timezone
from playwright.sync_api import expect

from meeting.badges import sign_in_url
from meeting.models import Attendance
from realtime.actors import Actor
from tests.browser.conftest import chromium, watch_errors
from tests.factories import make_council, make_session, make_staff
from tests.servers import running_servers
from voting import services as voting
from voting.models import Ballot
from voting.secrecy import receipt_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

expect.set_options(timeout=15_000)

REFUSE = """
CREATE FUNCTION chamber_test_disk_full() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'could not extend file: No space left on device' USING ERRCODE = 'disk_full';
END $$ LANGUAGE plpgsql;
CREATE TRIGGER chamber_test_disk_full BEFORE INSERT ON voting_ballot
    FOR EACH ROW EXECUTE FUNCTION chamber_test_disk_full();
"""
FREE = """
DROP TRIGGER IF EXISTS chamber_test_disk_full ON voting_ballot;
DROP FUNCTION IF EXISTS chamber_test_disk_full();
"""


def _free_disk() -> None:
    with connection.cursor() as cursor:
        cursor.execute(FREE)


def _outside_the_browser_loop(work):
    """Playwright's sync API runs an event loop in this thread: the ORM works from another."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(_closing_connections(work)).result()


def _closing_connections(work):
    def run():
        try:
            return work()
        finally:
            connection.close()

    return run


def _ballots(poll_id: int) -> list:
    return list(Ballot.objects.filter(poll_id=poll_id).values_list("receipt", "choice"))


def test_a_ballot_the_server_failed_to_record_is_said_so_and_sent_again(artifacts):
    council = make_council(seats=3, name="HĐND Xã Thử")
    session = make_session(council=council, items=2)
    # Two of three present: the sitting's quorum (two thirds of the seats) is met.
    delegate, neighbour = council.delegates.order_by("seat_label")[:2]
    for present in (delegate, neighbour):
        Attendance.objects.create(
            session=session, delegate=present, status="present", changed_at=timezone.now()
        )
    chair = Actor(user=make_staff(role="chair", council=council))
    poll = voting.poll_create(session_id=session.pk, title="Thông qua nghị quyết", actor=chair)
    # One delegate of three present: below the quorum, opened on the chair's reason.
    voting.poll_open(poll_id=poll.pk, actor=chair, override_reason="Kiểm thử phiếu không ghi được.")
    errors: list[str] = []
    sent: list[dict] = []
    sockets: list[str] = []
    try:
        with connection.cursor() as cursor:
            cursor.execute(REFUSE)
        with running_servers(1, redis=True) as [server], chromium() as new_context:
            tablet = watch_errors(new_context(width=1024, height=768).new_page(), errors)

            def on_socket(ws) -> None:
                sockets.append(ws.url)
                ws.on(
                    "framesent",
                    lambda text: sent.append(json.loads(text)) if "ballot.cast" in text else None,
                )

            tablet.on("websocket", on_socket)
            tablet.goto(sign_in_url(server.http, delegate))
            tablet.wait_for_url(re.compile(r"/tablet/$"))
            expect(tablet.locator("body")).to_have_attribute("data-connection", "open")
            ballot = tablet.locator("#ballot")
            expect(ballot).to_have_attribute("data-state", "choose")
            tablet.click('#ballot-choices .choice-btn[data-choice="yes"]')
            tablet.click("#ballot-send")

            # Not recorded, said plainly; the choice is still there to send again.
            failed = tablet.locator("#ballot-failed")
            expect(failed).to_be_visible()
            expect(failed).to_have_attribute("role", "alert")
            expect(tablet.locator("#ballot-failed-title")).to_have_text(
                "Phiếu của bạn CHƯA được ghi nhận."
            )
            expect(tablet.locator("#ballot-failed-detail")).to_contain_text("Gửi lại phiếu")
            expect(ballot).to_have_attribute("data-state", "confirm")
            expect(tablet.locator("#ballot-confirm-choice")).to_have_text("Tán thành")
            expect(tablet.locator("#ballot-send")).to_have_text("Gửi lại phiếu")
            expect(tablet.locator("body")).to_have_attribute("data-connection", "open")
            tablet.screenshot(path=artifacts / "tablet-ballot-not-recorded-1024x768.png")
            assert _outside_the_browser_loop(lambda: _ballots(poll.pk)) == []

            _outside_the_browser_loop(_free_disk)
            tablet.click("#ballot-send")
            expect(ballot).to_have_attribute("data-state", "cast")
            expect(tablet.locator("#ballot-done-title")).to_have_text("Đã ghi nhận phiếu")
            expect(failed).to_be_hidden()

            # The same command, the same id, one ballot; the socket never dropped.
            assert [frame["id"] for frame in sent] == [sent[0]["id"]] * 2
            receipt = receipt_for(poll_id=poll.pk, command_id=sent[0]["id"])
            assert _outside_the_browser_loop(lambda: _ballots(poll.pk)) == [(receipt, "yes")]
            assert len(sockets) == 1
            assert errors == []
            log = server.log.read_text()
            assert "failed inside the server" in log
    finally:
        _free_disk()
