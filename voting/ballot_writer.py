"""The SQL of a batch of ballots: precompiled, a fixed handful of statements per batch.

A vote storm is CPU-bound in the workers (bench/RESULTS.md §3): compiling ten ORM queries for
each ballot cost more than the database did. So a batch of ballots (one ballot, or all that
one process received while its previous batch was being written: realtime.batches) is:

1. one ``SELECT`` of everything the checks need, for every ballot of the batch at once — the
   poll (PostgreSQL: ``FOR SHARE``, so a close waits for the batch and nothing lands after
   it), its council, the voter's attendance, whether they took part already, whether this
   receipt is in already;
2. one ``INSERT`` of the who-has-voted rows, ``ON CONFLICT DO NOTHING RETURNING``: a delegate
   whose ballot another transaction committed meanwhile (a copy of the command on another
   worker) comes back missing, and is answered from what committed, not counted twice;
3. one ``INSERT`` of the ballots, in random order (see ``insert_ballots``).

Nothing here decides; voting.ballots does, from the rows this reads. Plain SQL both engines
speak (``VALUES`` lists, ``ON CONFLICT``, ``RETURNING``); only the lock clause and SQLite's
rowids differ.
"""

from __future__ import annotations

import json
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime

from django.db import connection

from voting.secrecy import ROWID_RANGE


@dataclass(frozen=True)
class Facts:
    """What the checks of one ballot need, read in the batch's one statement."""

    status: str
    closing_due: bool  # its countdown has run out (the poll is closed in all but name)
    council_id: int
    session_id: int
    kind: str
    choice_type: str
    options: list
    min_selections: int
    max_selections: int
    allow_change: bool
    weighted: bool
    receipt_in: bool  # this receipt is counted already: the same command again
    present: bool
    took_part: bool


_READ = """
WITH r (i, poll_id, delegate_id, receipt) AS (VALUES {values})
SELECT r.i, p.status, p.closes_at IS NOT NULL AND p.closes_at <= %s, s.council_id,
       p.session_id, p.kind, p.choice_type, p.options, p.min_selections, p.max_selections,
       p.allow_change, p.weighted,
       EXISTS (SELECT 1 FROM voting_ballot b
               WHERE b.poll_id = r.poll_id AND b.receipt = r.receipt),
       EXISTS (SELECT 1 FROM meeting_attendance a
               WHERE a.session_id = p.session_id AND a.delegate_id = r.delegate_id
                 AND a.status = 'present'),
       EXISTS (SELECT 1 FROM voting_participation x
               WHERE x.poll_id = r.poll_id AND x.delegate_id = r.delegate_id)
FROM r JOIN voting_poll p ON p.id = r.poll_id JOIN meeting_session s ON s.id = p.session_id
"""
# PostgreSQL: the poll rows only, never the session's (lock order: poll, then session).
# SQLite has no row locks: the batch's transaction holds the database's write lock from its
# first statement (BEGIN IMMEDIATE, chamber/settings.py), so a close is wholly before it or
# wholly after it.
_SHARE = "FOR SHARE OF p"

_PARTICIPATE = """
INSERT INTO voting_participation (poll_id, delegate_id, voted_at) VALUES {values}
ON CONFLICT (poll_id, delegate_id) DO NOTHING RETURNING poll_id, delegate_id
"""
_BALLOTS = "INSERT INTO voting_ballot ({columns}) VALUES {values}"
_BALLOT_COLUMNS = "id, poll_id, delegate_id, choice, weight, receipt, superseded"
_RECEIPTS_IN = "SELECT poll_id, receipt FROM voting_ballot WHERE {where}"
_SUPERSEDE = (
    "UPDATE voting_ballot SET superseded = TRUE "
    "WHERE poll_id = %s AND superseded = FALSE AND {column} = %s"
)

_texts: dict[tuple[str, int], str] = {}


def _sql(name: str, template: str, rows: int, width: int, **extra: str) -> str:
    """The statement for ``rows`` rows of ``width`` parameters, built once per size."""
    key = (name, rows)
    text = _texts.get(key)
    if text is None:
        row = "(" + ", ".join(["%s"] * width) + ")"
        text = _texts[key] = template.format(values=", ".join([row] * rows), **extra)
    return text


def read_facts(requests: list[tuple[int, int, int, str]], now: datetime) -> dict[int, Facts]:
    """``(i, poll_id, delegate_id, receipt)`` → the facts of each ``i`` whose poll exists."""
    postgresql = connection.vendor == "postgresql"
    sql = _sql(
        "read" + ("-pg" if postgresql else ""),
        _READ + (_SHARE if postgresql else ""),
        len(requests),
        4,
    )
    params = [value for request in requests for value in request]
    params.append(connection.ops.adapt_datetimefield_value(now))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return {row[0]: _facts(row) for row in rows}


def _facts(row: tuple) -> Facts:
    options = row[7]
    return Facts(
        status=row[1],
        closing_due=bool(row[2]),
        council_id=row[3],
        session_id=row[4],
        kind=row[5],
        choice_type=row[6],
        options=json.loads(options) if isinstance(options, str) else options,
        min_selections=row[8],
        max_selections=row[9],
        allow_change=bool(row[10]),
        weighted=bool(row[11]),
        receipt_in=bool(row[12]),
        present=bool(row[13]),
        took_part=bool(row[14]),
    )


def supersede(*, poll_id: int, delegate_id: int | None, receipt: str | None) -> bool:
    """Mark the voter's counted ballot superseded (a change): found by its delegate (named)
    or by its receipt (secret: only the voter's tablet can name it). False if none was."""
    column, value = ("delegate_id", delegate_id) if receipt is None else ("receipt", receipt)
    with connection.cursor() as cursor:
        cursor.execute(_SUPERSEDE.format(column=column), [poll_id, value])
        return cursor.rowcount == 1


def participate(voters: list[tuple[int, int]], now: datetime) -> set[tuple[int, int]]:
    """Insert who-has-voted rows ``(poll_id, delegate_id)``; the ones this inserted (the
    others' ballots committed first, in another transaction)."""
    voted_at = connection.ops.adapt_datetimefield_value(now)
    # In one order everywhere: two batches holding the same voters (a command sent again on
    # another worker) wait for each other's rows instead of deadlocking.
    voters = sorted(voters)
    params = [
        value for poll_id, delegate_id in voters for value in (poll_id, delegate_id, voted_at)
    ]
    with connection.cursor() as cursor:
        cursor.execute(_sql("participate", _PARTICIPATE, len(voters), 3), params)
        return {(poll_id, delegate_id) for poll_id, delegate_id in cursor.fetchall()}


@dataclass(frozen=True)
class NewBallot:
    poll_id: int
    delegate_id: int | None  # None: a secret ballot
    choice: str | list[str]
    weight: int
    receipt: str


def insert_ballots(ballots: list[NewBallot]) -> None:
    """Insert the batch's ballots in random order, not in the order their voters' who-has-voted
    rows were inserted: on PostgreSQL rows lie on disk in insertion order, so the same order
    in both tables would pair each secret ballot with its voter until the close rewrites them
    (voting.secrecy). SQLite: each secret ballot gets a random rowid as it is inserted (not
    moved to one afterwards: no freed cell is left behind for ``secure_delete`` to zero).
    """
    ballots = list(ballots)
    secrets.SystemRandom().shuffle(ballots)
    sqlite = connection.vendor == "sqlite"
    params: list = []
    for ballot in ballots:
        key = uuid.uuid4()
        if sqlite:
            rowid = secrets.randbelow(ROWID_RANGE) + 1 if ballot.delegate_id is None else None
            params += [rowid, key.hex]
        else:
            params.append(key)
        params += [
            ballot.poll_id,
            ballot.delegate_id,
            json.dumps(ballot.choice),
            ballot.weight,
            ballot.receipt,
            False,
        ]
    columns = ("rowid, " if sqlite else "") + _BALLOT_COLUMNS
    width = 8 if sqlite else 7
    sql = _sql(
        "ballots" + ("-sqlite" if sqlite else ""), _BALLOTS, len(ballots), width, columns=columns
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def receipts_in(pairs: list[tuple[int, str]]) -> set[tuple[int, str]]:
    """Which of these ``(poll_id, receipt)`` are counted (read after another transaction's
    commit beat this one to a voter)."""
    where = " OR ".join(["(poll_id = %s AND receipt = %s)"] * len(pairs))
    with connection.cursor() as cursor:
        cursor.execute(_RECEIPTS_IN.format(where=where), [v for pair in pairs for v in pair])
        return {(poll_id, receipt) for poll_id, receipt in cursor.fetchall()}
