"""A4 pages from HTML blocks, with MuPDF's Story, laid out the way printed minutes need.

MuPDF's Story flows HTML through rectangles but knows nothing of keeping a block together or of
repeating a table's header on the next page, and sizes table columns by their content. So the
document is a list of blocks and this module measures and paginates them itself: a *keep* block
moves whole to the next page when it does not fit (a vote's counts and its result are one
block); *columns* sit side by side (the header, the signatures); a *table* is a grid of fixed
columns cut between rows, its head row repeated on each page it spans.

Deterministic: the same blocks give the same bytes (no dates, no random ids); fonts are
embedded once and subset to the glyphs used.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pymupdf

MM = 72 / 25.4
PAGE = pymupdf.paper_rect("a4")
FONTS = Path(__file__).resolve().parent / "fonts"
FONT_FILES = {
    "regular": "LiberationSerif-Regular.ttf",
    "bold": "LiberationSerif-Bold.ttf",
    "italic": "LiberationSerif-Italic.ttf",
}
FONT_CSS = """
@font-face { font-family: serif; src: url(regular.ttf); }
@font-face { font-family: serif; src: url(bold.ttf); font-weight: bold; }
@font-face { font-family: serif; src: url(italic.ttf); font-style: italic; }
body { font-family: serif; margin: 0; }
"""
TALL = 100_000  # a rectangle taller than any block, to measure it


def font_buffer(style: str) -> bytes:
    return (FONTS / FONT_FILES[style]).read_bytes()


def archive() -> pymupdf.Archive:
    fonts = pymupdf.Archive()
    for style in FONT_FILES:
        fonts.add(font_buffer(style), f"{style}.ttf")
    return fonts


@dataclass
class Keep:
    """HTML across the full width, never cut by a page break."""

    html: str


@dataclass
class Columns:
    """Side by side, without borders, never cut: ``cells`` are (html, width in points)."""

    cells: list[tuple[str, float]]


@dataclass
class Table:
    """A bordered grid cut between rows, its head row repeated on every page it spans.

    MuPDF's Story sizes table columns by their content, so the grid is laid out here: each
    cell is its own Story in a column of fixed width, and the borders are drawn afterwards.
    ``before`` (a caption) stays on the page of the head and the first row.
    """

    widths: list[float]
    head: list[str]
    rows: list[list[str]]
    before: str = ""


@dataclass
class Together:
    """Blocks kept on one page (the close and the signatures: never a page of signatures
    alone)."""

    blocks: list


@dataclass
class Unit:
    """One line of the layout: cells at x offsets, all as tall as the tallest."""

    cells: list[tuple[str, float, float]]  # (html, x offset, width)
    height: float
    border: bool = False
    head: Unit | None = None  # the head row to repeat above it on a new page


PAD_X, PAD_Y = 3.0, 1.5


class Pages:
    """Lays blocks out on A4 pages inside ``content``; ``footer(page, total)`` gives each
    page's footer HTML, drawn in ``footer_rect``."""

    def __init__(
        self,
        *,
        css: str,
        content: pymupdf.Rect,
        footer_rect: pymupdf.Rect,
        footer: Callable[[int, int], str],
    ) -> None:
        self.css = FONT_CSS + css
        self.content = content
        self.footer_rect = footer_rect
        self.footer = footer
        self.archive = archive()
        self.borders: list[tuple[int, pymupdf.Rect]] = []
        self._heights: dict[tuple[str, float], float] = {}

    def story(self, html: str) -> pymupdf.Story:
        return pymupdf.Story(html, user_css=self.css, archive=self.archive)

    def height(self, html: str, width: float) -> float:
        # Names and choices repeat from vote to vote: each distinct cell is measured once.
        key = (html, width)
        if key not in self._heights:
            _more, filled = self.story(html).place(pymupdf.Rect(0, 0, width, TALL))
            self._heights[key] = filled[3]
        return self._heights[key]

    def _unit(self, cells: list[tuple[str, float]], *, border: bool) -> Unit:
        placed, x, tallest = [], 0.0, 0.0
        pad_x, pad_y = (PAD_X, PAD_Y) if border else (0.0, 0.0)
        for html, width in cells:
            placed.append((html, x, width))
            tallest = max(tallest, self.height(html, width - 2 * pad_x) + 2 * pad_y)
            x += width
        return Unit(cells=placed, height=tallest, border=border)

    def units(self, block) -> list[list[Unit]]:
        """The block as groups of units; a group is never cut by a page break."""
        width = self.content.width
        if isinstance(block, Together):
            return [[unit for part in block.blocks for group in self.units(part) for unit in group]]
        if isinstance(block, Keep):
            return [[self._unit([(block.html, width)], border=False)]]
        if isinstance(block, Columns):
            return [[self._unit(block.cells, border=False)]]
        head = self._unit(list(zip(block.head, block.widths, strict=True)), border=True)
        rows = [
            self._unit(list(zip(row, block.widths, strict=True)), border=True) for row in block.rows
        ]
        for row in rows:
            row.head = head
        first = [self._unit([(block.before, width)], border=False)] if block.before else []
        if not rows:
            return [[*first, head]]
        return [[*first, head, rows[0]], *[[row] for row in rows[1:]]]

    def paginate(self, blocks: list) -> list[list[tuple[Unit, float]]]:
        pages: list[list[tuple[Unit, float]]] = [[]]
        y, room = 0.0, self.content.height
        for block in blocks:
            for group in self.units(block):
                need = sum(unit.height for unit in group)
                repeat = group[0].head
                if y > 0 and y + need > room:
                    pages.append([])
                    y = 0.0
                    if repeat is not None:  # a table goes on: its head again
                        pages[-1].append((repeat, y))
                        y += repeat.height
                for unit in group:
                    pages[-1].append((unit, y))
                    y += unit.height
        return pages

    def render(self, blocks: list) -> bytes:
        pages = self.paginate(blocks)
        total = len(pages)
        buffer = io.BytesIO()
        writer = pymupdf.DocumentWriter(buffer)
        self.borders = []
        for number, page in enumerate(pages, start=1):
            device = writer.begin_page(PAGE)
            for unit, top in page:
                self._draw_unit(unit, self.content.y0 + top, device, number)
            self._draw(self.footer(number, total), self.footer_rect, device)
            writer.end_page()
        writer.close()
        return buffer.getvalue()

    def _draw_unit(self, unit: Unit, y: float, device, number: int) -> None:
        pad_x, pad_y = (PAD_X, PAD_Y) if unit.border else (0.0, 0.0)
        for html, x, width in unit.cells:
            cell = pymupdf.Rect(
                self.content.x0 + x, y, self.content.x0 + x + width, y + unit.height
            )
            inner = pymupdf.Rect(cell.x0 + pad_x, cell.y0 + pad_y, cell.x1 - pad_x, TALL)
            self._draw(html, inner, device)
            if unit.border:
                self.borders.append((number, cell))

    def _draw(self, html: str, rect: pymupdf.Rect, device) -> None:
        story = self.story(html)
        story.place(rect)
        story.draw(device)

    def draw_borders(self, document: pymupdf.Document) -> None:
        for number, rect in self.borders:
            document[number - 1].draw_rect(rect, color=(0, 0, 0), width=0.5)


def finish(pdf: bytes, *, metadata: dict, draw: Callable[[pymupdf.Document], None]) -> bytes:
    """Draw the vector parts, set the metadata, subset the fonts; the same input gives the
    same bytes."""
    document = pymupdf.open("pdf", pdf)
    draw(document)
    document.set_metadata(metadata)
    # Identical font streams collapse into one before subsetting, then every font keeps only
    # the glyphs the minutes use.
    merged = document.tobytes(garbage=4, no_new_id=True)
    document.close()
    document = pymupdf.open("pdf", merged)
    document.subset_fonts()
    data = document.tobytes(garbage=4, deflate=True, no_new_id=True)
    document.close()
    return data
