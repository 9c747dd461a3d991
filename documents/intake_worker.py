"""What runs inside an intake process: open a PDF, check it, read its text. PyMuPDF only.

A PDF can be small on the wire and huge once opened (one compressed stream shared by every
page, a page 14,400 points long): documents.intake runs this in a process of its own, with a
time limit and a memory limit, and stops reading text as soon as a limit is passed. Refusals
come back as ``{"refused": code, ...figures}``; documents.services words them.
"""

from __future__ import annotations

import resource
from dataclasses import dataclass

import pymupdf


@dataclass(frozen=True)
class Limits:
    max_pages: int
    max_page_chars: int  # text of one page
    max_text_chars: int  # text of the whole file
    min_page_points: float  # the shorter side of a page
    max_page_points: float  # the longer side of a page
    max_aspect: float  # longer side / shorter side


def limit_memory(megabytes: int) -> None:
    """Cap this process's address space: past it MuPDF's allocations fail (an exception),
    instead of the machine swapping."""
    if megabytes > 0:
        cap = megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))


def _page_refusal(page: pymupdf.Page, limits: Limits) -> dict | None:
    rect = page.rect
    short, long = sorted((abs(rect.width), abs(rect.height)))
    if (
        short < limits.min_page_points
        or long > limits.max_page_points
        or long / short > limits.max_aspect
    ):
        return {
            "refused": "document.bad_page_size",
            "page": page.number + 1,
            "width": round(rect.width),
            "height": round(rect.height),
        }
    return None


def inspect(pdf_path: str, limits: Limits) -> dict:
    """``{"page_count": n, "texts": [...]}``, or ``{"refused": code, ...}``."""
    try:
        document = pymupdf.open(pdf_path, filetype="pdf")
    except Exception:
        return {"refused": "document.broken"}
    with document:
        if document.needs_pass or document.is_encrypted:
            return {"refused": "document.encrypted"}
        if document.page_count == 0:
            return {"refused": "document.no_pages"}
        if document.page_count > limits.max_pages:
            return {"refused": "document.too_many_pages", "pages": document.page_count}
        texts: list[str] = []
        total = 0
        try:
            for page in document:  # every page's size first: that costs nothing
                refusal = _page_refusal(page, limits)
                if refusal is not None:
                    return refusal
            for page in document:
                text = page.get_text()
                if len(text) > limits.max_page_chars:
                    return {"refused": "document.page_text_too_long", "page": page.number + 1}
                total += len(text)
                if total > limits.max_text_chars:
                    return {"refused": "document.text_too_long"}
                texts.append(text)
        except MemoryError:
            return {"refused": "document.too_complex"}
        except Exception as error:
            if "memory" in str(error).lower():  # MuPDF's own out-of-memory error
                return {"refused": "document.too_complex"}
            return {"refused": "document.broken"}
    return {"page_count": len(texts), "texts": texts}


def run(connection, pdf_path: str, limits: Limits, memory_mb: int) -> None:
    """The intake process's entry point: one file, one answer on the pipe."""
    limit_memory(memory_mb)
    try:
        answer = inspect(pdf_path, limits)
    except MemoryError:
        answer = {"refused": "document.too_complex"}
    connection.send(answer)
    connection.close()
