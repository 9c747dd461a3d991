"""Who is acting: a staff user at the console or admin, or a delegate on their tablet."""

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Model


@dataclass(frozen=True)
class Actor:
    user: AbstractBaseUser | None = None
    # A meeting.Delegate; typed as a model so that realtime imports no app.
    delegate: Model | None = None

    @property
    def key(self) -> str:
        """A stable name for idempotency records: ``user:5`` or ``delegate:12``."""
        if self.delegate is not None:
            return f"delegate:{self.delegate.pk}"
        if self.user is not None:
            return f"user:{self.user.pk}"
        return "system"


SYSTEM = Actor()
