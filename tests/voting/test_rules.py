"""The majority rules, table-driven and by property (hypothesis)."""

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from voting.rules import (
    AT_LEAST_THREE_FIFTHS,
    AT_LEAST_TWO_THIRDS,
    MORE_THAN_HALF,
    Base,
    OptionsTally,
    Rules,
    Tally,
    Threshold,
    TieRule,
    decide,
    decide_options,
)

PEOPLES_COUNCIL = Rules(base=Base.SEATS, threshold=MORE_THAN_HALF)


@pytest.mark.parametrize("present", [16, 20, 25, 30])
def test_peoples_council_rule_16_of_30_passes_15_fails_however_many_are_present(present):
    def tally(yes):
        return Tally(yes=yes, no=present - yes, abstain=0, seats=30, present=present)

    assert decide(PEOPLES_COUNCIL, tally(16)).passed
    assert not decide(PEOPLES_COUNCIL, tally(15)).passed
    assert decide(PEOPLES_COUNCIL, tally(15)).required == 16


@pytest.mark.parametrize(
    "rules, yes, no, abstain, seats, present, passed, required",
    [
        # more than half of all 30 seats: 16, whatever the turnout
        (PEOPLES_COUNCIL, 16, 0, 0, 30, 16, True, 16),
        (PEOPLES_COUNCIL, 15, 0, 0, 30, 15, False, 16),
        (PEOPLES_COUNCIL, 16, 14, 0, 30, 30, True, 16),
        # 31 seats: more than half is still 16
        (PEOPLES_COUNCIL, 16, 15, 0, 31, 31, True, 16),
        # at least two thirds of 30 seats needs 20
        (Rules(Base.SEATS, AT_LEAST_TWO_THIRDS), 20, 10, 0, 30, 30, True, 20),
        (Rules(Base.SEATS, AT_LEAST_TWO_THIRDS), 19, 11, 0, 30, 30, False, 20),
        # at least three fifths of 30 seats needs 18
        (Rules(Base.SEATS, AT_LEAST_THREE_FIFTHS), 18, 0, 0, 30, 30, True, 18),
        (Rules(Base.SEATS, AT_LEAST_THREE_FIFTHS), 17, 0, 0, 30, 30, False, 18),
        # more than half of those present: 21 present -> 11
        (Rules(Base.PRESENT, MORE_THAN_HALF), 11, 5, 5, 30, 21, True, 11),
        (Rules(Base.PRESENT, MORE_THAN_HALF), 10, 5, 5, 30, 21, False, 11),
        # majority of ballots cast, abstentions counted in the base: 10 yes of 25 fails
        (Rules(Base.CAST, MORE_THAN_HALF), 10, 9, 6, 30, 30, False, 13),
        # ... and left out of it: 10 yes against 9 no passes
        (Rules(Base.CAST_WITHOUT_ABSTAIN, MORE_THAN_HALF), 10, 9, 6, 30, 30, True, 10),
        # a fraction p/q with "more than" or "at least": 3/4 of 20 cast
        (Rules(Base.CAST, Threshold(Fraction(3, 4), strict=False)), 15, 5, 0, 30, 30, True, 15),
        (Rules(Base.CAST, Threshold(Fraction(3, 4), strict=True)), 15, 5, 0, 30, 30, False, 16),
        # nobody voted: nothing passes
        (Rules(Base.CAST, MORE_THAN_HALF), 0, 0, 0, 30, 30, False, 1),
    ],
)
def test_thresholds(rules, yes, no, abstain, seats, present, passed, required):
    decision = decide(rules, Tally(yes=yes, no=no, abstain=abstain, seats=seats, present=present))
    assert (decision.passed, decision.required) == (passed, required)


def test_ties_fail_unless_the_chair_casts_the_deciding_vote():
    base = dict(yes=10, no=10, abstain=0, seats=30, present=20)
    cast = Rules(Base.CAST, MORE_THAN_HALF, tie=TieRule.CASTING_VOTE)
    fails = Rules(Base.CAST, MORE_THAN_HALF, tie=TieRule.FAILS)
    assert not decide(fails, Tally(**base, casting_choice="yes")).passed
    decision = decide(cast, Tally(**base, casting_choice="yes"))
    assert decision.passed and decision.tie and decision.decided_by_casting_vote
    assert not decide(cast, Tally(**base, casting_choice="no")).passed
    assert not decide(cast, Tally(**base, casting_choice=None)).passed


def test_a_casting_vote_only_breaks_a_tie_on_the_threshold():
    # 15 yes, 15 no of 30 seats: exactly half, the chair may decide.
    rules = Rules(Base.SEATS, MORE_THAN_HALF, tie=TieRule.CASTING_VOTE)
    assert decide(rules, Tally(15, 15, 0, seats=30, present=30, casting_choice="yes")).passed
    # 10 yes, 10 no of 30 seats is a tie, but far below half of the council: no rescue.
    assert not decide(rules, Tally(10, 10, 0, seats=30, present=20, casting_choice="yes")).passed


def test_weights_count_as_their_sum():
    # Weighted: one delegate of weight 3 voting yes outweighs two voting no.
    tally = Tally(yes=3, no=2, abstain=0, seats=5, present=5)
    assert decide(Rules(Base.CAST, MORE_THAN_HALF), tally).passed


def test_quorum_of_the_vote():
    rules = Rules(Base.CAST, MORE_THAN_HALF, quorum=AT_LEAST_TWO_THIRDS)
    assert not decide(rules, Tally(19, 0, 0, seats=30, present=30)).passed
    decision = decide(rules, Tally(19, 0, 0, seats=30, present=30))
    assert decision.reasons == ("quorum_not_met",) and decision.quorum_required == 20
    assert decide(rules, Tally(19, 1, 0, seats=30, present=30)).passed


SITTING = AT_LEAST_TWO_THIRDS  # the People's Council sitting: two thirds of all delegates
PEOPLES_COUNCIL_SITTING = Rules(Base.SEATS, MORE_THAN_HALF, presence_quorum=SITTING)


@pytest.mark.parametrize(
    "rules, yes, no, abstain, seats, present, passed, presence_required, reasons",
    [
        # 30 seats: the sitting needs 20 present; 20 present and 16 yes pass
        (PEOPLES_COUNCIL_SITTING, 16, 4, 0, 30, 20, True, 20, ()),
        # 19 present: below the quorum, 16 yes of all 30 seats still fails
        (PEOPLES_COUNCIL_SITTING, 16, 3, 0, 30, 19, False, 20, ("presence_quorum_not_met",)),
        # more than half of those present: 4 present, 3 yes would pass without the quorum...
        (Rules(Base.PRESENT, MORE_THAN_HALF), 3, 1, 0, 30, 4, True, None, ()),
        # ... and fails with it, however unanimous
        (
            Rules(Base.PRESENT, MORE_THAN_HALF, presence_quorum=SITTING),
            4, 0, 0, 30, 4, False, 20, ("presence_quorum_not_met",),
        ),
        # 31 seats: two thirds is 21 (rounded up), 20 present is not enough
        (
            Rules(Base.CAST, MORE_THAN_HALF, presence_quorum=SITTING),
            15, 5, 0, 31, 20, False, 21, ("presence_quorum_not_met",),
        ),
        (Rules(Base.CAST, MORE_THAN_HALF, presence_quorum=SITTING), 15, 5, 0, 31, 21, True, 21, ()),
        # a council that sits with more than half of its seats: 16 of 30
        (
            Rules(Base.CAST, MORE_THAN_HALF, presence_quorum=MORE_THAN_HALF),
            10, 5, 0, 30, 15, False, 16, ("presence_quorum_not_met",),
        ),
        (
            Rules(Base.CAST, MORE_THAN_HALF, presence_quorum=MORE_THAN_HALF),
            10, 5, 0, 30, 16, True, 16, (),
        ),
        # both quorums: enough present, too few ballots cast
        (
            Rules(Base.CAST, MORE_THAN_HALF, quorum=SITTING, presence_quorum=SITTING),
            12, 5, 0, 30, 25, False, 20, ("quorum_not_met",),
        ),
        # ... and neither
        (
            Rules(Base.CAST, MORE_THAN_HALF, quorum=SITTING, presence_quorum=SITTING),
            12, 5, 0, 30, 18, False, 20, ("quorum_not_met", "presence_quorum_not_met"),
        ),
    ],
)  # fmt: skip
def test_quorum_of_those_present(
    rules, yes, no, abstain, seats, present, passed, presence_required, reasons
):
    decision = decide(rules, Tally(yes=yes, no=no, abstain=abstain, seats=seats, present=present))
    assert decision.passed == passed
    assert decision.presence_quorum_required == presence_required
    assert decision.reasons == reasons
    assert decision.quorum_met == (reasons == ())


def test_a_casting_vote_never_rescues_a_sitting_without_quorum():
    rules = Rules(
        Base.CAST, MORE_THAN_HALF, tie=TieRule.CASTING_VOTE, presence_quorum=AT_LEAST_TWO_THIRDS
    )
    # a tie of those voting, the chair votes yes: it passes with 20 of 30 present...
    assert decide(rules, Tally(10, 10, 0, seats=30, present=20, casting_choice="yes")).passed
    # ... not with 19
    assert not decide(rules, Tally(9, 9, 0, seats=30, present=19, casting_choice="yes")).passed


def test_an_election_needs_the_quorum_of_those_present_too():
    rules = Rules(Base.SEATS, MORE_THAN_HALF, presence_quorum=AT_LEAST_TWO_THIRDS)
    tally = dict(votes={"1": 17, "2": 3}, ballots=19, blank=0, seats=30)
    elected = decide_options(rules, OptionsTally(**tally, present=20))
    assert {o: d.passed for o, d in elected.items()} == {"1": True, "2": False}
    below = decide_options(rules, OptionsTally(**tally, present=19))
    assert not any(d.passed for d in below.values())
    assert below["1"].reasons == ("presence_quorum_not_met",)


def test_an_election_elects_each_option_on_its_own_votes():
    decisions = decide_options(
        PEOPLES_COUNCIL,
        OptionsTally(votes={"1": 20, "2": 16, "3": 9}, ballots=28, blank=2, seats=30, present=30),
    )
    assert {option: d.passed for option, d in decisions.items()} == {
        "1": True,
        "2": True,
        "3": False,
    }


tallies = st.builds(
    lambda seats, present, yes, no, abstain, casting: Tally(
        yes=yes, no=no, abstain=abstain, seats=seats, present=present, casting_choice=casting
    ),
    seats=st.integers(1, 500),
    present=st.integers(0, 500),
    yes=st.integers(0, 500),
    no=st.integers(0, 500),
    abstain=st.integers(0, 500),
    casting=st.sampled_from([None, "yes", "no", "abstain"]),
)
thresholds = st.one_of(
    st.sampled_from([MORE_THAN_HALF, AT_LEAST_TWO_THIRDS, AT_LEAST_THREE_FIFTHS]),
    st.builds(
        lambda q, p, strict: Threshold(Fraction(min(p, q), q), strict),
        st.integers(1, 12),
        st.integers(1, 12),
        st.booleans(),
    ),
)
rule_sets = st.builds(
    Rules,
    base=st.sampled_from(list(Base)),
    threshold=thresholds,
    quorum=st.one_of(st.none(), thresholds),
    tie=st.sampled_from(list(TieRule)),
    presence_quorum=st.one_of(st.none(), thresholds),
)


@given(rules=rule_sets, tally=tallies)
def test_adding_a_yes_never_turns_a_pass_into_a_fail(rules, tally):
    more = Tally(
        yes=tally.yes + 1,
        no=tally.no,
        abstain=tally.abstain,
        seats=tally.seats,
        present=max(tally.present, 1),
        casting_choice=tally.casting_choice,
    )
    same = Tally(
        yes=tally.yes,
        no=tally.no,
        abstain=tally.abstain,
        seats=tally.seats,
        present=max(tally.present, 1),
        casting_choice=tally.casting_choice,
    )
    if decide(rules, same).passed:
        assert decide(rules, more).passed


@given(rules=rule_sets, tally=tallies)
def test_the_required_count_is_the_least_that_meets_the_threshold(rules, tally):
    decision = decide(rules, tally)
    threshold, base = rules.threshold, decision.base
    assert threshold.met(decision.required, base)
    assert decision.required == 0 or not threshold.met(decision.required - 1, base)
    # passing without the casting vote means: quorum met, base not empty, yes >= required
    if decision.passed and not decision.decided_by_casting_vote:
        assert tally.yes >= decision.required and decision.quorum_met and base > 0


@given(tally=tallies)
def test_more_than_half_of_seats_is_exactly_the_integer_rule(tally):
    assert decide(PEOPLES_COUNCIL, tally).passed == (tally.yes * 2 > tally.seats)


@given(rules=rule_sets, tally=tallies)
def test_turning_a_no_into_a_yes_never_hurts(rules, tally):
    if tally.no == 0:
        return
    flipped = Tally(
        yes=tally.yes + 1,
        no=tally.no - 1,
        abstain=tally.abstain,
        seats=tally.seats,
        present=tally.present,
        casting_choice=tally.casting_choice,
    )
    if decide(rules, tally).passed:
        assert decide(rules, flipped).passed


@given(rules=rule_sets, tally=tallies)
def test_one_more_delegate_present_never_turns_a_pass_into_a_fail_when_the_base_is_not_present(
    rules, tally
):
    if rules.base == Base.PRESENT:
        return  # a larger base may need more yes: that is the rule, not a quorum
    more = Tally(
        yes=tally.yes,
        no=tally.no,
        abstain=tally.abstain,
        seats=tally.seats,
        present=tally.present + 1,
        casting_choice=tally.casting_choice,
    )
    if decide(rules, tally).passed:
        assert decide(rules, more).passed


@given(rules=rule_sets, tally=tallies)
def test_below_the_quorum_of_those_present_nothing_passes(rules, tally):
    decision = decide(rules, tally)
    if decision.presence_quorum_required is not None and tally.present < (
        decision.presence_quorum_required
    ):
        assert not decision.passed and "presence_quorum_not_met" in decision.reasons
