"""The documents' socket commands: what the projector shows, a delegate's private notes.

Registered with realtime's registry (``realtime.registry.command``); documented in
docs/protocol.md.
"""

from __future__ import annotations

from documents import services as documents
from realtime.commands import Context, int_field, str_field
from realtime.registry import CHAIR, TABLET, command


@command(type="document.show", screens=[CHAIR])
def document_show(context: Context, data: dict) -> dict:
    presentation = documents.document_show(
        session_id=context.session_id,
        document_id=int_field(data, "document_id"),
        page=int_field(data, "page"),
        actor=context.actor,
    )
    return {"document_id": presentation.document_id, "page": presentation.page}


# Touches no shared row exclusively: notes are saved side by side in worker threads.
@command(type="note.save", screens=[TABLET], parallel=True)
def note_save(context: Context, data: dict) -> dict:
    note = documents.note_save(
        session_id=context.session_id,
        document_id=int_field(data, "document_id"),
        page=int_field(data, "page"),
        text=str_field(data, "text"),
        actor=context.actor,
    )
    return {"document_id": note.document_id, "page": note.page}
