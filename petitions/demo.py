"""A small year of petitions for ``chamber load_demo``: the demo ward and a second commune
under the city, their fields and agencies, officers, meetings with voters, petitions at every
step (some grouped, some late, some overdue, one forwarded to the city).

Everything goes through the services (so the council's chain holds it), with past dates.
A council that already has petitions is left as it is: running the demo again adds nothing.
"""

from __future__ import annotations

import random
import secrets
from datetime import timedelta

from django.contrib.auth.models import User
from django.utils import timezone

from meeting.models import Agency, AgencyOfficer, Council
from meeting.roles import membership_grant
from petitions import services, services_more
from petitions.models import Field, Petition
from realtime.actors import Actor

FIELDS = [
    "Đất đai",
    "Xây dựng, đô thị",
    "Môi trường",
    "Giao thông",
    "Chính sách xã hội",
    "Y tế, giáo dục",
    "An ninh, trật tự",
]
AGENCIES = [
    ("UBND {locality}", "committee"),
    ("Phòng Kinh tế, Hạ tầng và Đô thị", "office"),
    ("Phòng Văn hóa - Xã hội", "office"),
    ("Công an {locality}", "other"),
    ("Sở Xây dựng", "department"),
    ("Sở Nông nghiệp và Môi trường", "department"),
]
# (field index, agency index, text); some of them are raised again and again.
CONCERNS = [
    (2, 1, "Đường {street} bị ngập nước mỗi khi mưa lớn, đề nghị nạo vét cống thoát nước"),
    (
        3,
        1,
        "Vỉa hè đường {street} bị lấn chiếm làm nơi buôn bán, người đi bộ phải xuống lòng đường",
    ),
    (0, 0, "Đề nghị đẩy nhanh việc cấp giấy chứng nhận quyền sử dụng đất cho các hộ ở {street}"),
    (1, 4, "Công trình xây dựng trên đường {street} gây tiếng ồn và bụi kéo dài"),
    (4, 2, "Đề nghị xem xét hỗ trợ hộ cận nghèo ở khu phố {n} được vay vốn"),
    (5, 2, "Trạm y tế phường cần bổ sung bác sĩ khám bệnh vào buổi tối"),
    (6, 3, "Tình trạng đua xe vào ban đêm trên đường {street} gây mất an ninh trật tự"),
    (2, 5, "Rác thải tồn đọng ở hẻm {n} đường {street} chưa được thu gom"),
    (3, 0, "Đèn tín hiệu giao thông ở ngã tư {street} thường xuyên hư hỏng"),
]
STREETS = ["Lê Lợi", "Nguyễn Huệ", "Lê Thánh Tôn", "Pasteur", "Nam Kỳ Khởi Nghĩa", "Hàm Nghi"]
VOTERS = ["Nguyễn Văn Tám", "Trần Thị Hoa", "Lê Minh Tâm", "Phạm Thị Lan", "Võ Văn Hùng"]


def _user(username: str, first: str, last: str, password: str, email: str) -> User:
    user, _created = User.objects.get_or_create(username=username)
    user.first_name, user.last_name, user.email = first, last, email
    user.is_staff, user.is_active = True, True
    user.set_password(password)
    user.save()
    return user


def _lists(council: Council, locality: str) -> tuple[list[Field], list[Agency]]:
    fields = [
        Field.objects.get_or_create(council=council, name=name, defaults={"position": n})[0]
        for n, name in enumerate(FIELDS)
    ]
    agencies = [
        Agency.objects.get_or_create(
            council=council,
            name=name.format(locality=locality),
            defaults={"kind": kind, "position": n, "email": f"coquan{n}@example.vn"},
        )[0]
        for n, (name, kind) in enumerate(AGENCIES)
    ]
    return fields, agencies


def load(*, council: Council, locality: str, clerk: User, officer: User, seed: int) -> int:
    """A year of petitions for ``council``; returns how many were made (0 if it had some)."""
    fields, agencies = _lists(council, locality)
    AgencyOfficer.objects.get_or_create(user=officer, agency=agencies[0])
    # The other agencies answer too, through one officer account the demo does not print.
    others = _user(f"canbo-khac-{council.pk}", "Cán bộ", "cơ quan", secrets.token_urlsafe(16), "")
    for agency in agencies[1:]:
        AgencyOfficer.objects.get_or_create(user=others, agency=agency)
    membership_grant(user=clerk, council=council, role="clerk")
    if Petition.objects.filter(council=council).exists():
        return 0
    rng = random.Random(seed)
    staff, agent, other = Actor(user=clerk), Actor(user=officer), Actor(user=others)
    today = timezone.localdate()
    delegates = list(council.delegates.values_list("pk", flat=True))
    made = 0
    for days_back in (330, 240, 150, 60, 20, 1):
        held = today - timedelta(days=days_back)
        meeting = services_more.voter_meeting_create(
            council_id=council.pk,
            held_on=held,
            place=f"Nhà văn hóa khu phố {rng.randint(1, 9)}",
            delegate_ids=rng.sample(delegates, min(3, len(delegates))),
            voter_count=rng.randint(60, 220),
            actor=staff,
        )
        raised = rng.sample(CONCERNS, 6)
        petitions = []
        for field_at, agency_at, text in raised:
            for _twice in range(2 if field_at == 2 else 1):  # floods come up at every table
                street = rng.choice(STREETS)
                petitions.append(
                    (
                        services.petition_create(
                            council_id=council.pk,
                            text=text.format(street=street, n=rng.randint(1, 9)),
                            field_id=fields[field_at].pk,
                            source=Petition.Source.VOTER_MEETING,
                            meeting_id=meeting.pk,
                            place=f"Đường {street}",
                            voter_name=rng.choice(VOTERS),
                            voter_address=f"{rng.randint(1, 200)} {street}",
                            actor=staff,
                        ),
                        agencies[agency_at],
                    )
                )
        made += len(petitions)
        _handle(
            petitions,
            held=held,
            today=today,
            rng=rng,
            staff=staff,
            agent=agent,
            other=other,
            officer_agency=agencies[0],
            council=council,
        )
    return made


def _handle(petitions, *, held, today, rng, staff, agent, other, officer_agency, council):
    """Move a meeting's petitions along, as far as their age allows."""
    age = (today - held).days
    # The two flood petitions of the same meeting: one consolidated petition.
    floods = [p for p, _a in petitions if p.field.name == FIELDS[2]][:2]
    handled = [(p, a) for p, a in petitions if p not in floods]
    if len(floods) == 2:
        group = services.petitions_group(
            council_id=council.pk, petition_ids=[p.pk for p in floods], actor=staff
        )
        handled.append((group, officer_agency))
    for n, (petition, agency) in enumerate(handled):
        if age < 3:
            continue  # this week's: still to be forwarded
        if n == 0 and age > 60:
            services.petition_to_city(
                petition_id=petition.pk, reason="Vượt thẩm quyền", actor=staff
            )
            continue
        forwarded_on = held + timedelta(days=2)
        due = forwarded_on + timedelta(days=30)
        services.petition_forward(
            petition_id=petition.pk,
            agency_id=agency.pk,
            due_date=due,
            actor=staff,
            on=forwarded_on,
        )
        if due >= today and rng.random() < 0.5:
            continue
        if rng.random() < 0.15:
            continue  # the agency has not answered: overdue once the due date passes
        answered_on = forwarded_on + timedelta(days=rng.choice([10, 20, 28, 40]))
        if answered_on > today:
            continue  # overdue, or not yet due
        services.petition_answer(
            petition_id=petition.pk,
            text="UBND đã giao bộ phận chuyên môn kiểm tra, xử lý và báo cáo kết quả.",
            actor=agent if agency == officer_agency else other,
            on=answered_on,
        )
        if answered_on + timedelta(days=7) <= today and rng.random() < 0.8:
            services.petition_inform(
                petition_id=petition.pk, actor=staff, on=answered_on + timedelta(days=7)
            )
            if answered_on + timedelta(days=14) <= today:
                services.petition_close(
                    petition_id=petition.pk, actor=staff, on=answered_on + timedelta(days=14)
                )


SECOND_COMMUNE = "Hội đồng nhân dân Phường Sài Gòn"
SECOND_DELEGATES = ["Đoàn Văn Hậu", "Lê Thị Mỹ Hạnh", "Nguyễn Quốc Việt", "Phan Thị Thu Trang"]


def load_both(*, city: Council, ward: Council, ward_locality: str, password: str) -> dict:
    """The demo ward's year, a second commune's, and the accounts that click through them."""
    from meeting.models import Delegate

    second, _created = Council.objects.update_or_create(
        name=SECOND_COMMUNE, level=Council.Level.WARD, defaults={"parent": city, "seats": 25}
    )
    for n, name in enumerate(SECOND_DELEGATES, start=1):
        Delegate.objects.update_or_create(
            council=second,
            seat_label=f"A{n:02d}",
            defaults={"full_name": name, "title": "Đại biểu HĐND"},
        )
    accounts = {
        "vanthu": User.objects.get(username="vanthu"),
        "vanthu2": _user("vanthu2", "Ngọc Ánh", "Lê Thị", password, "vanthu2@example.vn"),
        "canbo": _user("canbo", "Văn Phúc", "Huỳnh", password, "canbo@example.vn"),
        "canbo2": _user("canbo2", "Thị Mai", "Phạm", password, "canbo2@example.vn"),
        "thuongtruc": _user("thuongtruc", "Văn Đức", "Trương", password, "thuongtruc@example.vn"),
    }
    membership_grant(user=accounts["thuongtruc"], council=city, role="standing")
    made = load(
        council=ward,
        locality=ward_locality,
        clerk=accounts["vanthu"],
        officer=accounts["canbo"],
        seed=1,
    )
    made += load(
        council=second,
        locality="phường Sài Gòn",
        clerk=accounts["vanthu2"],
        officer=accounts["canbo2"],
        seed=2,
    )
    return {"made": made, "second": second}
