"""Fixtures of the end-to-end tests: a chamber in the (committed) test database, real servers.

The tests that use them are marked ``django_db(transaction=True)``: rows must be committed for
the server processes to see them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings

from tests.factories import make_council, make_session, make_staff
from tests.servers import running_servers


@dataclass
class Chamber:
    council: Any
    session: Any
    items: list
    delegates: list
    chair: Any
    chair_cookie: str


@pytest.fixture
def chamber(transactional_db) -> Chamber:
    """A 30-seat council, a session in progress on the first of five items, and a chair."""
    from django.test import Client

    council = make_council(seats=30)
    session = make_session(council=council, items=5)
    chair = make_staff(role="chair", council=council)
    client = Client()
    client.force_login(chair)  # the session row is committed: the servers can read it
    return Chamber(
        council=council,
        session=session,
        items=list(session.agenda_items.order_by("position", "id")),
        delegates=list(council.delegates.order_by("seat_label")),
        chair=chair,
        chair_cookie=client.cookies[settings.SESSION_COOKIE_NAME].value,
    )


@pytest.fixture
def servers(transactional_db):
    """Two daphne processes on the test database and one Redis channel layer."""
    with running_servers(2, redis=True) as started:
        yield started
        # Shown by pytest only when the test fails.
        for server in started:
            print(f"--- {server.log} ---\n{server.log.read_text()[-4000:]}")
