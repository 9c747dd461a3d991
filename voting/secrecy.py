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
    """Erase what PostgreSQL's row headers say about who cast which secret ballot.

    A ballot and its voter's Participation row commit in one transaction, so both carry the
    same ``xmin`` and lie on disk in voting order. At close every ballot of the poll is
    rewritten, in random order, by this one transaction (new ``xmin`` for all, shuffled
    positions), and the old row versions are vacuumed away after the commit. While the poll
    is open the link exists only in those system columns, readable by a database operator.
    """
    if connection.vendor != "postgresql":
        return  # the embedded SQLite default keeps insertion order (see README)
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM voting_ballot WHERE poll_id = %s ORDER BY ctid", [poll.pk])
        in_disk_order = [row[0] for row in cursor.fetchall()]
        ids = list(in_disk_order)
        while len(ids) > 1 and ids == in_disk_order:  # never keep the voting order by chance
            secrets.SystemRandom().shuffle(ids)
        cursor.executemany(
            "UPDATE voting_ballot SET superseded = superseded WHERE id = %s",
            [(ballot_id,) for ballot_id in ids],
        )
    transaction.on_commit(_vacuum_ballots)


def _vacuum_ballots() -> None:
    with connection.cursor() as cursor:
        cursor.execute("VACUUM voting_ballot")
