"""A written consultation counted as a poll is: the same rules, tally, digest and receipts.

Nothing of the counting is written again here: the consultation's rules become an unsaved
``voting.Poll`` (``voting.tally.poll_from_facts``), and ``voting.tally.count_and_decide``,
``voting.secrecy.ballots_digest`` and ``receipt_for`` do the rest — at the close and, from the
chain's facts, in the record check.
"""

from __future__ import annotations

import hashlib
import json

from meeting.fixed_rules import FixedRules
from meeting.models import Council
from resolutions.models import Consultation, ConsultationBallot
from voting import tally
from voting.models import Poll
from voting.secrecy import ballots_digest, receipt_for

# A consultation's result is always counted against all the council's seats (the law: more
# than half — or two thirds — of all delegates); there is no sitting, so no quorum of presence.
FIXED_RULES = {
    "base": Poll.Base.SEATS,
    "threshold_numerator": 1,
    "threshold_denominator": 2,
    "threshold_strict": True,
    "quorum": Poll.Quorum.NONE,
    "presence_quorum": Poll.PresenceQuorum.NONE,
    "tie_rule": "fails",
    "casting_delegate_id": None,
    "weighted": False,
    "agenda_item_id": None,
    "revote_of_id": None,
}


def rule_facts(consultation: Consultation) -> dict:
    """The consultation's rules as a poll's (``voting.tally.RULE_FIELDS``): kept in the chain
    when it is sent."""
    options = consultation.form == Consultation.Form.OPTIONS
    return {
        "title": consultation.title,
        "kind": consultation.kind,
        "choice_type": Poll.ChoiceType.OPTIONS if options else Poll.ChoiceType.YES_NO_ABSTAIN,
        "options": consultation.options if options else [],
        # A blank choice among options is the election's abstention.
        "min_selections": 0 if options else 1,
        "max_selections": consultation.max_selections if options else 1,
        "threshold": consultation.threshold,
        **FIXED_RULES,
    }


def as_poll(facts: dict) -> Poll:
    return tally.poll_from_facts(facts)


def receipt(consultation_id: int, command_id: str) -> str:
    # Its own namespace: a consultation and a poll of the same id never share receipts.
    return receipt_for(poll_id=f"consultation-{consultation_id}", command_id=command_id)  # type: ignore[arg-type]


def compute(
    facts: dict, ballots: list[ConsultationBallot], *, seats: int, respondents: list[int]
) -> dict:
    """The result under the rules the chain recorded (``voting.tally.count_and_decide``, as a
    poll's close and its record check count), every respondent counting as present; what a
    poll's stored result holds (``RESULT_FIELDS``), with the blank answers and the reasons."""
    fixed = FixedRules(
        seats=seats,
        # No sitting, so no quorum of presence: the rule is a formality of the signature.
        quorum_rule=Council.QuorumRule.MAJORITY_OF_SEATS,
        vote_base=Poll.Base.SEATS,
        vote_threshold=facts["threshold"],
        vote_weights={},
        fixed=True,
    )
    counted = tally.count_and_decide(
        as_poll(facts), ballots, present_ids=respondents, fixed=fixed
    )
    return {
        **{field: counted[field] for field in tally.RESULT_FIELDS},
        "blank": counted["detail"]["blank"],
        "reasons": counted["detail"]["reasons"],
    }


def digest(facts: dict, ballots: list[ConsultationBallot]) -> str:
    if not ballots:
        return hashlib.sha256(b"").hexdigest()
    return ballots_digest(ballots, as_poll(facts))


def opinions_digest(ballots: list[ConsultationBallot], *, secret: bool) -> str:
    """The opinions in words: with their receipts when named; alone (sorted) when secret, so
    that a receipt, which its voter may show, never tells what they wrote."""
    if secret:
        lines = sorted(b.opinion for b in ballots)
    else:
        lines = [f"{b.receipt}|{b.opinion}" for b in sorted(ballots, key=lambda b: b.receipt)]
    return hashlib.sha256(json.dumps(lines, ensure_ascii=False).encode()).hexdigest()
