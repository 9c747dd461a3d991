"""PDFs made for the tests with PyMuPDF, with real Vietnamese text (Noto Sans)."""

from __future__ import annotations

import pymupdf

VIETNAMESE_PAGES = [
    "Nghị quyết về dự toán ngân sách địa phương năm 2027",
    "Báo cáo tình hình kinh tế - xã hội sáu tháng đầu năm",
    "Tờ trình về việc điều chỉnh quy hoạch sử dụng đất",
    "Đề án phát triển giáo dục mầm non, tiểu học và trung học",
]


def make_pdf(pages: list[str] | None = None, *, count: int | None = None) -> bytes:
    """A PDF whose page n shows ``pages[n]`` (or "Trang n" for ``count`` pages)."""
    if pages is None:
        pages = [f"Trang {n} — Nghị quyết" for n in range(1, (count or 1) + 1)]
    texts = pages
    document = pymupdf.open()
    font = pymupdf.Font("notos")
    for text in texts:
        page = document.new_page(width=595, height=842)
        writer = pymupdf.TextWriter(page.rect)
        writer.fill_textbox(pymupdf.Rect(56, 72, 540, 780), text, font=font, fontsize=16)
        writer.write_text(page)
    data = document.tobytes()
    document.close()
    return data


def encrypted_pdf() -> bytes:
    document = pymupdf.open(stream=make_pdf(["Bí mật"]), filetype="pdf")
    return document.tobytes(
        encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="mat-khau", owner_pw="chu-so-huu"
    )


def empty_pdf() -> bytes:
    """A syntactically valid PDF with a page tree of no pages."""
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )


def broken_pdf() -> bytes:
    return b"%PDF-1.7\n" + b"\x00garbage that is no PDF at all" * 20


def text_bomb(pages: int = 50, inflated_bytes: int = 2_000_000) -> bytes:
    """A small PDF whose pages all draw one deflated content stream of ``inflated_bytes``:
    a few KiB on the wire, millions of characters of text once extracted."""
    document = pymupdf.open()
    first = document.new_page(width=595, height=842)
    first.insert_text((56, 72), "Tờ trình", fontname="helv", fontsize=1)  # a font resource
    font = next(name for (_x, _e, _t, _b, name, *_rest) in first.get_fonts())
    line = b"(" + b"Nghi quyet ngan sach " * 20 + b") Tj T* "
    body = line * (inflated_bytes // len(line))
    stream = b"BT /" + font.encode() + b" 1 Tf 1 TL 56 800 Td " + body + b"ET"
    contents = first.get_contents()[0]
    document.update_stream(contents, stream)  # deflated on save
    resources = document.xref_get_key(first.xref, "Resources")[1]
    for _ in range(pages - 1):
        xref = document.new_page(width=595, height=842).xref
        document.xref_set_key(xref, "Contents", f"{contents} 0 R")
        document.xref_set_key(xref, "Resources", resources)
    data = document.tobytes(garbage=1, deflate=True)
    document.close()
    return data


def sized_pdf(width: float, height: float, text: str = "So do") -> bytes:
    """One page of the given size in points, with a word on it: well under a kilobyte."""
    document = pymupdf.open()
    page = document.new_page(width=width, height=height)
    page.insert_text((10, 30), text, fontname="helv", fontsize=12)
    data = document.tobytes()
    document.close()
    return data
