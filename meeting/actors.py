"""Who is acting: a staff user at the console or admin, or a delegate on their tablet."""

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser

from meeting.models import Delegate


@dataclass(frozen=True)
class Actor:
    user: AbstractBaseUser | None = None
    delegate: Delegate | None = None

    @property
    def key(self) -> str:
        """A stable name for idempotency records: ``user:5`` or ``delegate:12``."""
        if self.delegate is not None:
            return f"delegate:{self.delegate.pk}"
        if self.user is not None:
            return f"user:{self.user.pk}"
        return "system"


SYSTEM = Actor()
