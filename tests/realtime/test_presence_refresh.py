"""A worker's heartbeat keeps only its open tablets "connected" (issue 10, fault 3): a
connection that left the fan-out — however it ended — stops being refreshed, and the console
shows its delegate disconnected once the row is stale."""

from datetime import timedelta

import pytest
from django.utils import timezone

from meeting import selectors, services
from meeting.models import TabletConnection
from tests.factories import make_council, make_session

pytestmark = pytest.mark.django_db


def test_the_heartbeat_refreshes_only_the_connections_still_open(settings):
    council = make_council(seats=3)
    session = make_session(council=council)
    gone, still_here = council.delegates.order_by("seat_label")[:2]
    long_ago = timezone.now() - timedelta(seconds=settings.CHAMBER_PRESENCE_STALE_SECONDS + 1)
    for delegate, connection in [(gone, "c-gone"), (still_here, "c-open")]:
        TabletConnection.objects.create(
            session=session, delegate=delegate, worker="w1", connection=connection, seen_at=long_ago
        )

    refreshed = services.tablet_presence_refresh(worker="w1", connections=["c-open"])

    assert refreshed == 1
    assert selectors.delegates_connected(session.pk, {still_here.pk, gone.pk}) == {still_here.pk}
    roster = {entry["id"]: entry["connected"] for entry in selectors.roster(session)}
    assert roster[still_here.pk] and not roster[gone.pk]
