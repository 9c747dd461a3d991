"""Ballots → result: the one function that counts and decides a poll, ``count_and_decide``.

``poll_close`` counts with it and stores what it gives (``voting.counting``); ``record.verify``
runs it again on the ballots, the rules, the fixed seats and the attendance that the chain
recorded, and compares field by field. Pure: no database.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from voting import rules
from voting.models import Poll

if TYPE_CHECKING:
    from meeting.fixed_rules import FixedRules

# The fields of a poll that decide its outcome or that the minutes print: logged when the poll
# opens (they cannot change after), compared with the table by the record check.
RULE_FIELDS = [
    "title",
    "kind",
    "choice_type",
    "options",
    "min_selections",
    "max_selections",
    "base",
    "threshold",
    "threshold_numerator",
    "threshold_denominator",
    "threshold_strict",
    "quorum",
    "presence_quorum",
    "tie_rule",
    "casting_delegate_id",
    "weighted",
    "agenda_item_id",
    "revote_of_id",
]

# What a stored result holds of the count (voting.models.PollResult).
RESULT_FIELDS = (
    "counts",
    "ballots",
    "seats",
    "present",
    "base",
    "required",
    "threshold",
    "quorum_required",
    "presence_quorum_required",
    "passed",
    "elected",
)


def rule_facts(poll: Poll) -> dict:
    return {name: getattr(poll, name) for name in RULE_FIELDS}


def poll_from_facts(facts: dict) -> Poll:
    """An unsaved poll with the rules the chain recorded (for recounting)."""
    return Poll(**{name: facts[name] for name in RULE_FIELDS if name in facts})


def count_and_decide(poll: Poll, ballots, *, present_ids: list[int], fixed: FixedRules) -> dict:
    """Everything a poll's stored result holds but its digest and time: the ``RESULT_FIELDS``,
    ``detail`` and ``sitting_quorum``.

    ``ballots``: the counted ones (objects with ``choice``, ``weight`` and ``delegate_id``);
    ``present_ids``: the delegates present at the close; ``fixed``: the session's seats, quorum
    and weights as fixed at its opening.
    """
    present_ids = sorted(present_ids)
    if poll.weighted:
        seats = fixed.weighted_seats
        present = sum(fixed.vote_weights.get(d, 1) for d in present_ids)
    else:
        seats, present = fixed.seats, len(present_ids)
    computed = _decide(poll, ballots, seats=seats, present=present)
    detail = {
        "present_delegates": present_ids,
        "blank": computed["blank"],
        "reasons": computed["reasons"],
    }
    if poll.choice_type == Poll.ChoiceType.YES_NO_ABSTAIN:
        detail["decided_by_casting_vote"] = computed["decided_by_casting_vote"]
    return {
        **{field: computed[field] for field in RESULT_FIELDS},
        "detail": detail,
        "sitting_quorum": sitting_quorum(
            present=len(present_ids), seats=fixed.seats, required=fixed.quorum_required
        ),
    }


def _decide(poll: Poll, ballots, *, seats: int, present: int) -> dict:
    """Counts, the number required and the outcome of ``ballots`` (objects with ``choice``,
    ``weight`` and ``delegate_id``) under the poll's rules, with ``seats`` and those
    ``present`` at the close."""
    ballots = list(ballots)
    counts, blank = poll.count(ballots)
    poll_rules = poll.rules()
    elected: dict[str, bool] = {}
    decided_by_casting_vote = False
    if poll.choice_type == Poll.ChoiceType.YES_NO_ABSTAIN:
        casting_choice = None
        if poll.casting_delegate_id and poll.kind == Poll.Kind.NAMED:
            casting = next((b for b in ballots if b.delegate_id == poll.casting_delegate_id), None)
            casting_choice = casting.choice if casting else None
        decision = rules.decide(
            poll_rules,
            rules.Tally(
                yes=counts["yes"],
                no=counts["no"],
                abstain=counts["abstain"],
                seats=seats,
                present=present,
                casting_choice=casting_choice,
            ),
        )
        decided_by_casting_vote = decision.decided_by_casting_vote
        passed = decision.passed
    else:
        non_blank = sum(b.weight for b in ballots) - blank
        decisions = rules.decide_options(
            poll_rules,
            rules.OptionsTally(
                votes=counts, ballots=non_blank, blank=blank, seats=seats, present=present
            ),
        )
        elected = {option: d.passed for option, d in decisions.items()}
        decision = next(iter(decisions.values()))
        passed = any(elected.values())
    return {
        "counts": counts,
        "ballots": len(ballots),
        "blank": blank,
        "seats": seats,
        "present": present,
        "base": decision.base,
        "required": decision.required,
        "threshold": poll_rules.threshold.describe(),
        "quorum_required": decision.quorum_required,
        "presence_quorum_required": decision.presence_quorum_required,
        "passed": passed,
        "elected": elected,
        "decided_by_casting_vote": decided_by_casting_vote,
        "reasons": list(decision.reasons),
    }


def sitting_quorum(*, present: int, seats: int, required: int) -> dict:
    """The sitting's quorum at a vote, in delegates whatever the weights (stored with the
    result, in the chain at the close)."""
    quorate = present >= required
    return {"present": present, "seats": seats, "required": required, "quorate": quorate}
