"""Signed PDFs and reports through the documents intake, written with the caller's rows."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.db import transaction

from documents.models import StoredFile
from documents.services import (
    InspectedPdf,
    inspect_pdf,
    stored_file_discard,
    stored_file_save,
)


def inspected(data: bytes | None, checked: InspectedPdf | None = None) -> InspectedPdf | None:
    """Check the PDF before any transaction (the intake runs in a process of its own); a
    refused file raises its ``document.*`` ServiceError and nothing is written. ``checked``:
    the view already ran the intake in a thread of its own (never in the shared one)."""
    if not data:
        return None
    return checked or inspect_pdf(data)


@contextmanager
def atomic_with_pdf(
    data: bytes | None, checked: InspectedPdf | None
) -> Iterator[Callable[[], StoredFile | None]]:
    """``with atomic_with_pdf(data, checked) as keep:`` — a transaction in which ``keep()``
    stores the PDF (or gives None without one); a file this call wrote goes if it rolls back."""
    wrote: list[InspectedPdf] = []

    def keep() -> StoredFile | None:
        if checked is None:
            return None
        stored, new = stored_file_save(data=data, inspected=checked)
        if new:
            wrote.append(checked)
        return stored

    try:
        with transaction.atomic():
            yield keep
    except BaseException:
        for written in wrote:
            stored_file_discard(written)
        raise
