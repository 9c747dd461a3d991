"""The minutes PDF and the exports of a closed sitting with named and secret polls.

Read back as a citizen would (PyMuPDF's text extraction, the CSV and JSON downloads): every
delegate's name with its diacritics, every count, outcome and rule, the page numbers and the
final hash; who chose what in named polls; and nowhere a secret choice tied to a delegate.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections import Counter
from decimal import Decimal

import pymupdf
import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from meeting.models import ActionLog, Council, Delegate
from tests.record.sitting import (
    BUDGET,
    CANDIDATES,
    CHAIR,
    ELECTION,
    EXCUSE,
    GUESTS,
    LEAVE,
    NAMES,
    OVERSIGHT,
    PARKING,
    PARKING_AGAIN,
    PLACES,
    SCHOOL,
    SECRETARY,
    VENUE,
    Sitting,
)
from voting.models import Poll

pytestmark = pytest.mark.django_db

YES_NO = {"yes": "Tán thành", "no": "Không tán thành", "abstain": "Không biểu quyết"}
EVERY_LABEL = {*YES_NO.values(), *CANDIDATES, *PLACES}
VOTERS = NAMES[:6]  # the six present; the seventh was excused
FOOTER = re.compile(r"^(Trang \d+/\d+|Mã băm cuối của hồ sơ: .*|Kiểm tra hồ sơ .*)$")
SERIF = ["Liberation Serif Regular", "Liberation Serif Bold", "Liberation Serif Italic"]


def labels_of(sitting: Sitting, poll) -> dict[str, str]:
    if poll.choice_type == "yes_no_abstain":
        return YES_NO
    return {option["id"]: option["label"] for option in poll.options}


def expected(sitting: Sitting) -> dict[int, dict]:
    """What the minutes must say of each poll, worked out here from the choices cast."""

    def tally(choices, ids):
        counted = Counter(
            c for choice in choices for c in ([choice] if isinstance(choice, str) else choice)
        )
        return [(choice, counted[choice]) for choice in ids]

    return {
        sitting.budget.pk: {
            "counts": tally(BUDGET, ["yes", "no", "abstain"]),
            "verdict": "THÔNG QUA",
            "choices": BUDGET,
        },
        sitting.oversight.pk: {
            "counts": tally(OVERSIGHT, ["yes", "no", "abstain"]),
            "verdict": "KHÔNG THÔNG QUA",
        },
        sitting.election.pk: {
            "counts": tally(ELECTION, ["1", "2", "3"]),
            "verdict": "THÔNG QUA",
            "elected": ["Đạt", "Không đạt", "Không đạt"],
            "blank": 1,
        },
        sitting.school.pk: {
            "counts": tally(SCHOOL, ["1", "2"]),
            "verdict": "THÔNG QUA",
            "elected": ["Đạt", "Không đạt"],
            "choices": SCHOOL,
        },
    }


def contains_run(lines: list[str], run: list[str]) -> bool:
    """Whether ``run`` occurs in ``lines`` as consecutive lines (a table read row by row)."""
    return any(lines[i : i + len(run)] == run for i in range(len(lines) - len(run) + 1))


@pytest.fixture
def minutes(sitting):
    response = Client().get(f"/record/{sitting.session.pk}/minutes.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    document = pymupdf.open("pdf", response.content)
    yield document
    document.close()


def body_lines(document) -> list[str]:
    """The text of every page, line by line, without the page footers."""
    return [
        line.strip()
        for page in document
        for line in page.get_text().splitlines()
        if line.strip() and not FOOTER.match(line.strip())
    ]


def flat(lines: list[str]) -> str:
    """The text as one line: a sentence wrapped over several lines reads whole again."""
    return " ".join(lines)


def local(moment) -> str:
    """A moment as the minutes write it, worked out here: 8 giờ 05 phút, ngày 05 tháng 02 năm …"""
    at = timezone.localtime(moment)
    month = f"{at.month:02d}" if at.month < 3 else str(at.month)
    return f"{at.hour} giờ {at.minute:02d} phút, ngày {at.day:02d} tháng {month} năm {at.year}"


def logged(session, action: str):
    return ActionLog.objects.filter(session=session, action=action).order_by("id")


def vote_sections(lines: list[str]) -> dict[int, list[str]]:
    """Each numbered vote's lines, by its number in the sitting."""
    starts = [
        (int(m.group(1)), i)
        for i, line in enumerate(lines)
        if (m := re.match(r"^Biểu quyết số (\d+):", line))
    ]
    end = next(i for i, line in enumerate(lines) if line == "V. BẾ MẠC")
    bounds = [start for _n, start in starts[1:]] + [end]
    return {n: lines[start:stop] for (n, start), stop in zip(starts, bounds, strict=True)}


def share(count: int, seats: int) -> str:
    return f"{Decimal(count * 100) / Decimal(seats):.2f}".replace(".", ",") + " %"


def spans_of(page) -> list[dict]:
    return [
        span
        for block in page.get_text("dict")["blocks"]
        for line in block.get("lines", [])
        for span in line["spans"]
    ]


def test_the_header_title_and_times_follow_the_administrative_format(sitting, minutes):
    session = sitting.session
    lines = body_lines(minutes)
    assert unicodedata.is_normalized("NFC", "\n".join(lines))
    closed = logged(session, "session.close").get().at
    opened = logged(session, "session.open").get().at
    day = local(closed).split(", ", 1)[1]
    # Two columns: the issuing body and the minutes' number; the national title, the motto
    # and the place and date.
    assert lines[:7] == [
        "HỘI ĐỒNG NHÂN DÂN",
        "PHƯỜNG ĐÔNG BA",
        "Số: 1/BB-HĐND",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        f"Đông Ba, {day}",
        "BIÊN BẢN",
    ]
    text = flat(lines)
    assert (
        "BIÊN BẢN Kỳ họp thứ Năm, Hội đồng nhân dân phường Đông Ba khóa I, nhiệm kỳ 2026–2031 "
        "Kỳ họp thường lệ cuối năm 2026 I. THỜI GIAN, ĐỊA ĐIỂM" in text
    )
    # The actual opening and closing times from the record, the venue, the copies.
    assert f"Khai mạc lúc {local(opened)}." in text
    assert f"Kỳ họp bế mạc lúc {local(closed)}." in text
    assert f"Địa điểm: {VENUE}." in text
    assert "Biên bản được lập thành 02 bản." in text
    # Bold capitals; the place and date in italics; a rule beneath the motto, as long as it.
    page = minutes[0]
    found = {span["text"]: span for span in spans_of(page)}
    for heading in ("HỘI ĐỒNG NHÂN DÂN", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "BIÊN BẢN"):
        assert "Bold" in found[heading]["font"], heading
    assert "Italic" in found[f"Đông Ba, {day}"]["font"]
    motto = pymupdf.Rect(found["Độc lập - Tự do - Hạnh phúc"]["bbox"])
    rules = [
        d["rect"]
        for d in page.get_drawings()
        if d["rect"].height < 2 and motto.y1 - 2 < d["rect"].y0 < motto.y1 + 8
    ]
    assert any(abs(r.x0 - motto.x0) < 1.5 and abs(r.x1 - motto.x1) < 1.5 for r in rules), rules
    # A Times-like serif of 13 pt for the text, on A4 with a 30 mm left margin.
    opening = next(span for span in spans_of(page) if span["text"].startswith("Khai mạc lúc"))
    assert opening["font"].startswith("LiberationSerif") and round(opening["size"]) == 13
    assert (round(page.rect.width), round(page.rect.height)) == (595, 842)
    assert abs(opening["bbox"][0] - 30 * 72 / 25.4) < 1.5


def test_who_took_part_the_quorum_the_reasons_and_the_guests(sitting, minutes):
    lines = body_lines(minutes)
    text = flat(lines)
    assert "Khi khai mạc có mặt 6/7 đại biểu; vắng có lý do 1; vắng không có lý do 0." in text
    assert (
        "Số đại biểu có mặt đủ số lượng đại biểu theo quy định (ít nhất 5/7 đại biểu), "
        "kỳ họp đủ điều kiện tiến hành." in text
    )
    assert f"Vắng có lý do: Ưng Hoàng Phúc ({EXCUSE})." in text
    # Attendance at the opening, row by row under the table's head; diacritics intact.
    assert contains_run(lines, ["Ghế", "Họ và tên", "Chức danh", "Khi khai mạc"])
    for index, name in enumerate(NAMES[:6]):
        assert contains_run(lines, [f"{index + 1:02d}", name, "Đại biểu HĐND", "Có mặt"]), name
    assert contains_run(lines, ["07", "Ưng Hoàng Phúc", "Đại biểu HĐND"])
    # The change after the opening, with its time and reason.
    left = ActionLog.objects.filter(
        session=sitting.session, action="attendance.set", data__status="left"
    ).get()
    assert f"{local(left.at)} Phó Thị Ngọc Diệp Đã rời phiên họp ({LEAVE})" in text
    for name, title, agency in GUESTS:
        assert f"– {name}, {title}, {agency}." in text
    assert f"Chủ tọa: {CHAIR[0]}, {CHAIR[1]}." in text
    assert f"Thư ký: {SECRETARY[0]}, {SECRETARY[1]}." in text


def test_every_vote_is_numbered_with_its_counts_share_of_all_seats_and_outcome(sitting, minutes):
    votes = vote_sections(body_lines(minutes))
    # Numbered in the order they were opened: the four, the cancelled one, its repetition.
    polls = [*sitting.polls, sitting.cancelled, sitting.repeated]
    assert sorted(votes) == list(range(1, 7))
    wanted = expected(sitting)
    wanted[sitting.repeated.pk] = {
        "counts": [(c, PARKING_AGAIN.count(c)) for c in ("yes", "no", "abstain")],
        "verdict": "THÔNG QUA",
    }
    for number, poll in enumerate(polls, start=1):
        part = votes[number]
        text = flat(part)
        assert text.startswith(f"Biểu quyết số {number}: {poll.title} "), text
        kind = "bỏ phiếu kín" if poll.kind == "secret" else "biểu quyết công khai"
        assert f"Hình thức: {kind}." in text
        if poll == sitting.cancelled:
            continue
        assert "Số đại biểu có mặt tại thời điểm biểu quyết: 6/7." in text
        unit = "đại biểu" if poll.choice_type == "yes_no_abstain" else "phiếu"
        labels = labels_of(sitting, poll)
        for choice, count in wanted[poll.pk]["counts"]:
            line = f"– {labels[choice]}: {count}/7 {unit}, chiếm {share(count, 7)}"
            assert line in text, (line, text)
        assert f"Kết quả: {wanted[poll.pk]['verdict']}" in part
        assert f"Mã băm các phiếu: {Poll.objects.get(pk=poll.pk).result.digest}" in part
    # The format's own example: a decimal comma, two places.
    assert "– Tán thành: 4/7 đại biểu, chiếm 57,14 %;" in flat(votes[1])
    # A secret vote's counting figures; a named vote has none.
    for number in (2, 3):
        assert (
            "Số phiếu phát ra: 6; số phiếu thu vào: 6; số phiếu hợp lệ: 6; "
            "số phiếu không hợp lệ: 0." in flat(votes[number])
        )
    assert "Số phiếu phát ra" not in flat(votes[1])
    assert "– Phiếu trắng: 1." in flat(votes[3])


def test_a_cancelled_vote_and_its_repetition_are_told_apart(sitting, minutes):
    votes = vote_sections(body_lines(minutes))
    cancelled, repeated = flat(votes[5]), flat(votes[6])
    assert sitting.cancelled.title == sitting.repeated.title == PARKING
    assert (
        "ĐÃ HỦY. Lý do: Hệ thống gặp sự cố kỹ thuật. Biểu quyết lại tại biểu quyết số 6."
        in cancelled
    )
    assert "Kết quả: ĐÃ HỦY, KẾT QUẢ KHÔNG CÓ GIÁ TRỊ" in cancelled
    assert "Phiếu đã bỏ trước khi hủy (không được tính):" in cancelled
    assert "THÔNG QUA" not in cancelled
    assert "BIỂU QUYẾT LẠI (lần 2), thay cho biểu quyết số 5." in repeated
    assert "Kết quả: THÔNG QUA" in repeated and "ĐÃ HỦY" not in repeated


def test_the_signatures_secretary_left_chair_right_names_in_bold(sitting, minutes):
    last = minutes[-1]
    found = {span["text"]: span for span in spans_of(last)}
    middle = last.rect.width / 2
    for role, name, left in (("THƯ KÝ", SECRETARY[0], True), ("CHỦ TỌA", CHAIR[0], False)):
        role_box, name_box = pymupdf.Rect(found[role]["bbox"]), pymupdf.Rect(found[name]["bbox"])
        assert "Bold" in found[role]["font"] and "Bold" in found[name]["font"]
        assert (role_box.x1 < middle) == left and (name_box.x1 < middle) == left
        assert (role_box.x0 > middle) != left and (name_box.x0 > middle) != left
        assert name_box.y0 - role_box.y1 > 40  # room to sign
    assert "(Ký, ghi rõ họ tên)" in found


def test_no_voter_of_a_secret_vote_stands_next_to_a_choice(sitting, minutes):
    votes = vote_sections(body_lines(minutes))
    for number, poll, choices in ((1, sitting.budget, BUDGET), (4, sitting.school, SCHOOL)):
        labels = labels_of(sitting, poll)
        rows = ["Đại biểu", "Lựa chọn"]
        for name, choice in zip(VOTERS, choices, strict=True):
            chosen = [choice] if isinstance(choice, str) else choice
            rows += [name, ", ".join(labels[c] for c in chosen)]
        assert contains_run(votes[number], rows), votes[number]
    for number, choices in ((2, OVERSIGHT), (3, ELECTION)):
        part = votes[number]
        assert len(choices) == len(VOTERS)
        assert not set(part) & set(NAMES), "a delegate's name stands alone in a secret poll"
        # Who took part, in seat order (they voted in reverse): a list of names, no choice.
        assert f"6 đại biểu đã tham gia bỏ phiếu kín: {', '.join(VOTERS)}." in flat(part)
        with_names = [line for line in part if any(n in line for n in NAMES)]
        assert not any(label in line for line in with_names for label in EVERY_LABEL)


def test_every_page_is_numbered_and_carries_the_final_hash(sitting, minutes):
    head = sitting.session.log_head
    assert re.fullmatch(r"[0-9a-f]{64}", head) and head != "0" * 64
    total = minutes.page_count
    assert total >= 2
    for number, page in enumerate(minutes, start=1):
        page_lines = page.get_text().splitlines()
        assert f"Trang {number}/{total}" in page_lines
        assert f"Mã băm cuối của hồ sơ: {head}" in page_lines
        # In the footer, upright: below the text, above the page's bottom edge, left to right.
        footer = [
            line
            for block in page.get_text("dict")["blocks"]
            for line in block.get("lines", [])
            if "".join(span["text"] for span in line["spans"]).startswith(("Trang", "Mã băm cuối"))
        ]
        assert len(footer) == 2
        for line in footer:
            top, bottom = line["bbox"][1], line["bbox"][3]
            assert page.rect.height - 100 < top < bottom < page.rect.height - 20, line["bbox"]
            assert line["dir"] == (1.0, 0.0)
    last = minutes[-1]
    assert f"http://testserver/record/{sitting.session.pk}/verify/" in last.get_text()
    # The QR code of the verification page: dark squares in the bottom right corner.
    [qr] = [d for d in last.get_drawings() if d.get("fill") == (0.0, 0.0, 0.0)]
    assert len(qr["items"]) > 100 and abs(qr["rect"].width - qr["rect"].height) < 1
    assert qr["rect"].x0 > last.rect.width / 2 and qr["rect"].y0 > last.rect.height - 100


def test_the_minutes_embed_one_subset_serif_font_per_style(minutes):
    embedded = {}
    for page in minutes:
        for xref, ext, kind, basefont, *_rest in page.get_fonts(full=True):
            # "n/a" would mean a font the reader has to supply: never for Vietnamese minutes.
            assert ext == "ttf" and kind == "Type0", (basefont, ext, kind)
            embedded[xref] = basefont.split("+")[-1]
    assert sorted(embedded.values()) == sorted(SERIF)  # each style once, shared by every page
    for xref in embedded:
        _name, _ext, _kind, program = minutes.extract_font(xref)
        assert 0 < len(program) < 60_000  # the whole Liberation Serif files are ~380 kB each
    size = len(minutes.tobytes())
    assert size < 150_000, size


def test_the_same_minutes_downloaded_twice_are_the_same_bytes(sitting, settings):
    settings.CHAMBER_PUBLIC_URL = "https://hdnd.dongba.example"
    url = f"/record/{sitting.session.pk}/minutes.pdf"
    first = Client().get(url).content
    second = Client(HTTP_HOST="localhost").get(url).content
    assert first == second
    # A Vietnamese legal document whatever the reader's language: the same bytes in English.
    english = Client()
    english.cookies["django_language"] = "en"
    assert english.get(url).content == first
    document = pymupdf.open("pdf", first)
    link = f"https://hdnd.dongba.example/record/{sitting.session.pk}/verify/"
    assert link in document[-1].get_text()
    closed = timezone.localtime(logged(sitting.session, "session.close").get().at)
    meta = document.metadata
    assert meta["title"] == "Biên bản kỳ họp — HĐND Phường Đông Ba"
    assert meta["author"] == "HĐND Phường Đông Ba"
    assert meta["subject"] == "Kỳ họp thứ 5 — Kỳ họp thường lệ cuối năm 2026"
    assert meta["creationDate"].startswith(closed.strftime("D:%Y%m%d%H%M%S"))
    assert sitting.session.log_head in meta["keywords"]


def test_tables_repeat_their_head_and_a_result_stays_with_its_counts(sitting):
    """Sixty more delegates: the attendance table runs over pages."""
    Delegate.objects.bulk_create(
        Delegate(
            council=sitting.council,
            full_name=f"Đại biểu bổ sung số {i}",
            seat_label=f"{i + 10:02d}",
        )
        for i in range(60)
    )
    response = Client().get(f"/record/{sitting.session.pk}/minutes.pdf")
    document = pymupdf.open("pdf", response.content)
    head = ["Ghế", "Họ và tên", "Chức danh", "Khi khai mạc"]
    pages_with_rows = [page.number for page in document if "Đại biểu bổ sung số" in page.get_text()]
    assert len(pages_with_rows) >= 2
    for number in pages_with_rows:
        page_lines = [line.strip() for line in document[number].get_text().splitlines()]
        first_row = next(i for i, line in enumerate(page_lines) if re.fullmatch(r"\d\d", line))
        assert page_lines[first_row - 4 : first_row] == head, number
    for page in document:
        text = page.get_text()
        for match in re.finditer(r"Biểu quyết số (\d+):", text):
            rest = text[match.end() :]
            following = re.search(r"Biểu quyết số \d+:", rest)
            section = rest[: following.start()] if following else rest
            assert "Kết quả:" in section, (page.number, match.group(0))


def download(sitting: Sitting, name: str):
    response = Client().get(f"/record/{sitting.session.pk}/{name}")
    assert response.status_code == 200, name
    assert response["Content-Disposition"].startswith("attachment; filename=")
    return response


def read_csv(sitting: Sitting, name: str) -> list[dict]:
    response = download(sitting, name)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    content = response.content.decode("utf-8")
    assert content.startswith("\ufeff")  # spreadsheets read it as UTF-8
    return list(csv.DictReader(io.StringIO(content[1:])))


def test_the_csv_exports_pair_delegates_and_choices_only_for_named_polls(sitting):
    attendance = read_csv(sitting, "attendance.csv")
    assert [(row["seat"], row["full_name"], row["status"]) for row in attendance] == [
        (f"{i + 1:02d}", name, {5: "left", 6: "excused"}.get(i, "present"))
        for i, name in enumerate(NAMES)
    ]

    polls = {int(row["poll_id"]): row for row in read_csv(sitting, "polls.csv")}
    wanted = expected(sitting)
    for poll in sitting.polls:
        row, labels = polls[poll.pk], labels_of(sitting, poll)
        assert row["title"] == poll.title and row["kind"] == poll.kind
        assert row["counts"] == "; ".join(
            f"{labels[choice]}: {count}" for choice, count in wanted[poll.pk]["counts"]
        )
        assert row["passed"] == str(wanted[poll.pk]["verdict"] == "THÔNG QUA")
        assert (row["ballots"], row["base"], row["required"], row["participants"]) == (
            "6",
            "7",
            "4",
            "6",
        )
        assert row["digest"] == poll.result.digest
    flat = json.dumps(list(polls.values()), ensure_ascii=False)
    assert not any(name in flat for name in NAMES)  # totals only

    four = {str(poll.pk) for poll in sitting.polls}
    votes = [row for row in read_csv(sitting, "votes.csv") if row["poll_id"] in four]
    secret_ids = {str(sitting.oversight.pk), str(sitting.election.pk)}
    assert not [row for row in votes if row["poll_id"] in secret_ids]
    want = set()
    for poll, choices in ((sitting.budget, BUDGET), (sitting.school, SCHOOL)):
        labels = labels_of(sitting, poll)
        for name, choice in zip(VOTERS, choices, strict=True):
            chosen = [choice] if isinstance(choice, str) else choice
            want.add((str(poll.pk), name, ", ".join(labels[c] for c in chosen)))
    assert {(row["poll_id"], row["delegate"], row["choice"]) for row in votes} == want
    assert len(votes) == len(want)


def _dicts(node, path=()):
    """Every dict in a JSON document, with its path."""
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from _dicts(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _dicts(value, (*path, index))


def _strings(node, path=()):
    if isinstance(node, str):
        yield path, node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _strings(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _strings(value, (*path, index))


DELEGATE_KEYS = {"delegate", "delegate_id", "full_name"}
CHOICE_KEYS = {"choice", "choices", "receipt", "receipts"}


def test_the_json_record_has_no_delegate_next_to_a_secret_choice(sitting):
    response = download(sitting, "record.json")
    assert response["Content-Type"] == "application/json; charset=utf-8"
    record = json.loads(response.content.decode("utf-8"))
    assert record["session"]["final_hash"] == sitting.session.log_head
    by_id = {entry["poll"]["id"]: entry for entry in record["polls"]}

    # Any object pairing a delegate with a choice lies in a named poll's list of choices.
    pairing = [
        path for path, d in _dicts(record) if DELEGATE_KEYS & d.keys() and CHOICE_KEYS & d.keys()
    ]
    assert pairing
    for path in pairing:
        assert path[0] == "polls" and path[2] == "choices", path
        assert record["polls"][path[1]]["poll"]["kind"] == "named"

    for poll, choices in ((sitting.oversight, OVERSIGHT), (sitting.election, ELECTION)):
        entry = by_id[poll.pk]
        assert "choices" not in entry
        # Names appear only in the list of participants, in seat order, without a choice.
        named = [path for path, text in _strings(entry) if any(n in text for n in NAMES)]
        assert named == [("participants", i, "full_name") for i in range(6)]
        assert [p["full_name"] for p in entry["participants"]] == VOTERS
        assert all(set(p) == {"delegate_id", "full_name"} for p in entry["participants"])
        # The receipts are there for each voter to find their own: sorted, not in voting order.
        assert entry["receipts"] == sorted(sitting.receipts[poll.pk])
        assert entry["result"]["counts"] == {
            choice: count for choice, count in expected(sitting)[poll.pk]["counts"]
        }
        assert len(choices) == 6

    for poll, choices in ((sitting.budget, BUDGET), (sitting.school, SCHOOL)):
        assert [(row["full_name"], row["choice"]) for row in by_id[poll.pk]["choices"]] == list(
            zip(VOTERS, choices, strict=True)
        )


def test_the_printable_page_lists_no_voter_of_a_secret_poll(sitting):
    html = Client().get(f"/record/{sitting.session.pk}/").content.decode()
    for poll in sitting.polls:
        section = re.search(
            rf'<section class="poll-record" id="poll-{poll.pk}".*?</section>', html, re.S
        ).group(0)
        names = [name for name in NAMES if name in section]
        assert names == (VOTERS if poll.kind == "named" else []), poll.title


def test_a_delegate_renamed_after_the_sitting_keeps_the_name_the_minutes_were_made_with(sitting):
    """The council renamed and a name corrected after the close: the minutes print both as
    the chain fixed them at the opening, and the record still verifies."""
    delegate = sitting.delegates[2]
    Delegate.objects.filter(pk=delegate.pk).update(full_name="Huỳnh Ngọc Ẩn (đã đổi)")
    Council.objects.filter(pk=sitting.council.pk).update(name="HĐND Phường Mới", locality="")
    lines = body_lines(
        pymupdf.open("pdf", Client().get(f"/record/{sitting.session.pk}/minutes.pdf").content)
    )
    assert lines[:2] == ["HỘI ĐỒNG NHÂN DÂN", "PHƯỜNG ĐÔNG BA"]
    assert NAMES[2] in lines and not any("(đã đổi)" in line for line in lines)
    call_command("verify-record", str(sitting.session.pk), stdout=io.StringIO())
