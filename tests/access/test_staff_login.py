"""Issue 10 item 17: staff login is locked after repeated wrong passwords (django-axes), weak
passwords are refused, and a staff session is much shorter than a tablet's."""

import pytest
from django.conf import settings
from django.contrib.auth.models import User

from tests.factories import make_council, make_staff

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/?next=/admin/"


def _login(client, username: str, password: str, ip: str = "10.0.0.7"):
    return client.post(
        LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def test_repeated_wrong_passwords_lock_the_account_even_for_the_right_one(client):
    make_staff(role="chair", username="chutoa-thu")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        answer = _login(client, "chutoa-thu", "sai-mat-khau")
        assert answer.status_code == 200  # the form again, with its error
    assert _login(client, "chutoa-thu", "sai-mat-khau").status_code == 429
    locked = _login(client, "chutoa-thu", "pw-123456")
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "auth.locked_out" in page
    assert "tạm khóa" in page
    assert "_auth_user_id" not in client.session
    # Another device in the room is not locked out by the attacker's attempts.
    other = client.__class__()
    assert _login(other, "chutoa-thu", "pw-123456", ip="10.0.0.8").status_code == 302


def test_a_successful_login_forgets_earlier_failures(client):
    make_staff(role="clerk", username="vanthu-thu")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, "vanthu-thu", "sai")
    assert _login(client, "vanthu-thu", "pw-123456").status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, "vanthu-thu", "sai")
    assert _login(client, "vanthu-thu", "pw-123456").status_code == 302


def test_a_weak_password_is_refused(client):
    client.force_login(User.objects.create_superuser("quantri", password="pw-123456"))
    answer = client.post(
        "/admin/auth/user/add/",
        {"username": "thuky-moi", "password1": "12345678", "password2": "12345678",
         "usable_password": "true"},
    )
    assert answer.status_code == 200
    assert not User.objects.filter(username="thuky-moi").exists()
    assert "quá phổ biến" in answer.content.decode() or "too common" in answer.content.decode()


def test_a_staff_session_is_short_a_tablet_session_long(client):
    council = make_council(seats=3)
    make_staff(role="secretary", username="thuky-thu")
    assert _login(client, "thuky-thu", "pw-123456").status_code == 302
    staff_age = client.session.get_expiry_age()
    assert staff_age <= 12 * 3600
    assert client.cookies[settings.SESSION_COOKIE_NAME]["max-age"] <= 12 * 3600

    from meeting.badges import badge_token

    tablet = client.__class__()
    delegate = council.delegates.first()
    assert tablet.get(f"/tablet/signin/{badge_token(delegate)}/").status_code == 302
    assert tablet.session.get_expiry_age() >= 7 * 24 * 3600
