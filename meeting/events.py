"""The events and notices of sittings, attendance and credentials (realtime.events).

docs/protocol.md documents each of them; a test holds the two together.
"""

from meeting.models import Attendance, Session
from realtime.events import To, event, notice
from realtime.schema import EMPTY, nullable, obj, one_of

SESSION = obj(
    id=int,
    number=int,
    title=str,
    status=one_of(*Session.Status.values),
    status_label=str,
    current_item_id=nullable(int),
    chair_name=str,
    secretary_name=str,
)
ATTENDANCE_SUMMARY = obj(present=int, seats=int, required=int, quorate=bool)
ATTENDANCE_STATUS = one_of(*Attendance.Status.values)

event("session.changed", data=SESSION)
event("agenda.current", data=obj(current_item_id=nullable(int)))
# Counts are in every snapshot's per-viewer part: a check-in leaves the shared parts as built.
event("attendance.summary", data=ATTENDANCE_SUMMARY, shared=False)

notice(
    "attendance.changed",
    to=[To.CHAIR],
    data=obj(delegate_id=int, status=ATTENDANCE_STATUS, by_staff=bool, summary=ATTENDANCE_SUMMARY),
)
notice("attendance.mine", to=[To.DELEGATE], data=obj(status=ATTENDANCE_STATUS))
notice("roster.presence", to=[To.CHAIR], data=obj(delegate_id=int, connected=bool))
notice(
    "badge.second_device",
    to=[To.CHAIR, To.DELEGATE],
    data=obj(delegate_id=int, full_name=str, seat_label=str, at=str, ip=nullable(str), message=str),
)
# Sent before the sockets close (meeting.revocation): no session, no seq.
notice("badge.revoked", to=[To.DELEGATE], data=EMPTY)
notice("auth.revoked", to=[To.USER, To.LOGIN], data=EMPTY)
