"""The HTTP fallback casts through the same service, with the same answers."""

import json
import uuid

import pytest
from django.test import Client

from meeting import services as meeting
from realtime.actors import Actor
from tests.factories import make_council, make_session, make_staff
from voting import services
from voting.models import Ballot

pytestmark = pytest.mark.django_db


def signed_in_client(delegate) -> Client:
    client = Client()
    session = client.session
    session.update({"delegate_id": delegate.pk, "badge_key": delegate.badge_key})
    session.save()
    return client


def post(client, poll_id, choice, command_id):
    body = {"type": "ballot.cast", "id": command_id, "data": {"poll_id": poll_id, "choice": choice}}
    return client.post("/tablet/ballot/", json.dumps(body), content_type="application/json")


def test_cast_over_http_is_idempotent_and_refusals_have_codes():
    council = make_council(seats=5)
    session = make_session(council=council)
    chair = Actor(user=make_staff())
    delegate = council.delegates.first()
    # The sitting's quorum (four of five), this delegate among them.
    for present in council.delegates.order_by("pk")[:4]:
        meeting.attendance_set(
            session_id=session.pk, delegate_id=present.pk, status="present", actor=chair
        )
    assert delegate in council.delegates.order_by("pk")[:4]
    poll = services.poll_create(session_id=session.pk, title="Nghị quyết", actor=chair)
    services.poll_open(poll_id=poll.pk, actor=chair)
    client = signed_in_client(delegate)
    command_id = str(uuid.uuid4())

    first = post(client, poll.pk, "yes", command_id)
    again = post(client, poll.pk, "yes", command_id)
    assert first.status_code == again.status_code == 200
    assert first.json()["type"] == "ack"
    assert first.json()["data"]["receipt"] == again.json()["data"]["receipt"]
    assert Ballot.objects.filter(poll=poll).count() == 1

    second = post(client, poll.pk, "no", str(uuid.uuid4()))
    assert second.status_code == 409 and second.json()["data"]["code"] == "ballot.already_cast"
    malformed = client.post("/tablet/ballot/", "{not json", content_type="application/json")
    assert malformed.status_code == 400
    assert malformed.json()["data"]["code"] == "message.malformed"
    anonymous = post(Client(), poll.pk, "yes", str(uuid.uuid4()))
    assert anonymous.status_code == 401
    assert Ballot.objects.filter(poll=poll).count() == 1
