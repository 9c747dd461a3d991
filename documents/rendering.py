"""Page images: rendered in worker processes, cached on disk by content hash.

A page image is named by the file's SHA-256, the width and the page number, so it never
changes once written: its URL can be cached for a year. Rendering runs in a process pool
(PyMuPDF is not thread-safe), first page first, in the background after an upload; a page
asked for before the background reached it is rendered at once.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

from django.conf import settings

from documents import render_worker

TABLET_WIDTH = 1280
WIDTHS = (240, 800, TABLET_WIDTH, 1920)  # thumbnails, phones, tablets, the projector
CHUNK = 16

_pools: dict[str, ProcessPoolExecutor] = {}


def _pool_named(name: str, workers: int) -> ProcessPoolExecutor:
    if name not in _pools:
        _pools[name] = ProcessPoolExecutor(
            max_workers=workers, mp_context=multiprocessing.get_context("spawn")
        )
    return _pools[name]


def pool() -> ProcessPoolExecutor:
    """Background rendering of whole documents."""
    return _pool_named("background", settings.CHAMBER_RENDER_PROCESSES)


def interactive_pool() -> ProcessPoolExecutor:
    """Pages someone is waiting for: never queued behind a 300-page background job."""
    return _pool_named("interactive", 1)


def pdf_path(sha256: str) -> Path:
    return Path(settings.MEDIA_ROOT) / "documents" / sha256[:2] / f"{sha256}.pdf"


def pages_dir(sha256: str, width: int) -> Path:
    return Path(settings.MEDIA_ROOT) / "pages" / sha256 / str(width)


def page_path(sha256: str, width: int, number: int) -> Path:
    return pages_dir(sha256, width) / f"{number}.png"


def render_in_background(sha256: str, page_count: int, width: int = TABLET_WIDTH) -> list[Future]:
    """Queue every page at tablet width: page 1 alone first, so it shows soonest."""
    source, out = str(pdf_path(sha256)), str(pages_dir(sha256, width))
    batches = [[1]] + [
        list(range(start, min(start + CHUNK, page_count + 1)))
        for start in range(2, page_count + 1, CHUNK)
    ]
    return [
        pool().submit(render_worker.render_pages, source, out, batch, width) for batch in batches
    ]


def ensure_rendered(sha256: str, number: int, width: int) -> Path:
    """The page's image, rendering it now if the background has not reached it yet."""
    target = page_path(sha256, width, number)
    if not target.exists():
        interactive_pool().submit(
            render_worker.render_pages,
            str(pdf_path(sha256)),
            str(pages_dir(sha256, width)),
            [number],
            width,
        ).result(timeout=settings.CHAMBER_RENDER_TIMEOUT_SECONDS)
    return target


def watermarked(sha256: str, number: int, width: int, lines: list[str]) -> bytes:
    return (
        interactive_pool()
        .submit(render_worker.render_watermarked, str(pdf_path(sha256)), number, width, lines)
        .result(timeout=settings.CHAMBER_RENDER_TIMEOUT_SECONDS)
    )


def rendered_count(sha256: str, width: int = TABLET_WIDTH) -> int:
    directory = pages_dir(sha256, width)
    if not directory.exists():
        return 0
    return sum(1 for entry in directory.iterdir() if entry.suffix == ".png")
