"""A council's own log (work between sittings) is a hash chain: changes behind its back show."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from meeting import council_log
from meeting.models import CouncilLog
from realtime.actors import Actor
from tests.factories import make_council, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged():
    council = make_council(seats=3)
    other = make_council(seats=3)
    actor = Actor(user=make_staff(role="clerk", council=council))
    for n in range(4):
        council_log.append(council_id=council.pk, action="petition.create", actor=actor, n=n)
    council_log.append(council_id=other.pk, action="petition.create", actor=actor, n=9)
    return council, other


def test_each_council_chains_its_own_entries_from_genesis(logged):
    council, other = logged
    entries = list(CouncilLog.objects.filter(council=council).order_by("id"))
    assert [e.data["n"] for e in entries] == [0, 1, 2, 3]
    assert entries[0].previous_hash == council_log.GENESIS
    assert all(b.previous_hash == a.hash for a, b in zip(entries, entries[1:], strict=False))
    assert CouncilLog.objects.get(council=other).previous_hash == council_log.GENESIS
    assert council_log.verify_council_log(council.pk) == []
    call_command("verify-council", str(council.pk))


def test_an_edited_entry_is_named(logged):
    council, _other = logged
    entry = CouncilLog.objects.filter(council=council).order_by("id")[1]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE meeting_councillog SET data = %s WHERE id = %s", ['{"n": 7}', entry.pk]
        )
    problems = council_log.verify_council_log(council.pk)
    assert problems == [
        f"council log entry {entry.pk} (petition.create) was altered: its content no longer "
        f"matches its hash"
    ]
    with pytest.raises(CommandError):
        call_command("verify-council", "--all")


def test_the_last_entries_removed_are_seen_by_the_head(logged):
    council, _other = logged
    last = CouncilLog.objects.filter(council=council).order_by("-id").first()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM meeting_councillog WHERE id = %s", [last.pk])
    problems = council_log.verify_council_log(council.pk)
    assert len(problems) == 1 and "entries were removed or added" in problems[0]
