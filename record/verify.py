"""Checking a session's record: the log chain, and every tally recomputed from its ballots."""

from __future__ import annotations

from meeting.models import ActionLog
from meeting.record import verify_chain
from voting import rules
from voting.models import Ballot, Poll, PollResult
from voting.services import ballots_digest


def _short(receipt: str) -> str:
    return receipt[:10]


def verify_poll(poll: Poll, result: PollResult) -> list[str]:
    label = f"poll {poll.pk} «{poll.title}»"
    problems = []
    ballots = list(Ballot.objects.filter(poll=poll, superseded=False))
    closing = (
        ActionLog.objects.filter(
            session_id=poll.session_id, action="poll.close", data__poll=poll.pk
        )
        .order_by("id")
        .first()
    )
    if closing is None:
        return [f"{label}: no closing entry in the log"]
    logged = {row[0]: (row[1], row[2]) for row in closing.data["ballots"]}
    stored = {ballot.receipt: (ballot.choice, ballot.weight) for ballot in ballots}
    for receipt in sorted(logged.keys() - stored.keys()):
        problems.append(f"{label}: ballot {_short(receipt)} counted at close is missing now")
    for receipt in sorted(stored.keys() - logged.keys()):
        problems.append(f"{label}: ballot {_short(receipt)} was added after the close")
    for receipt in sorted(logged.keys() & stored.keys()):
        if logged[receipt] != stored[receipt]:
            (was, was_weight), (now, now_weight) = logged[receipt], stored[receipt]
            change = f"choice {was!r} → {now!r}" if was != now else ""
            if was_weight != now_weight:
                change = f"{change} weight {was_weight} → {now_weight}".strip()
            problems.append(f"{label}: ballot {_short(receipt)} was changed: {change}")
    if ballots_digest(ballots) != result.digest:
        problems.append(f"{label}: the stored ballots no longer match the digest taken at close")
    if result.digest != closing.data["digest"]:
        problems.append(f"{label}: the result's ballot digest differs from the one logged at close")
    recounted, blank = poll.count(ballots)
    for choice in sorted(set(recounted) | set(result.counts)):
        if recounted.get(choice, 0) != result.counts.get(choice, 0):
            problems.append(
                f"{label}: result says {choice}={result.counts.get(choice, 0)}, "
                f"the ballots give {choice}={recounted.get(choice, 0)}"
            )
    if result.ballots != len(ballots):
        problems.append(f"{label}: result says {result.ballots} ballots, {len(ballots)} are stored")
    if poll.choice_type == Poll.ChoiceType.YES_NO_ABSTAIN:
        # The chair's casting vote on a tie is their named ballot, recounted like the others.
        casting = next(
            (
                b
                for b in ballots
                if poll.casting_delegate_id and b.delegate_id == poll.casting_delegate_id
            ),
            None,
        )
        decision = rules.decide(
            poll.rules(),
            rules.Tally(
                yes=recounted.get("yes", 0),
                no=recounted.get("no", 0),
                abstain=recounted.get("abstain", 0),
                seats=result.seats,
                present=result.present,
                casting_choice=casting.choice if casting and poll.kind == Poll.Kind.NAMED else None,
            ),
        )
        passed = decision.passed
    else:
        # An election: each option is elected on its own votes; the poll passes if any is.
        decisions = rules.decide_options(
            poll.rules(),
            rules.OptionsTally(
                votes={choice: recounted.get(choice, 0) for choice in poll.choice_ids},
                ballots=sum(ballot.weight for ballot in ballots) - blank,
                blank=blank,
                seats=result.seats,
                present=result.present,
            ),
        )
        labels = {str(option["id"]): option["label"] for option in poll.options}
        for option, decided in decisions.items():
            said = bool(result.elected.get(option, False))
            if said != decided.passed:
                problems.append(
                    f"{label}: result says option {option} «{labels.get(option, option)}» "
                    f"{_elected(said)}, the rules and ballots say {_elected(decided.passed)}"
                )
        passed = any(decision.passed for decision in decisions.values())
    if passed != result.passed:
        problems.append(
            f"{label}: result says {_verdict(result.passed)}, the rules and ballots say "
            f"{_verdict(passed)}"
        )
    return problems


def _verdict(passed: bool) -> str:
    return "passed" if passed else "failed"


def _elected(elected: bool) -> str:
    return "elected" if elected else "not elected"


def verify_session(session_id: int) -> list[str]:
    """Every problem in the session's record, in words; an empty list means it verifies."""
    problems = verify_chain(session_id)
    results = PollResult.objects.filter(poll__session_id=session_id).select_related("poll")
    for result in results.order_by("poll_id"):
        problems.extend(verify_poll(result.poll, result))
    return problems
