"""Issue 10 item 13: the clerk holds every delegate's credential, so every use of it is on the
record, a second device is seen, and a council may require a PIN only the delegate knows."""

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth.hashers import check_password
from django.test import Client
from django.urls import reverse

from meeting import services
from meeting.badges import badge_token
from meeting.credentials import verify_credential_chain
from meeting.models import CredentialLog, Delegate
from realtime.actors import Actor
from tests.factories import make_council, make_session, make_staff
from tests.realtime import helpers

UA = "Mozilla/5.0 (Linux; Android 14; SM-X200) Chamber-Test"


def _sign_in(client: Client, delegate, ip: str = "10.0.0.21"):
    return client.get(
        f"/tablet/signin/{badge_token(delegate)}/", REMOTE_ADDR=ip, HTTP_USER_AGENT=UA
    )


@pytest.mark.django_db
def test_every_badge_sheet_download_is_recorded_with_who_when_and_which_device(client):
    council = make_council(seats=3)
    clerk = make_staff(role="clerk", council=council)
    client.force_login(clerk)
    for _ in range(2):
        answer = client.get(
            reverse("badges", args=[council.pk]), REMOTE_ADDR="10.0.0.9", HTTP_USER_AGENT=UA
        )
        assert answer.status_code == 200
    entries = list(CredentialLog.objects.filter(council=council, action="badge.sheet"))
    assert len(entries) == 2
    for entry in entries:
        assert entry.actor_user == clerk
        assert entry.at is not None
        assert entry.data["ip"] == "10.0.0.9"
        assert entry.data["user_agent"] == UA
        assert entry.data["delegates"] == 3
    assert verify_credential_chain(council.pk) == []
    # The chain notices an entry changed afterwards.
    CredentialLog.objects.filter(pk=entries[0].pk).update(data={"ip": "10.0.0.99"})
    assert verify_credential_chain(council.pk)


@pytest.mark.django_db
def test_every_badge_sign_in_is_recorded_with_its_device():
    council = make_council(seats=3)
    make_session(council=council)
    delegate = council.delegates.first()
    tablet = Client()
    assert _sign_in(tablet, delegate).status_code == 302
    device = tablet.cookies["chamber_device"].value
    assert len(device) >= 16
    entry = CredentialLog.objects.get(council=council, action="badge.signin")
    assert entry.delegate == delegate
    assert entry.device == device
    assert entry.data["ip"] == "10.0.0.21" and entry.data["user_agent"] == UA
    # The same tablet signing in again keeps its device id.
    assert _sign_in(tablet, delegate).status_code == 302
    assert list(
        CredentialLog.objects.filter(action="badge.signin").values_list("device", flat=True)
    ) == [device, device]


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_a_second_device_is_shown_to_the_chair_and_to_the_first_device():
    def world():
        council = make_council(seats=3)
        session = make_session(council=council)
        return session, council.delegates.first(), make_staff(role="chair", council=council)

    session, delegate, chair = await database_sync_to_async(world)()
    first_cookie = await helpers._session_cookie(
        delegate_id=delegate.pk, badge_key=delegate.badge_key, device_id="first-device-0001"
    )
    first = helpers.RecordingScreen(
        helpers.communicator(f"/ws/tablet/{session.pk}/", first_cookie)
    )
    console = helpers.RecordingScreen(await helpers.chair(session, chair))
    await first.open()
    await console.open()
    try:
        # The same device signing in again is no alarm; another one is.
        stranger = Client()
        answer = await database_sync_to_async(_sign_in)(stranger, delegate, "10.0.0.66")
        assert answer.status_code == 302
        on_console = await console.until(lambda f: f["type"] == "badge.second_device")
        assert on_console["data"]["delegate_id"] == delegate.pk
        assert on_console["data"]["full_name"] == delegate.full_name
        on_tablet = await first.until(lambda f: f["type"] == "badge.second_device")
        assert "thiết bị khác" in on_tablet["data"]["message"]
    finally:
        await first.close()
        await console.close()
    entry = await database_sync_to_async(
        lambda: CredentialLog.objects.get(action="badge.signin", delegate=delegate)
    )()
    assert entry.data["second_device"] is True


@pytest.mark.django_db
def test_a_council_may_require_a_pin_the_delegate_sets_at_first_sign_in():
    council = make_council(seats=3)
    council.require_pin = True
    council.save()
    make_session(council=council)
    delegate = council.delegates.first()

    first = Client()
    asked = _sign_in(first, delegate)
    assert asked.status_code == 200
    assert asked.context["pin_mode"] == "set"
    assert first.get("/tablet/").status_code == 302  # not signed in yet
    mismatch = first.post(reverse("tablet-pin"), {"pin": "482916", "pin2": "482917"})
    assert mismatch.context["error_code"] == "badge.pin_mismatch"
    weak = first.post(reverse("tablet-pin"), {"pin": "12", "pin2": "12"})
    assert weak.context["error_code"] == "badge.pin_invalid"
    done = first.post(reverse("tablet-pin"), {"pin": "482916", "pin2": "482916"})
    assert done.status_code == 302
    assert first.get("/tablet/").status_code == 200
    stored = Delegate.objects.get(pk=delegate.pk).pin_hash
    assert stored and "482916" not in stored and check_password("482916", stored)

    # The clerk, holding the badge, cannot sign in without the PIN.
    clerk = Client()
    assert _sign_in(clerk, delegate).context["pin_mode"] == "enter"
    wrong = clerk.post(reverse("tablet-pin"), {"pin": "000000"})
    assert wrong.status_code == 403 and wrong.context["error_code"] == "badge.pin_wrong"
    assert clerk.get("/tablet/").status_code == 302
    actions = list(CredentialLog.objects.filter(delegate=delegate).values_list("action", flat=True))
    assert actions == ["badge.pin_set", "badge.signin", "badge.pin_failed"]

    # Guessing stops after a few tries, even with the right PIN.
    for _ in range(4):
        clerk.post(reverse("tablet-pin"), {"pin": "111111"})
    locked = clerk.post(reverse("tablet-pin"), {"pin": "482916"})
    assert locked.context["error_code"] == "badge.pin_locked"

    # Re-issuing the badge clears the PIN: the delegate sets a new one.
    services.badge_reissue(delegate_id=delegate.pk, actor=Actor(user=make_staff(role="clerk")))
    delegate.refresh_from_db()
    assert delegate.pin_hash == ""
    assert _sign_in(Client(), delegate).context["pin_mode"] == "set"
