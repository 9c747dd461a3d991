"""A city with two communes, their fields and agencies, their staff and agency officers."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import User

from meeting.models import Agency, AgencyOfficer, Council
from petitions import services
from petitions.models import Field, Petition
from realtime.actors import Actor
from tests.factories import make_council, make_staff

TODAY = datetime.date(2026, 11, 20)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def make_officer(agency: Agency, username: str | None = None) -> User:
    user = User.objects.create_user(
        username or f"canbo{Agency.objects.count()}{agency.pk}",
        password="pw-123456",
        email=f"canbo.{agency.pk}@example.vn",
        is_staff=True,
    )
    AgencyOfficer.objects.create(user=user, agency=agency)
    return user


def make_commune(city: Council, name: str) -> SimpleNamespace:
    council = make_council(seats=5, name=name, parent=city)
    fields = {
        key: Field.objects.create(council=council, name=label, position=n)
        for n, (key, label) in enumerate(
            [("land", "Đất đai"), ("env", "Môi trường"), ("social", "Chính sách xã hội")]
        )
    }
    committee = Agency.objects.create(
        council=council, name=f"UBND {name}", kind="committee", email="ubnd@example.vn"
    )
    office = Agency.objects.create(council=council, name=f"Phòng Kinh tế {name}", kind="office")
    return SimpleNamespace(
        council=council,
        fields=fields,
        committee=committee,
        office=office,
        clerk=Actor(user=make_staff(role="clerk", council=council)),
        officer=Actor(user=make_officer(committee)),
        office_officer=Actor(user=make_officer(office)),
    )


@pytest.fixture
def city():
    """``city.council``, ``city.standing`` (its Standing Committee), ``city.a``, ``city.b``."""
    council = make_council(seats=9, name="HĐND Thành phố Thử", level=Council.Level.CITY)
    return SimpleNamespace(
        council=council,
        standing=Actor(user=make_staff(role="standing", council=council)),
        a=make_commune(council, "Phường An Khánh"),
        b=make_commune(council, "Xã Bình Lợi"),
    )


def enter(commune, text="Đường Lê Lợi ngập nước mỗi khi mưa lớn", **extra) -> Petition:
    values = {
        "council_id": commune.council.pk,
        "text": text,
        "field_id": commune.fields["env"].pk,
        "source": Petition.Source.VOTER_MEETING,
        "actor": commune.clerk,
        "place": "Khu phố 3",
        "voter_name": "Nguyễn Văn Bình",
        "voter_address": "12 Lê Lợi, khu phố 3",
        "received_on": TODAY - datetime.timedelta(days=30),
    }
    values.update(extra)
    return services.petition_create(**values)


def forwarded(commune, petition=None, *, agency=None, due=None):
    petition = petition or enter(commune)
    return services.petition_forward(
        petition_id=petition.pk,
        agency_id=(agency or commune.committee).pk,
        due_date=due or TODAY + datetime.timedelta(days=30),
        actor=commune.clerk,
        on=TODAY - datetime.timedelta(days=20),
    )


def _snapshot(*councils):
    rows = list(Petition.objects.filter(council__in=councils).order_by("pk").values())
    from meeting.models import CouncilLog

    return rows, CouncilLog.objects.filter(council__in=councils).count()


def refused(code: str, council, call, *args, also=(), **kwargs):
    """``call`` raises ``code`` and leaves the petitions and the chains of ``council`` (and of
    ``also``: the city) as they were; the refusal has words for the person at the screen."""
    from realtime.errors import ServiceError

    before = _snapshot(council, *also)
    with pytest.raises(ServiceError) as caught:
        call(*args, **kwargs)
    assert caught.value.code == code, caught.value
    assert caught.value.message
    assert _snapshot(council, *also) == before
    return caught.value


@pytest.fixture
def a(city):
    """Commune A of ``city``."""
    return city.a


@pytest.fixture
def received(a) -> Petition:
    """A petition commune A received (nothing done yet)."""
    return enter(a)


@pytest.fixture
def sent(a) -> Petition:
    """A petition commune A forwarded to its People's Committee (due in 30 days)."""
    return forwarded(a)


def in_days(days: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=days)
