"""Delegate credentials: the record of every use, a second device seen, and the PIN.

The clerk prints (and may print again) every delegate's badge, so a badge alone proves little.
Every badge sheet and every badge sign-in is appended to the council's credential log — a hash
chain like the session log — with who, when and which device (a long-lived random cookie, the
address and the browser). A badge signing in on another device while the first is connected is
announced to the chair and to that first device. A council may require a PIN that the delegate
sets at the first sign-in (stored as Django's password hash); re-issuing the badge clears it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from meeting import selectors
from meeting.models import CredentialLog, Delegate, Session, TabletConnection
from realtime.errors import ServiceError
from realtime.groups import Audience
from realtime.publish import notify

DEVICE_COOKIE = "chamber_device"
DEVICE_COOKIE_AGE = 60 * 60 * 24 * 365 * 5
PIN_MIN, PIN_MAX = 4, 8
PIN_TRIES = 5
PIN_LOCK = timedelta(minutes=15)


@dataclass(frozen=True)
class Device:
    id: str
    ip: str
    user_agent: str

    def as_data(self) -> dict:
        return {"ip": self.ip, "user_agent": self.user_agent}


def device_of(request) -> Device:
    """The device a request comes from; a new id when the browser has none yet (the caller
    sets the cookie: ``remember_device``)."""
    known = request.COOKIES.get(DEVICE_COOKIE, "")
    device_id = known if known.isalnum() and 16 <= len(known) <= 64 else secrets.token_hex(16)
    return Device(
        id=device_id,
        ip=request.META.get("REMOTE_ADDR", ""),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
    )


def remember_device(response, device: Device) -> None:
    response.set_cookie(
        DEVICE_COOKIE, device.id, max_age=DEVICE_COOKIE_AGE, httponly=True, samesite="Lax"
    )


# -- the chain -----------------------------------------------------------------------------


def credential_log(
    *, council_id: int, action: str, user=None, delegate: Delegate | None = None,
    device: Device | None = None, **data,
) -> CredentialLog:
    """Append one entry to the council's chain (locks the council row: one writer at a time)."""
    return CredentialLog.append_entry(
        scope_id=council_id,
        action=action,
        user=user,
        data={**(device.as_data() if device else {}), **data},
        delegate=delegate,
        device=device.id if device else "",
    )


def verify_credential_chain(council_id: int) -> list[str]:
    """Problems in the council's credential log, in words; empty when it is intact."""
    return CredentialLog.walk(council_id).problems


# -- sign-in -------------------------------------------------------------------------------


def badge_sign_in_record(*, delegate: Delegate, device: Device) -> bool:
    """Record a badge sign-in; tell the chair and the delegate's connected tablets when it comes
    from another device than theirs. Returns whether it was a second device."""
    with transaction.atomic():
        others = list(
            TabletConnection.objects.filter(
                delegate=delegate, seen_at__gte=selectors._fresh_since()
            )
            .exclude(device=device.id)
            .values_list("session_id", flat=True)
            .distinct()
        )
        credential_log(
            council_id=delegate.council_id,
            action="badge.signin",
            delegate=delegate,
            device=device,
            second_device=bool(others),
        )
        at = timezone.localtime().strftime("%H:%M:%S")
        for session in Session.objects.filter(pk__in=others):
            data = {
                "delegate_id": delegate.pk,
                "full_name": delegate.full_name,
                "seat_label": delegate.seat_label,
                "at": at,
                "ip": device.ip,
                "message": _(
                    "Thẻ của đại biểu %(name)s vừa được dùng để đăng nhập trên một thiết bị "
                    "khác (%(ip)s, lúc %(at)s)."
                )
                % {"name": delegate.full_name, "ip": device.ip or "?", "at": at},
            }
            notify(session=session, type="badge.second_device", data=data, audience=Audience.CHAIR)
            notify(session=session, type="badge.second_device", data=data, delegate_id=delegate.pk)
    return bool(others)


def pin_set(*, delegate_id: int, pin: str, pin2: str, device: Device) -> Delegate:
    if pin != pin2:
        raise ServiceError("badge.pin_mismatch", _("Hai lần nhập mã PIN không khớp nhau."))
    if not (pin.isdigit() and pin.isascii() and PIN_MIN <= len(pin) <= PIN_MAX):
        raise ServiceError(
            "badge.pin_invalid",
            _("Mã PIN gồm từ %(min)d đến %(max)d chữ số.") % {"min": PIN_MIN, "max": PIN_MAX},
        )
    with transaction.atomic():
        delegate = Delegate.objects.select_for_update().get(pk=delegate_id)
        if delegate.pin_hash:
            raise ServiceError(
                "badge.pin_already_set",
                _("Mã PIN đã được đặt. Nếu quên, vui lòng đề nghị thư ký cấp lại thẻ."),
            )
        delegate.pin_hash = make_password(pin)
        delegate.pin_failures, delegate.pin_locked_until = 0, None
        delegate.save(update_fields=["pin_hash", "pin_failures", "pin_locked_until"])
        credential_log(
            council_id=delegate.council_id, action="badge.pin_set", delegate=delegate, device=device
        )
    return delegate


def pin_check(*, delegate_id: int, pin: str, device: Device) -> Delegate:
    """The PIN, or a refusal; PIN_TRIES wrong ones lock the badge for PIN_LOCK."""
    with transaction.atomic():
        delegate = Delegate.objects.select_for_update().get(pk=delegate_id)
        now = timezone.now()
        if delegate.pin_locked_until and delegate.pin_locked_until > now:
            minutes = max(1, int((delegate.pin_locked_until - now).total_seconds() // 60) + 1)
            refused = ServiceError(
                "badge.pin_locked",
                _("Nhập sai mã PIN quá nhiều lần. Vui lòng thử lại sau %(minutes)d phút.")
                % {"minutes": minutes},
            )
        elif check_password(pin, delegate.pin_hash):
            if delegate.pin_failures:
                delegate.pin_failures = 0
                delegate.save(update_fields=["pin_failures"])
            return delegate
        else:
            delegate.pin_failures += 1
            if delegate.pin_failures >= PIN_TRIES:
                delegate.pin_failures, delegate.pin_locked_until = 0, now + PIN_LOCK
            delegate.save(update_fields=["pin_failures", "pin_locked_until"])
            credential_log(
                council_id=delegate.council_id,
                action="badge.pin_failed",
                delegate=delegate,
                device=device,
            )
            refused = ServiceError("badge.pin_wrong", _("Mã PIN không đúng."))
    raise refused
