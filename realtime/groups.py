"""Names of the broadcast groups, and which groups each screen listens to.

An event goes to exactly one group, so a screen that listens to several never gets it twice.
"""

from enum import StrEnum


class Audience(StrEnum):
    PUBLIC = "public"  # every screen of the session: projector, tablets, console
    DELEGATES = "delegates"  # tablets and the console
    CHAIR = "chair"  # the console only
    # Live vote progress goes to the room's big screens at full rate and to the tablets at
    # most once a second (issue 13): the two halves of the room need groups of their own.
    ROOM = "room"  # projectors and the console
    TABLETS = "tablets"  # tablets only


def session_group(session_id: int, audience: Audience) -> str:
    return f"session.{session_id}.{audience}"


def delegate_group(delegate_id: int) -> str:
    return f"delegate.{delegate_id}"


def projector_groups(session_id: int) -> list[str]:
    return [session_group(session_id, Audience.PUBLIC), session_group(session_id, Audience.ROOM)]


def tablet_groups(session_id: int, delegate_id: int) -> list[str]:
    return [
        session_group(session_id, Audience.PUBLIC),
        session_group(session_id, Audience.DELEGATES),
        session_group(session_id, Audience.TABLETS),
        delegate_group(delegate_id),
    ]


def chair_groups(session_id: int) -> list[str]:
    return [
        session_group(session_id, Audience.PUBLIC),
        session_group(session_id, Audience.DELEGATES),
        session_group(session_id, Audience.CHAIR),
        session_group(session_id, Audience.ROOM),
    ]


def user_group(user_id: int) -> str:
    """Every console of one staff user: closed when the user loses the right to run it."""
    return f"user.{user_id}"


def login_group(session_key: str) -> str:
    """The consoles of one login (one browser): closed when it logs out."""
    import hashlib

    return f"login.{hashlib.sha256(session_key.encode()).hexdigest()[:32]}"
