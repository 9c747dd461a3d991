"""The events and notices of the floor: lists of speakers, turns, questions (realtime.events)."""

from realtime.events import To, event, notice
from realtime.schema import NUMBER, dict_of, list_of, nullable, obj

SPEAKER = obj(
    delegate_id=nullable(int),
    guest_id=nullable(int),
    name=str,
    seat=str,
    title=str,
    agency=str,
)
REPLY_TO = nullable(obj(turn_id=int, name=str))
# A request as it now is (an event's); a snapshot's line also gives each its place.
REQUEST = obj(
    id=int,
    kind=str,
    kind_label=str,
    status=str,
    rank=int,
    position=int,
    speaker=SPEAKER,
    reply_to=REPLY_TO,
    by_chair=bool,
)
# The requests that changed, never the whole line again (floor.selectors.list_change).
LIST_CHANGE = obj(
    agenda_item_id=int,
    closed=bool,
    requests=list_of(REQUEST),
    waiting_count=int,
    spoken=list_of(obj(turn_id=int, kind=str, name=str, delegate_id=nullable(int))),
    limits=dict_of(int),
)
TURN = obj(
    id=int,
    kind=str,
    kind_label=str,
    agenda_item_id=nullable(int),
    question_id=nullable(int),
    speaker=SPEAKER,
    reply_to=REPLY_TO,
    started_at=str,
    limit_seconds=int,
    added_seconds=int,
    paused=bool,
    elapsed_seconds=NUMBER,
    remaining_seconds=NUMBER,
    server_time=str,
)
QUESTION_FIELDS = dict(
    id=int,
    position=int,
    asker=SPEAKER,
    respondent=SPEAKER,
    text=str,
    on_paper=bool,
    status=str,
    status_label=str,
    due_date=nullable(str),
    answered_at=nullable(str),
)

event("floor.changed", data=obj(list=nullable(LIST_CHANGE), turn=nullable(TURN)))
event(
    "questions.changed",
    data=obj(
        order=str,
        ended=bool,
        questions=list_of(obj(**QUESTION_FIELDS)),
        call_order=list_of(int),
        respondents=list_of(SPEAKER),
    ),
)

notice(
    "written.answered",
    to=[To.DELEGATE, To.CHAIR],
    data=obj(**QUESTION_FIELDS, answer_text=str, answer_pdf_url=nullable(str)),
)
