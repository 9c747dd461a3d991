"""Checking a session's record: the chain's hashes and seal, then the tables against the chain.

Every fact the minutes print comes from a table that the chain recorded when it was fixed:
attendance (each change), the sitting's facts (at the opening and the close), each poll's rules
(at its opening), ballots with the voters of named ones, turnout and result (at its close). A
difference is named; a result is recounted by ``voting.tally.count_and_decide`` — the function
that counted it — with the chain's rules, seats and attendance."""

from __future__ import annotations

from meeting.chain import verify_chain
from meeting.fixed_rules import FixedRules, rules_of
from meeting.models import ActionLog, Delegate, Session
from record import verify_facts
from record.verify_assisted import verify_poll_assisted
from record.verify_floor import verify_floor
from voting import tally
from voting.choices import choice_labels
from voting.models import Ballot, Participation, Poll, PollResult
from voting.secrecy import ballots_digest

# The numbers of a stored result that the recount must give again (its counts, ballots, who is
# elected and the verdict are named in words of their own).
DECIDING_FIELDS = [
    field
    for field in tally.RESULT_FIELDS
    if field not in ("counts", "ballots", "passed", "elected")
]


def _short(receipt: str) -> str:
    return receipt[:10]


def _entry(entries: list[ActionLog], action: str, poll: Poll) -> ActionLog | None:
    return next((e for e in entries if e.action == action and e.data.get("poll") == poll.pk), None)


def verify_poll(poll: Poll, result: PollResult, entries: list[ActionLog]) -> list[str]:
    """One poll's tables against its chain: rules, ballots and voters, turnout, the result
    recounted by the very function that counted it, with the chain's rules and attendance."""
    label = f"poll {poll.pk} «{poll.title}»"
    problems = []
    names = dict(
        Delegate.objects.filter(council__sessions=poll.session_id).values_list("pk", "full_name")
    )
    ballots = list(Ballot.objects.filter(poll=poll, superseded=False))
    closing = _entry(entries, "poll.close", poll)
    if closing is None:
        return [f"{label}: no closing entry in the log"]
    opening = _entry(entries, "poll.open", poll)
    rules_then = (opening.data.get("rules") if opening else None) or tally.rule_facts(poll)
    if opening is None:
        problems.append(f"{label}: no opening entry in the log")
    rules_now = tally.rule_facts(poll)
    for field in tally.RULE_FIELDS:
        if field in rules_then and rules_now[field] != rules_then[field]:
            problems.append(
                f"{label}: its rule was changed after it opened: {field} "
                f"{rules_then[field]!r} → {rules_now[field]!r}"
            )
    if poll.kind == Poll.Kind.SECRET:
        # The chain holds a secret poll's receipts and totals, never a receipt's choice or a
        # ballot's weight: a changed ballot shows in the digest and the recount, not by receipt.
        logged = {receipt: () for receipt in closing.data["receipts"]}
        stored = {b.receipt: () for b in ballots}
    else:
        logged = {row[0]: row[1:] for row in closing.data["ballots"]}
        stored = {
            b.receipt: (
                b.choice,
                b.weight,
                *([b.delegate_id] if len(logged.get(b.receipt, ())) > 2 else []),
            )
            for b in ballots
        }
    for receipt in sorted(logged.keys() - stored.keys()):
        problems.append(f"{label}: ballot {_short(receipt)} counted at close is missing now")
    for receipt in sorted(stored.keys() - logged.keys()):
        problems.append(f"{label}: ballot {_short(receipt)} was added after the close")
    for receipt in sorted(logged.keys() & stored.keys()):
        was, now = tuple(logged[receipt]), stored[receipt]
        if was == now:
            continue
        changes = []
        if was[0] != now[0]:
            changes.append(f"choice {was[0]!r} → {now[0]!r}")
        if was[1] != now[1]:
            changes.append(f"weight {was[1]} → {now[1]}")
        if len(was) > 2 and was[2] != now[2]:
            changes.append(
                f"voter {was[2]} «{names.get(was[2], '?')}» → {now[2]} «{names.get(now[2], '?')}»"
            )
        problems.append(f"{label}: ballot {_short(receipt)} was changed: {', '.join(changes)}")
    turnout = _entry(entries, "poll.turnout", poll)
    if turnout is not None:
        took_part = set(turnout.data["participants"])
        now_part = set(
            Participation.objects.filter(poll=poll).values_list("delegate_id", flat=True)
        )
        for delegate in sorted(took_part - now_part):
            problems.append(
                f"{label}: the participation of delegate {delegate} «{names.get(delegate, '?')}» "
                f"recorded at close is missing now"
            )
        for delegate in sorted(now_part - took_part):
            problems.append(
                f"{label}: the participation of delegate {delegate} «{names.get(delegate, '?')}» "
                f"was added after the close"
            )
    if ballots_digest(ballots, poll) != result.digest:
        problems.append(f"{label}: the stored ballots no longer match the digest taken at close")
    if result.digest != closing.data["digest"]:
        problems.append(f"{label}: the result's ballot digest differs from the one logged at close")
    # Recount the stored ballots with the function that counted, under the rules, seats and
    # attendance the chain recorded — never those of the stored result.
    recount = tally.count_and_decide(
        tally.poll_from_facts(rules_then),
        ballots,
        present_ids=_present_at_close(turnout, result),
        fixed=_fixed_at_opening(poll, entries),
    )
    for choice in sorted(set(recount["counts"]) | set(result.counts)):
        if recount["counts"].get(choice, 0) != result.counts.get(choice, 0):
            problems.append(
                f"{label}: result says {choice}={result.counts.get(choice, 0)}, "
                f"the ballots give {choice}={recount['counts'].get(choice, 0)}"
            )
    if result.ballots != recount["ballots"]:
        problems.append(
            f"{label}: result says {result.ballots} ballots, {recount['ballots']} are stored"
        )
    for field in DECIDING_FIELDS:
        if getattr(result, field) != recount[field]:
            problems.append(
                f"{label}: result says {field}={getattr(result, field)}, the chain's rules and "
                f"attendance give {field}={recount[field]}"
            )
    if poll.choice_type == Poll.ChoiceType.OPTIONS:
        option_labels = choice_labels(poll.choice_type, poll.options)
        for option, decided in recount["elected"].items():
            said = bool(result.elected.get(option, False))
            if said != decided:
                problems.append(
                    f"{label}: result says option {option} «{option_labels.get(option, option)}» "
                    f"{_elected(said)}, the rules and ballots say {_elected(decided)}"
                )
    if recount["passed"] != result.passed:
        problems.append(
            f"{label}: result says {_verdict(result.passed)}, the rules and ballots say "
            f"{_verdict(recount['passed'])}"
        )
    return problems


def _fixed_at_opening(poll: Poll, entries: list[ActionLog]) -> FixedRules:
    """Seats, quorum and weights as the chain fixed them when the session opened."""
    opening = next((e for e in entries if e.action == "session.open"), None)
    if opening is not None and "rules" in opening.data:
        return FixedRules.from_facts(opening.data["rules"])
    return rules_of(poll.session)  # a record from before the opening logged them


def _present_at_close(turnout: ActionLog | None, result: PollResult) -> list[int]:
    """The delegates present at the close, as the chain recorded them."""
    if turnout is not None and "present_delegates" in turnout.data:
        return turnout.data["present_delegates"]
    return result.detail.get("present_delegates", [])  # a record from before the turnout entry


def _verdict(passed: bool) -> str:
    return "passed" if passed else "failed"


def _elected(elected: bool) -> str:
    return "elected" if elected else "not elected"


def verify_session(session_id: int, *, final_hash: str | None = None) -> list[str]:
    """Every problem in the session's record, in words; an empty list means it verifies.

    ``final_hash``: the hash printed on the minutes the chair and the secretary signed."""
    session = Session.objects.select_related("council").get(pk=session_id)
    entries = list(ActionLog.objects.filter(session_id=session_id).order_by("id"))
    problems = verify_chain(session_id)
    problems += verify_facts.verify_seal(session, entries)
    last = entries[-1].hash if entries else ""
    if final_hash is not None and final_hash.strip().lower() != last:
        problems.append(
            f"the chain ends with {last[:16]}…, not with the final hash printed on the signed "
            f"minutes ({final_hash.strip()[:16]}…)"
        )
    problems += verify_facts.verify_sitting(session, entries)
    problems += verify_facts.verify_attendance(session, entries)
    problems += verify_facts.verify_polls_course(session, entries)
    problems += verify_floor(session, entries)
    results = PollResult.objects.filter(poll__session_id=session_id).select_related("poll")
    for result in results.order_by("poll_id"):
        problems.extend(verify_poll(result.poll, result, entries))
        problems.extend(verify_poll_assisted(result.poll, result, entries))
    return problems
