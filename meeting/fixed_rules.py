"""Seats, quorum and default vote rules of a session: the council's, fixed when it opens.

A clerk may change a council in the admin at any time; a session that is already open keeps
the values it opened with (stored on the session row and in the chain's ``session.open``
entry), so no change of the council can alter a quorum or a result of that session. Before the
opening, the council's current values apply.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from meeting.models import Delegate, Session
from meeting.quorum import quorum_required


@dataclass(frozen=True)
class FixedRules:
    seats: int
    quorum_rule: str
    vote_base: str
    vote_threshold: str
    # {delegate id: weight}; the weighted seats are their sum. From ``rules_of``: read when
    # first used (``Weights``): a quorum or a snapshot needs no weights.
    vote_weights: Mapping[int, int]
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


class Weights(Mapping):
    """A session's weights, read when first asked for: a city's are 5,000 entries, which a
    quorum, a snapshot or an unweighted poll never look at. Read-only (a Mapping): the parsed
    map may be shared with other sessions of the same weights (``_parsed``)."""

    def __init__(self, read: Callable[[], Mapping[int, int]]) -> None:
        self._read = read
        self._map: Mapping[int, int] | None = None

    def _weights(self) -> Mapping[int, int]:
        if self._map is None:
            self._map = self._read()
        return self._map

    def __getitem__(self, delegate_id: int) -> int:
        return self._weights()[delegate_id]

    def __iter__(self) -> Iterator[int]:
        return iter(self._weights())

    def __len__(self) -> int:
        return len(self._weights())

    def __repr__(self) -> str:
        return f"Weights({dict(self._weights())!r})"


def weights_digest(weights: Mapping) -> str:
    """What a session's weights are, in 64 characters: the key of the parsed map (``_parsed``)."""
    canonical = json.dumps({str(k): v for k, v in weights.items()}, sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


# Parsed weights by their digest, per process: fixed at the opening, a session's weights are
# parsed once here, not at every read of its row. Keyed by what they are (the digest stored
# beside them, which ``fix_rules`` sets with them), not by the session: weights fixed again
# (a test's "open it again") are another key, never a stale hit.
_parsed: dict[str, dict[int, int]] = {}
_parsed_lock = threading.Lock()
_PARSED_MAX = 256  # a city's sessions of a few days at once; beyond, start again


def _fixed_weights(session: Session) -> dict[int, int]:
    digest = session.vote_weights_digest
    parsed = _parsed.get(digest) if digest else None
    if parsed is not None:
        return parsed
    if "vote_weights" in session.get_deferred_fields():
        raw = Session.objects.filter(pk=session.pk).values_list("vote_weights", flat=True).get()
    else:
        raw = session.vote_weights
    parsed = {int(k): v for k, v in raw.items()}
    if digest == weights_digest(raw):  # a row written without its digest is never cached
        with _parsed_lock:
            if len(_parsed) >= _PARSED_MAX:
                _parsed.clear()
            _parsed[digest] = parsed
    return parsed


def rules_of(session: Session) -> FixedRules:
    """The session's rules (its row may come with ``vote_weights`` deferred: ``HOT_DEFER``)."""
    if session.seats is not None:
        return FixedRules(
            seats=session.seats,
            quorum_rule=session.quorum_rule,
            vote_base=session.vote_base,
            vote_threshold=session.vote_threshold,
            vote_weights=Weights(lambda: _fixed_weights(session)),
            fixed=True,
        )
    council = session.council
    return FixedRules(
        seats=council.seats,
        quorum_rule=council.quorum_rule,
        vote_base=council.vote_base,
        vote_threshold=council.vote_threshold,
        vote_weights=Weights(lambda: _council_weights(council.pk)),
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
    session.vote_weights_digest = weights_digest(session.vote_weights)
    return rules_of(session)


FIXED_FIELDS = [
    "seats", "quorum_rule", "vote_base", "vote_threshold", "vote_weights", "vote_weights_digest"
]
# What a read of a session row that never needs the weights leaves out (``.defer(*HOT_DEFER)``):
# a city's are 5,000 entries decoded at every read; ``rules_of`` reads them if asked for.
HOT_DEFER = ("vote_weights",)
