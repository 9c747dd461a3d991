"""Ballots → result: the one function that decides a poll, at close and in the record check.

``poll_close`` counts with it and stores what it gives; ``record.verify`` runs it again on the
ballots, rules, seats and attendance that the chain recorded, and compares. Pure: no database.
"""

from __future__ import annotations

from voting import rules
from voting.models import Poll

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


def compute_result(poll: Poll, ballots, *, seats: int, present: int) -> dict:
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
