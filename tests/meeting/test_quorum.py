import pytest

from meeting.models import Council
from meeting.quorum import attendance_summary, quorum_required


@pytest.mark.parametrize(
    "seats, rule, required",
    [
        (30, Council.QuorumRule.TWO_THIRDS_OF_SEATS, 20),
        (31, Council.QuorumRule.TWO_THIRDS_OF_SEATS, 21),
        (3, Council.QuorumRule.TWO_THIRDS_OF_SEATS, 2),
        (30, Council.QuorumRule.MAJORITY_OF_SEATS, 16),
        (31, Council.QuorumRule.MAJORITY_OF_SEATS, 16),
        (1, Council.QuorumRule.MAJORITY_OF_SEATS, 1),
    ],
)
def test_quorum_required(seats, rule, required):
    assert quorum_required(seats=seats, rule=rule) == required


def test_quorate_from_the_required_count():
    rule = Council.QuorumRule.TWO_THIRDS_OF_SEATS
    assert not attendance_summary(present=19, seats=30, rule=rule)["quorate"]
    assert attendance_summary(present=20, seats=30, rule=rule)["quorate"]
