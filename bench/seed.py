"""Seed a benchmark database (run as ``python -m bench.seed`` with DATABASE_URL and SECRET_KEY).

A council of N seats and N delegates, a session in progress on the first of its agenda items,
a chair, and a Django session per tablet holding the badge sign-in with the tablet's pass
(meeting.tablet_pass; a tablet signed in the evening before: connecting its WebSocket checks
the delegate in). Everything by bulk insert.

``--city`` seeds the city's morning instead: the city council and its communes (bench/city),
each with such a sitting, in one database.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import secrets
from pathlib import Path


def seed_sitting(*, name: str, level: str, parent=None, seats: int, items: int, chair: str) -> dict:
    """One council with ``seats`` delegates and a sitting in progress; its screens' credentials."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import Group, User
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session as DjangoSession
    from django.utils import timezone

    from meeting.fixed_rules import fix_rules
    from meeting.models import AgendaItem, Council, Delegate, Membership, Session
    from meeting.tablet_pass import PASS_COOKIE, pass_value

    store = SessionStore()
    expires = timezone.now() + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)

    def session_row(values: dict) -> DjangoSession:
        return DjangoSession(
            session_key=secrets.token_hex(16),
            session_data=store.encode(values),
            expire_date=expires,
        )

    council = Council.objects.create(name=name, level=level, parent=parent, seats=seats)
    Delegate.objects.bulk_create(
        (
            Delegate(
                council=council,
                full_name=f"Đại biểu số {i + 1}",
                title="Đại biểu HĐND",
                seat_label=f"{i + 1:05d}",
            )
            for i in range(seats)
        ),
        batch_size=2000,
    )
    delegates = list(
        Delegate.objects.filter(council=council).order_by("pk").values_list("pk", "badge_key")
    )
    today = datetime.date.today()
    session = Session(
        council=council,
        number=1,
        title="Kỳ họp thử tải",
        planned_start=today,
        planned_end=today,
        status=Session.Status.IN_PROGRESS,
    )
    # Opened as the chair opens it (meeting.services): seats, quorum and weights fixed on the
    # session, so no screen reads the council's delegates to know them.
    fix_rules(session)
    session.save()
    AgendaItem.objects.bulk_create(
        AgendaItem(
            session=session,
            position=i,
            title=f"Nội dung số {i + 1}: báo cáo và dự thảo nghị quyết",
            presenter="Ủy ban nhân dân",
        )
        for i in range(items)
    )
    item_ids = list(
        AgendaItem.objects.filter(session=session)
        .order_by("position", "id")
        .values_list("pk", flat=True)
    )
    session.current_item_id = item_ids[0]
    session.save(update_fields=["current_item"])

    user = User.objects.create_user(chair, password=None, is_staff=True)
    user.groups.add(Group.objects.get(name="chair"))
    Membership.objects.create(user=user, council=council, role="chair")
    chair_row = session_row(
        {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
            HASH_SESSION_KEY: user.get_session_auth_hash(),
        }
    )
    rows = [session_row({"delegate_id": pk, "badge_key": key}) for pk, key in delegates]
    DjangoSession.objects.bulk_create([chair_row, *rows], batch_size=2000)

    def tablet_cookie(pk: int, key: str, row: DjangoSession) -> str:
        # The session key, then the tablet's pass the badge sign-in also gives (the clients
        # send "<session cookie name>=<this>": one Cookie header with both).
        signed_in = Delegate(pk=pk, council_id=council.pk, badge_key=key)
        value = pass_value(delegate=signed_in, device_id="", login=row.session_key)
        return f"{row.session_key}; {PASS_COOKIE}={value}"

    return {
        "council": council,
        "session_id": session.pk,
        "projector_key": session.projector_key,
        "chair_cookie": chair_row.session_key,
        "cookie_name": settings.SESSION_COOKIE_NAME,
        "tablets": [
            [pk, tablet_cookie(pk, key, row)]
            for (pk, key), row in zip(delegates, rows, strict=True)
        ],
        "seats": seats,
        "items": item_ids,
    }


def seed(*, tablets: int, items: int) -> dict:
    from django.db import transaction

    from meeting.models import Council
    from meeting.roles import sync_role_groups

    with transaction.atomic():
        sync_role_groups()
        sitting = seed_sitting(
            name="HĐND Thành phố Thử tải",
            level=Council.Level.CITY,
            seats=tablets,
            items=items,
            chair="bench-chair",
        )
    del sitting["council"], sitting["items"]
    return sitting


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tablets", type=int, default=0)
    parser.add_argument("--items", type=int, default=12)
    parser.add_argument("--city", help="communes,commune seats,city seats (bench/city)")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chamber.settings")
    import django

    django.setup()
    if args.city:
        from bench.city.seed import seed_city

        communes, commune_seats, city_seats = (int(x) for x in args.city.split(","))
        data = seed_city(
            communes=communes, commune_seats=commune_seats, city_seats=city_seats, items=args.items
        )
    else:
        data = seed(tablets=args.tablets, items=args.items)
    args.out.write_text(json.dumps(data))


if __name__ == "__main__":
    main()
