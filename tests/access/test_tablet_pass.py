"""Issue 13: a tablet's socket is authenticated by its signed pass, not by queries.

A signed-in tablet connects and gets its snapshot with a few reads however many tablets are
connected; a forged or altered pass is refused with the code a missing sign-in gets; a re-issued
badge closes the live sockets and its pass is refused at the next connect, as is the pass of a
tablet that signed out, or of another council's delegate.
"""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from django.contrib.sessions.models import Session as Login
from django.db.backends import utils

from meeting import services
from meeting.models import TabletConnection
from meeting.tablet_pass import PASS_COOKIE
from realtime.actors import Actor
from tests.access.test_revocation import _world, closed_with
from tests.factories import make_council, make_session, make_sitting
from tests.realtime import helpers

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

# Reads of one tablet's connect: the presence batch's (the pass still holds: delegates and
# sign-ins; who is online before and after; the session) and the snapshot's own per-viewer
# reads; the public part is shared.
MOST_READS_PER_CONNECT = 20


@pytest.fixture
def reads(monkeypatch):
    """SELECTs run by any thread (consumers read on the database threads)."""
    counted = []
    original = utils.CursorWrapper._execute_with_wrappers

    def counting(self, sql, *args, **kwargs):
        if sql.lstrip().upper().startswith("SELECT"):
            counted.append(sql)
        return original(self, sql, *args, **kwargs)

    monkeypatch.setattr(utils.CursorWrapper, "_execute_with_wrappers", counting)
    return counted


async def test_a_tablet_connects_with_few_reads_however_many_are_connected(reads):
    sitting = await database_sync_to_async(make_sitting)(seats=12)
    open_tablets, per_connect = [], []
    try:
        for delegate in sitting.delegates:
            tablet = await helpers.tablet(sitting.session, delegate)
            before = len(reads)
            snapshot = await helpers.connect_and_snapshot(tablet)
            per_connect.append(len(reads) - before)
            open_tablets.append(tablet)
            assert snapshot["data"]["me"]["id"] == delegate.pk
    finally:
        for tablet in open_tablets:
            await tablet.disconnect()
    later = per_connect[2:]  # the first builds the public part the others share
    assert max(later) == min(later), per_connect  # the 3rd tablet's cost is the 12th's
    assert max(later) <= MOST_READS_PER_CONNECT, per_connect
    assert per_connect[0] > max(later), per_connect


def _altered(cookie: bytes) -> bytes:
    """The pass alone, one character of its signed content changed."""
    value = cookie.decode().split(f"{PASS_COOKIE}=", 1)[1]
    altered = ("A" if value[0] != "A" else "B") + value[1:]
    return f"{PASS_COOKIE}={altered}".encode()


async def test_a_forged_or_altered_pass_is_refused():
    session, delegate, _chair = await _world()
    cookie = await helpers.delegate_cookie(delegate)
    for forged in (_altered(cookie), f"{PASS_COOKIE}=not-signed-at-all".encode()):
        tablet = helpers.communicator(f"/ws/tablet/{session.pk}/", forged)
        await tablet.connect()
        _frames, code = await closed_with(tablet)
        await tablet.disconnect()
        assert code == 4401
    assert not await database_sync_to_async(TabletConnection.objects.exists)()


async def test_a_reissued_badge_closes_the_socket_and_its_pass_is_refused_at_the_next_connect():
    session, delegate, chair = await _world()
    cookie = await helpers.delegate_cookie(delegate)
    tablet = helpers.communicator(f"/ws/tablet/{session.pk}/", cookie)
    await helpers.connect_and_snapshot(tablet)
    await database_sync_to_async(services.badge_reissue)(
        delegate_id=delegate.pk, actor=Actor(user=chair)
    )
    frames, code = await closed_with(tablet)
    await tablet.disconnect()
    assert code == 4401 and frames[-1]["type"] == "badge.revoked"
    again = helpers.communicator(f"/ws/tablet/{session.pk}/", cookie)
    await again.connect()
    frames, code = await closed_with(again)
    await again.disconnect()
    assert (frames, code) == ([], 4401)  # no snapshot, nothing of the session


async def test_the_pass_of_a_tablet_that_signed_out_is_refused():
    session, delegate, _chair = await _world()
    cookie = await helpers.delegate_cookie(delegate)
    await database_sync_to_async(Login.objects.all().delete)()  # the sign-out's flush
    tablet = helpers.communicator(f"/ws/tablet/{session.pk}/", cookie)
    await tablet.connect()
    frames, code = await closed_with(tablet)
    await tablet.disconnect()
    assert (frames, code) == ([], 4401)


async def test_another_councils_pass_is_forbidden_and_checks_nobody_in():
    session, _delegate, _chair = await _world()

    @database_sync_to_async
    def stranger():
        return make_council(seats=2).delegates.first()

    other = await stranger()
    tablet = await helpers.tablet(session, other)
    await tablet.connect()
    frames, code = await closed_with(tablet)
    await tablet.disconnect()
    assert (frames, code) == ([], 4403)
    assert not await database_sync_to_async(TabletConnection.objects.exists)()


async def test_a_tablet_signed_in_before_passes_still_connects_by_its_session():
    session, delegate, _chair = await _world()
    tablet = helpers.communicator(
        f"/ws/tablet/{session.pk}/", await helpers.delegate_cookie(delegate, with_pass=False)
    )
    snapshot = await helpers.connect_and_snapshot(tablet)
    await tablet.disconnect()
    assert snapshot["data"]["me"]["id"] == delegate.pk


async def test_a_missing_session_is_not_found():
    _session, delegate, _chair = await _world()
    council = await database_sync_to_async(lambda: delegate.council)()
    missing = await database_sync_to_async(lambda: make_session(council=council).pk + 999)()
    cookie = await helpers.delegate_cookie(delegate)
    tablet = helpers.communicator(f"/ws/tablet/{missing}/", cookie)
    await tablet.connect()
    _frames, code = await closed_with(tablet)
    await tablet.disconnect()
    assert code == 4404
