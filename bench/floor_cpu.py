"""The server's work for one request to speak, without sockets (issue 12): N delegates each ask
for the floor once on the current item, through the command's handler (parse, service,
answer), in one process against the database of ``DATABASE_URL`` (a database of its own: it
migrates it and adds a council with a sitting each run).

    createdb -h 127.0.0.1 -U postgres bench_floor_cpu
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_floor_cpu SECRET_KEY=bench \\
        .venv/bin/python -m bench.floor_cpu --requests 200

Prints the CPU time of this process (``time.process_time``: hardly moved by the machine's other
load) per request, the part of it spent building the ``floor.changed`` event
(``floor.services.floor_publish``), and the statements per request (a second, counted, run).
"""

from __future__ import annotations

import argparse
import datetime
import os
import time
from contextlib import contextmanager


def _sitting(seats: int):
    from django.utils.timezone import now

    from meeting.fixed_rules import FIXED_FIELDS, fix_rules
    from meeting.models import AgendaItem, Attendance, Council, Delegate, Session

    council = Council.objects.create(name=f"HĐND đo {time.time_ns()}", seats=seats)
    Delegate.objects.bulk_create(
        Delegate(council=council, full_name=f"Đại biểu {i + 1}", seat_label=f"{i + 1:03d}")
        for i in range(seats)
    )
    day = datetime.date(2026, 12, 1)
    session = Session.objects.create(
        council=council,
        number=1,
        title="Đo",
        planned_start=day,
        planned_end=day,
        status=Session.Status.IN_PROGRESS,
    )
    fix_rules(session)
    session.save(update_fields=FIXED_FIELDS)
    item = AgendaItem.objects.create(session=session, position=0, title="Nội dung")
    session.current_item = item
    session.save(update_fields=["current_item"])
    delegates = list(council.delegates.order_by("seat_label"))
    Attendance.objects.bulk_create(
        Attendance(session=session, delegate=d, status=Attendance.Status.PRESENT, changed_at=now())
        for d in delegates
    )
    return session, delegates


@contextmanager
def _timed_publish(spent: list[float]):
    """Add the CPU time of each ``floor_publish`` to ``spent``."""
    from floor import services

    original = services.floor_publish

    def timed(**kwargs):
        start = time.process_time()
        try:
            return original(**kwargs)
        finally:
            spent.append(time.process_time() - start)

    services.floor_publish = timed
    try:
        yield
    finally:
        services.floor_publish = original


def _storm(session, delegates) -> None:
    from realtime.actors import Actor
    from realtime.commands import Context
    from realtime.registry import TABLET, command_of

    handler = command_of(TABLET, "floor.request").handler
    for delegate in delegates:
        context = Context(
            session_id=session.pk, actor=Actor(delegate=delegate), command_id=str(delegate.pk)
        )
        handler(context, {"kind": "speak"})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chamber.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    call_command("migrate", verbosity=0)
    session, delegates = _sitting(args.requests)
    spent: list[float] = []
    with _timed_publish(spent):
        start = time.process_time()
        _storm(session, delegates)
        total = time.process_time() - start
    session, delegates = _sitting(args.requests)
    with CaptureQueriesContext(connection) as queries:
        _storm(session, delegates)
    n = args.requests
    print(
        f"{n} requests: {1000 * total / n:.2f} ms CPU each (process_time), of which "
        f"{1000 * sum(spent) / n:.2f} ms building floor.changed; "
        f"{len(queries) / n:.1f} statements each"
    )


if __name__ == "__main__":
    main()
