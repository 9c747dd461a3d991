"""Seed the city: the city council and its communes, each with a sitting in progress."""

from __future__ import annotations


def seed_city(*, communes: int, commune_seats: int, city_seats: int, items: int) -> dict:
    from django.db import transaction

    from bench.seed import seed_sitting
    from meeting.models import Council
    from meeting.roles import sync_role_groups

    sittings = []
    with transaction.atomic():
        sync_role_groups()
        city = seed_sitting(
            name="HĐND Thành phố Thử tải",
            level=Council.Level.CITY,
            seats=city_seats,
            items=items,
            chair="bench-chair-city",
        )
        sittings.append(city)
        for number in range(1, communes + 1):
            sittings.append(
                seed_sitting(
                    name=f"HĐND Phường Thử tải {number}",
                    level=Council.Level.WARD,
                    parent=city["council"],
                    seats=commune_seats,
                    items=items,
                    chair=f"bench-chair-{number}",
                )
            )
    for sitting in sittings:
        sitting["council_id"] = sitting.pop("council").pk
    return {"sittings": sittings}
