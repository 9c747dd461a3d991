"""Seats, quorum and default vote rules of a session: the council's, fixed when it opens.

A clerk may change a council in the admin at any time; a session that is already open keeps
the values it opened with (stored on the session row and in the chain's ``session.open``
entry), so no change of the council can alter a quorum or a result of that session. Before the
opening, the council's current values apply.
"""

from __future__ import annotations

from dataclasses import dataclass

from meeting.models import Delegate, Session
from meeting.quorum import quorum_required


@dataclass(frozen=True)
class FixedRules:
    seats: int
    quorum_rule: str
    vote_base: str
    vote_threshold: str
    # {delegate id: weight}; the weighted seats are their sum.
    vote_weights: dict[int, int]
    fixed: bool  # False before the opening: the council's values of the moment

    @property
    def quorum_required(self) -> int:
        return quorum_required(seats=self.seats, rule=self.quorum_rule)

    @property
    def weighted_seats(self) -> int:
        return sum(self.vote_weights.values())

    def weight_of(self, delegate: Delegate) -> int:
        return self.vote_weights.get(delegate.pk, delegate.vote_weight)

    def facts(self) -> dict:
        """What the chain records at the opening."""
        return {
            "seats": self.seats,
            "quorum_rule": self.quorum_rule,
            "quorum_required": self.quorum_required,
            "vote_base": self.vote_base,
            "vote_threshold": self.vote_threshold,
            "vote_weights": {str(k): v for k, v in sorted(self.vote_weights.items())},
        }

    @classmethod
    def from_facts(cls, facts: dict) -> FixedRules:
        """The rules as the chain recorded them at the opening (``facts``), for a recount."""
        return cls(
            seats=facts["seats"],
            quorum_rule=facts["quorum_rule"],
            vote_base=facts["vote_base"],
            vote_threshold=facts["vote_threshold"],
            vote_weights={int(k): v for k, v in facts["vote_weights"].items()},
            fixed=True,
        )


def _council_weights(council_id: int) -> dict[int, int]:
    return dict(Delegate.objects.filter(council_id=council_id).values_list("pk", "vote_weight"))


def rules_of(session: Session) -> FixedRules:
    if session.seats is not None:
        return FixedRules(
            seats=session.seats,
            quorum_rule=session.quorum_rule,
            vote_base=session.vote_base,
            vote_threshold=session.vote_threshold,
            vote_weights={int(k): v for k, v in session.vote_weights.items()},
            fixed=True,
        )
    council = session.council
    return FixedRules(
        seats=council.seats,
        quorum_rule=council.quorum_rule,
        vote_base=council.vote_base,
        vote_threshold=council.vote_threshold,
        vote_weights=_council_weights(council.pk),
        fixed=False,
    )


def fix_rules(session: Session) -> FixedRules:
    """Copy the council's values onto the session (the caller saves it): at the opening."""
    council = session.council
    session.seats = council.seats
    session.quorum_rule = council.quorum_rule
    session.vote_base = council.vote_base
    session.vote_threshold = council.vote_threshold
    session.vote_weights = {str(k): v for k, v in _council_weights(council.pk).items()}
    return rules_of(session)


FIXED_FIELDS = ["seats", "quorum_rule", "vote_base", "vote_threshold", "vote_weights"]
