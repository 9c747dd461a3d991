"""Badges: the signed token, re-issue, the printed sheet and sign-in over HTTP."""

import math

import pymupdf
import pytest

from meeting import services
from meeting.badges import (
    ALPHABET,
    badge_token,
    badges_pdf,
    delegate_for_badge,
    display_code,
)
from meeting.models import ActionLog, Attendance, Delegate, Session
from realtime.actors import Actor
from realtime.errors import ServiceError
from tests.factories import make_council, make_session, make_staff

pytestmark = pytest.mark.django_db

# Names whose diacritics a broken font or text layer would lose.
NAMES = [
    "Nguyễn Thị Thu Hà",
    "Trần Văn Minh",
    "Lê Thị Kim Oanh",
    "Phạm Quốc Bảo",
    "Võ Thị Ngọc Trâm",
    "Huỳnh Tấn Phát",
    "Đặng Minh Khôi",
    "Bùi Thị Mỹ Linh",
    "Hồ Ngọc Thạch",
    "Dương Thị Thanh Tuyền",
    "Ngô Văn Lộc",
    "Đỗ Thị Hồng Nhung",
    "Quách Thị Phương Thảo",
    "Trương Thị Bích Ngân",
    "Đinh Công Trứ",
    "Lưu Thị Yến Nhi",
    "Tăng Văn Đạt",
]


def _delegate() -> Delegate:
    return make_council(seats=3).delegates.first()


def _refused(code: str) -> str:
    with pytest.raises(ServiceError) as refused:
        delegate_for_badge(code)
    return refused.value.code


# --- the token ---------------------------------------------------------------------------


def test_badge_token_signs_in():
    delegate = _delegate()
    assert delegate_for_badge(badge_token(delegate)) == delegate


def test_typed_code_with_dashes_and_lowercase_signs_in():
    delegate = _delegate()
    typed = display_code(badge_token(delegate)).lower()
    assert "-" in typed
    assert delegate_for_badge(typed) == delegate
    assert delegate_for_badge(f"  {typed.replace('-', ' ')} ") == delegate


def test_forged_signature_is_invalid():
    delegate = _delegate()
    token = badge_token(delegate)
    last = token[-1]
    forged = token[:-1] + ALPHABET[(ALPHABET.index(last) + 1) % len(ALPHABET)]
    assert _refused(forged) == "badge.invalid"
    assert _refused(delegate.badge_key) == "badge.invalid"  # no signature at all
    assert _refused("") == "badge.invalid"


def test_reissued_badge_revokes_the_old_code():
    delegate = _delegate()
    old = badge_token(delegate)
    services.badge_reissue(delegate_id=delegate.pk, actor=Actor(user=make_staff(role="clerk")))
    delegate.refresh_from_db()
    assert delegate.badge_issued_at is not None
    assert _refused(old) == "badge.revoked"
    assert delegate_for_badge(badge_token(delegate)) == delegate


# --- the printed sheet -------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 8, 9, 17])
def test_badge_sheet_has_a_page_per_eight_badges_and_every_name(count):
    council = make_council(seats=count)
    for delegate, name in zip(council.delegates.order_by("pk"), NAMES, strict=False):
        delegate.full_name = name
        delegate.save(update_fields=["full_name"])
    document = pymupdf.open(
        stream=badges_pdf(council, base_url="http://chamber.test/"), filetype="pdf"
    )
    assert document.page_count == math.ceil(count / 8)
    # A name may wrap inside its box: compare with the whitespace folded.
    text = " ".join("".join(page.get_text() for page in document).split())
    for delegate in council.delegates.all():
        assert delegate.full_name in text
        assert display_code(badge_token(delegate)) in text
    assert council.name in text


def _badges_url(council) -> str:
    return f"/staff/councils/{council.pk}/badges.pdf"


def test_badge_sheet_view_refuses_anonymous(client):
    council = make_council(seats=2)
    response = client.get(_badges_url(council))
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


@pytest.mark.parametrize("role", ["chair", "secretary"])
def test_badge_sheet_view_refuses_staff_without_the_permission(client, role):
    council = make_council(seats=2)
    client.force_login(make_staff(role=role, council=council))
    response = client.get(_badges_url(council))
    assert response.status_code in (302, 403)
    assert response.get("Content-Type") != "application/pdf"


def test_badge_sheet_view_serves_a_pdf_to_the_clerk(client):
    council = make_council(seats=3)
    client.force_login(make_staff(role="clerk", council=council))
    response = client.get(_badges_url(council))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    document = pymupdf.open(stream=response.content, filetype="pdf")
    assert document.page_count == 1
    text = " ".join(document[0].get_text().split())
    for delegate in council.delegates.all():
        assert display_code(badge_token(delegate)) in text


def test_badge_sheet_view_404_for_unknown_council(client):
    client.force_login(make_staff(role="clerk", council=make_council(seats=1)))
    assert client.get("/staff/councils/999999/badges.pdf").status_code == 404


# --- sign-in over HTTP -------------------------------------------------------------------


def test_sign_in_link_checks_the_delegate_in(client):
    council = make_council(seats=5)
    session = make_session(council=council, status=Session.Status.IN_PROGRESS)
    delegate = council.delegates.first()
    response = client.get(f"/tablet/signin/{badge_token(delegate)}/")
    assert response.status_code == 302
    assert response["Location"] == "/tablet/"
    assert client.session["delegate_id"] == delegate.pk
    attendance = Attendance.objects.get(session=session, delegate=delegate)
    assert attendance.status == Attendance.Status.PRESENT
    log = ActionLog.objects.get(session=session, action="attendance.set")
    assert log.actor_delegate == delegate
    assert log.data["status"] == Attendance.Status.PRESENT


def test_sign_in_before_the_session_opens_does_not_check_in(client):
    council = make_council(seats=5)
    session = make_session(council=council, status=Session.Status.SCHEDULED)
    delegate = council.delegates.first()
    response = client.get(f"/tablet/signin/{badge_token(delegate)}/")
    assert response.status_code == 302
    assert not Attendance.objects.filter(session=session).exists()


def test_revoked_badge_is_refused_over_http(client):
    council = make_council(seats=5)
    make_session(council=council, status=Session.Status.IN_PROGRESS)
    delegate = council.delegates.first()
    old = badge_token(delegate)
    services.badge_reissue(delegate_id=delegate.pk, actor=Actor(user=make_staff(role="clerk")))
    response = client.get(f"/tablet/signin/{old}/")
    assert response.status_code == 403
    assert response.context["error_code"] == "badge.revoked"
    assert "Thẻ này đã bị thu hồi" in response.content.decode()
    assert "delegate_id" not in client.session
    assert not Attendance.objects.filter(delegate=delegate).exists()


# Real shapes of long entries: a name with several middle names, a title with the whole office.
LONG_NAME = "Tôn Nữ Thị Hoàng Phương Nguyễn Huỳnh Bảo Ngọc Quỳnh Anh Thư"
LONG_TITLE = (
    "Phó Chủ tịch Ủy ban Mặt trận Tổ quốc Việt Nam thành phố, Chủ tịch Hội Liên hiệp Phụ nữ, "
    "Ủy viên Ban Thường vụ Thành ủy, Trưởng Ban Văn hóa - Xã hội Hội đồng nhân dân"
)


def _words(page: pymupdf.Page) -> list[tuple]:
    return [(pymupdf.Rect(w[:4]), w[4]) for w in page.get_text("words")]


def test_badge_sheet_fits_long_vietnamese_names_and_titles(client):
    council = make_council(
        seats=3, name="Hội đồng nhân dân Đặc khu Phú Quốc, tỉnh Kiên Giang, nhiệm kỳ 2026-2031"
    )
    first, second, third = council.delegates.order_by("pk")
    first.full_name, first.title = LONG_NAME, LONG_TITLE
    second.full_name = "Nguyễn " + "Thị " * 60 + "Hà"  # the longest the field takes: 200
    second.title = ("Trưởng Ban Pháp chế " * 12)[:200]
    second.full_name = second.full_name[:200]
    third.full_name, third.title = "Lê Văn Tám", "Đại biểu"
    for delegate in (first, second, third):
        delegate.save()

    client.force_login(make_staff(role="clerk", council=council))
    response = client.get(_badges_url(council))
    assert response.status_code == 200, response.content[:300]
    page = pymupdf.open(stream=response.content, filetype="pdf")[0]
    text = " ".join(page.get_text().split())
    # A long real name and title are printed whole, wrapped (and smaller), never cut.
    assert LONG_NAME in text and LONG_TITLE in text
    assert "Lê Văn Tám" in text
    for delegate in (first, second, third):
        assert display_code(badge_token(delegate)) in text
        assert f"Ghế {delegate.seat_label}" in text  # a 200-character title never hides it
    # Every word stays on the page and inside the half of the sheet its badge is in (two
    # columns): nothing runs into the neighbouring badge or off the paper.
    middle = page.rect.width / 2
    for rect, word in _words(page):
        assert page.rect.contains(rect), word
        assert rect.x1 <= middle + 1 or rect.x0 >= middle - 1, word
    # No two lines of text overlap.
    lines = {}
    for block in page.get_text("dict")["blocks"]:
        for line in block.get("lines", []):
            lines[tuple(round(v, 1) for v in line["bbox"])] = pymupdf.Rect(line["bbox"])
    boxes = list(lines.values())
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            overlap = a & b
            assert overlap.is_empty or overlap.get_area() < 1, (a, b)


def test_the_badge_sign_in_gives_the_tablet_its_pass_and_signing_out_takes_it(client):
    from meeting.tablet_pass import PASS_COOKIE, badge_fingerprint, pass_read

    council = make_council(seats=2)
    delegate = council.delegates.first()
    client.get(f"/tablet/signin/{badge_token(delegate)}/")
    cookie = client.cookies[PASS_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    signed_in = pass_read(cookie.value)
    assert (signed_in.delegate_id, signed_in.council_id) == (delegate.pk, council.pk)
    assert signed_in.badge == badge_fingerprint(delegate.badge_key)
    assert signed_in.login == client.session.session_key
    assert delegate.badge_key not in cookie.value  # a fingerprint, never the badge itself
    client.post("/tablet/signout/")
    assert client.cookies[PASS_COOKIE].value == ""
