"""The minutes (biên bản kỳ họp) as a PDF in the Vietnamese administrative format.

Laid out by record.layout (MuPDF's Story, paginated so that a vote's result stays with its
counts and tables repeat their header) in Liberation Serif — metrically Times New Roman, with
every Vietnamese letter — embedded once and subset. Every page carries its number and the
record's final hash; the last carries the verification link and its QR code. The same record
gives the same bytes.
"""

from __future__ import annotations

from datetime import date

import pymupdf
from django.utils.html import escape
from django.utils.translation import gettext as _

from meeting.badges import draw_qr
from record import layout, minutes_votes, vn
from record import minutes_blocks as blocks_module
from record.layout import MM, PAGE
from voting.choices import VoteBase, choice_labels


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
        labels = choice_labels(entry["poll"]["choice_type"], entry["poll"]["options"])
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


CSS = """
body { font-size: 13pt; line-height: 1.2; }
p { margin: 0 0 3pt 0; text-align: justify; }
h2 { font-size: 13pt; font-weight: bold; margin: 9pt 0 3pt 0; }
h3 { font-size: 13pt; font-weight: bold; margin: 6pt 0 3pt 0; }
.th { font-size: 12pt; font-weight: bold; text-align: center; margin: 0; }
.td { font-size: 12pt; text-align: left; margin: 0; }
.issuer, .nation { font-size: 12.5pt; font-weight: bold; text-align: center; margin: 0; }
.motto { font-size: 13pt; font-weight: bold; text-align: center; margin: 0; }
.rule { border-top: 0.6pt solid #000000; height: 0; margin-top: 1pt; margin-bottom: 5pt; }
.symbol, .place-date { font-size: 13pt; text-align: center; margin: 0; }
.doc-title { font-size: 14pt; font-weight: bold; text-align: center; margin: 18pt 0 2pt 0; }
.subject { font-weight: bold; text-align: center; margin: 0; }
.session-title { text-align: center; margin: 0 0 8pt 0; }
.vote-title { margin-top: 6pt; }
.mark { font-weight: bold; }
.count { margin-left: 12pt; text-align: left; }
.verdict { font-weight: bold; }
.digest { font-size: 8pt; color: #444444; }
.sign-role { font-weight: bold; margin: 14pt 0 0 0; text-align: center; }
.sign-hint { margin: 0; text-align: center; }
.sign-space { margin: 0; line-height: 1.4; }
.sign-name { font-weight: bold; text-align: center; margin: 0; }
.footer { font-size: 7pt; color: #444444; margin: 0; line-height: 1.25; text-align: left; }
"""
# A4 with the margins of Decree 30/2020/NĐ-CP: 20 mm top, 30 mm left, 15 mm right; the
# bottom 24 mm hold the footer (page number, final hash, and the QR code on the last page).
CONTENT = pymupdf.Rect(30 * MM, 20 * MM, PAGE.width - 15 * MM, PAGE.height - 24 * MM)
QR_SIZE = 16 * MM
FOOTER_RECT = pymupdf.Rect(
    CONTENT.x0, PAGE.height - 20 * MM, CONTENT.x1 - QR_SIZE - 3 * MM, PAGE.height - 5 * MM
)


def _pdf_date(moment: str | None) -> str:
    if not moment:
        return ""
    local = vn.local(moment)
    offset = local.strftime("%z") or "+0000"
    return local.strftime("D:%Y%m%d%H%M%S") + f"{offset[:3]}'{offset[3:]}'"


def minutes_pdf(record: dict, *, verify_url: str) -> bytes:
    """The minutes as PDF bytes: the same record and link give the same bytes."""
    shown = for_display(record)
    session, council = shown["session"], shown["council"]
    head, count = session["final_hash"], session["log_count"]

    def footer(page: int, total: int) -> str:
        lines = [
            _("Trang %(page)d/%(total)d") % {"page": page, "total": total},
            _("Mã băm cuối của hồ sơ: %(hash)s") % {"hash": head},
        ]
        if page == total:
            lines.append(
                _("Kiểm tra hồ sơ và phiếu biểu quyết: %(url)s") % {"url": verify_url}
                + " "
                + _("(hồ sơ gồm %(count)s mục)") % {"count": count}
            )
        return "".join(f'<p class="footer">{escape(line)}</p>' for line in lines)

    blocks = [
        blocks_module.header(shown),
        blocks_module.title(shown),
        blocks_module.time_and_place(shown),
        *blocks_module.participants(shown),
        blocks_module.officers(shown),
        *minutes_votes.proceedings(shown),
        layout.Together([blocks_module.closing(shown), blocks_module.signatures(shown)]),
    ]
    pages = layout.Pages(css=CSS, content=CONTENT, footer_rect=FOOTER_RECT, footer=footer)
    pdf = pages.render(blocks)

    def draw(document: pymupdf.Document) -> None:
        pages.draw_borders(document)
        last = document[-1]
        draw_qr(
            last,
            verify_url,
            pymupdf.Rect(
                CONTENT.x1 - QR_SIZE, FOOTER_RECT.y0, CONTENT.x1, FOOTER_RECT.y0 + QR_SIZE
            ),
        )

    dated = _pdf_date(session["closed_at"] or session["dated_at"])
    subject = _("Kỳ họp thứ %(number)s — %(title)s") % {
        "number": session["number"],
        "title": session["title"],
    }
    return layout.finish(
        pdf,
        metadata={
            "title": _("Biên bản kỳ họp") + f" — {council['name']}",
            "author": council["name"],
            "subject": subject,
            "keywords": _("biên bản; mã băm cuối %(hash)s") % {"hash": head},
            "creator": "Chamber",
            "producer": "Chamber",
            "creationDate": dated,
            "modDate": dated,
        },
        draw=draw,
    )
