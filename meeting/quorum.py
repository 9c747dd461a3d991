"""Quorum of a sitting: pure functions, no database."""

from meeting.models import Council


def quorum_required(*, seats: int, rule: str) -> int:
    """How many delegates must be present for the sitting to be valid."""
    if rule == Council.QuorumRule.TWO_THIRDS_OF_SEATS:
        return -(-2 * seats // 3)  # ceil(2/3 × seats) without floats
    if rule == Council.QuorumRule.MAJORITY_OF_SEATS:
        return seats // 2 + 1
    raise ValueError(f"unknown quorum rule {rule!r}")


def attendance_summary(*, present: int, seats: int, rule: str) -> dict:
    required = quorum_required(seats=seats, rule=rule)
    return {
        "present": present,
        "seats": seats,
        "required": required,
        "quorate": present >= required,
    }
