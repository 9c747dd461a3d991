"""The minutes' content as layout blocks (record.layout), in the order of the administrative
format (docs: shared minutes-format): header, title, time and place, who took part, chair and
secretary, the proceedings with every vote, the close, the signatures."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.translation import gettext as _

from record import vn
from record.layout import Columns, Keep, Table, font_buffer

# Column widths in points; the content box is 467.7 pt wide (A4 less 30 mm and 15 mm).
LEFT_COLUMN, RIGHT_COLUMN = 190.0, 277.0
HEADER_SIZE, MOTTO_SIZE = 12.5, 13.0


def _text_width(text: str, *, style: str, size: float) -> float:
    import pymupdf

    return pymupdf.Font(fontbuffer=font_buffer(style)).text_length(text, fontsize=size)


def _rule(width: float, column: float) -> str:
    margin = max(0.0, (column - width) / 2)
    return f'<div class="rule" style="width:{width:.1f}pt;margin-left:{margin:.1f}pt"></div>'


def header(record: dict) -> Columns:
    council, session = record["council"], record["session"]
    body = [_("HỘI ĐỒNG NHÂN DÂN"), council["locality"].upper()]
    body_width = max(_text_width(line, style="bold", size=HEADER_SIZE) for line in body)
    motto = _("Độc lập - Tự do - Hạnh phúc")
    motto_width = _text_width(motto, style="bold", size=MOTTO_SIZE)
    number = session["minutes_number"]
    number_text = f"{number}" if number else "&nbsp;" * 6
    dated = session["closed_at"] or session["dated_at"]
    place_date = f"{escape(council['place'])}, {vn.day_words(dated)}" if dated else ""
    left = (
        f'<p class="issuer">{"<br/>".join(escape(line) for line in body)}</p>'
        f"{_rule(body_width * 0.4, LEFT_COLUMN)}"
        f'<p class="symbol">{_("Số")}: {number_text}/BB-HĐND</p>'
    )
    right = (
        f'<p class="nation">{_("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")}</p>'
        f'<p class="motto">{motto}</p>'
        f"{_rule(motto_width, RIGHT_COLUMN)}"
        f'<p class="place-date"><i>{place_date}</i></p>'
    )
    return Columns([(left, LEFT_COLUMN), (right, RIGHT_COLUMN)])


def title(record: dict) -> Keep:
    council, session = record["council"], record["session"]
    subject = _("Kỳ họp thứ %(ordinal)s, Hội đồng nhân dân %(locality)s") % {
        "ordinal": vn.ordinal(session["number"]),
        "locality": council["locality"],
    }
    if council["term"]:
        subject += " " + _("khóa %(term)s") % {"term": council["term"]}
    if council["term_start"] and council["term_end"]:
        subject += ", " + _("nhiệm kỳ %(start)s–%(end)s") % {
            "start": council["term_start"],
            "end": council["term_end"],
        }
    return Keep(
        f'<p class="doc-title">{_("BIÊN BẢN")}</p>'
        f'<p class="subject">{escape(subject)}</p>'
        f'<p class="session-title">{escape(session["title"])}</p>'
    )


def time_and_place(record: dict) -> Keep:
    session = record["session"]
    lines = [
        _("Theo kế hoạch, kỳ họp diễn ra từ %(start)s đến %(end)s.")
        % {
            "start": vn.day_words(session["planned_start"]),
            "end": vn.day_words(session["planned_end"]),
        }
    ]
    if session["opened_at"]:
        lines.append(
            _("Khai mạc lúc %(moment)s.") % {"moment": vn.moment_words(session["opened_at"])}
        )
    for pause in session["pauses"]:
        text = _("Tạm dừng lúc %(moment)s") % {"moment": vn.moment_words(pause["from"])}
        if pause["to"]:
            text += "; " + _("tiếp tục lúc %(moment)s") % {"moment": vn.moment_words(pause["to"])}
        lines.append(text + ".")
    lines.append(_("Địa điểm: %(venue)s.") % {"venue": session["venue"] or "—"})
    return Keep(
        f"<h2>{_('I. THỜI GIAN, ĐỊA ĐIỂM')}</h2>"
        + "".join(f"<p>{escape(line)}</p>" for line in lines)
    )


def _status(row: dict) -> str:
    reason = f" ({escape(row['reason'])})" if row.get("reason") else ""
    return f"{escape(row['status_label'])}{reason}"


def participants(record: dict) -> list:
    quorum = record["quorum_at_opening"]
    opening = record["attendance_at_opening"]
    seats = quorum["seats"]
    excused = [row for row in opening if row["status"] == "excused"]
    absent = [row for row in opening if row["status"] in ("absent", "left")]
    intro = [
        _("Tổng số đại biểu của Hội đồng nhân dân: %(seats)s.") % {"seats": seats},
        _(
            "Khi khai mạc có mặt %(present)s/%(seats)s đại biểu; vắng có lý do %(excused)s; "
            "vắng không có lý do %(absent)s."
        )
        % {
            "present": quorum["present"],
            "seats": seats,
            "excused": len(excused),
            "absent": len(absent),
        },
    ]
    if quorum["quorate"]:
        statement = _(
            "Số đại biểu có mặt đủ số lượng đại biểu theo quy định (ít nhất %(required)s/%(seats)s "
            "đại biểu), kỳ họp đủ điều kiện tiến hành."
        )
    else:
        statement = _(
            "Số đại biểu có mặt không đủ số lượng đại biểu theo quy định (cần ít nhất "
            "%(required)s/%(seats)s đại biểu)."
        )
    intro.append(statement % {"required": quorum["required"], "seats": seats})
    if not quorum["quorate"] and quorum.get("override_reason"):
        intro.append(
            _("Chủ tọa quyết định vẫn tiến hành kỳ họp. Lý do: %(reason)s.")
            % {"reason": quorum["override_reason"].rstrip(".")}
        )
    lines = "".join(f"<p>{escape(line)}</p>" for line in intro)
    for label, rows in ((_("Vắng có lý do"), excused), (_("Vắng không có lý do"), absent)):
        if rows:
            names = "; ".join(
                escape(row["full_name"]) + (f" ({escape(row['reason'])})" if row["reason"] else "")
                for row in rows
            )
            lines += f"<p>{label}: {names}.</p>"
    blocks: list = [
        Keep(
            f"<h2>{_('II. THÀNH PHẦN THAM DỰ')}</h2>"
            f"<h3>{_('1. Đại biểu Hội đồng nhân dân')}</h3>{lines}"
        )
    ]
    blocks.append(
        Table(
            widths=[38, 150, 140, 139.7],
            head=[_th(_("Ghế")), _th(_("Họ và tên")), _th(_("Chức danh")), _th(_("Khi khai mạc"))],
            rows=[
                [
                    _td(escape(row["seat"])),
                    _td(escape(row["full_name"])),
                    _td(escape(row["title"])),
                    _td(_status(row)),
                ]
                for row in opening
            ],
        )
    )
    changes = record["attendance_changes"]
    if changes:
        blocks.append(
            Table(
                before=f"<p>{_('Thay đổi trong kỳ họp:')}</p>",
                widths=[150, 160, 157.7],
                head=[_th(_("Thời điểm")), _th(_("Đại biểu")), _th(_("Điểm danh"))],
                rows=[
                    [
                        _td(vn.moment_words(change["at"])),
                        _td(escape(change["full_name"])),
                        _td(_status(change)),
                    ]
                    for change in changes
                ],
            )
        )
    else:
        blocks.append(Keep(f"<p>{_('Không có thay đổi về điểm danh trong kỳ họp.')}</p>"))
    guests = record["guests"]
    items = (
        "".join(
            "<p>– "
            + ", ".join(escape(part) for part in (g["full_name"], g["title"], g["agency"]) if part)
            + ".</p>"
            for g in guests
        )
        or f"<p>{_('Không có khách mời.')}</p>"
    )
    blocks.append(Keep(f"<h3>{_('2. Khách mời')}</h3>{items}"))
    return blocks


def officers(record: dict) -> Keep:
    session = record["session"]

    def person(name: str, position: str) -> str:
        if not name:
            return "—"
        return f"<b>{escape(name)}</b>" + (f", {escape(position)}" if position else "")

    return Keep(
        f"<h2>{_('III. CHỦ TỌA, THƯ KÝ')}</h2>"
        f"<p>{_('Chủ tọa')}: {person(session['chair'], session['chair_title'])}.</p>"
        f"<p>{_('Thư ký')}: {person(session['secretary'], session['secretary_title'])}.</p>"
    )


def closing(record: dict) -> Keep:
    session = record["session"]
    lines = []
    if session["closed_at"]:
        lines.append(
            _("Kỳ họp bế mạc lúc %(moment)s.") % {"moment": vn.moment_words(session["closed_at"])}
        )
    lines.append(
        _("Biên bản được lập thành %(copies)s bản.")
        % {"copies": f"{session['minutes_copies']:02d}"}
    )
    return Keep(f"<h2>{_('V. BẾ MẠC')}</h2>" + "".join(f"<p>{escape(line)}</p>" for line in lines))


def signatures(record: dict) -> Columns:
    session = record["session"]
    cell = (
        '<p class="sign-role">{role}</p><p class="sign-hint"><i>{hint}</i></p>'
        '<p class="sign-space">&nbsp;<br/>&nbsp;<br/>&nbsp;<br/>&nbsp;</p>'
        '<p class="sign-name">{name}</p>'
    )
    hint = _("(Ký, ghi rõ họ tên)")
    half = 467.7 / 2
    return Columns(
        [
            (cell.format(role=_("THƯ KÝ"), hint=hint, name=escape(session["secretary"])), half),
            (cell.format(role=_("CHỦ TỌA"), hint=hint, name=escape(session["chair"])), half),
        ]
    )


def _th(html: str) -> str:
    return f'<p class="th">{html}</p>'


def _td(html: str) -> str:
    return f'<p class="td">{html}</p>'
