"""Builders of councils, sessions and staff for tests: plain functions, real rows."""

from __future__ import annotations

import datetime
import itertools

from django.contrib.auth.models import Group, User

from meeting.fixed_rules import FIXED_FIELDS, fix_rules
from meeting.models import AgendaItem, Council, Delegate, Session

_counter = itertools.count(1)

VIETNAMESE_NAMES = [
    "Nguyễn Văn An",
    "Trần Thị Bích",
    "Lê Hoàng Cường",
    "Phạm Thị Dung",
    "Hoàng Văn Đức",
    "Huỳnh Thị Giang",
    "Phan Minh Hải",
    "Vũ Thị Hạnh",
    "Võ Quốc Hùng",
    "Đặng Thị Hương",
    "Bùi Văn Khánh",
    "Đỗ Thị Lan",
    "Hồ Văn Long",
    "Ngô Thị Mai",
    "Dương Văn Nam",
    "Lý Thị Ngọc",
    "Trịnh Văn Phúc",
    "Đinh Thị Quỳnh",
    "Mai Văn Sơn",
    "Tô Thị Thảo",
]


def make_council(
    *,
    seats: int = 30,
    delegates: int | None = None,
    name: str | None = None,
    level: str = Council.Level.WARD,
    parent: Council | None = None,
    quorum_rule: str = Council.QuorumRule.TWO_THIRDS_OF_SEATS,
) -> Council:
    n = next(_counter)
    council = Council.objects.create(
        name=name or f"HĐND Phường Thử {n}",
        level=level,
        parent=parent,
        seats=seats,
        quorum_rule=quorum_rule,
    )
    count = seats if delegates is None else delegates
    Delegate.objects.bulk_create(
        Delegate(
            council=council,
            full_name=f"{VIETNAMESE_NAMES[i % len(VIETNAMESE_NAMES)]} {i + 1}",
            title="Đại biểu HĐND",
            seat_label=f"{i + 1:02d}",
        )
        for i in range(count)
    )
    return council


def make_session(
    *,
    council: Council,
    status: str = Session.Status.IN_PROGRESS,
    items: int = 5,
    sub_items: int = 0,
) -> Session:
    today = datetime.date(2026, 12, 1)
    session = Session.objects.create(
        council=council,
        number=next(_counter),
        title="Kỳ họp thường lệ cuối năm 2026",
        planned_start=today,
        planned_end=today + datetime.timedelta(days=1),
        status=status,
    )
    if status != Session.Status.DRAFT and status != Session.Status.SCHEDULED:
        # As if opened through the services: the council's rules are fixed for the session.
        fix_rules(session)
        session.save(update_fields=FIXED_FIELDS)
    first = None
    for position in range(items):
        item = AgendaItem.objects.create(
            session=session, position=position, title=f"Nội dung số {position + 1}"
        )
        first = first or item
        for sub in range(sub_items):
            AgendaItem.objects.create(
                session=session, parent=item, position=sub, title=f"Tiểu mục {sub + 1}"
            )
    if status in (Session.Status.IN_PROGRESS, Session.Status.ADJOURNED) and first:
        session.current_item = first
        session.save(update_fields=["current_item"])
    return session


def make_staff(
    *, role: str = "chair", username: str | None = None, council: Council | None = None
) -> User:
    """A staff account holding ``role``; in ``council`` when given (meeting.scope: without a
    council the role's group is held but the user acts for no council)."""
    from meeting.roles import membership_grant, sync_role_groups

    sync_role_groups()
    # Staff roles sign in through the admin login, which admits staff only.
    user = User.objects.create_user(
        username or f"{role}{next(_counter)}", password="pw-123456", is_staff=True
    )
    user.groups.add(Group.objects.get(name=role))
    if council is not None:
        membership_grant(user=user, council=council, role=role)
    return user


def make_sitting(*, seats: int):
    """A live sitting of ``seats`` delegates, every one marked present by its chair: the
    ``session``, the chair's ``Actor`` and the ``delegates`` in seat order."""
    from types import SimpleNamespace

    from meeting import services as meeting
    from realtime.actors import Actor

    council = make_council(seats=seats)
    session = make_session(council=council)
    chair = Actor(user=make_staff(role="chair", council=council))
    delegates = list(council.delegates.order_by("seat_label"))
    for delegate in delegates:
        meeting.attendance_set(
            session_id=session.pk, delegate_id=delegate.pk, status="present", actor=chair
        )
    return SimpleNamespace(session=session, chair=chair, delegates=delegates)
