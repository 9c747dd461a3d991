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
