"""What runs inside the rendering processes: PyMuPDF only, no Django.

PyMuPDF is not thread-safe, so pages are rendered in worker processes (documents.rendering
owns the pool); each function here opens the PDF itself and writes or returns PNG bytes.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import pymupdf

# A page image has at most this many pixels (the caller passes settings'
# CHAMBER_MAX_PAGE_PIXELS): an A4 page at projector width is 5.2 million.
MAX_PIXELS = 12_000_000


def zoom_for(rect: pymupdf.Rect, width: int, max_pixels: int = MAX_PIXELS) -> float:
    """The zoom that makes the page ``width`` pixels wide, or less if that would take more
    than ``max_pixels``: a tall page is scaled down to the cap, never rendered whole."""
    zoom = width / rect.width
    pixels = rect.width * zoom * rect.height * zoom
    if pixels > max_pixels:
        zoom *= math.sqrt(max_pixels / pixels)
        # The pixmap covers whole pixels (rounded outwards): shrink until that fits too.
        while True:
            box = (rect * pymupdf.Matrix(zoom, zoom)).irect
            if box.width * box.height <= max_pixels:
                break
            zoom *= 0.995
    return zoom


def _pixmap(page: pymupdf.Page, width: int, max_pixels: int = MAX_PIXELS) -> pymupdf.Pixmap:
    zoom = zoom_for(page.rect, width, max_pixels)
    return page.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), alpha=False)


def render_pages(
    pdf_path: str, out_dir: str, numbers: list[int], width: int, max_pixels: int = MAX_PIXELS
) -> list[int]:
    """Render pages (1-based) to ``out_dir/<n>.png``; pages already there are skipped."""
    target_dir = Path(out_dir)
    target_dir.mkdir(parents=True, exist_ok=True)
    done = []
    with pymupdf.open(pdf_path) as document:
        for number in numbers:
            target = target_dir / f"{number}.png"
            if not target.exists():
                partial = target.with_name(f".{number}.{os.getpid()}.tmp")
                pixmap = _pixmap(document[number - 1], width, max_pixels)
                pixmap.save(str(partial), output="png")
                os.replace(partial, target)  # readers never see half a file
            done.append(number)
    return done


def render_watermarked(
    pdf_path: str, number: int, width: int, lines: list[str], max_pixels: int = MAX_PIXELS
) -> bytes:
    """One page as PNG with the reader's name and the time drawn across it, in the pixels:
    a confidential page never leaves the server without it."""
    with pymupdf.open(pdf_path) as source:
        document = pymupdf.open()
        document.insert_pdf(source, from_page=number - 1, to_page=number - 1)
    page = document[0]
    font = pymupdf.Font("notos")
    rect = page.rect
    size = max(12.0, rect.width / 28)
    text = "  ·  ".join(lines)
    # Diagonal, repeated, semi-transparent: readable on every part of the page.
    writer = pymupdf.TextWriter(rect, opacity=0.28, color=(0.75, 0.05, 0.05))
    step = size * 6
    y = -rect.height
    while y < rect.height * 2:
        writer.append((-rect.width * 0.2, y), text, font=font, fontsize=size)
        y += step
    pivot = pymupdf.Point(rect.width / 2, rect.height / 2)
    writer.write_text(page, morph=(pivot, pymupdf.Matrix(-35)))
    corner = pymupdf.TextWriter(rect, color=(0.6, 0, 0))
    corner.append((12, rect.height - 12), text, font=font, fontsize=max(7.0, size / 2.5))
    corner.write_text(page)
    return _pixmap(page, width, max_pixels).tobytes("png")
