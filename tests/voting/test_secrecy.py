"""Secret ballots: nothing that is stored or sent links a delegate to their choice.

A secret poll is run over the real consumers (console, projector, tablets: so the command
receipts and the action log are written as in the chamber) and partly through the services;
then every row of every table, every frame published and every frame each screen received,
and the poll's record for the minutes are searched for a delegate next to a choice or a
receipt. A named poll, for contrast, says who chose what.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest
from channels.db import database_sync_to_async
from django.apps import apps
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session as BrowserSession
from django.db import connection, models

from meeting import services as meeting
from meeting.models import ActionLog, Delegate
from realtime.actors import Actor
from realtime.models import CommandReceipt
from realtime.publish import capturing
from tests.factories import make_council, make_session, make_sitting, make_staff
from tests.realtime import helpers
from tests.realtime.helpers import RecordingScreen as Screen
from voting import selectors, services
from voting.ballots import ballot_cast, poll_progress_publish
from voting.counting import poll_close
from voting.models import Ballot, Participation, Poll

CHOICES = ("yes", "no", "abstain")


# -- looking for a link ----------------------------------------------------------------------

# Keys under which a frame or a record names delegates.
DELEGATE_KEYS = {"me", "roster", "participants", "present_delegates"}


def _walk(value):
    """Every (key, value) pair in a nest of dicts and lists."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield key, inner
            yield from _walk(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _walk(inner)


def names_a_delegate(value) -> bool:
    return any(
        inner not in (None, [], {})
        and ("delegate" in str(key) or key in DELEGATE_KEYS or str(inner).startswith("delegate:"))
        for key, inner in _walk(value)
    )


def holds_a_choice(value) -> bool:
    return any(key == "choice" and inner is not None for key, inner in _walk(value))


def mentions(value, secrets: set[str]) -> set[str]:
    text = json.dumps(value, default=str)
    return {secret for secret in secrets if secret in text}


def pairs_voter_and_ballot(value, secrets: set[str]) -> bool:
    """Whether one row, frame or record names a delegate and holds a choice or a ballot."""
    return names_a_delegate(value) and (holds_a_choice(value) or bool(mentions(value, secrets)))


@database_sync_to_async
def every_row() -> list[tuple[type[models.Model], dict]]:
    """Every row of every table the project has (Django's own included), as values()."""
    rows = []
    for model in apps.get_models(include_auto_created=True):
        delegate_columns = [
            field.attname
            for field in model._meta.concrete_fields
            if field.is_relation and field.related_model is Delegate
        ]
        for row in model._base_manager.values():
            if model is BrowserSession:  # what a browser's session holds, decoded
                row["session_data"] = SessionStore().decode(row["session_data"])
            if model is Delegate:
                row["delegate"] = row["id"]
            for column in delegate_columns:  # a foreign key to a delegate names one
                row[f"delegate:{column}"] = row[column]
            rows.append((model, row))
    return rows


# -- the sitting ---------------------------------------------------------------------------


@pytest.fixture
def sitting(transactional_db):
    council = make_council(seats=12)
    session = make_session(council=council)
    user = make_staff(role="chair", council=council)
    delegates = list(council.delegates.order_by("seat_label"))
    for delegate in delegates[:11]:
        meeting.attendance_set(
            session_id=session.pk, delegate_id=delegate.pk, status="present", actor=Actor(user=user)
        )
    return SimpleNamespace(session=session, user=user, delegates=delegates)


@pytest.mark.django_db(transaction=True)
async def test_nothing_stored_or_sent_links_a_secret_ballot_to_its_voter(sitting):
    session, delegates = sitting.session, sitting.delegates
    on_tablets, by_service = delegates[:8], delegates[8:10]
    screens: list[Screen] = []

    async def screen(communicator) -> Screen:
        opened = Screen(communicator)
        screens.append(opened)
        await opened.open()
        return opened

    try:
        with capturing() as published:
            chair = await screen(await helpers.chair(session, sitting.user))
            projector = await screen(helpers.projector(session))
            tablet_of = {d.pk: await screen(await helpers.tablet(session, d)) for d in on_tablets}

            created = await chair.command(
                "poll.create", "create", title="Bầu Phó Chủ tịch", kind="secret", allow_change=True
            )
            poll_id = created["data"]["poll_id"]
            assert (await chair.command("poll.open", "open", poll_id=poll_id))["type"] == "ack"

            receipt_of: dict[int, str] = {}  # the voter's current receipt (the test knows)
            command_of: dict[int, str] = {}  # and the command id their tablet kept
            choice_of: dict[int, str] = {}
            for i, delegate in enumerate(on_tablets):
                command_id = command_of[delegate.pk] = str(uuid.uuid4())
                choice_of[delegate.pk] = CHOICES[i % 3]
                ack = await tablet_of[delegate.pk].command(
                    "ballot.cast", command_id, poll_id=poll_id, choice=choice_of[delegate.pk]
                )
                assert ack["type"] == "ack", ack
                receipt_of[delegate.pk] = ack["data"]["receipt"]
                if i == 1:  # a resend of the same command: the same receipt, nothing new
                    again = await tablet_of[delegate.pk].command(
                        "ballot.cast", command_id, poll_id=poll_id, choice=choice_of[delegate.pk]
                    )
                    assert again["data"]["receipt"] == receipt_of[delegate.pk]
            for delegate in by_service:
                choice_of[delegate.pk] = "yes"
                cast = await database_sync_to_async(ballot_cast)(
                    poll_id=poll_id, delegate=delegate, choice="yes", command_id=str(uuid.uuid4())
                )
                receipt_of[delegate.pk] = cast["receipt"]
            # The first voter changes their mind: the old ballot is found by the command id
            # only their tablet holds.
            changer = on_tablets[0]
            superseded = receipt_of[changer.pk]
            changed = await tablet_of[changer.pk].command(
                "ballot.cast",
                str(uuid.uuid4()),
                poll_id=poll_id,
                choice="abstain",
                previous_id=command_of[changer.pk],
            )
            assert changed["type"] == "ack" and changed["data"]["changed"] is True, changed
            receipt_of[changer.pk], choice_of[changer.pk] = changed["data"]["receipt"], "abstain"

            voters = set(receipt_of)
            await chair.until(
                lambda f: f["type"] == "poll.progress" and f["data"]["voted"] == len(voters)
            )
            assert (await chair.command("poll.close", "close", poll_id=poll_id))["type"] == "ack"
            await chair.until(lambda f: f["type"] == "poll.result")
            assert (await chair.command("poll.publish", "publish", poll_id=poll_id))[
                "type"
            ] == "ack"
            await projector.until(lambda f: f["type"] == "poll.published")
            # Screens that connect afterwards get snapshots with the poll in them.
            again_tablet = await screen(await helpers.tablet(session, changer))
            again_chair = await screen(await helpers.chair(session, sitting.user))
        tablet_poll = again_tablet.frames[0]["data"]["polls"][0]
        assert tablet_poll["my_ballot"] == {"cast": True}
        chair_poll = again_chair.frames[0]["data"]["polls"][0]
        assert "voted_delegate_ids" not in chair_poll and chair_poll["voted"] == len(voters)

        # -- the ballots: no delegate, no time, random ids in no voter's order ----------------
        poll = await database_sync_to_async(Poll.objects.get)(pk=poll_id)
        ballots = await database_sync_to_async(list)(Ballot.objects.filter(poll_id=poll_id))
        secrets = {b.receipt for b in ballots} | {str(b.pk) for b in ballots}
        assert {b.receipt for b in ballots} == {*receipt_of.values(), superseded}
        assert all(b.delegate_id is None for b in ballots)
        assert not [
            f.name
            for f in Ballot._meta.concrete_fields
            if isinstance(f, models.DateField | models.TimeField)
        ]
        assert all(b.pk.version == 4 for b in ballots)
        voter_of = {receipt: pk for pk, receipt in receipt_of.items()}
        in_id_order = [
            voter_of[b.receipt] for b in sorted(ballots, key=lambda b: b.pk.int) if not b.superseded
        ]
        participation_order = await database_sync_to_async(list)(
            Participation.objects.filter(poll_id=poll_id)
            .order_by("id")
            .values_list("delegate_id", flat=True)
        )
        assert sorted(participation_order) == sorted(voters)
        assert in_id_order != participation_order  # 1 chance in 10! to fail by accident

        # -- every row of every table ---------------------------------------------------------
        rows = await every_row()
        linking = [(m._meta.label, r) for m, r in rows if pairs_voter_and_ballot(r, secrets)]
        assert linking == []
        holding = {
            (m._meta.label, r.get("action"))
            for m, r in rows
            if mentions(r, secrets) or holds_a_choice(r)
        }
        # Receipts and choices live in the ballots; the one log entry of the close seals the
        # counted ballots into the session's hash chain: their receipts and the totals.
        assert holding == {("voting.Ballot", None), ("meeting.ActionLog", "poll.close")}
        receipts = [r for m, r in rows if m is CommandReceipt]
        assert {r["command_type"] for r in receipts} == {
            "poll.create",
            "poll.open",
            "poll.close",
            "poll.publish",
        }  # the console's commands are receipted; a ballot never is
        log = [r for m, r in rows if m is ActionLog and r["data"].get("poll") == poll_id]
        # The close's turnout (who was present, who took part) is an entry of its own.
        assert [r["action"] for r in log] == [
            "poll.create",
            "poll.open",
            "poll.close",
            "poll.turnout",
            "poll.publish",
        ]
        assert all(r["actor_delegate_id"] is None for r in log)
        assert not [
            r
            for r in log
            if r["action"] != "poll.close" and (mentions(r, secrets) or holds_a_choice(r))
        ]
        sealed = next(r for r in log if r["action"] == "poll.close")["data"]
        assert not names_a_delegate(sealed) and not holds_a_choice(sealed)
        assert "ballots" not in sealed  # no receipt next to its choice or its weight
        assert sealed["receipts"] == sorted(b.receipt for b in ballots if not b.superseded)
        assert sealed["counts"] == {
            c: sum(choice == c for choice in choice_of.values()) for c in CHOICES
        }

        # -- every frame published, and every frame each screen received ----------------------
        frames = [json.loads(item["text"]) for item in published]
        frames += [frame for s in screens for frame in s.frames]
        assert not [f for f in frames if f["type"] == "poll.voters"]
        assert not [f for f in frames if pairs_voter_and_ballot(f, secrets)]
        assert not [f for f in frames if holds_a_choice(f)]
        # A receipt reaches only its voter's own tablet, in the answer to the ballot.
        owner = {id(t): pk for pk, t in tablet_of.items()} | {id(again_tablet): changer.pk}
        issued = {pk: {receipt} for pk, receipt in receipt_of.items()}
        issued[changer.pk].add(superseded)
        for s in screens:
            seen = {secret for frame in s.frames for secret in mentions(frame, secrets)}
            assert seen <= issued.get(owner.get(id(s)), set())

        # -- the record for the minutes: totals, who took part, receipts; no pairing ---------
        record = await database_sync_to_async(selectors.poll_record)(poll)
        assert set(record) == {"poll", "participants", "assisted", "result", "receipts"}
        assert record["assisted"] == []  # every ballot here came from the voter's own tablet
        assert sorted(p["delegate_id"] for p in record["participants"]) == sorted(voters)
        assert record["receipts"] == sorted(receipt_of.values())
        assert record["result"]["ballots"] == len(voters)
        assert record["result"]["counts"] == {
            c: sum(choice == c for choice in choice_of.values()) for c in CHOICES
        }
        assert not [
            item for item in record["participants"] if set(item) != {"delegate_id", "full_name"}
        ]
        assert superseded not in json.dumps(record)
    finally:
        for s in screens:
            await s.close()


# -- service level: the notices of who has voted -------------------------------------------


@pytest.fixture
def chamber():
    return make_sitting(seats=6)


def _vote(chamber, kind: str) -> tuple[Poll, dict[int, str], dict[int, str]]:
    """Five of six vote; the choice and the receipt of each voter."""
    poll = services.poll_create(
        session_id=chamber.session.pk, title="Biểu quyết", actor=chamber.chair, kind=kind
    )
    services.poll_open(poll_id=poll.pk, actor=chamber.chair)
    choice_of, receipt_of = {}, {}
    for i, delegate in enumerate(chamber.delegates[:5]):
        choice_of[delegate.pk] = CHOICES[i % 3]
        receipt_of[delegate.pk] = ballot_cast(
            poll_id=poll.pk,
            delegate=delegate,
            choice=choice_of[delegate.pk],
            command_id=str(uuid.uuid4()),
        )["receipt"]
    return poll, choice_of, receipt_of


@pytest.mark.django_db
def test_who_has_voted_goes_to_the_console_for_named_polls_only(chamber, published):
    secret, _, _ = _vote(chamber, "secret")
    with published() as events:
        poll_progress_publish(poll_id=secret.pk)
    # The count, to the room's screens and to the tablets; nothing says who.
    assert [(e["type"], e["group"].rsplit(".", 1)[1]) for e in events] == [
        ("poll.progress", "room"),
        ("poll.progress", "tablets"),
    ]
    assert events[0]["data"] == {"poll_id": secret.pk, "voted": 5, "entitled": 6}
    poll_close(poll_id=secret.pk, actor=chamber.chair)

    named, _, _ = _vote(chamber, "named")
    with published() as events:
        poll_progress_publish(poll_id=named.pk)
    assert [e["type"] for e in events] == ["poll.progress", "poll.progress", "poll.voters"]
    assert events[2]["group"].endswith(".chair")
    assert events[2]["data"]["voted"] == [d.pk for d in chamber.delegates[:5]]


@pytest.mark.django_db
def test_the_record_of_a_named_poll_says_who_chose_what(chamber):
    poll, choice_of, _ = _vote(chamber, "named")
    poll_close(poll_id=poll.pk, actor=chamber.chair)
    record = selectors.poll_record(Poll.objects.get(pk=poll.pk))
    assert set(record) == {"poll", "participants", "assisted", "result", "choices"}
    names = {d.pk: d.full_name for d in chamber.delegates}
    assert record["choices"] == [
        {"delegate_id": pk, "full_name": names[pk], "choice": choice}
        for pk, choice in choice_of.items()
    ]
    assert record["result"]["counts"] == {"yes": 2, "no": 2, "abstain": 1}


@pytest.mark.django_db(transaction=True)  # each ballot commits on its own, as in the chamber
def test_the_row_headers_do_not_link_a_secret_ballot_to_its_voter(chamber):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL row headers")
    """While the poll is open, a ballot and its voter's Participation row share the ``xmin`` of
    the transaction that wrote both; closing rewrites the ballots in random order."""
    poll, _, receipt_of = _vote(chamber, "secret")
    poll_close(poll_id=poll.pk, actor=chamber.chair)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT xmin::text, receipt FROM voting_ballot WHERE poll_id = %s ORDER BY ctid",
            [poll.pk],
        )
        ballots = cursor.fetchall()
        cursor.execute(
            "SELECT xmin::text, delegate_id FROM voting_participation WHERE poll_id = %s "
            "ORDER BY ctid",
            [poll.pk],
        )
        participations = cursor.fetchall()
    voter_of_xmin = dict(participations)
    voter_of = {receipt: pk for pk, receipt in receipt_of.items()}
    paired_by_xmin = [r for xmin, r in ballots if voter_of_xmin.get(xmin) == voter_of[r]]
    paired_by_order = [voter_of[r] for _, r in ballots] == [pk for _, pk in participations]
    assert (paired_by_xmin, paired_by_order) == ([], False)


# -- the embedded default: SQLite keeps no order of voting either ----------------------------


@pytest.fixture
def hall(transactional_db):
    """Twelve delegates vote one after the other: 12! orders, one of them the voting order."""
    return make_sitting(seats=12)


def _sqlite_bytes() -> bytes:
    """The database file and its write-ahead log, as anyone copying them off the box has them."""
    name = connection.settings_dict["NAME"]
    content = b""
    for path in (name, f"{name}-wal"):
        try:
            with open(path, "rb") as file:
                content += file.read()
        except FileNotFoundError:
            pass
    return content


@pytest.mark.django_db(transaction=True)  # each ballot commits on its own, as in the chamber
def test_sqlite_keeps_no_order_of_voting(hall):
    """SQLite numbers rows (``rowid``) and lays them in its pages in the order they are
    inserted: a secret ballot's place would say when it was cast, next to the Participation row
    that says who voted then. Neither the row order nor the file may follow the voting order."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite: run by test_the_embedded_default_keeps_no_order_of_voting")
    poll = services.poll_create(
        session_id=hall.session.pk, title="Bầu Chủ tịch", actor=hall.chair, kind="secret"
    )
    services.poll_open(poll_id=poll.pk, actor=hall.chair)
    voted: list[str] = []
    for i, delegate in enumerate(hall.delegates):
        cast = ballot_cast(
            poll_id=poll.pk, delegate=delegate, choice=CHOICES[i % 3], command_id=str(uuid.uuid4())
        )
        voted.append(cast["receipt"])

    def in_row_order() -> list[str]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT receipt FROM voting_ballot WHERE poll_id = %s ORDER BY rowid", [poll.pk]
            )
            return [row[0] for row in cursor.fetchall()]

    assert sorted(in_row_order()) == sorted(voted)
    assert in_row_order() != voted  # already while the poll is open

    poll_close(poll_id=poll.pk, actor=hall.chair)
    assert in_row_order() not in (voted, voted[::-1])
    # The file: each ballot where its row (and its key's index entry) lies now, and nowhere
    # else — no page left over from the voting, in the database or its log.
    ids = {b.receipt: b.pk.hex for b in Ballot.objects.filter(poll=poll)}  # stored as 32 hex digits
    content = _sqlite_bytes()
    places = {
        receipt: [i for i in range(len(content)) if content.startswith(key.encode(), i)]
        for receipt, key in ids.items()
    }
    assert len({len(found) for found in places.values()}) == 1  # no ballot has a stale copy
    assert 1 <= len(places[voted[0]]) <= 2  # its row, and the primary key's index entry
    for nth in range(len(places[voted[0]])):
        on_disk = sorted(voted, key=lambda receipt: places[receipt][nth])
        assert on_disk not in (voted, voted[::-1])


def test_the_embedded_default_keeps_no_order_of_voting(tmp_path):
    """The test above, on SQLite (the suite runs on PostgreSQL), in a process of its own."""
    if connection.vendor == "sqlite":
        pytest.skip("already on SQLite")
    root = Path(__file__).resolve().parents[2]
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'chamber.sqlite3'}",
        "TEST_DB_NAME": str(tmp_path / "test.sqlite3"),
    }
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            f"{__file__}::test_sqlite_keeps_no_order_of_voting",
        ],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0 and "1 passed" in run.stdout, run.stdout[-3000:] + run.stderr
