"""The consoles' re-check before a command, in one statement for many (meeting.access
``consoles_still_allowed``): the same answer as the one-by-one check for every way a console's
right can end."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.models import Group, User
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session as LoginSession
from django.utils import timezone

from meeting.access import (
    FORBIDDEN,
    NOT_SIGNED_IN,
    console_still_allowed,
    consoles_still_allowed,
)
from meeting.models import Membership
from tests.factories import make_council, make_session, make_staff

pytestmark = pytest.mark.django_db


def _login(user) -> str:
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def _console(session, role="chair", **staff):
    user = make_staff(role=role, council=session.council, **staff)
    return user, _login(user)


def test_many_consoles_get_the_answers_each_would_get_alone():
    session = make_session(council=make_council(seats=3))
    other = make_session(council=make_council(seats=3))
    cases = {}
    user, key = _console(session)
    cases["allowed"] = ((session.pk, user.pk, key), None)
    user, key = _console(session, role="secretary")
    cases["the secretary"] = ((session.pk, user.pk, key), None)
    cases["no login"] = ((session.pk, user.pk, None), NOT_SIGNED_IN)
    cases["another council's session"] = ((other.pk, user.pk, key), FORBIDDEN)
    cases["no such session"] = ((10**9, user.pk, key), FORBIDDEN)
    cases["another user's login"] = ((session.pk, user.pk + 10**6, key), NOT_SIGNED_IN)

    user, key = _console(session)
    LoginSession.objects.filter(session_key=key).delete()
    cases["logged out"] = ((session.pk, user.pk, key), NOT_SIGNED_IN)
    user, key = _console(session)
    LoginSession.objects.filter(session_key=key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )
    cases["login expired"] = ((session.pk, user.pk, key), NOT_SIGNED_IN)
    user, key = _console(session)
    user.set_password("another-pw-123")
    user.save()
    cases["password changed"] = ((session.pk, user.pk, key), NOT_SIGNED_IN)
    user, key = _console(session)
    User.objects.filter(pk=user.pk).update(is_active=False)
    cases["account disabled"] = ((session.pk, user.pk, key), NOT_SIGNED_IN)
    user, key = _console(session)
    user.groups.remove(Group.objects.get(name="chair"))
    cases["the role's group taken away"] = ((session.pk, user.pk, key), FORBIDDEN)
    user, key = _console(session)
    Membership.objects.filter(user=user).delete()
    cases["no longer a role in this council"] = ((session.pk, user.pk, key), FORBIDDEN)
    user, key = _console(session, role="clerk")
    cases["a role that runs no sitting"] = ((session.pk, user.pk, key), FORBIDDEN)
    user, key = _console(session, role="standing")
    cases["the standing committee reads, runs nothing"] = ((session.pk, user.pk, key), FORBIDDEN)
    superuser = User.objects.create_superuser("root-recheck", password="pw-123456")
    cases["a superuser"] = ((session.pk, superuser.pk, _login(superuser)), None)

    consoles = [console for console, _code in cases.values()]
    together = consoles_still_allowed(consoles)
    alone = [console_still_allowed(session_id=s, user_id=u, session_key=k) for s, u, k in consoles]
    expected = [code for _console, code in cases.values()]
    assert dict(zip(cases, together, strict=True)) == dict(zip(cases, expected, strict=True))
    assert alone == expected
