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

import pymupdf
import pytest
from django.test import Client

from tests.record.sitting import (
    BUDGET,
    CANDIDATES,
    ELECTION,
    NAMES,
    OVERSIGHT,
    PLACES,
    SCHOOL,
    Sitting,
)

pytestmark = pytest.mark.django_db

YES_NO = {"yes": "Tán thành", "no": "Không tán thành", "abstain": "Không biểu quyết"}
EVERY_LABEL = {*YES_NO.values(), *CANDIDATES, *PLACES}
VOTERS = NAMES[:6]  # the six present; the seventh was excused
FOOTER = re.compile(r"^(Trang \d+/\d+|Mã băm cuối của hồ sơ: .*|Kiểm tra hồ sơ .*)$")
NOTO = {"Noto Sans Regular", "Noto Sans Bold", "Noto Sans Italic"}


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


def poll_sections(lines: list[str], sitting: Sitting) -> dict[int, tuple[int, int]]:
    """Where each poll's part of the minutes starts and ends (line indexes), by poll id."""
    starts = []
    for poll in sitting.polls:
        heading = re.compile(rf"^\d+\. {re.escape(poll.title)} — ")
        found = [i for i, line in enumerate(lines) if heading.match(line)]
        assert len(found) == 1, f"no single heading for {poll.title!r}"
        starts.append((found[0], poll.pk))
    starts.sort()
    end = lines.index("THƯ KÝ")  # the signatures follow the last poll
    bounds = [start for start, _ in starts[1:]] + [end]
    return {pk: (start, stop) for (start, pk), stop in zip(starts, bounds, strict=True)}


def test_the_minutes_name_everyone_and_count_every_vote(sitting, minutes):
    lines = body_lines(minutes)
    text = "\n".join(lines)
    assert unicodedata.is_normalized("NFC", text)

    # The heading, and every delegate with diacritics intact, in the attendance table.
    assert "BIÊN BẢN KỲ HỌP" in lines and "HĐND Phường Đông Ba" in lines
    assert "Chủ tọa: Nguyễn Thị Ánh Tuyết. Thư ký: Đặng Quốc Hưng." in lines
    for index, name in enumerate(NAMES):
        status = "Vắng có lý do" if index == 6 else "Có mặt"
        assert contains_run(lines, [f"{index + 1:02d}", name, "Đại biểu HĐND", status]), name
    assert "Tổng số đại biểu: 7; có mặt: 6; vắng có lý do: 1; vắng: 0; rời phiên họp: 0." in text

    sections = poll_sections(lines, sitting)
    wanted = expected(sitting)
    for poll in sitting.polls:
        start, stop = sections[poll.pk]
        part = lines[start:stop]
        flat = " ".join(part)
        want = wanted[poll.pk]
        labels = labels_of(sitting, poll)
        # The rules: base, threshold, the number required; the attendance at close.
        assert (
            "Quy tắc: cơ sở tính tổng số đại biểu của hội đồng (7); ngưỡng thông qua quá nửa."
            in part
        ), part
        blank = f"; phiếu trắng: {want['blank']}" if "blank" in want else ""
        assert f"Số phiếu cần đạt: 4; có mặt khi kết thúc: 6; số phiếu: 6{blank}." in flat
        # Every count, in the poll's own order of choices, and the outcome.
        table = ["Lựa chọn", "Số phiếu"] + (["Kết quả"] if "elected" in want else [])
        for position, (choice, count) in enumerate(want["counts"]):
            table += [labels[choice], str(count)]
            if "elected" in want:
                table.append(want["elected"][position])
        assert contains_run(part, table), (poll.title, part)
        assert f"Kết quả: {want['verdict']}" in part
        digest = poll.result.digest
        assert f"Mã băm các phiếu: {digest}" in part

        if poll.kind == "named":
            # Who chose what, row by row.
            rows = ["Đại biểu", "Lựa chọn"]
            for name, choice in zip(VOTERS, want["choices"], strict=True):
                chosen = [choice] if isinstance(choice, str) else choice
                rows += [name, ", ".join(labels[c] for c in chosen)]
            assert contains_run(part, rows), part
        else:
            # Who took part, in seat order (they voted in reverse): a list of names, no choice.
            assert not set(part) & set(NAMES), "a delegate's name stands alone in a secret poll"
            with_names = [i for i, line in enumerate(part) if any(n in line for n in NAMES)]
            assert with_names == list(range(with_names[0], with_names[0] + len(with_names)))
            paragraph = " ".join(part[i] for i in with_names)
            assert paragraph == f"6 đại biểu đã tham gia bỏ phiếu kín: {', '.join(VOTERS)}."
            for i in with_names:
                assert not any(label in part[i] for label in EVERY_LABEL), part[i]

    # Nowhere in the whole text does a name stand next to a choice outside the named polls.
    named_ranges = [sections[p.pk] for p in sitting.polls if p.kind == "named"]
    next_to_choice = [
        i
        for i, line in enumerate(lines)
        if line in NAMES
        and (lines[i - 1] in EVERY_LABEL or (i + 1 < len(lines) and lines[i + 1] in EVERY_LABEL))
    ]
    assert len(next_to_choice) == 2 * len(VOTERS)
    assert all(any(a <= i < b for a, b in named_ranges) for i in next_to_choice)

    # The agenda with each poll's outcome.
    assert contains_run(lines, ["1", "Nghị quyết về ngân sách địa", "phương năm 2027"])
    assert "2027: không thông qua" in text


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


def test_the_minutes_embed_noto_sans_and_nothing_else(minutes):
    for page in minutes:
        fonts = page.get_fonts(full=True)
        assert fonts
        for _xref, ext, kind, basefont, *_rest in fonts:
            # "n/a" would mean a font the reader has to supply: never for Vietnamese minutes.
            assert ext == "ttf" and kind == "Type0", (basefont, ext, kind)
            assert basefont.split("+")[-1] in NOTO, basefont
    assert "Noto Sans Regular" in {font[3] for font in minutes[0].get_fonts()}


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
        (f"{i + 1:02d}", name, "excused" if i == 6 else "present") for i, name in enumerate(NAMES)
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

    votes = read_csv(sitting, "votes.csv")
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
