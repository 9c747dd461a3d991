"""`chamber verify-record`: a record edited behind the application's back is named exactly.

Each test edits the database with raw SQL, as someone with database access would, and checks
the command's report line by line: which poll, which ballot (by its receipt's prefix), which
choice changed from what to what, which counts differ — and that it exits non-zero.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from meeting.models import ActionLog, Attendance, Session
from tests.record.sitting import EXCUSE, make_sitting
from tests.servers import database_url
from voting import services as voting
from voting.ballots import ballot_cast
from voting.counting import poll_close
from voting.models import Ballot, PollResult
from voting.secrecy import ballots_digest

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def verify(session) -> tuple[list[str], str]:
    """The FAIL lines and the error of a record that does not verify."""
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("verify-record", str(session.pk), stdout=out, stderr=err)
    assert out.getvalue() == ""
    return err.getvalue().splitlines(), str(failed.value)


def sql(statement: str, params: list) -> int:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.rowcount


def label(poll) -> str:
    return f"poll {poll.pk} «{poll.title}»"


def test_an_untouched_record_verifies_with_its_final_hash(sitting):
    out, err = io.StringIO(), io.StringIO()
    call_command("verify-record", str(sitting.session.pk), stdout=out, stderr=err)
    session = sitting.session
    assert out.getvalue() == (
        f"OK session {session.pk} «{session.title}»: final hash {session.log_head}\n"
    )
    assert err.getvalue() == ""


def test_an_unknown_session_is_an_error(db):
    with pytest.raises(CommandError, match="no session 999999"):
        call_command("verify-record", "999999")


def test_a_named_ballot_changed_in_sql_is_named_with_its_choices(sitting):
    poll, receipt = sitting.budget, sitting.receipts[sitting.budget.pk][0]  # chose "yes"
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_typeof(choice)::text FROM voting_ballot LIMIT 1")
        assert cursor.fetchone() == ("jsonb",)
    assert (
        sql(
            "UPDATE voting_ballot SET choice = '\"no\"' WHERE poll_id = %s AND receipt = %s",
            [poll.pk, receipt],
        )
        == 1
    )
    assert Ballot.objects.get(poll=poll, receipt=receipt).choice == "no"  # jsonb round trip
    problems, error = verify(sitting.session)
    assert problems == [
        f"FAIL {label(poll)}: ballot {receipt[:10]} was changed: choice 'yes' → 'no'",
        f"FAIL {label(poll)}: the stored ballots no longer match the digest taken at close",
        f"FAIL {label(poll)}: result says no=1, the ballots give no=2",
        f"FAIL {label(poll)}: result says yes=4, the ballots give yes=3",
        f"FAIL {label(poll)}: result says passed, the rules and ballots say failed",
    ]
    assert error == f"session {sitting.session.pk}: 5 problem(s) in the record"


def test_a_secret_ballot_changed_in_sql_is_found_by_the_digest_and_the_recount(sitting):
    """The chain keeps a secret poll's receipts and totals, never a receipt's choice: the
    changed ballot is not named, the change is."""
    poll, receipt = sitting.oversight, sitting.receipts[sitting.oversight.pk][1]  # chose "yes"
    sql(
        "UPDATE voting_ballot SET choice = '\"no\"' WHERE poll_id = %s AND receipt = %s",
        [poll.pk, receipt],
    )
    problems, _error = verify(sitting.session)
    assert problems == [
        f"FAIL {label(poll)}: the stored ballots no longer match the digest taken at close",
        f"FAIL {label(poll)}: result says no=3, the ballots give no=4",
        f"FAIL {label(poll)}: result says yes=2, the ballots give yes=1",
    ]


def test_an_election_ballot_changed_in_sql_changes_who_is_elected(sitting):
    poll, receipt = sitting.election, sitting.receipts[sitting.election.pk][0]  # chose 1 and 2
    sql(
        "UPDATE voting_ballot SET choice = '[\"3\"]' WHERE poll_id = %s AND receipt = %s",
        [poll.pk, receipt],
    )
    assert Ballot.objects.get(poll=poll, receipt=receipt).choice == ["3"]
    problems, _error = verify(sitting.session)
    assert problems == [
        f"FAIL {label(poll)}: the stored ballots no longer match the digest taken at close",
        f"FAIL {label(poll)}: result says 1=4, the ballots give 1=3",
        f"FAIL {label(poll)}: result says 2=3, the ballots give 2=2",
        f"FAIL {label(poll)}: result says 3=1, the ballots give 3=2",
        f"FAIL {label(poll)}: result says option 1 «Lê Thị Thu Hằng» elected, "
        f"the rules and ballots say not elected",
        f"FAIL {label(poll)}: result says passed, the rules and ballots say failed",
    ]


def test_a_stored_result_whose_counts_were_edited_is_named(sitting):
    poll = sitting.budget
    sql(
        "UPDATE voting_pollresult SET counts = %s WHERE poll_id = %s",
        [json.dumps({"yes": 3, "no": 2, "abstain": 1}), poll.pk],
    )
    problems, error = verify(sitting.session)
    assert problems == [
        f"FAIL {label(poll)}: result says no=2, the ballots give no=1",
        f"FAIL {label(poll)}: result says yes=3, the ballots give yes=4",
    ]
    assert error.endswith(": 2 problem(s) in the record")


def test_a_flipped_verdict_is_named(sitting):
    sql("UPDATE voting_pollresult SET passed = false WHERE poll_id = %s", [sitting.budget.pk])
    problems, _error = verify(sitting.session)
    assert problems == [
        f"FAIL {label(sitting.budget)}: result says failed, the rules and ballots say passed"
    ]


def test_a_flipped_election_result_is_named(sitting):
    poll = sitting.election
    sql(
        "UPDATE voting_pollresult SET elected = %s WHERE poll_id = %s",
        [json.dumps({"1": False, "2": True, "3": False}), poll.pk],
    )
    problems, _error = verify(sitting.session)
    assert problems == [
        f"FAIL {label(poll)}: result says option 1 «Lê Thị Thu Hằng» not elected, "
        f"the rules and ballots say elected",
        f"FAIL {label(poll)}: result says option 2 «Đoàn Văn Lực» elected, "
        f"the rules and ballots say not elected",
    ]


def test_a_deleted_ballot_is_named(sitting):
    poll, receipt = sitting.budget, sitting.receipts[sitting.budget.pk][4]  # chose "no"
    assert (
        sql("DELETE FROM voting_ballot WHERE poll_id = %s AND receipt = %s", [poll.pk, receipt])
        == 1
    )
    problems, _error = verify(sitting.session)
    assert problems == [
        f"FAIL {label(poll)}: ballot {receipt[:10]} counted at close is missing now",
        f"FAIL {label(poll)}: the stored ballots no longer match the digest taken at close",
        f"FAIL {label(poll)}: result says no=1, the ballots give no=0",
        f"FAIL {label(poll)}: result says 6 ballots, 5 are stored",
    ]


def test_a_ballot_slipped_in_after_the_close_is_named(sitting):
    poll, receipt = sitting.oversight, "f" * 20
    sql(
        "INSERT INTO voting_ballot (id, poll_id, delegate_id, choice, weight, receipt, superseded)"
        " VALUES (%s, %s, NULL, '\"yes\"', 1, %s, false)",
        [uuid.uuid4(), poll.pk, receipt],
    )
    problems, _error = verify(sitting.session)
    assert problems == [
        f"FAIL {label(poll)}: ballot ffffffffff was added after the close",
        f"FAIL {label(poll)}: the stored ballots no longer match the digest taken at close",
        f"FAIL {label(poll)}: result says yes=2, the ballots give yes=3",
        f"FAIL {label(poll)}: result says 6 ballots, 7 are stored",
    ]


def test_an_edited_log_entry_is_named(sitting):
    entry = ActionLog.objects.get(
        session=sitting.session, action="attendance.set", data__status="excused"
    )
    sql(
        "UPDATE meeting_actionlog SET data = jsonb_set(data, '{status}', '\"absent\"') "
        "WHERE id = %s",
        [entry.pk],
    )
    problems, _error = verify(sitting.session)
    excused = sitting.delegates[6]
    assert problems == [
        f"FAIL log entry {entry.pk} (attendance.set) was altered: its content no longer matches "
        f"its hash",
        # The altered entry and the table now disagree: named too.
        f"FAIL attendance of delegate {excused.pk} «{excused.full_name}» was changed: the table "
        f"says 'excused' ({EXCUSE}), the chain says 'absent' ({EXCUSE})",
    ]


def test_a_deleted_log_entry_is_named(sitting):
    entry = ActionLog.objects.get(
        session=sitting.session, action="poll.open", data__poll=sitting.school.pk
    )
    following = ActionLog.objects.filter(session=sitting.session, id__gt=entry.pk).order_by("id")[0]
    count = ActionLog.objects.filter(session=sitting.session).count()
    sql("DELETE FROM meeting_actionlog WHERE id = %s", [entry.pk])
    problems, _error = verify(sitting.session)
    head = sitting.session.log_head
    assert problems == [
        f"FAIL log entry {following.pk} ({following.action}): it does not follow the entry "
        f"before it (an entry was removed, inserted or reordered)",
        f"FAIL the session counts {count} log entries, the chain has {count - 1}",
        f"FAIL the chain ({count - 1} entries, final hash {head[:16]}…) is not the one sealed at "
        f"the close: entries were removed from its end or rewritten",
        f"FAIL {label(sitting.school)}: no opening entry in the log",
    ]


def test_a_forgery_consistent_everywhere_but_the_chain_is_still_caught(sitting):
    """Ballot, result, digest and the close entry all agree on the forged choice: only the
    chain's hashes tell."""
    poll, receipt = sitting.budget, sitting.receipts[sitting.budget.pk][5]  # chose "abstain"
    sql(
        "UPDATE voting_ballot SET choice = '\"yes\"' WHERE poll_id = %s AND receipt = %s",
        [poll.pk, receipt],
    )
    digest = ballots_digest(list(Ballot.objects.filter(poll=poll, superseded=False)))
    counts = {"yes": 5, "no": 1, "abstain": 0}
    sql(
        "UPDATE voting_pollresult SET counts = %s, digest = %s WHERE poll_id = %s",
        [json.dumps(counts), digest, poll.pk],
    )
    closing = ActionLog.objects.get(
        session=sitting.session, action="poll.close", data__poll=poll.pk
    )
    data = closing.data
    data["ballots"] = [
        [r, "yes" if r == receipt else choice, *rest] for r, choice, *rest in data["ballots"]
    ]
    data.update(counts=counts, digest=digest)
    sql("UPDATE meeting_actionlog SET data = %s WHERE id = %s", [json.dumps(data), closing.pk])
    assert PollResult.objects.get(poll=poll).passed  # the verdict did not change: 5 of 7
    problems, _error = verify(sitting.session)
    assert problems == [
        f"FAIL log entry {closing.pk} (poll.close) was altered: its content no longer matches "
        f"its hash"
    ]


def test_a_tie_decided_by_the_chairs_casting_vote_is_recounted_from_their_ballot(db):
    sitting = make_sitting(close=False)
    chair, delegates = sitting.chair, sitting.delegates
    poll = voting.poll_create(
        session_id=sitting.session.pk,
        title="Thông qua phương án sắp xếp trụ sở",
        actor=chair,
        base="cast",
        tie_rule="casting_vote",
        casting_delegate_id=delegates[0].pk,
    )
    voting.poll_open(poll_id=poll.pk, actor=chair)
    receipts = [
        ballot_cast(
            poll_id=poll.pk, delegate=delegate, choice=choice, command_id=str(uuid.uuid4())
        )["receipt"]
        for delegate, choice in zip(delegates, ["yes", "yes", "no", "no"], strict=False)
    ]
    result = poll_close(poll_id=poll.pk, actor=chair)
    assert result.passed and result.detail["decided_by_casting_vote"]
    call_command("verify-record", str(sitting.session.pk), stdout=io.StringIO())

    sql("UPDATE voting_ballot SET choice = '\"no\"' WHERE receipt = %s", [receipts[0]])
    problems, _error = verify(sitting.session)
    assert problems == [
        f"FAIL {label(poll)}: ballot {receipts[0][:10]} was changed: choice 'yes' → 'no'",
        f"FAIL {label(poll)}: the stored ballots no longer match the digest taken at close",
        f"FAIL {label(poll)}: result says no=2, the ballots give no=3",
        f"FAIL {label(poll)}: result says yes=2, the ballots give yes=1",
        f"FAIL {label(poll)}: result says passed, the rules and ballots say failed",
    ]


@pytest.mark.django_db(transaction=True)
def test_the_command_line_exits_zero_for_a_sound_record_and_one_for_a_changed_one():
    sitting = make_sitting()
    session = sitting.session
    env = {**os.environ, "DATABASE_URL": database_url()}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    # chamber.cli.main is what the installed `chamber` script runs. It is started with -m from
    # the repository, since the editable install's package list (pyproject.toml) lacks `record`.
    command = [sys.executable, "-m", "chamber.cli", "verify-record", str(session.pk)]

    sound = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert sound.returncode == 0, sound.stderr
    assert (
        sound.stdout
        == f"OK session {session.pk} «{session.title}»: final hash {session.log_head}\n"
    )

    receipt = sitting.receipts[sitting.budget.pk][4]  # chose "no"
    sql(
        "UPDATE voting_ballot SET choice = '\"yes\"' WHERE poll_id = %s AND receipt = %s",
        [sitting.budget.pk, receipt],
    )
    changed = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert changed.returncode == 1
    assert changed.stdout == ""
    assert (
        f"FAIL {label(sitting.budget)}: ballot {receipt[:10]} was changed: "
        f"choice 'no' → 'yes'\n" in changed.stderr
    )
    assert f"CommandError: session {session.pk}: 4 problem(s) in the record" in changed.stderr


# -- tampering that changes what the minutes print, each named (issue 9 §6) -------------------


def test_swapping_the_voters_of_two_named_ballots_is_named(sitting):
    poll = sitting.budget  # delegate 0 voted yes, delegate 4 voted no
    first, fifth = sitting.delegates[0], sitting.delegates[4]
    yes, no = sitting.receipts[poll.pk][0], sitting.receipts[poll.pk][4]
    # Through NULL: the database allows one current named ballot per delegate at any moment.
    swap = "UPDATE voting_ballot SET delegate_id = %s WHERE poll_id = %s AND receipt = %s"
    sql(swap, [None, poll.pk, yes])
    sql(swap, [first.pk, poll.pk, no])
    sql(swap, [fifth.pk, poll.pk, yes])
    problems, _error = verify(sitting.session)
    assert sorted(problems) == sorted(
        [
            f"FAIL {label(poll)}: ballot {yes[:10]} was changed: voter {first.pk} "
            f"«{first.full_name}» → {fifth.pk} «{fifth.full_name}»",
            f"FAIL {label(poll)}: ballot {no[:10]} was changed: voter {fifth.pk} "
            f"«{fifth.full_name}» → {first.pk} «{first.full_name}»",
        ]
    )


def test_a_result_forged_consistently_is_named(sitting):
    """The secret oversight vote failed (2 of 7); every field of its result is made to agree
    with a pass on a base of those present."""
    poll = sitting.oversight
    sql(
        "UPDATE voting_pollresult SET passed = true, required = 2, base = 3, seats = 3, "
        "present = 3 WHERE poll_id = %s",
        [poll.pk],
    )
    problems, _error = verify(sitting.session)
    assert problems == [
        f"FAIL {label(poll)}: result says seats=3, the chain's rules and attendance give seats=7",
        f"FAIL {label(poll)}: result says present=3, the chain's rules and attendance give "
        f"present=6",
        f"FAIL {label(poll)}: result says base=3, the chain's rules and attendance give base=7",
        f"FAIL {label(poll)}: result says required=2, the chain's rules and attendance give "
        f"required=4",
        f"FAIL {label(poll)}: result says passed, the rules and ballots say failed",
    ]


def test_only_the_required_number_changed_is_named(sitting):
    sql("UPDATE voting_pollresult SET required = 3 WHERE poll_id = %s", [sitting.oversight.pk])
    problems, _error = verify(sitting.session)
    assert problems == [
        f"FAIL {label(sitting.oversight)}: result says required=3, the chain's rules and "
        f"attendance give required=4"
    ]


def test_only_the_number_present_changed_is_named(sitting):
    sql("UPDATE voting_pollresult SET present = 7 WHERE poll_id = %s", [sitting.budget.pk])
    problems, _error = verify(sitting.session)
    assert problems == [
        f"FAIL {label(sitting.budget)}: result says present=7, the chain's rules and attendance "
        f"give present=6"
    ]


def test_a_rule_changed_after_the_fact_is_named(sitting):
    poll = sitting.oversight
    sql("UPDATE voting_poll SET base = 'cast' WHERE id = %s", [poll.pk])
    problems, _error = verify(sitting.session)
    assert problems == [
        f"FAIL {label(poll)}: its rule was changed after it opened: base 'seats' → 'cast'"
    ]


def test_a_changed_attendance_row_is_named(sitting):
    excused = sitting.delegates[6]
    assert (
        sql(
            "UPDATE meeting_attendance SET status = 'present', reason = '' "
            "WHERE session_id = %s AND delegate_id = %s",
            [sitting.session.pk, excused.pk],
        )
        == 1
    )
    assert Attendance.objects.get(session=sitting.session, delegate=excused).status == "present"
    problems, _error = verify(sitting.session)
    assert problems == [
        f"FAIL attendance of delegate {excused.pk} «{excused.full_name}» was changed: the table "
        f"says 'present', the chain says 'excused' ({EXCUSE})"
    ]


def test_a_deleted_participation_row_is_named(sitting):
    poll, voter = sitting.election, sitting.delegates[2]
    assert (
        sql(
            "DELETE FROM voting_participation WHERE poll_id = %s AND delegate_id = %s",
            [poll.pk, voter.pk],
        )
        == 1
    )
    problems, _error = verify(sitting.session)
    assert problems == [
        f"FAIL {label(poll)}: the participation of delegate {voter.pk} «{voter.full_name}» "
        f"recorded at close is missing now"
    ]


def test_the_chain_cut_short_with_its_head_moved_back_is_named(sitting):
    """The close and the entries before it removed, the head and the count moved back: the
    chain verifies by its hashes, but not against the seal made at the close."""
    session = sitting.session
    entries = list(ActionLog.objects.filter(session=session).order_by("id"))
    keep = entries[:-4]
    sql(
        "DELETE FROM meeting_actionlog WHERE id > %s AND session_id = %s", [keep[-1].pk, session.pk]
    )
    sql(
        "UPDATE meeting_session SET log_head = %s, log_count = %s WHERE id = %s",
        [keep[-1].hash, len(keep), session.pk],
    )
    assert Session.objects.get(pk=session.pk).log_head == keep[-1].hash
    problems, _error = verify(session)
    assert problems[:2] == [
        "FAIL the session is closed but its chain does not end with its close",
        f"FAIL the chain ({len(keep)} entries, final hash {keep[-1].hash[:16]}…) is not the one "
        f"sealed at the close: entries were removed from its end or rewritten",
    ]


def test_the_final_hash_printed_on_the_signed_minutes_is_checked(sitting):
    session = sitting.session
    out = io.StringIO()
    call_command("verify-record", str(session.pk), f"--final-hash={session.log_head}", stdout=out)
    assert out.getvalue().startswith(f"OK session {session.pk}")
    printed = "ab" * 32
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "verify-record", str(session.pk), f"--final-hash={printed}", stdout=out, stderr=err
        )
    assert err.getvalue().splitlines() == [
        f"FAIL the chain ends with {session.log_head[:16]}…, not with the final hash printed on "
        f"the signed minutes ({printed[:16]}…)"
    ]


def test_a_cancelled_polls_reason_rewritten_is_named(sitting):
    poll = sitting.cancelled
    sql("UPDATE voting_poll SET cancel_reason = %s WHERE id = %s", ["Đại biểu đổi ý", poll.pk])
    problems, _error = verify(sitting.session)
    assert problems == [
        f"FAIL {label(poll)}: cancel_reason is 'Đại biểu đổi ý' in the tables, "
        f"'Hệ thống gặp sự cố kỹ thuật' in the chain"
    ]
