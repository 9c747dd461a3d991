"""Run the intake of one PDF (open, check, read its text) in a process of its own.

Never in the web process: a hostile PDF could hold its GIL for seconds and its memory for
good. The process is forked from a fork server that holds nothing but PyMuPDF (started once,
fresh: no copy of the web process's state or threads), capped in memory, given
``CHAMBER_INTAKE_TIMEOUT_SECONDS`` to answer and killed if it has not.
"""

from __future__ import annotations

import multiprocessing

from django.conf import settings

from documents import intake_worker

# Pages outside these bounds are refused at intake: no screen shows them, and rendering one
# at projector width would cost gigabytes (a 200 × 14,400 pt page).
MIN_PAGE_POINTS = 72.0  # one inch
MAX_PAGE_POINTS = 5000.0  # about 1.76 m: larger than A0 (3,370 pt)
MAX_PAGE_ASPECT = 8.0  # a long fold-out table, not a ribbon


def limits() -> intake_worker.Limits:
    return intake_worker.Limits(
        max_pages=settings.CHAMBER_MAX_PDF_PAGES,
        max_page_chars=settings.CHAMBER_MAX_PAGE_TEXT_CHARS,
        max_text_chars=settings.CHAMBER_MAX_PDF_TEXT_CHARS,
        min_page_points=MIN_PAGE_POINTS,
        max_page_points=MAX_PAGE_POINTS,
        max_aspect=MAX_PAGE_ASPECT,
    )


def inspect_file(pdf_path: str) -> dict:
    """The intake process's answer for this file: ``{"page_count", "texts"}`` or
    ``{"refused": code, ...}``; ``document.intake_timeout`` if it took too long,
    ``document.too_complex`` if it died (out of memory)."""
    context = multiprocessing.get_context("forkserver")
    # Forked with PyMuPDF already imported: ~20 ms instead of a second per file.
    context.set_forkserver_preload(["documents.intake_worker"])
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(
        target=intake_worker.run,
        args=(sender, pdf_path, limits(), settings.CHAMBER_WORKER_MEMORY_MB),
        name="chamber-intake",
        daemon=True,
    )
    process.start()
    sender.close()  # ours is the reading end: EOF as soon as the process is gone
    try:
        if not receiver.poll(settings.CHAMBER_INTAKE_TIMEOUT_SECONDS):
            return {"refused": "document.intake_timeout"}
        try:
            return receiver.recv()
        except EOFError:
            return {"refused": "document.too_complex"}
    finally:
        receiver.close()
        if process.is_alive():
            process.kill()
        process.join(timeout=10)
