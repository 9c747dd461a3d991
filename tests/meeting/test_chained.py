"""The three chained logs share one entry hash, one append and one check (meeting.chained);
the hash is, byte for byte, the one each computed on its own before: records made earlier
still verify."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC

import pytest

from meeting import chain, council_log, services
from meeting.chained import GENESIS, ChainedEntry
from meeting.credentials import Device, credential_log, verify_credential_chain
from meeting.models import ActionLog, CouncilLog, CredentialLog
from realtime.actors import Actor
from tests.factories import make_council, make_session, make_staff

pytestmark = pytest.mark.django_db


def _digest(content: dict) -> str:
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _at(entry) -> str:
    return entry.at.astimezone(UTC).isoformat(timespec="microseconds")


# The hashes as each log computed them before they shared one (meeting.chain.entry_hash,
# meeting.credentials._hash, meeting.council_log.entry_hash), kept here as written then.
def session_hash_then(entry: ActionLog) -> str:
    return _digest(
        {
            "previous": entry.previous_hash,
            "session": entry.session_id,
            "at": _at(entry),
            "action": entry.action,
            "actor_user": entry.actor_user_id,
            "actor_delegate": entry.actor_delegate_id,
            "data": entry.data,
        }
    )


def credential_hash_then(entry: CredentialLog) -> str:
    return _digest(
        {
            "previous": entry.previous_hash,
            "council": entry.council_id,
            "at": _at(entry),
            "action": entry.action,
            "actor_user": entry.actor_user_id,
            "delegate": entry.delegate_id,
            "device": entry.device,
            "data": entry.data,
        }
    )


def council_hash_then(entry: CouncilLog) -> str:
    return _digest(
        {
            "previous": entry.previous_hash,
            "council": entry.council_id,
            "at": _at(entry),
            "action": entry.action,
            "actor_user": entry.actor_user_id,
            "data": entry.data,
        }
    )


def _linked(entries: list) -> bool:
    previous = GENESIS
    for entry in entries:
        if entry.previous_hash != previous:
            return False
        previous = entry.hash
    return True


def test_every_log_is_a_chained_entry():
    assert all(issubclass(m, ChainedEntry) for m in (ActionLog, CredentialLog, CouncilLog))


def test_each_log_hashes_as_it_did_before_they_shared_one():
    council = make_council(seats=3)
    session = make_session(council=council)
    clerk = make_staff(role="clerk", council=council)
    delegate = council.delegates.first()
    for status in ("present", "excused"):
        services.attendance_set(
            session_id=session.pk,
            delegate_id=delegate.pk,
            status=status,
            actor=Actor(user=clerk),
        )
    chain.append(session_id=session.pk, action="note", actor=Actor(delegate=delegate), n="ư")
    device = Device(id="d" * 32, ip="10.0.0.7", user_agent="Máy tính bảng")
    credential_log(council_id=council.pk, action="badge.sheet", user=clerk, device=device)
    credential_log(council_id=council.pk, action="badge.signin", delegate=delegate, device=device)
    for _ in range(2):
        council_log.append(
            council_id=council.pk, action="petition.create", actor=Actor(user=clerk), text="Đê"
        )

    for model, then, scope in (
        (ActionLog, session_hash_then, {"session": session}),
        (CredentialLog, credential_hash_then, {"council": council}),
        (CouncilLog, council_hash_then, {"council": council}),
    ):
        entries = list(model.objects.filter(**scope).order_by("id"))
        assert len(entries) >= 2, model
        assert _linked(entries), model
        assert [then(e) for e in entries] == [e.hash for e in entries], model
    assert entries[0].actor_user_id == clerk.pk
    assert chain.verify_chain(session.pk) == []
    assert verify_credential_chain(council.pk) == []
    assert council_log.verify_council_log(council.pk) == []


def test_entries_appended_together_chain_as_one_by_one_and_verify():
    council = make_council(seats=3)
    session = make_session(council=council)
    clerk = make_staff(role="clerk", council=council)
    delegates = list(council.delegates.all())
    chain.append(session_id=session.pk, action="before", actor=Actor(user=clerk))
    together = chain.append_many(
        session_id=session.pk,
        entries=[("together", Actor(delegate=d), {"delegate": d.pk, "n": "ư"}) for d in delegates],
    )
    chain.append(session_id=session.pk, action="after", actor=Actor(user=clerk))
    CouncilLog.append_entries(
        scope_id=council.pk,
        entries=[{"action": "petition.create", "user": clerk, "data": {"n": n}} for n in range(3)],
    )
    council_log.append(council_id=council.pk, action="after", actor=Actor(user=clerk))

    entries = list(ActionLog.objects.filter(session=session).order_by("id"))
    assert [e.action for e in entries] == ["before", "together", "together", "together", "after"]
    assert [e.pk for e in entries[1:4]] == [e.pk for e in together]
    assert _linked(entries)
    assert [session_hash_then(e) for e in entries] == [e.hash for e in entries]
    assert [e.actor_delegate_id for e in entries[1:4]] == [d.pk for d in delegates]
    session.refresh_from_db()
    assert (session.log_count, session.log_head) == (5, entries[-1].hash)
    assert chain.verify_chain(session.pk) == []
    council_entries = list(CouncilLog.objects.filter(council=council).order_by("id"))
    assert len(council_entries) == 4 and _linked(council_entries)
    assert [council_hash_then(e) for e in council_entries] == [e.hash for e in council_entries]
    assert council_log.verify_council_log(council.pk) == []
