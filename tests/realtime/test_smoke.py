import pytest

from tests.factories import make_council, make_session, make_staff
from tests.realtime import helpers

pytestmark = pytest.mark.django_db(transaction=True)


async def test_chair_next_reaches_tablet_and_projector():
    from channels.db import database_sync_to_async

    council, session, user, delegate = await database_sync_to_async(_setup)()
    tab = await helpers.tablet(session, delegate)
    proj = helpers.projector(session)
    ch = await helpers.chair(session, user)
    snap_t = await helpers.connect_and_snapshot(tab)
    snap_p = await helpers.connect_and_snapshot(proj)
    snap_c = await helpers.connect_and_snapshot(ch)
    print(snap_t, snap_p["seq"], snap_c["seq"])
    await helpers.command(ch, "agenda.next", "c1")
    ack = await helpers.receive_until(ch, "ack")
    ev_t = await helpers.receive_until(tab, "agenda.current")
    ev_p = await helpers.receive_until(proj, "agenda.current")
    print(ack, ev_t, ev_p)
    for c in (tab, proj, ch):
        await c.disconnect()


def _setup():
    council = make_council(seats=5)
    session = make_session(council=council)
    return council, session, make_staff(council=council), council.delegates.first()
