"""Close the sockets of a credential that stopped holding, as soon as it stops.

Each console socket listens to its user's group and its login's group (realtime.groups); each
tablet to its delegate's group. A frame with a close code sent there, after the change commits,
closes them wherever they are connected. The per-command re-check in the consumers is the
backstop for a change no signal announces, or a notice the channel layer lost.
"""

from __future__ import annotations

from functools import partial

from django.db import transaction

from realtime.groups import delegate_group, login_group, user_group
from realtime.publish import notice_text, publish

NOT_SIGNED_IN, FORBIDDEN = 4401, 4403


def close_group(group: str, *, type: str, close_code: int) -> None:
    """On commit: tell the sockets of ``group`` why, then close them."""
    text = notice_text(type=type, data={}, group=group)
    transaction.on_commit(partial(publish, group=group, text=text, seq=None, close_code=close_code))


def close_badge(delegate_id: int) -> None:
    close_group(delegate_group(delegate_id), type="badge.revoked", close_code=NOT_SIGNED_IN)


def on_logged_out(sender, request, user, **kwargs) -> None:
    """``user_logged_out`` (sent before the login's session is flushed)."""
    session = getattr(request, "session", None)
    if session is not None and session.session_key:
        close_group(login_group(session.session_key), type="auth.revoked", close_code=NOT_SIGNED_IN)


def before_user_saved(sender, instance, update_fields=None, **kwargs) -> None:
    """``pre_save`` of a user: note whether the password or the active flag change."""
    instance._chamber_revoke = False
    if instance.pk is None:
        return
    if update_fields is not None and not {"password", "is_active"} & set(update_fields):
        return
    old = sender.objects.filter(pk=instance.pk).values("password", "is_active").first()
    if old is not None and (
        old["password"] != instance.password or (old["is_active"] and not instance.is_active)
    ):
        instance._chamber_revoke = True


def after_user_saved(sender, instance, **kwargs) -> None:
    if getattr(instance, "_chamber_revoke", False):
        instance._chamber_revoke = False
        close_group(user_group(instance.pk), type="auth.revoked", close_code=NOT_SIGNED_IN)


def after_membership_deleted(sender, instance, **kwargs) -> None:
    close_group(user_group(instance.user_id), type="auth.revoked", close_code=FORBIDDEN)


def connect() -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.signals import user_logged_out
    from django.db.models.signals import post_delete, post_save, pre_save

    user_model = get_user_model()
    user_logged_out.connect(on_logged_out, dispatch_uid="chamber.revoke.logout")
    pre_save.connect(before_user_saved, sender=user_model, dispatch_uid="chamber.revoke.user")
    post_save.connect(after_user_saved, sender=user_model, dispatch_uid="chamber.revoke.user")
    post_delete.connect(
        after_membership_deleted, sender="meeting.Membership", dispatch_uid="chamber.revoke.role"
    )
