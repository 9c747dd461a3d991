"""``python -m bench.ballots``: what writing a ballot costs, in figures load hardly moves.

Not the sitting's benchmark (``python -m bench``): no server, no sockets. A council of
``--ballots`` delegates, all present; for each kind of poll and batch size (1, 10, 100) a poll
is opened and every delegate's ballot written through the service the tablets' group commit
calls (``voting.ballots.ballots_cast``; on code older than it, ``ballot_cast`` one by one).
Every figure is per ballot: ``cpu ms`` of this process (the service, Django, and SQLite
itself), ``db cpu`` of the PostgreSQL backend, ``stmts`` the SQL statements Django sent, and
the round trips (PostgreSQL: the statements plus each transaction's BEGIN and COMMIT; SQLite's
statements include its BEGIN IMMEDIATE and are no round trips at all). Wall times (``p50 ms``
etc.: a batch's time divided by its size) are what a loaded machine inflates.

    python -m bench.ballots                                # both engines, 2,000 ballots each
    python -m bench.ballots --engine sqlite --ballots 500
"""

from __future__ import annotations

import argparse
import uuid

from bench import engines

BATCHES = (1, 10, 100)
KINDS = ("named", "secret")


def arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--ballots", type=int, default=2000, help="ballots per poll")


def seed(args: argparse.Namespace) -> dict:
    from django.db import transaction
    from django.utils import timezone

    from bench.seed import seed_sitting
    from meeting.models import Attendance, Council, Delegate, Session
    from meeting.roles import sync_role_groups
    from realtime.actors import Actor

    with transaction.atomic():
        sync_role_groups()
        sitting = seed_sitting(
            name="HĐND đo phiếu", level=Council.Level.CITY, seats=args.ballots, items=1, chair="c"
        )
        session = Session.objects.get(pk=sitting["session_id"])
        delegates = list(Delegate.objects.filter(council=sitting["council"]).order_by("pk"))
        Attendance.objects.bulk_create(
            Attendance(session=session, delegate=d, status="present", changed_at=timezone.now())
            for d in delegates
        )
    chair = Actor(user=sitting["council"].staff_roles.get().user)
    return {"session": session, "delegates": delegates, "chair": chair}


def scenarios(state: dict, args: argparse.Namespace):
    from voting import ballots

    sizes = BATCHES if hasattr(ballots, "ballots_cast") else (1,)
    for kind in KINDS:
        for size in sizes:
            title = f"{kind}, batches of {size}"
            yield title, lambda kind=kind, size=size: _vote(state, kind, size)


def _vote(state: dict, kind: str, size: int) -> dict:
    """One poll, every delegate's ballot in batches of ``size``: figures per ballot."""
    from django.db import connection

    from voting import ballots, counting, services

    chair = state["chair"]
    poll = services.poll_create(
        session_id=state["session"].pk, title=f"{kind} {size}", actor=chair, kind=kind
    )
    services.poll_open(poll_id=poll.pk, actor=chair)
    casts = [
        {"poll_id": poll.pk, "delegate": d, "choice": "yes", "command_id": str(uuid.uuid4())}
        for d in state["delegates"]
    ]
    batches = [casts[at : at + size] for at in range(0, len(casts), size)]

    def write(batch: list[dict]) -> None:
        if not hasattr(ballots, "ballots_cast"):
            ballots.ballot_cast(**batch[0])
            return
        outcomes = ballots.ballots_cast(ballots=[ballots.BallotRequest(**c) for c in batch])
        assert all(isinstance(outcome, dict) for outcome in outcomes), outcomes[:3]

    # No warm-up: it would write its batches twice (the second time as repeats).
    figures = engines.timed(write, batches, warmup=0)
    assert poll.ballots.count() == len(casts)
    counting.poll_close(poll_id=poll.pk, actor=chair)
    per_ballot = {
        key: round(value / size, 3)
        for key, value in figures.items()
        if key in ("p50_ms", "p95_ms", "max_ms", "cpu_ms", "db_cpu_ms", "statements")
    }
    transaction_ends = 2 if connection.vendor == "postgresql" else 0
    per_ballot["round_trips"] = round(per_ballot["statements"] + transaction_ends / size, 3)
    return {**figures, **per_ballot, "ballots": len(casts), "batch": size}


def main(argv: list[str] | None = None) -> None:
    engines.main(
        name="ballots",
        doc=__doc__,
        seed=seed,
        scenarios=scenarios,
        arguments=arguments,
        argv=argv,
    )


if __name__ == "__main__":
    main()
