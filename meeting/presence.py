"""Tablets arriving and leaving, written in batches: a cheaper connect (issue 13).

A hall's morning — or a power cut and every tablet back at once — must not be one locked
transaction per tablet queued in a worker's single database thread: with 372 screens coming
back together, arrivals waited behind the departures' writes past Daphne's 5 s handshake
limit and were cut, and each cut attempt still queued its own writes (bench --city). So each
process gathers the arrivals and departures that come while the previous batch is being
written (group commit: no fixed delay, one batch in flight) and writes them together, in one
transaction per session with one session lock for all its check-ins, on the worker's thread
pool. An arrival still waits for its own batch to commit before its snapshot is read, so the
snapshot shows the delegate checked in.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import timedelta

from channels.db import database_sync_to_async
from django.conf import settings
from django.db import connection
from django.utils import timezone

from meeting import checkin, selectors, services
from meeting.models import Delegate, Session, TabletConnection
from meeting.tablet_pass import TabletPass, passes_check
from realtime.batches import group_commit
from realtime.groups import Audience
from realtime.publish import frames_together, notify


@dataclass(frozen=True)
class PresenceChange:
    session_id: int
    delegate: Delegate
    connection: str  # the socket's own id
    worker: str
    connected: bool  # an arrival (True) or a departure
    device: str = ""
    # An arrival with a tablet's pass is authenticated here, with its batch (meeting.tablet_pass):
    # ``delegate`` is then only a stand-in until the batch loads the real one.
    credential: TabletPass | None = None


NOT_FOUND = 4404


@dataclass
class PresenceOutcome:
    checked_in: set[str] = field(default_factory=set)  # connections whose arrival checked in
    refused: dict[str, int] = field(default_factory=dict)  # connection -> close code
    delegates: dict[str, Delegate] = field(default_factory=dict)  # as the batch loaded them


@dataclass(frozen=True)
class Arrival:
    """One change's outcome, as its consumer gets it."""

    checked_in: bool = False
    refused: int | None = None  # the close code of a pass that no longer holds
    delegate: Delegate | None = None  # the delegate a pass was checked against


def tablet_presence_record(*, changes: list[PresenceChange]) -> PresenceOutcome:
    """Write a batch of arrivals and departures; the connections whose arrival checked their
    delegate in (the caller then publishes the coalesced summary), and the arrivals whose pass
    no longer holds (nothing written for those).

    Per session, in one transaction: the connection rows in bulk, a ``roster.presence``
    notice to the console for each delegate whose online state changed, and — under one
    lock of the session row — a check-in for each arriving delegate nobody has marked yet
    (a mark the chair made is left alone: only a new badge sign-in overrides it;
    meeting.checkin). All its frames are written together (``frames_together``).
    """
    outcome = PresenceOutcome()
    by_session: dict[int, list[PresenceChange]] = defaultdict(list)
    for change in changes:
        by_session[change.session_id].append(change)
    for session_id, session_changes in by_session.items():
        with frames_together():  # the session's transaction
            session_changes = _authenticate(session_id, session_changes, outcome)
            if session_changes:
                outcome.checked_in |= _record_session(session_id, session_changes)
    return outcome


def _authenticate(
    session_id: int, changes: list[PresenceChange], outcome: PresenceOutcome
) -> list[PresenceChange]:
    """The changes that stand: arrivals with a pass that still holds, with their delegate as
    the database has it now; the others are refused (meeting.tablet_pass)."""
    passes = {c.credential for c in changes if c.connected and c.credential is not None}
    if not passes:
        return changes
    council_id = Session.objects.filter(pk=session_id).values_list("council_id", flat=True)
    council_id = council_id.first()
    verdicts = {} if council_id is None else passes_check(council_id=council_id, passes=passes)
    kept = []
    for change in changes:
        if change.connected and change.credential is not None:
            verdict = verdicts.get(change.credential, NOT_FOUND)
            if isinstance(verdict, int):
                outcome.refused[change.connection] = verdict
                continue
            change = replace(change, delegate=verdict)
            outcome.delegates[change.connection] = verdict
        kept.append(change)
    return kept


def _record_session(session_id: int, changes: list[PresenceChange]) -> set[str]:
    """The batch's rows, and a ``roster.presence`` notice for each delegate whose online state
    changed: one read before (the arriving delegates), the upsert, the deletion (which says
    whose rows still counted as online) and one read after (only of those) — a departure batch
    is two statements, and the session is read only when there is a notice to send."""
    arrivals = [change for change in changes if change.connected]
    departures = {change.connection for change in changes if not change.connected}
    arriving = {change.delegate.pk for change in arrivals}
    # A socket that came and went within the batch leaves no row: its delegate is no surer
    # to be online after than any departing one.
    staying = {change.delegate.pk for change in arrivals if change.connection not in departures}
    before = selectors.delegates_connected(session_id, arriving) if arriving else set()
    if arrivals:
        # A connection id is new with each socket: an insert, or (a repeated batch after a
        # lost link) the same row again.
        now = timezone.now()
        TabletConnection.objects.bulk_create(
            [
                TabletConnection(
                    connection=change.connection,
                    session_id=session_id,
                    delegate_id=change.delegate.pk,
                    worker=change.worker,
                    seen_at=now,
                    device=change.device[:64],
                )
                for change in arrivals
            ],
            update_conflicts=True,
            unique_fields=["connection"],
            update_fields=["session", "delegate", "worker", "seen_at", "device"],
        )
    gone = _delete(departures) - staying if departures else set()
    after = staying | (selectors.delegates_connected(session_id, gone) if gone else set())
    # A delegate who only left was online before: the row just deleted still counted.
    changed = [
        delegate_id
        for delegate_id in sorted(arriving | gone)
        if (delegate_id in before if delegate_id in arriving else True) != (delegate_id in after)
    ]
    if changed:
        session = Session.objects.only("seq").get(pk=session_id)  # what a notice needs of it
        for delegate_id in changed:
            notify(
                session=session,
                type="roster.presence",
                data={"delegate_id": delegate_id, "connected": delegate_id in after},
                audience=Audience.CHAIR,
            )
    return _check_in(session_id, arrivals) if arrivals else set()


def _delete(connections: set[str]) -> set[int]:
    """Delete these connections' rows; the delegates of those that still counted as online
    (fresh: the roster's rule, selectors.delegates_connected) — one statement."""
    table = connection.ops.quote_name(TabletConnection._meta.db_table)
    placeholders = ", ".join(["%s"] * len(connections))
    fresh_since = connection.ops.adapt_datetimefield_value(
        timezone.now() - timedelta(seconds=settings.CHAMBER_PRESENCE_STALE_SECONDS)
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table} WHERE connection IN ({placeholders}) "
            "RETURNING delegate_id, seen_at >= %s",
            [*sorted(connections), fresh_since],
        )
        return {delegate_id for delegate_id, fresh in cursor.fetchall() if fresh}


def _check_in(session_id: int, arrivals: list[PresenceChange]) -> set[str]:
    session = services.session_lock(session_id)
    if session.status != Session.Status.IN_PROGRESS:
        return set()
    delegates = checkin.attendance_check_in(
        session=session, delegates=[arrival.delegate for arrival in arrivals]
    )
    checked_in = set()
    for arrival in arrivals:  # a delegate's first tablet of the batch checked them in
        if arrival.delegate.pk in delegates:
            delegates.discard(arrival.delegate.pk)
            checked_in.add(arrival.connection)
    return checked_in


async def _write(changes: list[PresenceChange]) -> list[Arrival]:
    outcome = await _record(changes=changes)
    return [
        Arrival(
            checked_in=change.connection in outcome.checked_in,
            refused=outcome.refused.get(change.connection),
            delegate=outcome.delegates.get(change.connection),
        )
        for change in changes
    ]


_record = database_sync_to_async(tablet_presence_record, thread_sensitive=False)


async def presence_change(change: PresenceChange) -> Arrival:
    """Record an arrival or a departure with this process's next batch: whether the arrival
    checked the delegate in, or the close code refusing its pass. Returns once the batch has
    committed; a departure is written even if the consumer's task is being cancelled
    meanwhile."""
    return await group_commit("presence", _write).submit(change)
