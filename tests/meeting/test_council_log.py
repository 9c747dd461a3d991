"""A council's own log (work between sittings) is a hash chain: changes behind its back show."""

import contextlib
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from meeting import council_log
from meeting.models import CouncilLog, CouncilLogHead
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


# -- the head's seal: a chain rewritten consistently behind the application's back -------------


def _rewrite(council, entries: list[CouncilLog]) -> None:
    """What someone with only the database can do: store ``entries`` as the council's whole
    chain, every hash recomputed from the first, and move the head to match."""
    previous = council_log.GENESIS
    with connection.cursor() as cursor:
        kept = ", ".join(["%s"] * len(entries))
        cursor.execute(
            f"DELETE FROM meeting_councillog WHERE council_id = %s AND id NOT IN ({kept})",
            [council.pk, *(e.pk for e in entries)],
        )
        for entry in entries:
            entry.previous_hash = previous
            entry.hash = entry.entry_hash()
            cursor.execute(
                "UPDATE meeting_councillog SET data = %s, action = %s, previous_hash = %s, "
                "hash = %s WHERE id = %s",
                [json.dumps(entry.data), entry.action, entry.previous_hash, entry.hash, entry.pk],
            )
            previous = entry.hash
        cursor.execute(
            "UPDATE meeting_councilloghead SET head = %s, count = %s WHERE council_id = %s",
            [previous, len(entries), council.pk],
        )


def _verify_council(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.suppress(CommandError):
        call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _sealed_problem(council) -> str:
    count, last = CouncilLogHead.objects.values_list("count", "head").get(pk=council.pk)
    return (
        f"the council's log head was altered: {count} entries ending with {last[:16]}… is not "
        f"the head the server sealed (entries were removed, reordered or rewritten, and the "
        f"chain recomputed to match)"
    )


def test_the_legitimate_chain_verifies_with_its_sealed_head(logged):
    council, other = logged
    head = CouncilLogHead.objects.get(pk=council.pk)
    assert (head.count, len(head.seal)) == (4, 64)
    assert council_log.seal_matches(head)
    out, err = _verify_council("verify-council", str(council.pk))
    assert err == "" and out.startswith(f"OK council {council.pk}")
    out, err = _verify_council("verify-record", "--council", str(council.pk))
    assert err == "" and out.startswith(f"OK council {council.pk}")


def test_an_entry_rewritten_with_the_chain_recomputed_is_caught_by_the_seal(logged):
    council, _other = logged
    entries = list(CouncilLog.objects.filter(council=council).order_by("id"))
    entries[1].data = {"n": 7}
    _rewrite(council, entries)
    # The chain links and every hash matches: only the seal tells.
    assert council_log.verify_council_log(council.pk) == [_sealed_problem(council)]
    for command in (
        ("verify-council", str(council.pk)),
        ("verify-record", "--council", str(council.pk)),
    ):
        out, err = _verify_council(*command)
        assert err.count("the council's log head was altered") == 1 and out == ""


def test_the_last_entries_removed_and_the_head_moved_back_are_caught(logged):
    council, _other = logged
    entries = list(CouncilLog.objects.filter(council=council).order_by("id"))
    _rewrite(council, entries[:2])
    assert CouncilLog.objects.filter(council=council).count() == 2
    assert council_log.verify_council_log(council.pk) == [_sealed_problem(council)]


def test_entries_reordered_and_rechained_are_caught(logged):
    council, _other = logged
    entries = list(CouncilLog.objects.filter(council=council).order_by("id"))
    entries[0].data, entries[2].data = entries[2].data, entries[0].data
    _rewrite(council, entries)
    assert council_log.verify_council_log(council.pk) == [_sealed_problem(council)]


def test_a_head_whose_seal_was_blanked_is_caught(logged):
    council, other = logged
    CouncilLogHead.objects.filter(pk=council.pk).update(seal="")
    assert council_log.verify_council_log(council.pk) == [_sealed_problem(council)]
    assert council_log.verify_council_log(other.pk) == []


def test_a_retired_key_still_verifies_and_the_next_append_seals_with_the_new(logged, settings):
    council, _other = logged
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "a-new-key-" + "x" * 40, [old_key]
    assert council_log.verify_council_log(council.pk) == []
    council_log.append(council_id=council.pk, action="petition.create", actor=Actor(), n=5)
    settings.SECRET_KEY_FALLBACKS = []
    assert council_log.verify_council_log(council.pk) == []
