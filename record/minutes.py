"""The minutes (biên bản) as a PDF, laid out by PyMuPDF's Story with an embedded Unicode font.

Noto Sans is embedded (from pymupdf-fonts), so Vietnamese renders everywhere and extracting
the text gives every name back exactly. Every page carries its number and the record's final
hash; the last carries a QR code of the verification page.
"""

from __future__ import annotations

import io

import pymupdf
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from meeting.badges import draw_qr

PAGE = pymupdf.paper_rect("a4")
MARGIN_X, MARGIN_TOP, FOOTER = 56, 56, 96

FONT_CSS = """
@font-face { font-family: noto; src: url(noto-regular.ttf); }
@font-face { font-family: noto; src: url(noto-bold.ttf); font-weight: bold; }
@font-face { font-family: noto; src: url(noto-italic.ttf); font-style: italic; }
body { font-family: noto; font-size: 10pt; line-height: 1.3; }
h1 { font-size: 16pt; text-align: center; margin: 0 0 4pt 0; }
h2 { font-size: 12pt; margin: 12pt 0 4pt 0; }
h3 { font-size: 10.5pt; margin: 8pt 0 2pt 0; }
p { margin: 2pt 0; }
.center { text-align: center; }
.muted { color: #555555; }
table { border-collapse: collapse; width: 100%; margin: 2pt 0 4pt 0; }
th, td { border: 0.5pt solid #888888; padding: 2pt 4pt; text-align: left; vertical-align: top; }
th { background-color: #eeeeee; }
.passed { font-weight: bold; }
.signatures td { border: none; text-align: center; padding-top: 6pt; }
"""


def choice_labels(poll: dict) -> dict[str, str]:
    if poll["choice_type"] == "yes_no_abstain":
        return {"yes": _("Tán thành"), "no": _("Không tán thành"), "abstain": _("Không biểu quyết")}
    return {str(option["id"]): option["label"] for option in poll["options"]}


def for_display(record: dict) -> dict:
    """The record with readable labels for choices and outcomes (minutes and HTML view)."""
    polls = []
    for entry in record["polls"]:
        labels = choice_labels(entry["poll"])
        result = entry["result"]
        polls.append(
            {
                **entry,
                "labels": labels,
                "rows": [
                    {"label": labels.get(choice, choice), "count": count}
                    for choice, count in (result["counts"].items() if result else [])
                ],
                "choices_named": [
                    {
                        **row,
                        "label": ", ".join(
                            labels.get(c, c)
                            for c in (
                                [row["choice"]] if isinstance(row["choice"], str) else row["choice"]
                            )
                        )
                        or _("(phiếu trắng)"),
                    }
                    for row in entry.get("choices", [])
                ],
            }
        )
    return {**record, "polls": polls}


def _fonts() -> pymupdf.Archive:
    archive = pymupdf.Archive()
    for name, font in (("regular", "notos"), ("bold", "notosbo"), ("italic", "notosit")):
        archive.add(pymupdf.Font(font).buffer, f"noto-{name}.ttf")
    return archive


def minutes_pdf(record: dict, *, verify_url: str) -> bytes:
    html = render_to_string("record/minutes_story.html", {"record": for_display(record)})
    story = pymupdf.Story(html, user_css=FONT_CSS, archive=_fonts())
    buffer = io.BytesIO()
    writer = pymupdf.DocumentWriter(buffer)
    area = pymupdf.Rect(MARGIN_X, MARGIN_TOP, PAGE.width - MARGIN_X, PAGE.height - FOOTER)
    more = True
    while more:
        device = writer.begin_page(PAGE)
        more, _filled = story.place(area)
        story.draw(device)
        writer.end_page()
    writer.close()
    return _stamp(
        buffer.getvalue(), final_hash=record["session"]["final_hash"], verify_url=verify_url
    )


def _stamp(pdf: bytes, *, final_hash: str, verify_url: str) -> bytes:
    """Page numbers and the final hash on every page; the QR code on the last."""
    document = pymupdf.open("pdf", pdf)
    font = pymupdf.Font("notos")
    total = document.page_count
    for index, page in enumerate(document, start=1):
        writer = pymupdf.TextWriter(page.rect, color=(0.3, 0.3, 0.3))
        footer_y = PAGE.height - FOOTER + 30
        writer.append(
            (MARGIN_X, footer_y),
            _("Trang %(page)d/%(total)d") % {"page": index, "total": total},
            font=font,
            fontsize=8,
        )
        writer.append(
            (MARGIN_X, footer_y + 12),
            _("Mã băm cuối của hồ sơ: %(hash)s") % {"hash": final_hash},
            font=font,
            fontsize=6.5,
        )
        if index == total:
            writer.append(
                (MARGIN_X, footer_y + 24),
                _("Kiểm tra hồ sơ và phiếu biểu quyết: %(url)s") % {"url": verify_url},
                font=font,
                fontsize=6.5,
            )
            size = FOOTER - 24
            draw_qr(
                page,
                verify_url,
                pymupdf.Rect(
                    PAGE.width - MARGIN_X - size,
                    PAGE.height - FOOTER + 8,
                    PAGE.width - MARGIN_X,
                    PAGE.height - FOOTER + 8 + size,
                ),
            )
        writer.write_text(page)
    data = document.tobytes(garbage=3, deflate=True)
    document.close()
    return data
