"""What keeps a secret ballot secret, apart from the rows' own shape (voting/models.py).

* The receipt is derived one way from the command id the voter's tablet made: re-sending gives
  the same receipt, the server stores no link to the voter, and the command id — which never
  leaves the tablet again — is the proof that changes a secret ballot; the receipt is not.
* The digest and the hash chain keep a secret poll's receipts and totals, never a receipt's
  choice or a single ballot's weight.
* At close, what the database's own bookkeeping says of the order of voting is erased.
"""

from __future__ import annotations

import hashlib
import json
import secrets

from django.db import connection, transaction
from django.utils.crypto import salted_hmac

from voting import tally
from voting.models import Ballot, Poll, PollResult


def receipt_for(*, poll_id: int, command_id: str) -> str:
    """The receipt of a ballot, derived from the client's command id (one way: an HMAC under
    the server's key).

    Re-sending the command gives the same receipt without the server storing which delegate
    holds it: for a secret poll nothing stored links a receipt (and its ballot) to a delegate.
    The command id itself never leaves the voter's tablet again, so it is what proves a secret
    ballot is one's own when changing it; the receipt, shown on screen, proves nothing.
    """
    return salted_hmac("chamber.ballot-receipt", f"{poll_id}:{command_id}").hexdigest()[:20]


def ballots_digest(ballots: list[Ballot], poll: Poll | None = None) -> str:
    """SHA-256 of the counted ballots of ``poll`` (by default: the ballots' own poll).

    Named: over every ballot in receipt order (receipt, choice, weight) — any change to one
    changes it. Secret: over the receipts and the totals they make (weighted counts per choice,
    blank, ballots and their weight), never a receipt with its choice: receipts, counts and
    the digest are all public, and a digest over the pairs would let anyone try every
    assignment of the counted choices to the receipts until one matched. Any change to a
    ballot that changes a count still changes it; two ballots of one weight trading their
    choices change nothing that is counted, and nothing that is recorded.
    """
    if not ballots:
        return hashlib.sha256(b"").hexdigest()
    poll = poll or ballots[0].poll
    if poll.kind == Poll.Kind.SECRET:
        counts, blank = poll.count(ballots)
        totals = {
            "receipts": sorted(b.receipt for b in ballots),
            "counts": counts,
            "blank": blank,
            "ballots": len(ballots),
            "weight": sum(b.weight for b in ballots),
        }
        return hashlib.sha256(
            json.dumps(totals, sort_keys=True, separators=(",", ":")).encode()
        ).hexdigest()
    lines = [
        f"{b.receipt}|{json.dumps(b.choice, separators=(',', ':'))}|{b.weight}"
        for b in sorted(ballots, key=lambda b: b.receipt)
    ]
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def sealed_ballots(poll: Poll, result: PollResult) -> dict:
    """What the chain keeps of the counted ballots, in the one entry of the close (a ballot
    never waits on the log).

    Named: each ballot — receipt, choice, weight, voter — so a ballot changed later is named.
    Secret: the receipts, and the totals only (counts per choice, blank, ballots and their
    weight), never a choice or a weight next to a receipt: a receipt must not tell its choice,
    and a weight that only one delegate has would name them.
    """
    counted = Ballot.objects.filter(poll=poll, superseded=False).order_by("receipt")
    sealed = {
        "digest": result.digest,
        "passed": result.passed,
        "counts": result.counts,
        # The result, so the record check compares the stored one with the chain.
        "result": {field: getattr(result, field) for field in tally.RESULT_FIELDS},
    }
    if poll.kind == Poll.Kind.NAMED:
        rows = counted.values_list("receipt", "choice", "weight", "delegate_id")
        sealed["ballots"] = [list(row) for row in rows]
        return sealed
    weights = list(counted.values_list("weight", flat=True))
    sealed["receipts"] = list(counted.values_list("receipt", flat=True))
    sealed["tally"] = {
        "ballots": len(weights),
        "weight": sum(weights),
        "blank": result.detail["blank"],
    }
    return sealed


def unlink_secret_ballots(poll: Poll) -> None:
    """At close, erase what the database's own bookkeeping says of who cast which ballot."""
    unlink_secret_rows(Ballot, poll_id=poll.pk)


def unlink_secret_rows(model, **owner) -> None:
    """The same for any table of secret ballots (``model``) whose rows of one vote are those
    whose ``owner`` column (one keyword: the vote's foreign key) has this value — a poll's
    ballots, a written consultation's answers (resolutions)."""
    ((column, value),) = owner.items()
    table = model._meta.db_table
    if connection.vendor == "postgresql":
        _unlink_on_postgresql(table, column, value)
    elif connection.vendor == "sqlite":
        _unlink_on_sqlite(table, column, value)


def _unlink_on_postgresql(table: str, column: str, value) -> None:
    """A ballot and its voter's Participation row commit in one transaction, so both carry the
    same ``xmin`` and lie on disk in voting order. At close every ballot of the poll is
    rewritten, in random order, by this one transaction (new ``xmin`` for all, shuffled
    positions), and the old row versions are vacuumed away after the commit. While the poll
    is open the link exists only in those system columns, readable by a database operator.
    """
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {quote(table)} WHERE {quote(column)} = %s ORDER BY ctid", [value]
        )
        in_disk_order = [row[0] for row in cursor.fetchall()]
        ids = _shuffled(in_disk_order)
        # Any column set to itself rewrites the row; "id" is every such table's key.
        cursor.executemany(
            f"UPDATE {quote(table)} SET id = id WHERE id = %s",
            [(ballot_id,) for ballot_id in ids],
        )
    transaction.on_commit(lambda: _vacuum(table))


def _vacuum(table: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM {connection.ops.quote_name(table)}")


def _shuffled(items: list) -> list:
    shuffled = list(items)
    while len(shuffled) > 1 and shuffled == items:  # never keep the voting order by chance
        secrets.SystemRandom().shuffle(shuffled)
    return shuffled


# -- the embedded default: SQLite ----------------------------------------------------------
#
# SQLite numbers a table's rows (``rowid``) in the order they are inserted, keeps them in that
# order, and writes each new row's cell into its page (and each index entry into the index's
# page) at the next free place — so both ``ORDER BY rowid`` and the bytes of the file tell the
# order ballots were cast in, next to the Participation rows that say who voted in that order;
# the write-ahead log keeps every page as it was after each vote until it is checkpointed.
# * A secret ballot gets a random rowid as it is inserted: its number says nothing, even
#   while the poll is open (a poll's ballots: voting.ballot_writer; other tables' secret
#   rows: ``place_secret_ballot``). A batch's ballots are inserted in random order.
# * At close the poll's ballots are deleted and inserted again in random order with new random
#   rowids, with ``secure_delete`` on (the freed cells and pages are zeroed, not left behind),
#   and after the commit the log is checkpointed and truncated, so no page of the voting is
#   left in it. Not ``VACUUM``: it rebuilds the whole database under its write lock, and what
#   it would erase, secure_delete already zeroed.
# While the poll is open, the cells' places in their pages still follow the voting order, as
# PostgreSQL's row headers do: readable by whoever copies the file off the box meanwhile.

ROWID_RANGE = 2**62  # rowids are 64-bit signed; a clash among a chamber's ballots: ~never


def _secure_delete(cursor) -> None:
    cursor.execute("PRAGMA secure_delete = ON")


def place_secret_ballot(ballot) -> None:
    """SQLite: move a secret ballot just inserted (a poll's ``Ballot``, or another table's
    secret answer keyed ``id``) to a random rowid (see above)."""
    if connection.vendor != "sqlite":
        return
    meta = type(ballot)._meta
    key = meta.pk.get_db_prep_value(ballot.pk, connection)
    with connection.cursor() as cursor:
        _secure_delete(cursor)
        cursor.execute(
            f"UPDATE {connection.ops.quote_name(meta.db_table)} SET rowid = %s WHERE id = %s",
            [secrets.randbelow(ROWID_RANGE) + 1, key],
        )


def _unlink_on_sqlite(table: str, column: str, value) -> None:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        _secure_delete(cursor)
        cursor.execute(
            f"SELECT * FROM {quote(table)} WHERE {quote(column)} = %s ORDER BY rowid", [value]
        )
        columns = [quote(described[0]) for described in cursor.description]
        rows = cursor.fetchall()
        cursor.execute(f"DELETE FROM {quote(table)} WHERE {quote(column)} = %s", [value])
        cursor.executemany(
            f"INSERT INTO {quote(table)} (rowid, {', '.join(columns)}) "
            f"VALUES (%s{', %s' * len(columns)})",
            [(secrets.randbelow(ROWID_RANGE) + 1, *row) for row in _shuffled(rows)],
        )
    transaction.on_commit(_checkpoint)


def _checkpoint() -> None:
    """Copy the write-ahead log into the database and empty it (a no-op without a log).

    It waits for readers of older snapshots half a second at most, not the connection's busy
    timeout, so the close is answered at once; if one is still reading, the log is emptied at
    a later checkpoint instead (and its frames overwritten as it is reused).
    """
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        (patience,) = cursor.fetchone()
        cursor.execute("PRAGMA busy_timeout = 500")
        try:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            cursor.execute(f"PRAGMA busy_timeout = {int(patience)}")
