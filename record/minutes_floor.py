"""The floor in the minutes: under each item, who spoke, in order, with the kind of turn and
its times; the question session (each question, its respondent, answered at the sitting or to
be answered in writing); and the written answers still due, with their dates."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.translation import gettext as _

from record import vn
from record.layout import Table
from record.minutes_blocks import _td, _th

SPEAKER_WIDTHS = [26, 171, 118, 92, 60.7]
QUESTION_WIDTHS = [26, 112, 165, 100, 64.7]
WRITTEN_WIDTHS = [26, 250, 110, 81.7]


def duration_words(seconds: int | None) -> str:
    """6 phút 02 giây"""
    if seconds is None:
        return ""
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes} phút {rest:02d} giây" if minutes else f"{rest} giây"


def _who(row: dict) -> str:
    """The speaker as the minutes name them: a delegate with their seat, a guest with their
    title and agency."""
    name = escape(row["full_name"])
    if row["delegate_id"] is not None:
        return f"{name} ({_('ghế')} {escape(row['seat'])})" if row["seat"] else name
    detail = ", ".join(escape(part) for part in (row["title"], row["agency"]) if part)
    return f"{name}, {detail}" if detail else name


def _kind(row: dict) -> str:
    text = escape(row["kind_label"])
    if row["reply_to"]:
        text += " " + _("với %(name)s") % {"name": escape(row["reply_to"])}
    return text


def _times(row: dict) -> str:
    start = vn.time_words(row["started_at"])
    if not row["ended_at"]:
        return start
    return f"{start} – {vn.time_words(row['ended_at'])}"


def speakers_table(turns: list[dict], before: str) -> Table:
    return Table(
        before=before,
        widths=SPEAKER_WIDTHS,
        head=[
            _th(_("TT")),
            _th(_("Người phát biểu")),
            _th(_("Hình thức")),
            _th(_("Thời gian")),
            _th(_("Thời lượng")),
        ],
        rows=[
            [
                _td(str(number)),
                _td(_who(row)),
                _td(_kind(row)),
                _td(_times(row)),
                _td(duration_words(row["duration_seconds"])),
            ]
            for number, row in enumerate(turns, start=1)
        ],
    )


def _outcome(question: dict) -> str:
    if question["outcome"] == "answered":
        return _("Đã trả lời tại kỳ họp")
    if question["outcome"] == "written":
        return _("Trả lời bằng văn bản")
    if question["outcome"] == "in_progress":  # minutes printed during a recess
        return _("Đang chất vấn")
    return _("Chưa được trả lời")


def questions_table(record: dict) -> list:
    questions = record["floor"]["questions"]
    if not questions:
        return []
    return [
        Table(
            before=f"<p><b>{_('Chất vấn và trả lời chất vấn')}</b></p>",
            widths=QUESTION_WIDTHS,
            head=[
                _th(_("TT")),
                _th(_("Đại biểu chất vấn")),
                _th(_("Nội dung chất vấn")),
                _th(_("Người trả lời")),
                _th(_("Kết quả")),
            ],
            rows=[
                [
                    _td(str(number)),
                    _td(
                        _who(q["asker"])
                        + (f"<br/><i>{_('(phiếu giấy)')}</i>" if q["on_paper"] else "")
                    ),
                    _td(escape(q["text"])),
                    _td(_who(q["respondent"])),
                    _td(_outcome(q)),
                ]
                for number, q in enumerate(questions, start=1)
            ],
        )
    ]


def written_due(record: dict) -> list:
    """The questions to be answered in writing, each with its respondent and due date."""
    rows = record["floor"]["written_due"]
    if not rows:
        return []
    return [
        Table(
            before=f"<p><b>{_('Câu hỏi chất vấn trả lời bằng văn bản')}</b></p>",
            widths=WRITTEN_WIDTHS,
            head=[_th(_("TT")), _th(_("Câu hỏi")), _th(_("Người trả lời")), _th(_("Hạn trả lời"))],
            rows=[
                [
                    _td(str(number)),
                    _td(f"{_who(q['asker'])}: {escape(q['text'])}"),
                    _td(_who(q["respondent"])),
                    _td(vn.day_words(q["due_date"]) if q["due_date"] else ""),
                ]
                for number, q in enumerate(rows, start=1)
            ],
        )
    ]


def item_blocks(record: dict, item_id: int, heading: str) -> list:
    """The item's heading with its list of speakers (the heading stays with the first row);
    the question session's table under the item it was held on. Empty: nobody spoke."""
    speakers = next(
        (s["turns"] for s in record["floor"]["speakers"] if s["agenda_item_id"] == item_id), []
    )
    if not speakers:
        return []
    blocks: list = [speakers_table(speakers, heading + f"<p>{_('Phát biểu:')}</p>")]
    if any(row["question_id"] for row in speakers) and item_id == question_item(record):
        blocks += questions_table(record)
    return blocks


def question_item(record: dict) -> int | None:
    """The item the question session was held on: that of its first turn."""
    for item in record["floor"]["speakers"]:
        if any(row["question_id"] for row in item["turns"]):
            return item["agenda_item_id"]
    return None


def unplaced(record: dict) -> list:
    """What no item took: the questions if none was called at the sitting."""
    return [] if question_item(record) is not None else questions_table(record)
