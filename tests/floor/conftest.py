"""A live sitting for the floor's tests: delegates checked in, guests invited, a clock."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from meeting.models import Guest
from tests.factories import make_sitting


class Clock:
    """The floor's clock (floor.timing.now), moved by hand."""

    def __init__(self) -> None:
        self.at = timezone.now()

    def __call__(self):
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch):
    from floor import timing

    moving = Clock()
    monkeypatch.setattr(timing, "now", moving)
    return moving


@pytest.fixture
def sitting(db):
    sitting = make_sitting(seats=6)
    session = sitting.session
    sitting.guests = [
        Guest.objects.create(
            session=session,
            position=1,
            full_name="Nguyễn Văn Chủ",
            title="Chủ tịch UBND phường",
            agency="UBND phường",
        ),
        Guest.objects.create(
            session=session,
            position=2,
            full_name="Lê Thị Sở",
            title="Trưởng phòng Tài nguyên và Môi trường",
            agency="UBND phường",
        ),
    ]
    return sitting
