"""The proceedings of the minutes: agenda items in the order they were taken, each vote
numbered, with those present at that moment, each count's share of all seats, the outcome, a
cancelled vote and its repetition told apart, and a secret ballot's counting figures."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.translation import gettext as _

from record import minutes_floor, vn
from record.layout import Keep, Table
from record.minutes_blocks import _td, _th


def _kind(poll: dict) -> str:
    return _("bỏ phiếu kín") if poll["kind"] == "secret" else _("biểu quyết công khai")


def verdict(entry: dict) -> str:
    result = entry["result"]
    if entry["poll"]["status"] == "cancelled" or (result and result["void"]):
        return _("ĐÃ HỦY, KẾT QUẢ KHÔNG CÓ GIÁ TRỊ")
    if not result:
        return _("CHƯA CÓ KẾT QUẢ")
    return _("THÔNG QUA") if result["passed"] else _("KHÔNG THÔNG QUA")


def vote_block(entry: dict) -> list:
    poll, result = entry["poll"], entry["result"]
    number = entry["number"]
    parts = [
        f'<p class="vote-title" id="vote-{number}"><b>{_("Biểu quyết số %(n)s") % {"n": number}}:'
        f"</b> {escape(poll['title'])}</p>"
    ]
    facts = [_("Hình thức: %(kind)s.") % {"kind": _kind(poll)}]
    if entry.get("opened_at"):
        facts.append(_("Bắt đầu lúc %(time)s.") % {"time": vn.time_words(entry["opened_at"])})
    parts.append(f"<p>{' '.join(escape(f) for f in facts)}</p>")
    at_open = poll.get("quorum_at_open") or {}
    if at_open and not at_open.get("quorate", True):
        parts.append(
            '<p class="mark">'
            + escape(
                _(
                    "Mở biểu quyết khi chưa đủ túc số: có mặt %(present)s/%(seats)s đại biểu, cần "
                    "ít nhất %(required)s. Chủ tọa quyết định vẫn biểu quyết. Lý do: %(reason)s."
                )
                % {**at_open, "reason": (at_open.get("override_reason") or "—").rstrip(".")}
            )
            + "</p>"
        )
    if entry["revote_of_number"]:
        parts.append(
            '<p class="mark">'
            + escape(
                _("BIỂU QUYẾT LẠI (lần %(attempt)s), thay cho biểu quyết số %(original)s.")
                % {"attempt": entry["attempt"], "original": entry["revote_of_number"]}
            )
            + "</p>"
        )
    if poll["status"] == "cancelled":
        text = _("ĐÃ HỦY. Lý do: %(reason)s.") % {"reason": poll["cancel_reason"] or "—"}
        if entry["revoted_by_numbers"]:
            text += " " + _("Biểu quyết lại tại biểu quyết số %(numbers)s.") % {
                "numbers": ", ".join(str(n) for n in entry["revoted_by_numbers"])
            }
        parts.append(f'<p class="mark">{escape(text)}</p>')
    if result:
        seats = result["seats"]
        parts.append(
            "<p>"
            + escape(
                _("Số đại biểu có mặt tại thời điểm biểu quyết: %(present)s/%(seats)s.")
                % {"present": result["present"], "seats": seats}
            )
            + "</p>"
        )
        quorum = result.get("sitting_quorum")
        if quorum:
            said = (
                _("Túc số lúc kết thúc biểu quyết: có mặt %(present)s/%(seats)s đại biểu, đủ túc "
                  "số (ít nhất %(required)s).")
                if quorum["quorate"]
                else _("Túc số lúc kết thúc biểu quyết: có mặt %(present)s/%(seats)s đại biểu, "
                       "KHÔNG ĐỦ túc số (cần ít nhất %(required)s).")
            )  # fmt: skip
            parts.append(f"<p>{escape(said % quorum)}</p>")
        if poll["kind"] == "secret":
            parts.append(
                "<p>"
                + escape(
                    _(
                        "Số phiếu phát ra: %(issued)s; số phiếu thu vào: %(returned)s; "
                        "số phiếu hợp lệ: %(valid)s; số phiếu không hợp lệ: %(invalid)s."
                    )
                    % counting_figures(entry)
                )
                + "</p>"
            )
        unit = _("đại biểu") if poll["choice_type"] == "yes_no_abstain" else _("phiếu")
        for row in entry["rows"]:
            line = _("%(label)s: %(count)s/%(seats)s %(unit)s, chiếm %(share)s") % {
                "label": row["label"],
                "count": vn.number(row["count"]),
                "seats": vn.number(seats),
                "unit": unit,
                "share": vn.share(row["count"], seats),
            }
            if poll["choice_type"] == "options":
                line += " — " + (_("đạt") if row["elected"] else _("không đạt"))
            parts.append(f'<p class="count">– {escape(line)};</p>')
        if result["blank"]:
            parts.append(f'<p class="count">– {escape(_("Phiếu trắng"))}: {result["blank"]}.</p>')
        parts.append(
            "<p>"
            + escape(
                _("Số cần đạt: %(required)s/%(base)s (%(threshold)s, cơ sở tính: %(base_label)s).")
                % {
                    "required": result["required"],
                    "base": result["base"],
                    "threshold": entry["threshold_label"],
                    "base_label": entry["base_label"].lower(),
                }
            )
            + "</p>"
        )
    casting = result and result["decided_by_casting_vote"]
    parts.append(
        f'<p class="verdict">{_("Kết quả")}: {verdict(entry)}'
        + (f" ({_('theo phiếu của chủ tọa')})" if casting else "")
        + "</p>"
    )
    if result:
        parts.append(f'<p class="digest">{_("Mã băm các phiếu")}: {result["digest"]}</p>')
    blocks: list = [Keep("".join(parts))]
    if poll["kind"] == "named" and entry["choices_named"]:
        caption = (
            _("Phiếu đã bỏ trước khi hủy (không được tính):")
            if poll["status"] == "cancelled"
            else _("Biểu quyết của từng đại biểu:")
        )
        blocks.append(
            Table(
                before=f"<p>{caption}</p>",
                widths=[230, 237.7],
                head=[_th(_("Đại biểu")), _th(_("Lựa chọn"))],
                rows=[
                    [
                        _td(escape(row["full_name"])),
                        _td(escape(row["label"]) + _recorded(row["delegate_id"], entry)),
                    ]
                    for row in entry["choices_named"]
                ],
            )
        )
    elif poll["kind"] == "secret":
        names = ", ".join(escape(p["full_name"]) for p in entry["participants"])
        count = len(entry["participants"])
        blocks.append(
            Keep(
                "<p>"
                + _("%(n)s đại biểu đã tham gia bỏ phiếu kín:") % {"n": count}
                + f" {names}.</p>"
                + _on_spare_tablets(entry)
            )
        )
    return blocks


def _recorded(delegate_id: int, entry: dict) -> str:
    """A named vote the secretary recorded from a show of hands: by whom, when."""
    for row in entry.get("assisted", []):
        if row["delegate_id"] == delegate_id and row["how"] == "recorded":
            note = _("do thư ký %(by)s ghi nhận lúc %(time)s") % {
                "by": row["by"],
                "time": vn.time_words(row["at"]),
            }
            return f" ({escape(note)})"
    return ""


def _on_spare_tablets(entry: dict) -> str:
    """Who voted on a spare tablet with a one-time pass, and who issued it (never a choice)."""
    by_issuer: dict[str, list[str]] = {}
    for row in entry.get("assisted", []):
        if row["how"] == "pass":
            by_issuer.setdefault(row["by"], []).append(row["full_name"])
    return "".join(
        "<p>"
        + escape(
            _(
                "Bỏ phiếu trên máy tính bảng dự phòng, bằng mã bỏ phiếu một lần do %(by)s cấp: "
                "%(names)s."
            )
            % {"by": by, "names": ", ".join(names)}
        )  # fmt: skip
        + "</p>"
        for by, names in by_issuer.items()
    )


def counting_figures(entry: dict) -> dict:
    """A secret ballot's counting figures, as the counting committee reports them.

    On tablets one ballot is issued to each delegate present when the vote is counted, a
    ballot is returned when it is cast, and the system accepts only well-formed ballots, so
    every returned ballot is valid (a blank one is valid and counted as blank).
    """
    result = entry["result"]
    return {
        "issued": result["present"],
        "returned": result["ballots"],
        "valid": result["ballots"],
        "invalid": 0,
    }


def proceedings(record: dict) -> list:
    """Section IV: the items in the order they were taken, each with its votes."""
    items = {item["id"]: item for item in record["agenda"]}
    order = [i for i in record["items_taken"] if i in items] or list(items)
    # An item someone spoke on is in the proceedings even if the chain never made it current.
    spoken_on = {s["agenda_item_id"] for s in record["floor"]["speakers"]}
    order += [i for i in items if i in spoken_on and i not in order]
    by_item: dict[int | None, list[dict]] = {}
    for entry in record["polls"]:
        by_item.setdefault(entry["poll"]["agenda_item_id"], []).append(entry)
    blocks: list = [Keep(f"<h2>{_('IV. DIỄN BIẾN KỲ HỌP')}</h2>")]
    shown: set[int] = set()
    for position, item_id in enumerate(order, start=1):
        item = items[item_id]
        heading = f"<h3>{position}. {escape(item['title'])}</h3>"
        if item["presenter"]:
            heading += f"<p>{_('Trình bày')}: {escape(item['presenter'])}.</p>"
        entries = by_item.get(item_id, [])
        spoken = minutes_floor.item_blocks(record, item_id, heading)
        if spoken:  # the heading went with the first speaker
            blocks.extend(spoken)
            for entry in entries:
                blocks.extend(vote_block(entry))
            shown.update(e["number"] for e in entries)
            continue
        if not entries:
            blocks.append(Keep(heading))
            continue
        first, *rest = entries
        # An item's heading stays with its first vote.
        first_blocks = vote_block(first)
        blocks.append(Keep(heading + first_blocks[0].html))
        blocks.extend(first_blocks[1:])
        for entry in rest:
            blocks.extend(vote_block(entry))
        shown.update(e["number"] for e in entries)
    others = [e for e in record["polls"] if e["number"] not in shown]
    if others:
        blocks.append(Keep(f"<h3>{_('Biểu quyết khác')}</h3>"))
        for entry in others:
            blocks.extend(vote_block(entry))
    if not record["polls"]:
        blocks.append(Keep(f"<p>{_('Không có biểu quyết.')}</p>"))
    blocks += minutes_floor.unplaced(record)
    blocks += minutes_floor.written_due(record)
    return blocks
