"""Many sittings' agenda steps at once: one transaction, a fixed handful of statements.

In the city's morning every sitting's chair moves to the next item within one moment (169
sittings: bench/city; ``python -m bench.steps``). Stepped one by one, each step was a
transaction of its own, ~20 statements compiled by the ORM each time, queued in the one
thread that serves a process's console commands: the last sitting's tablets heard of their
step seconds after it was sent. So the console's ``agenda.next`` and ``agenda.previous`` are
written as ballots are (realtime.batches; voting.ballot_writer): the steps that reach a process
while its previous batch is written form the next one, on the thread pool, and a batch is

1. one SELECT of the receipts of its commands (a command sent again is answered as before);
2. one SELECT of its sessions, locked (PostgreSQL: ``FOR UPDATE SKIP LOCKED``, in id order):
   a session another transaction holds (a vote being closed) is not waited for — its step is
   run alone once the batch has committed, so it never delays another sitting's;
3. one SELECT of their agendas; each step decided in Python, in the order the steps came
   (two consoles of one sitting step one after the other);
4. one UPDATE of the pages shown to the rooms (taken down: the agenda moved), RETURNING;
5. one INSERT of the chain entries, one of the events' outbox rows (``frames_together``), one
   UPDATE of the sessions (the current item, the sequence, the chain's head) and one INSERT
   of the receipts; after the commit, one hand-off of the events and one DELETE.

The events, the chain entries and the answers are the service's (meeting.services
``agenda_step``), and a lone step is a batch of one (8 statements, not the service's 20). A
step whose session another transaction holds, and each step of a batch that failed as a whole,
is that service itself.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from meeting.models import ActionLog, AgendaItem, Session
from realtime import commands as command_handlers
from realtime.commands import Context
from realtime.errors import ServiceError
from realtime.models import CommandReceipt
from realtime.publish import emit_numbered, frames_together

LIVE = (Session.Status.IN_PROGRESS, Session.Status.ADJOURNED)


@dataclass
class _Sitting:
    """A locked session as the batch changes it: what its UPDATE writes at the end."""

    current_item_id: int | None
    status: str
    seq: int
    shared_seq: int  # moved by the events the catalogue declares shared (realtime.events)
    log_head: str
    log_count: int
    order: list[int] = field(default_factory=list)
    stepped: bool = False


def batch_handler(
    *, step: int, command_type: str, alone: Callable[[Context, dict], dict]
) -> Callable[[list[tuple[Context, dict]]], list[Any]]:
    """The registry's ``batch`` for ``agenda.next`` (step 1) or ``agenda.previous`` (-1);
    ``alone`` is the command's own handler (the service, one step)."""

    def run_alone(context: Context, data: dict) -> Any:
        try:
            return command_handlers.execute_once(
                context=context,
                command_type=command_type,
                command_id=context.command_id,
                run=lambda: alone(context, data),
            )
        except Exception as error:  # noqa: BLE001 - that command's own answer
            return error

    def handle(commands: list[tuple[Context, dict]]) -> list[Any]:
        try:
            outcomes, later = _steps(commands, step=step, command_type=command_type)
        except IntegrityError:
            # A copy of one of these commands committed meanwhile (sent again through another
            # worker): its receipt is in. Each alone, answered from what committed.
            return [run_alone(*command) for command in commands]
        # After the commit: the steps whose session another transaction held, one by one.
        for i in later:
            outcomes[i] = run_alone(*commands[i])
        return outcomes

    return handle


def _steps(
    commands: list[tuple[Context, dict]], *, step: int, command_type: str
) -> tuple[list[Any], list[int]]:
    """Write the batch; the outcome of each command it wrote or refused, and the indexes of
    those left for later (their session was held, or the same command came twice)."""
    outcomes: list[Any] = [None] * len(commands)
    later: list[int] = []
    with transaction.atomic():
        keys = [(context.actor.key, context.command_id) for context, _data in commands]
        answered = _receipts(keys)
        todo, seen = [], set()
        for i, key in enumerate(keys):
            if key in answered:
                outcomes[i] = _repeat(answered[key], command_type)
            elif key in seen:
                later.append(i)  # after the first has committed: answered from its receipt
            else:
                seen.add(key)
                todo.append(i)
        sittings = _lock({commands[i][0].session_id for i in todo})
        _agendas(sittings)
        now = timezone.now()
        entries, receipts, frames = [], [], []
        for i in todo:
            context = commands[i][0]
            sitting = sittings.get(context.session_id)
            if sitting is None:
                later.append(i)  # held by another transaction (or gone): alone, afterwards
                continue
            try:
                target = _target(sitting, step)
            except ServiceError as refused:
                outcomes[i] = refused
                continue
            previous, sitting.current_item_id = sitting.current_item_id, target
            # As meeting.chain ``append`` would chain it, after the head read with the lock.
            entry = ActionLog._chained(
                scope_id=context.session_id,
                previous=sitting.log_head,
                action="agenda.current",
                user=context.actor.user,
                data={"previous": previous, "current": target},
                actor_delegate=context.actor.delegate,
            )
            sitting.log_head, sitting.log_count = entry.hash, sitting.log_count + 1
            entries.append(entry)
            sitting.seq += 1
            frames.append((context.session_id, sitting.seq, "agenda.current", target))
            sitting.stepped = True
            result = {"current_item_id": target}
            outcomes[i] = result
            receipts.append(
                CommandReceipt(
                    actor=keys[i][0],
                    command_id=keys[i][1],
                    command_type=command_type,
                    result=result,
                )
            )
        stepped = [pk for pk, sitting in sittings.items() if sitting.stepped]
        frames = _with_pages_taken_down(frames, sittings, stepped, now)
        if entries:
            ActionLog.objects.bulk_create(entries)
            with frames_together():  # one INSERT of their outbox rows, one hand-off
                for session_id, seq, type, data in frames:
                    if emit_numbered(session_id=session_id, seq=seq, type=type, data=data):
                        sittings[session_id].shared_seq = seq
            _update_sessions({pk: sittings[pk] for pk in stepped})
            CommandReceipt.objects.bulk_create(receipts)
    return outcomes, later


def _repeat(receipt: tuple[str, Any], command_type: str) -> dict | ServiceError:
    """The answer a command sent again gets: its first answer, or the refusal of an id used
    for another command (realtime.commands)."""
    kind, result = receipt
    if kind != command_type:
        return ServiceError("command.id_reused", _("Mã lệnh này đã được dùng cho một lệnh khác."))
    return json.loads(result) if isinstance(result, str) else result


def _receipts(keys: list[tuple[str, str]]) -> dict[tuple[str, str], tuple[str, Any]]:
    """The receipts already written for these (actor, command id): (type, result) each."""
    table = CommandReceipt._meta.db_table
    rows = ", ".join(["(%s, %s)"] * len(keys))
    sql = (
        f"SELECT actor, command_id, command_type, result FROM {table} "
        f"WHERE (actor, command_id) IN (VALUES {rows})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [value for key in keys for value in key])
        return {(actor, cid): (kind, result) for actor, cid, kind, result in cursor.fetchall()}


def _lock(session_ids: set[int]) -> dict[int, _Sitting]:
    """The sessions this batch may step, locked for its transaction. PostgreSQL: the ones no
    other transaction holds (SKIP LOCKED); SQLite's BEGIN IMMEDIATE holds them all already."""
    if not session_ids:
        return {}
    ids = sorted(session_ids)
    sql = (
        f"SELECT id, current_item_id, status, seq, shared_seq, log_head, log_count "
        f"FROM {Session._meta.db_table} WHERE id IN ({', '.join(['%s'] * len(ids))}) ORDER BY id"
    )
    if connection.vendor == "postgresql":
        sql += " FOR UPDATE SKIP LOCKED"
    with connection.cursor() as cursor:
        cursor.execute(sql, ids)
        return {
            pk: _Sitting(
                current_item_id=item,
                status=status,
                seq=seq,
                shared_seq=shared_seq,
                log_head=head,
                log_count=count,
            )
            for pk, item, status, seq, shared_seq, head, count in cursor.fetchall()
        }


def _agendas(sittings: dict[int, _Sitting]) -> None:
    """Each sitting's agenda in order, as meeting.selectors ``agenda_order`` flattens it."""
    if not sittings:
        return
    ids = list(sittings)
    sql = (
        f"SELECT session_id, id, parent_id FROM {AgendaItem._meta.db_table} "
        f"WHERE session_id IN ({', '.join(['%s'] * len(ids))}) ORDER BY position, id"
    )
    children: dict[int, dict[int | None, list[int]]] = {pk: {} for pk in ids}
    with connection.cursor() as cursor:
        cursor.execute(sql, ids)
        for session_id, pk, parent_id in cursor.fetchall():
            children[session_id].setdefault(parent_id, []).append(pk)
    for session_id, sitting in sittings.items():
        tree = children[session_id]

        def walk(parent_id: int | None, tree=tree, order=sitting.order) -> None:
            for pk in tree.get(parent_id, []):
                order.append(pk)
                walk(pk)

        walk(None)


def _target(sitting: _Sitting, step: int) -> int:
    """The item a step moves to (the service's checks, in its words)."""
    if sitting.status not in LIVE:
        raise ServiceError("session.not_live", _("Kỳ họp chưa khai mạc hoặc đã bế mạc."))
    ids = sitting.order
    if not ids:
        raise ServiceError("agenda.empty", _("Chương trình kỳ họp chưa có nội dung nào."))
    index = ids.index(sitting.current_item_id) if sitting.current_item_id in ids else -1
    target = index + step
    if not 0 <= target < len(ids):
        if step > 0:
            raise ServiceError("agenda.at_end", _("Đã ở nội dung cuối cùng của chương trình."))
        raise ServiceError("agenda.at_start", _("Đã ở nội dung đầu tiên của chương trình."))
    return ids[target]


def _with_pages_taken_down(frames, sittings, stepped: list[int], now) -> list[tuple]:
    """Take down the pages shown in the stepped sittings' rooms (meeting.services
    ``presentation_take_down``): each such sitting hears ``document.shown`` with no document
    right after its (first) ``agenda.current``; the events of the sitting after it move up."""
    if not stepped:
        return frames
    from django.apps import apps

    table = apps.get_model("documents", "Presentation")._meta.db_table
    sql = (
        f"UPDATE {table} SET document_id = NULL, page = 1, updated_at = %s "
        f"WHERE session_id IN ({', '.join(['%s'] * len(stepped))}) "
        f"AND document_id IS NOT NULL RETURNING session_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [connection.ops.adapt_datetimefield_value(now), *stepped])
        taken = {row[0] for row in cursor.fetchall()}
    if not taken:
        return [(pk, seq, type, {"current_item_id": item}) for pk, seq, type, item in frames]
    out, shift = [], dict.fromkeys(taken, 0)
    for pk, seq, type, item in frames:
        out.append((pk, seq + shift.get(pk, 0), type, {"current_item_id": item}))
        if pk in taken and not shift[pk]:
            shift[pk] = 1
            out.append((pk, seq + 1, "document.shown", {"document": None, "page": None}))
    for pk in taken:
        sittings[pk].seq += 1
    return out


def _update_sessions(sittings: dict[int, _Sitting]) -> None:
    """The sessions' current item, sequences and chain head: one UPDATE."""
    table = Session._meta.db_table
    rows = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(sittings))
    sql = (
        f"UPDATE {table} SET current_item_id = v.column2, seq = v.column3, "
        f"shared_seq = v.column4, log_head = v.column5, log_count = v.column6 "
        f"FROM (VALUES {rows}) AS v WHERE {table}.id = v.column1"
    )
    params = [
        value
        for pk, s in sittings.items()
        for value in (pk, s.current_item_id, s.seq, s.shared_seq, s.log_head, s.log_count)
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
