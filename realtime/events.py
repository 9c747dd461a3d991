"""The event catalogue: every frame a service publishes, declared once, by the app that sends it.

Each app lists its events and notices in its own ``events.py`` (``meeting/events.py``,
``voting/events.py``…) with ``declare``; realtime imports those modules when the app registry
is ready (``discover``, as the admin finds ``admin.py``) and never names an app itself.

A declaration says:
* ``type`` — the frame's ``noun.verb``;
* ``sequenced`` — an *event* (advances the session's ``seq``, goes to every screen of the
  session: ``realtime.publish.emit``) or a *notice* (keeps ``seq``, narrower audience, marked
  ``"notice": true`` in its envelope: ``realtime.publish.notify``);
* ``to`` — who may hear it: ``public`` (events), or for notices ``chair`` (the consoles of
  the session), ``delegate`` (one delegate's tablets), ``user`` / ``login`` (consoles of one
  staff user or login);
* ``data`` — the payload's shape (``realtime.schema``).

``emit`` and ``notify`` refuse a type that is not declared, or declared as the other kind, or
sent to an audience it does not name; the payload is checked against its shape when
``CHAMBER_CHECK_EVENTS`` is on (tests, DEBUG). docs/protocol.md documents exactly the declared
types (a test compares them), and clients tell a notice by its envelope, not by a list.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from realtime.schema import Shape, shape


class To(StrEnum):
    """Who hears a frame: the part of its group's name that says so (realtime.groups)."""

    PUBLIC = "public"  # every screen of the session (the only audience of events)
    DELEGATES = "delegates"  # tablets and consoles of the session
    CHAIR = "chair"  # the consoles of the session
    ROOM = "room"  # the projectors and consoles of the session
    TABLETS = "tablets"  # the tablets of the session
    DELEGATE = "delegate"  # every tablet of one delegate
    USER = "user"  # every console of one staff user
    LOGIN = "login"  # the consoles of one login


class UndeclaredEvent(ValueError):
    """A frame the catalogue does not hold as sent: a type, kind or audience not declared."""


@dataclass(frozen=True)
class EventType:
    type: str
    sequenced: bool
    to: frozenset[To]
    data: Shape
    declared_by: str  # the module that declared it
    # Whether what it announces may be in a snapshot's shared part (realtime.shared_snapshot):
    # an event that only moves a per-viewer part (a count) leaves the shared parts as built.
    shared: bool = True

    @property
    def notice(self) -> bool:
        return not self.sequenced


_catalogue: dict[str, EventType] = {}


def declare(
    type: str,
    *,
    sequenced: bool,
    data: Any,
    to: Iterable[To] = (To.PUBLIC,),
    by: str = "",
    shared: bool = True,
) -> EventType:
    """Add one event or notice to the catalogue; a type declared twice is refused."""
    by = by or sys._getframe(2).f_globals.get("__name__", "?")  # the app's events module
    audiences = frozenset(To(audience) for audience in to)
    if sequenced and audiences != {To.PUBLIC}:
        raise ValueError(f"{type}: an event goes to every screen of its session (public)")
    if not sequenced and To.PUBLIC in audiences:
        raise ValueError(f"{type}: a notice goes to a narrower audience than the room")
    existing = _catalogue.get(type)
    if existing is not None:
        raise ValueError(f"{type} is declared twice ({existing.declared_by} and {by})")
    event = EventType(type, sequenced, audiences, shape(data), by, shared)
    _catalogue[type] = event
    return event


def event(type: str, *, data: Any, by: str = "", shared: bool = True) -> EventType:
    """An event: advances ``seq``, to every screen of the session. ``shared=False``: what it
    announces is read only in the snapshots' per-viewer parts, never in a shared one."""
    return declare(type, sequenced=True, data=data, by=by, shared=shared)


def notice(type: str, *, to: Iterable[To], data: Any, by: str = "") -> EventType:
    """A notice: keeps ``seq``, to the audiences named."""
    return declare(type, sequenced=False, to=to, data=data, by=by)


def catalogue() -> Mapping[str, EventType]:
    return dict(_catalogue)


def lookup(type: str) -> EventType:
    try:
        return _catalogue[type]
    except KeyError:
        raise UndeclaredEvent(f"{type!r} is not declared in any app's events.py") from None


def audience_of(group: str) -> To:
    """The audience a group's name stands for: ``session.<id>.<audience>``, ``delegate.<id>``,
    ``user.<id>``, ``login.<hash>``."""
    parts = group.split(".")
    if parts[0] == "session" and len(parts) == 3:
        return To(parts[2])
    return To(parts[0])


def check(type: str, data: Any, *, group: str, sequenced: bool) -> EventType:
    """Refuse a frame the catalogue does not declare as sent; check its payload if asked."""
    from django.conf import settings

    declared = lookup(type)
    if declared.sequenced != sequenced:
        kind = "an event" if declared.sequenced else "a notice"
        raise UndeclaredEvent(f"{type!r} is declared as {kind}")
    audience = audience_of(group)
    if audience not in declared.to:
        raise UndeclaredEvent(f"{type!r} is not declared for the audience {audience}")
    if settings.CHAMBER_CHECK_EVENTS:
        declared.data.check(data, type)
    return declared


def discover() -> None:
    """Import every installed app's ``events`` module (at ready time, as the admin does)."""
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("events")
