"""Majority and quorum rules of a vote: pure functions, no database, exact arithmetic.

A decision needs three numbers the caller has counted: the ballots (per choice, weighted or
not), the attendance of the moment of close, and the council's seats. Two quorums may apply:
one of ballots cast, and one of delegates present; both are counted over the seats. Everything
here works on integers and fractions so that 16 of 30 is never a rounding question.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum
from fractions import Fraction


class Base(StrEnum):
    SEATS = "seats"  # all delegates of the council: the People's Council rule
    PRESENT = "present"  # delegates present when the poll closes
    CAST = "cast"  # ballots cast, abstentions included
    CAST_WITHOUT_ABSTAIN = "cast_without_abstain"  # yes + no only


class TieRule(StrEnum):
    FAILS = "fails"
    CASTING_VOTE = "casting_vote"  # the chair's ballot decides a tie exactly at the threshold


HALF = Fraction(1, 2)
TWO_THIRDS = Fraction(2, 3)
THREE_FIFTHS = Fraction(3, 5)


@dataclass(frozen=True)
class Threshold:
    fraction: Fraction
    strict: bool  # True: "more than" the fraction; False: "at least"

    def required(self, base: int) -> int:
        """The least count that meets the threshold for this base."""
        exact = self.fraction * base
        if self.strict:
            return int(exact) + 1  # floor(exact) + 1 is the least integer strictly above
        return -(-exact.numerator // exact.denominator)  # ceil

    def met(self, count: int, base: int) -> bool:
        return count >= self.required(base)

    def describe(self) -> str:
        relation = "more_than" if self.strict else "at_least"
        return f"{relation} {self.fraction.numerator}/{self.fraction.denominator}"


MORE_THAN_HALF = Threshold(HALF, strict=True)
AT_LEAST_TWO_THIRDS = Threshold(TWO_THIRDS, strict=False)
AT_LEAST_THREE_FIFTHS = Threshold(THREE_FIFTHS, strict=False)


@dataclass(frozen=True)
class Rules:
    base: Base = Base.SEATS
    threshold: Threshold = MORE_THAN_HALF
    # Ballots that must be cast for the vote to count, as a threshold over the seats.
    quorum: Threshold | None = None
    tie: TieRule = TieRule.FAILS
    # Delegates who must be present when the vote closes, as a threshold over the seats (the
    # sitting's quorum: at least two thirds of all delegates for a People's Council).
    presence_quorum: Threshold | None = None


@dataclass(frozen=True)
class Tally:
    """What was counted at close. With weights on, every number is a sum of weights."""

    yes: int
    no: int
    abstain: int
    seats: int
    present: int
    # The chair's choice ("yes", "no", "abstain" or None), for the casting-vote rule; always
    # None for a secret poll, where nobody's choice is known.
    casting_choice: str | None = None

    @property
    def cast(self) -> int:
        return self.yes + self.no + self.abstain


@dataclass(frozen=True)
class Decision:
    passed: bool
    base: int
    required: int
    quorum_required: int | None
    quorum_met: bool  # both quorums: ballots cast, and delegates present
    tie: bool
    decided_by_casting_vote: bool = False
    reasons: tuple[str, ...] = field(default=())
    presence_quorum_required: int | None = None


def base_value(base: Base, tally: Tally) -> int:
    return {
        Base.SEATS: tally.seats,
        Base.PRESENT: tally.present,
        Base.CAST: tally.cast,
        Base.CAST_WITHOUT_ABSTAIN: tally.yes + tally.no,
    }[base]


def decide(rules: Rules, tally: Tally) -> Decision:
    """Whether a yes/no/abstain motion passes under these rules."""
    base = base_value(rules.base, tally)
    required = rules.threshold.required(base)
    quorum_required = rules.quorum.required(tally.seats) if rules.quorum else None
    cast_met = quorum_required is None or tally.cast >= quorum_required
    presence_required = (
        rules.presence_quorum.required(tally.seats) if rules.presence_quorum else None
    )
    presence_met = presence_required is None or tally.present >= presence_required
    quorum_met = cast_met and presence_met
    tie = tally.yes == tally.no
    passed = quorum_met and base > 0 and tally.yes >= required
    by_casting_vote = False
    # A tie exactly on a "more than" boundary (15 of 30 for more than half) is the only case a
    # casting vote can decide: one yes more would pass anyway, one fewer could not.
    on_boundary = rules.threshold.strict and tally.yes * rules.threshold.fraction.denominator == (
        rules.threshold.fraction.numerator * base
    )
    if (
        not passed
        and quorum_met
        and tie
        and on_boundary
        and tally.yes > 0
        and rules.tie == TieRule.CASTING_VOTE
        and tally.casting_choice == "yes"
    ):
        passed, by_casting_vote = True, True
    reasons = []
    if not cast_met:
        reasons.append("quorum_not_met")
    if not presence_met:
        reasons.append("presence_quorum_not_met")
    if base == 0:
        reasons.append("empty_base")
    return Decision(
        passed=passed,
        base=base,
        required=required,
        quorum_required=quorum_required,
        quorum_met=quorum_met,
        tie=tie,
        decided_by_casting_vote=by_casting_vote,
        reasons=tuple(reasons),
        presence_quorum_required=presence_required,
    )


@dataclass(frozen=True)
class OptionsTally:
    """An election among options: votes per option, and how many ballots were cast."""

    votes: dict[str, int]
    ballots: int  # ballots with at least one selection
    blank: int  # ballots with none: the election's abstention
    seats: int
    present: int


def decide_options(rules: Rules, tally: OptionsTally) -> dict[str, Decision]:
    """Each option is elected when its votes meet the threshold over the base.

    A blank ballot is the election's abstention: it counts in ``cast`` and for the quorum,
    not in ``cast_without_abstain``.
    """
    decisions = {}
    for option, votes in tally.votes.items():
        motion = Tally(
            yes=votes,
            no=tally.ballots - votes,
            abstain=tally.blank,
            seats=tally.seats,
            present=tally.present,
        )
        decisions[option] = decide(replace(rules, tie=TieRule.FAILS), motion)
    return decisions
