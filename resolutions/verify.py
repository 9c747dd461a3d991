"""Checking a council's decisions: the chain, then the tables against it.

* Each resolution against its ``resolution.adopt`` entry (number, date, title, source, the
  signed PDF with a later ``resolution.sign``); one adopted from a poll still needs that poll's
  result to be passed, not void, with the digest the chain recorded.
* Each closed consultation against its ``consultation.open`` (rules, seats) and
  ``consultation.close`` / ``consultation.turnout`` entries: the answers now stored are
  recounted by ``voting.tally.count_and_decide`` under the chain's rules and seats, and their
  digest compared.
``chamber verify-record`` runs it for a session's council, or alone with ``--council``.
"""

from __future__ import annotations

from resolutions import chain, counting
from resolutions.models import Consultation, Resolution
from resolutions.services.resolutions import facts
from voting.models import PollResult


def _by(entries, key: str) -> dict:
    found: dict = {}
    for entry in entries:
        found.setdefault(entry.data.get(key), []).append(entry)
    return found


def verify_resolution(resolution: Resolution, adopted, signed) -> list[str]:
    label = f"resolution {resolution.pk} «{resolution.symbol}»"
    if not adopted:
        return [f"{label}: no adoption entry in the council's chain"]
    recorded = dict(adopted[0].data)
    if signed:
        recorded["signed_sha256"] = signed[-1].data["signed_sha256"]
    problems = []
    now = facts(resolution)
    for field, value in now.items():
        if field in recorded and recorded[field] != value:
            problems.append(
                f"{label}: {field} was changed after it was adopted: "
                f"{recorded[field]!r} → {value!r}"
            )
    poll_id = recorded.get("poll")
    if poll_id is not None:
        result = PollResult.objects.filter(poll_id=poll_id).first()
        if result is None or result.void or not result.passed:
            problems.append(f"{label}: the poll {poll_id} that adopted it did not pass")
        elif result.digest != recorded["source"].get("digest"):
            problems.append(
                f"{label}: the ballots' digest of poll {poll_id} differs from the one recorded "
                f"at adoption"
            )
    return problems


def verify_consultation(consultation: Consultation, entries: dict) -> list[str]:
    label = f"consultation {consultation.pk} «{consultation.title}»"
    opened = entries.get("consultation.open", [])
    closing = entries.get("consultation.close", [])
    turnout = entries.get("consultation.turnout", [])
    if not opened or not closing:
        return [f"{label}: its sending or closing is missing from the council's chain"]
    rules_then, seats = opened[0].data["rules"], opened[0].data["seats"]
    problems = []
    rules_now = counting.rule_facts(consultation)
    for field, value in rules_then.items():
        if rules_now.get(field) != value:
            problems.append(f"{label}: its rule {field} was changed after it was sent")
    ballots = list(consultation.ballots.all())
    secret = rules_then["kind"] == Consultation.Kind.SECRET
    logged = (
        {row[0]: (row[1], row[2]) for row in closing[0].data["ballots"]}
        if not secret
        else {receipt: () for receipt in closing[0].data["receipts"]}
    )
    stored = {b.receipt: (() if secret else (b.choice, b.delegate_id)) for b in ballots}
    for receipt in sorted(logged.keys() - stored.keys()):
        problems.append(f"{label}: answer {receipt[:10]} counted at the close is missing now")
    for receipt in sorted(stored.keys() - logged.keys()):
        problems.append(f"{label}: answer {receipt[:10]} was added after the close")
    for receipt in sorted(logged.keys() & stored.keys()):
        if tuple(logged[receipt]) != stored[receipt]:
            problems.append(f"{label}: answer {receipt[:10]} was changed after the close")
    now_part = set(consultation.participations.values_list("delegate_id", flat=True))
    took_part = set(turnout[0].data["participants"]) if turnout else now_part
    if took_part != now_part:
        problems.append(f"{label}: who answered differs from the list taken at the close")
    if consultation.counts_votes:
        recount = counting.compute(
            rules_then, ballots, seats=seats, respondents=sorted(took_part)
        )
        digest = counting.digest(rules_then, ballots)
        if recount["counts"] != consultation.result.get("counts"):
            problems.append(
                f"{label}: result says {consultation.result.get('counts')}, the answers give "
                f"{recount['counts']}"
            )
        if recount["passed"] != consultation.passed:
            problems.append(f"{label}: the stored outcome differs from the recount")
    else:
        digest = counting.opinions_digest(ballots, secret=secret)
    if digest != consultation.digest or digest != closing[0].data["digest"]:
        problems.append(f"{label}: the answers no longer match the digest taken at the close")
    opinions = counting.opinions_digest(ballots, secret=secret)
    if opinions != closing[0].data["result"].get("opinions_digest"):
        problems.append(f"{label}: an opinion was changed after the close")
    return problems


def verify_council(council_id: int) -> list[str]:
    """Every problem in the council's decisions, in words; empty when they verify."""
    problems = chain.verify_chain(council_id)
    adopted = _by(chain.entries_of(council_id, "resolution.adopt"), "resolution")
    signed = _by(chain.entries_of(council_id, "resolution.sign"), "resolution")
    for resolution in Resolution.objects.filter(council_id=council_id).order_by("pk"):
        problems += verify_resolution(
            resolution, adopted.get(resolution.pk, []), signed.get(resolution.pk, [])
        )
    by_action: dict[int, dict] = {}
    for action in ("consultation.open", "consultation.close", "consultation.turnout"):
        for consultation_id, found in _by(
            chain.entries_of(council_id, action), "consultation"
        ).items():
            by_action.setdefault(consultation_id, {})[action] = found
    closed = Consultation.objects.filter(council_id=council_id, status=Consultation.Status.CLOSED)
    for consultation in closed.order_by("pk"):
        problems += verify_consultation(consultation, by_action.get(consultation.pk, {}))
    return problems
