"""Page images: rendered in worker processes, cached on disk by content hash.

A page image is named by the file's SHA-256, the width and the page number, so it never
changes once written: its URL can be cached for a year. Rendering runs in a process pool
(PyMuPDF is not thread-safe), first page first, in the background after an upload; a page
asked for before the background reached it is rendered at once. Every image has at most
``CHAMBER_MAX_PAGE_PIXELS`` pixels, every render process at most ``CHAMBER_WORKER_MEMORY_MB``
of memory, and a pool whose process died, ran out of memory or hung is replaced.
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from django.conf import settings

from documents import intake_worker, render_worker

logger = logging.getLogger(__name__)

TABLET_WIDTH = 1280
WIDTHS = (240, 800, TABLET_WIDTH, 1920)  # thumbnails, phones, tablets, the projector
CHUNK = 16

_pools: dict[str, ProcessPoolExecutor] = {}
_pools_lock = threading.Lock()


class RenderFailed(Exception):
    """The page could not be rendered (its process died, ran out of memory or hung)."""


def _pool_named(name: str, workers: int) -> ProcessPoolExecutor:
    """The named pool; a pool whose process died is replaced here, never handed out."""
    with _pools_lock:
        executor = _pools.get(name)
        if executor is not None and executor._broken:  # a worker died: the pool is useless
            executor.shutdown(wait=False, cancel_futures=True)
            executor = None
        if executor is None:
            executor = _pools[name] = ProcessPoolExecutor(
                max_workers=workers,
                mp_context=multiprocessing.get_context("spawn"),
                # Each render process is capped in memory: a page past the cap fails alone.
                initializer=intake_worker.limit_memory,
                initargs=(settings.CHAMBER_WORKER_MEMORY_MB,),
            )
        return executor


def _discard(name: str, executor: ProcessPoolExecutor, *, kill: bool) -> None:
    """Take a pool out of service (the next call starts a new one); ``kill`` its processes
    when one of them hangs."""
    with _pools_lock:
        if _pools.get(name) is executor:
            del _pools[name]
    if kill:
        for process in list((executor._processes or {}).values()):
            process.kill()
    executor.shutdown(wait=False, cancel_futures=True)


def shutdown_pools() -> None:
    for name, executor in list(_pools.items()):
        _discard(name, executor, kill=False)


def pool() -> ProcessPoolExecutor:
    """Background rendering of whole documents."""
    return _pool_named("background", settings.CHAMBER_RENDER_PROCESSES)


def interactive_pool() -> ProcessPoolExecutor:
    """Pages someone is waiting for: never queued behind a 300-page background job."""
    return _pool_named("interactive", 1)


def _out_of_memory(error: BaseException) -> bool:
    return isinstance(error, MemoryError) or "memory" in str(error).lower()


def _interactive(function, *args):
    """Run a job someone waits for. A process that died, ran out of memory or hung is
    replaced by a new pool; the job is tried once more if its process died under it (another
    job may have killed it), else it fails with RenderFailed."""
    for attempt in (1, 2):
        executor = interactive_pool()
        try:
            return executor.submit(function, *args).result(
                timeout=settings.CHAMBER_RENDER_TIMEOUT_SECONDS
            )
        except BrokenProcessPool as error:
            _discard("interactive", executor, kill=False)
            if attempt == 2:
                raise RenderFailed("the render process died") from error
        except FutureTimeout as error:
            _discard("interactive", executor, kill=True)
            raise RenderFailed("the render process hung") from error
        except Exception as error:
            if _out_of_memory(error):
                _discard("interactive", executor, kill=True)
            logger.warning("rendering failed: %s", error)
            raise RenderFailed(str(error)) from error
    raise AssertionError("unreachable")


def _watch_background(executor: ProcessPoolExecutor, job: Future) -> None:
    error = None if job.cancelled() else job.exception()
    if error is not None:
        logger.warning("background rendering failed: %s", error)
        if isinstance(error, BrokenProcessPool) or _out_of_memory(error):
            _discard("background", executor, kill=True)


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
    executor = pool()
    jobs = [
        executor.submit(
            render_worker.render_pages, source, out, batch, width, settings.CHAMBER_MAX_PAGE_PIXELS
        )
        for batch in batches
    ]
    for job in jobs:
        job.add_done_callback(lambda job: _watch_background(executor, job))
    return jobs


def ensure_rendered(sha256: str, number: int, width: int) -> Path:
    """The page's image, rendering it now if the background has not reached it yet."""
    target = page_path(sha256, width, number)
    if not target.exists():
        _interactive(
            render_worker.render_pages,
            str(pdf_path(sha256)),
            str(pages_dir(sha256, width)),
            [number],
            width,
            settings.CHAMBER_MAX_PAGE_PIXELS,
        )
    return target


def watermarked(sha256: str, number: int, width: int, lines: list[str]) -> bytes:
    return _interactive(
        render_worker.render_watermarked,
        str(pdf_path(sha256)),
        number,
        width,
        lines,
        settings.CHAMBER_MAX_PAGE_PIXELS,
    )


def rendered_count(sha256: str, width: int = TABLET_WIDTH) -> int:
    directory = pages_dir(sha256, width)
    if not directory.exists():
        return 0
    return sum(1 for entry in directory.iterdir() if entry.suffix == ".png")
