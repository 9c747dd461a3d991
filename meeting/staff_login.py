"""Staff sign-in: lockout after repeated wrong passwords (django-axes) and short sessions.

A tablet keeps its badge sign-in for ``SESSION_COOKIE_AGE`` (a month); a staff account that
signs in with a password gets ``CHAMBER_STAFF_SESSION_SECONDS`` (8 hours by default): a console
or admin left open on a borrowed laptop does not stay a chair's for weeks.
"""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.shortcuts import render
from django.utils.translation import gettext as _

LOCKED_OUT = "auth.locked_out"


class LockoutBackend(AxesStandaloneBackend):
    """Refuses a locked-out username from this address before any password is checked.

    Only web requests are guarded: an ``authenticate()`` without a request (a management
    command, a test client's ``login()``) never comes from outside and is left to the next
    backend.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def locked_out(request, original_response=None, credentials=None):
    """Axes' answer once a username is locked for this address: 429 with a stable code."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(
        request,
        "kiosk_ui/refused.html",
        {
            "error_code": LOCKED_OUT,
            "error": _(
                "Tài khoản tạm khóa do nhập sai mật khẩu quá %(count)d lần. "
                "Vui lòng thử lại sau %(minutes)d phút hoặc liên hệ quản trị viên."
            )
            % {"count": settings.AXES_FAILURE_LIMIT, "minutes": minutes},
        },
        status=429,
    )


def shorten_staff_session(sender, request, user, **kwargs) -> None:
    """``user_logged_in``: a password sign-in lasts a working day, not a tablet's month."""
    if request is not None and hasattr(request, "session"):
        request.session.set_expiry(settings.CHAMBER_STAFF_SESSION_SECONDS)
