"""The registry the apps fill: socket commands and the parts of each screen's snapshot.

As an app registers its admin classes with ``django.contrib.admin``, it registers here what its
screens can do, in its own modules: ``<app>/commands.py`` (``@command``) and
``<app>/snapshots.py`` (``@snapshot_part``, ``@session_sequences``). ``RealtimeConfig.ready``
imports those modules of every installed app (``autodiscover``), so adding a command never means
editing ``realtime/``, and realtime imports no app.

    @command(type="note.save", screens=[TABLET], parallel=True)
    def note_save(context: Context, data: dict) -> dict: ...

A command type is registered at most once per screen (the console's ``ballot.cast`` votes as the
console user, the tablet's as its delegate: two registrations, two screens); a second
registration for the same screen is refused at start-up, naming both handlers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import autodiscover_modules

# The three screens (realtime.groups gives each its audiences). The console's screen is "chair".
TABLET = "tablet"
CHAIR = "chair"
PROJECTOR = "projector"
SCREENS = (TABLET, CHAIR, PROJECTOR)

# Answered by every screen's consumer itself, never by an app.
BUILT_IN_COMMANDS = frozenset({"ping", "snapshot.request"})

Handler = Callable[[Any, dict], dict]
# Many commands of one type at once: ``[(context, data), ...]`` → one outcome each, in order —
# the ack's data, or the exception that command alone is answered with (realtime.batches).
BatchHandler = Callable[[list[tuple[Any, dict]]], list[Any]]


@dataclass(frozen=True)
class CommandSpec:
    type: str
    screen: str
    handler: Handler
    # Touches no shared row exclusively: may run in a worker thread beside others (ballots).
    parallel: bool = False
    # Idempotent by its own means (a ballot's receipt): no CommandReceipt is written for it.
    self_idempotent: bool = False
    # Run in the consumer's event loop with the answer, after the command succeeded.
    after: Callable[[dict], None] | None = None
    # Written with the others of its type that reach this process meanwhile, in one
    # transaction (group commit); ``handler`` stays the way to run one alone.
    batch: BatchHandler | None = None


@dataclass(frozen=True)
class Viewer:
    """Who a snapshot is for: the session (a model instance), the screen, and the delegate it
    shows as "me" (the tablet's; the console user's own, if they are a delegate) and the user."""

    session: Any
    screen: str
    delegate: Any = None
    user: Any = None
    # What the parts of one snapshot read alike (the attendance the sitting's part and the
    # polls' both show): kept with the viewer, which is made per snapshot, so nothing read
    # here outlives the snapshot it was read for.
    reads: dict = field(default_factory=dict, compare=False, repr=False)

    def once(self, key: str, read: Callable[[], Any]) -> Any:
        """``read()``, run once for this viewer whichever part asks first."""
        if key not in self.reads:
            self.reads[key] = read()
        return self.reads[key]


_commands: dict[tuple[str, str], CommandSpec] = {}
_snapshot_parts: dict[str, list[Callable[[Viewer], dict]]] = {screen: [] for screen in SCREENS}
_sequences: list[Callable[[set[int]], dict[int, int]]] = []


def _name(function: Callable) -> str:
    return f"{function.__module__}.{function.__qualname__}"


def _screens(screens: Iterable[str]) -> tuple[str, ...]:
    screens = tuple(screens)
    unknown = [s for s in screens if s not in SCREENS]
    if not screens or unknown:
        raise ImproperlyConfigured(f"screens must be some of {SCREENS}, not {screens!r}")
    return screens


def register_command(
    handler: Handler,
    *,
    type: str,
    screens: Iterable[str],
    parallel: bool = False,
    self_idempotent: bool = False,
    after: Callable[[dict], None] | None = None,
    batch: BatchHandler | None = None,
) -> Handler:
    """Register ``handler(context, data) -> ack data`` as command ``type`` of these screens."""
    if type in BUILT_IN_COMMANDS:
        raise ImproperlyConfigured(f"command {type!r} is answered by the consumer itself")
    for screen in _screens(screens):
        existing = _commands.get((type, screen))
        if existing is not None and existing.handler is not handler:
            raise ImproperlyConfigured(
                f"command {type!r} of the {screen} screen is registered twice: by "
                f"{_name(existing.handler)} and by {_name(handler)}"
            )
        _commands[(type, screen)] = CommandSpec(
            type=type,
            screen=screen,
            handler=handler,
            parallel=parallel,
            self_idempotent=self_idempotent,
            after=after,
            batch=batch,
        )
    return handler


def command(**options: Any) -> Callable[[Handler], Handler]:
    """Decorator form of ``register_command``."""

    def register(handler: Handler) -> Handler:
        return register_command(handler, **options)

    return register


def command_of(screen: str, type: str) -> CommandSpec | None:
    """What the screen runs for this command type (None: not a command of this screen)."""
    return _commands.get((type, screen))


def commands_of(screen: str) -> dict[str, CommandSpec]:
    """The commands a screen may send, by type."""
    return {type: spec for (type, on), spec in _commands.items() if on == screen}


def command_types() -> set[str]:
    """Every command some screen may send, the consumer's own included."""
    return {type for type, _screen in _commands} | BUILT_IN_COMMANDS


def snapshot_part(
    *screens: str, shared: Callable[[Viewer], Any] | None = None
) -> Callable[[Callable], Callable]:
    """Register ``part(viewer) -> dict`` as a part of these screens' snapshots.

    With ``shared=builder``: ``builder(public viewer)`` — the session and the screen, no
    delegate, no user — is built once per process per (session, seq, screen, language) and
    shared by every screen that connects at that seq (realtime.shared_snapshot); the part is
    then ``part(viewer, built) -> dict``, per viewer, and must not change ``built``.
    """

    def register(part: Callable) -> Callable:
        entry = part if shared is None else _with_shared(part, shared)
        for screen in _screens(screens):
            if entry not in _snapshot_parts[screen]:
                _snapshot_parts[screen].append(entry)
        return part

    return register


_shared_entries: dict[tuple[Callable, Callable], Callable[[Viewer], dict]] = {}


def _with_shared(part: Callable, builder: Callable[[Viewer], Any]) -> Callable[[Viewer], dict]:
    from realtime.shared_snapshot import shared_parts

    def entry(viewer: Viewer) -> dict:
        public = Viewer(session=viewer.session, screen=viewer.screen)
        return part(viewer, shared_parts.get(builder=builder, viewer=viewer, public_viewer=public))

    entry.__qualname__ = part.__qualname__
    entry.__module__ = part.__module__
    # One entry per (part, builder): registering again (a module imported twice) is a no-op.
    return _shared_entries.setdefault((part, builder), entry)


def snapshot(viewer: Viewer) -> dict:
    """The screen's snapshot: its registered parts, merged (in the apps' order). Two parts
    that give the same key are a mistake, refused rather than one silently hiding the other."""
    merged: dict = {}
    for part in _snapshot_parts[viewer.screen]:
        data = part(viewer)
        clash = merged.keys() & data.keys()
        if clash:
            raise ImproperlyConfigured(
                f"snapshot keys {sorted(clash)} of the {viewer.screen} screen given twice "
                f"(again by {_name(part)})"
            )
        merged.update(data)
    return merged


def session_sequences(reader: Callable[[set[int]], dict[int, int]]) -> Callable:
    """Register the one reader of the sessions' current ``seq`` (session id -> seq), which the
    convergence check compares the screens' with."""
    if _sequences and _sequences[0] is not reader:
        raise ImproperlyConfigured(
            f"session sequences are read by {_name(_sequences[0])} already, not {_name(reader)}"
        )
    _sequences[:] = [reader]
    return reader


def current_sequences(session_ids: set[int]) -> dict[int, int]:
    if not _sequences:
        raise ImproperlyConfigured("no app registered the sessions' sequences (@session_sequences)")
    return _sequences[0](session_ids)


def autodiscover() -> None:
    """Import every installed app's ``commands`` and ``snapshots`` modules (they register)."""
    autodiscover_modules("commands", "snapshots")
