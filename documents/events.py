"""The events and notices of session documents (realtime.events)."""

from documents.models import Document
from realtime.events import To, event, notice
from realtime.schema import nullable, obj, one_of

DOCUMENT = obj(
    id=int,
    title=str,
    access=one_of(*Document.Access.values),
    agenda_item_id=nullable(int),
    pages=int,
    pages_url=str,
    pdf_url=nullable(str),
)

event("document.added", data=obj(document=DOCUMENT))
# Also sent by meeting (presentation_take_down) with nulls, when something else takes the room.
event("document.shown", data=obj(document=nullable(DOCUMENT), page=nullable(int)))

notice("note.saved", to=[To.DELEGATE], data=obj(document_id=int, page=int, text=str))
