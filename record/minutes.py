"""The minutes (biên bản) as a PDF, laid out by PyMuPDF's Story with an embedded Unicode font.

Noto Sans is embedded (from pymupdf-fonts), so Vietnamese renders everywhere and extracting
the text gives every name back exactly. Every page carries its number and the record's final
hash; the last carries a QR code of the verification page.
"""

from __future__ import annotations

import io
from datetime import date

import pymupdf
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from meeting.badges import draw_qr
from voting.choices import VoteBase

PAGE = pymupdf.paper_rect("a4")
MARGIN_X, MARGIN_TOP, FOOTER = 56, 56, 96

# No background colours: MuPDF's Story repeats a table cell's background as stray bars on
# later pages. Table headers are bold instead.
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
th { font-weight: bold; }
.passed { font-weight: bold; }
.signatures { margin-top: 12pt; }
.signatures td { border: none; text-align: center; padding: 10pt 40pt 0 40pt; }
"""


def choice_labels(poll: dict) -> dict[str, str]:
    if poll["choice_type"] == "yes_no_abstain":
        return {"yes": _("Tán thành"), "no": _("Không tán thành"), "abstain": _("Không biểu quyết")}
    return {str(option["id"]): option["label"] for option in poll["options"]}


def ordered_counts(poll: dict, counts: dict) -> list[tuple[str, int]]:
    """The counts in the poll's own order of choices (a jsonb column keeps no key order)."""
    order = [c for c in poll["choices"] if c in counts] + [
        c for c in counts if c not in poll["choices"]
    ]
    return [(choice, counts[choice]) for choice in order]


def threshold_label(described: str) -> str:
    """The threshold in words: more_than 1/2 → quá nửa, at_least 2/3 → ít nhất hai phần ba."""
    known = {
        "more_than 1/2": _("quá nửa"),
        "at_least 2/3": _("ít nhất hai phần ba"),
        "at_least 3/5": _("ít nhất ba phần năm"),
    }
    if described in known:
        return known[described]
    relation, _space, fraction = (described or "").partition(" ")
    if relation == "more_than":
        return _("trên %(fraction)s") % {"fraction": fraction}
    if relation == "at_least":
        return _("ít nhất %(fraction)s") % {"fraction": fraction}
    return described or ""


def base_label(base: str) -> str:
    return str(VoteBase(base).label) if base in VoteBase.values else base


def for_display(record: dict) -> dict:
    """The record with readable labels for choices and outcomes (minutes and HTML view)."""
    polls = []
    for entry in record["polls"]:
        labels = choice_labels(entry["poll"])
        result = entry["result"]
        elected = (result or {}).get("elected") or {}
        polls.append(
            {
                **entry,
                "labels": labels,
                "base_label": base_label(entry["poll"]["base"]),
                "threshold_label": threshold_label(
                    result["threshold"] if result else entry["poll"]["threshold"]
                ),
                "rows": [
                    {
                        "label": labels.get(choice, choice),
                        "count": count,
                        "elected": elected.get(choice),
                    }
                    for choice, count in (
                        ordered_counts(entry["poll"], result["counts"]) if result else []
                    )
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
    session = {
        **record["session"],
        "start_label": _day(record["session"]["planned_start"]),
        "end_label": _day(record["session"]["planned_end"]),
    }
    return {**record, "session": session, "polls": polls}


def _day(iso: str) -> str:
    """A date as Vietnamese documents write it: 2026-12-01 → 01/12/2026."""
    return date.fromisoformat(iso).strftime("%d/%m/%Y")


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
        # The Story leaves its own coordinate transform in force at the end of a page's
        # content: wrap it in q/Q, or the footer is drawn mirrored at the top of the page.
        if not page.is_wrapped:
            page.wrap_contents()
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
