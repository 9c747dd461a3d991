"""``chamber load_demo``: a ward People's Council with a session in progress, ready to show.

Running it again changes nothing that is already there: the council, its delegates (and so
their badges) and the staff accounts are found by name and brought back to the demo values;
the demo session is re-used while it is not closed. A closed demo session stays in the record
and a new one is opened beside it.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from meeting import services
from meeting.badges import sign_in_url
from meeting.models import AgendaItem, Attendance, Council, Delegate, Session
from meeting.roles import membership_grant, sync_role_groups
from realtime.actors import Actor

CITY_NAME = "Hội đồng nhân dân Thành phố Hồ Chí Minh"
CITY_SEATS = 125
COUNCIL_NAME = "Hội đồng nhân dân Phường Bến Thành"
SESSION_NUMBER = 5
PASSWORD = "chamber-demo"
STAFF = [
    # username, role group, first name, last name
    ("chutoa", "chair", "Thu Hà", "Nguyễn Thị"),
    ("thuky", "secretary", "Thanh Bình", "Phạm"),
    ("vanthu", "clerk", "Mỹ Duyên", "Trần Thị"),
]

# Seat labels follow the rows of the hall: the standing committee and the heads of the
# committees in row A, the other delegates in rows B and C.
DELEGATES = [
    ("A01", "Nguyễn Thị Thu Hà", "Chủ tịch HĐND"),
    ("A02", "Trần Văn Minh", "Phó Chủ tịch HĐND"),
    ("A03", "Lê Thị Kim Oanh", "Trưởng Ban Pháp chế"),
    ("A04", "Phạm Quốc Bảo", "Phó Trưởng Ban Pháp chế"),
    ("A05", "Võ Thị Ngọc Trâm", "Trưởng Ban Kinh tế - Xã hội"),
    ("A06", "Huỳnh Tấn Phát", "Phó Trưởng Ban Kinh tế - Xã hội"),
    ("A07", "Đặng Minh Khôi", "Ủy viên Ban Pháp chế"),
    ("A08", "Bùi Thị Mỹ Linh", "Ủy viên Ban Pháp chế"),
    ("A09", "Hồ Ngọc Thạch", "Ủy viên Ban Kinh tế - Xã hội"),
    ("A10", "Dương Thị Thanh Tuyền", "Ủy viên Ban Kinh tế - Xã hội"),
    ("B01", "Ngô Văn Lộc", "Đại biểu HĐND, Chủ tịch UBND phường"),
    ("B02", "Đỗ Thị Hồng Nhung", "Đại biểu HĐND, Phó Chủ tịch UBND phường"),
    ("B03", "Phan Thanh Tùng", "Đại biểu HĐND"),
    ("B04", "Vũ Thị Lệ Quyên", "Đại biểu HĐND"),
    ("B05", "Lý Gia Huy", "Đại biểu HĐND"),
    ("B06", "Trương Thị Bích Ngân", "Đại biểu HĐND"),
    ("B07", "Đinh Công Trứ", "Đại biểu HĐND"),
    ("B08", "Châu Văn Hiếu", "Đại biểu HĐND"),
    ("B09", "Lâm Thị Diễm My", "Đại biểu HĐND"),
    ("B10", "Tạ Quang Vinh", "Đại biểu HĐND"),
    ("C01", "Mai Thị Xuân Hương", "Đại biểu HĐND"),
    ("C02", "Hà Đức Thắng", "Đại biểu HĐND"),
    ("C03", "Lưu Thị Yến Nhi", "Đại biểu HĐND"),
    ("C04", "Kiều Văn Toàn", "Đại biểu HĐND"),
    ("C05", "Quách Thị Phương Thảo", "Đại biểu HĐND"),
    ("C06", "Từ Minh Nhật", "Đại biểu HĐND"),
    ("C07", "La Thị Cẩm Tú", "Đại biểu HĐND"),
    ("C08", "Tăng Văn Đạt", "Đại biểu HĐND"),
    ("C09", "Nguyễn Hoàng Phúc", "Đại biểu HĐND"),
    ("C10", "Trần Thị Ánh Tuyết", "Đại biểu HĐND"),
]
# The delegates whose tablet sign-in links are printed.
TABLET_SEATS = ["A03", "B03", "C05"]
# The chair of the sitting, a delegate: the console account ``chutoa`` is hers.
CHAIR_SEAT = "A01"

CHAIR = "Bà Nguyễn Thị Thu Hà, Chủ tịch HĐND phường"
VICE_CHAIR = "Ông Trần Văn Minh, Phó Chủ tịch HĐND phường"
PEOPLES_COMMITTEE = "Ông Ngô Văn Lộc, Chủ tịch UBND phường"
VICE_COMMITTEE = "Bà Đỗ Thị Hồng Nhung, Phó Chủ tịch UBND phường"
ECONOMY_BOARD = "Bà Võ Thị Ngọc Trâm, Trưởng Ban Kinh tế - Xã hội"
LAW_BOARD = "Bà Lê Thị Kim Oanh, Trưởng Ban Pháp chế"
FRONT = "Ủy ban Mặt trận Tổ quốc Việt Nam phường"


def agenda(year: int) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """(title, presenter, sub-items) in the order of the programme."""
    return [
        ("Khai mạc kỳ họp; thông qua chương trình kỳ họp", CHAIR, []),
        (
            f"Báo cáo tình hình kinh tế - xã hội, quốc phòng - an ninh năm {year} "
            f"và phương hướng, nhiệm vụ năm {year + 1}",
            PEOPLES_COMMITTEE,
            [("Báo cáo thẩm tra của Ban Kinh tế - Xã hội", ECONOMY_BOARD)],
        ),
        (f"Báo cáo công tác của Thường trực HĐND phường năm {year}", VICE_CHAIR, []),
        (
            "Báo cáo tổng hợp ý kiến, kiến nghị của cử tri trước kỳ họp",
            FRONT,
            [("Báo cáo kết quả giải quyết kiến nghị của cử tri", PEOPLES_COMMITTEE)],
        ),
        (
            f"Dự toán thu ngân sách nhà nước trên địa bàn, thu, chi ngân sách phường "
            f"năm {year + 1}",
            VICE_COMMITTEE,
            [
                ("Báo cáo thẩm tra của Ban Kinh tế - Xã hội", ECONOMY_BOARD),
                ("Thảo luận tại hội trường", CHAIR),
            ],
        ),
        (
            f"Kế hoạch đầu tư công năm {year + 1} và điều chỉnh kế hoạch đầu tư công trung hạn",
            VICE_COMMITTEE,
            [],
        ),
        (
            f"Báo cáo công tác phòng, chống tham nhũng và tình hình chấp hành pháp luật năm {year}",
            PEOPLES_COMMITTEE,
            [("Báo cáo thẩm tra của Ban Pháp chế", LAW_BOARD)],
        ),
        ("Chất vấn và trả lời chất vấn", CHAIR, []),
        (
            "Xem xét, biểu quyết thông qua các nghị quyết",
            CHAIR,
            [
                (f"Nghị quyết về nhiệm vụ phát triển kinh tế - xã hội năm {year + 1}", CHAIR),
                (f"Nghị quyết về dự toán ngân sách phường năm {year + 1}", CHAIR),
                (f"Nghị quyết về kế hoạch đầu tư công năm {year + 1}", CHAIR),
                (
                    f"Nghị quyết về chương trình giám sát của HĐND phường năm {year + 1}",
                    VICE_CHAIR,
                ),
            ],
        ),
        ("Bế mạc kỳ họp", CHAIR, []),
    ]


class Command(BaseCommand):
    help = (
        "Creates (or brings back) the demo ward council with a session in progress and "
        "prints the console, projector and tablet URLs."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="host in the printed URLs")
        parser.add_argument(
            "--port", type=int, default=settings.PORT, help="port in the printed URLs"
        )

    def handle(self, *args, host: str, port: int, **options):
        base = f"http://{host}:{port}"
        with transaction.atomic():
            users = self._staff()
            council = self._council(chair=users["chutoa"])
            self._grant_roles(users, council)
            session = self._session(
                council, actor=Actor(user=users["chutoa"]), secretary=Actor(user=users["thuky"])
            )
            petitions = self._petitions(council)
            resolutions = self._resolutions(council)
        self._print(base, council, session)
        self._print_petitions(base, council, petitions)
        self._print_resolutions(base, resolutions)

    def _petitions(self, council: Council) -> dict:
        """A small year of voters' petitions: this ward and a second commune of the city."""
        from petitions import demo

        return demo.load_both(
            city=council.parent, ward=council, ward_locality="phường Bến Thành", password=PASSWORD
        )

    def _resolutions(self, council: Council) -> dict:
        """A past sitting's resolutions with their tasks, and one open consultation."""
        from resolutions import demo

        return demo.load(ward=council, password=PASSWORD)

    def _print_resolutions(self, base: str, resolutions: dict) -> None:
        write = self.stdout.write
        write("  Resolutions, tasks, supervision (nghị quyết, giám sát):")
        write(f"    {resolutions['resolutions']} resolutions of the ward")
        write(f"    {base}{reverse('resolution-overview')}   (tổng quan)")
        write(f"    login: vanthu / {PASSWORD}   (văn thư: ban hành, giao nhiệm vụ)")
        write(f"    login: canbo / {PASSWORD}    (cán bộ UBND: báo cáo tiến độ)")
        write(f"    {base}{reverse('officer-tasks')}")
        write(f"    login: thuongtruc / {PASSWORD} (Thường trực HĐND Thành phố: mọi phường)")
        write("  Written consultation (lấy ý kiến đại biểu):")
        write(f"    {base}{reverse('consultation-staff-list')}")
        write(f"    login: thuongtrucphuong / {PASSWORD} (Thường trực HĐND phường)")
        write("    delegates answer from their tablet (the links above): “Lấy ý kiến đại biểu”")
        write("")

    def _print_petitions(self, base: str, council: Council, petitions: dict) -> None:
        write = self.stdout.write
        write("  Voters' petitions (kiến nghị cử tri):")
        if petitions["made"]:
            write(f"    {petitions['made']} petitions loaded for the two communes")
        write(f"    {base}{reverse('petition-overview')}")
        write(f"    login: vanthu / {PASSWORD}   (văn thư {council.name})")
        write(f"    login: vanthu2 / {PASSWORD}  (văn thư {petitions['second'].name})")
        write(f"    login: canbo / {PASSWORD}    (cán bộ UBND phường Bến Thành: trả lời kiến nghị)")
        write(f"    login: thuongtruc / {PASSWORD} (Thường trực HĐND Thành phố: xem mọi phường)")
        write("  Public list of answers (công khai):")
        write(f"    {base}{reverse('petition-public', args=[council.pk])}")
        write("")

    def _staff(self) -> dict[str, User]:
        sync_role_groups()
        users = {}
        for username, role, first_name, last_name in STAFF:
            user, _created = User.objects.get_or_create(username=username)
            user.first_name, user.last_name = first_name, last_name
            user.is_staff, user.is_active = True, True
            user.set_password(PASSWORD)
            user.save()
            user.groups.add(Group.objects.get(name=role))
            users[username] = user
        return users

    def _grant_roles(self, users: dict[str, User], council: Council) -> None:
        """The ward's chair, secretary and clerk: their roles are the ward's (meeting.scope)."""
        for username, role, _first_name, _last_name in STAFF:
            membership_grant(user=users[username], council=council, role=role)

    def _council(self, *, chair: User) -> Council:
        city, _created = Council.objects.update_or_create(
            name=CITY_NAME,
            level=Council.Level.CITY,
            defaults={"parent": None, "seats": CITY_SEATS},
        )
        council, _created = Council.objects.update_or_create(
            name=COUNCIL_NAME,
            level=Council.Level.WARD,
            defaults={
                "parent": city,
                "seats": len(DELEGATES),
                "quorum_rule": Council.QuorumRule.TWO_THIRDS_OF_SEATS,
            },
        )
        for seat, full_name, title in DELEGATES:
            # Found by seat: a delegate keeps their badge from one run to the next.
            Delegate.objects.update_or_create(
                council=council,
                seat_label=seat,
                defaults={"full_name": full_name, "title": title, "vote_weight": 1},
            )
        # The chair is a delegate too: her console account votes as her.
        Delegate.objects.filter(user=chair).exclude(council=council, seat_label=CHAIR_SEAT).update(
            user=None
        )
        Delegate.objects.filter(council=council, seat_label=CHAIR_SEAT).update(user=chair)
        return council

    def _session(self, council: Council, *, actor: Actor, secretary: Actor) -> Session:
        session = (
            Session.objects.filter(council=council)
            .exclude(status=Session.Status.CLOSED)
            .order_by("-number")
            .first()
        )
        if session is None:
            session = self._new_session(council)
        # Bring it to "in progress" through the services, so each step is in the log.
        steps = {
            Session.Status.DRAFT: ["schedule", "open"],
            Session.Status.SCHEDULED: ["open"],
            Session.Status.ADJOURNED: ["resume"],
        }
        for action in steps.get(session.status, []):
            if action == "open":
                self._roll_call(session, secretary)
            session = services.session_transition(session_id=session.pk, action=action, actor=actor)
        return session

    def _roll_call(self, session: Session, secretary: Actor) -> None:
        """Before the opening the secretary marks the delegates in the hall who have no demo
        tablet: the sitting opens with its quorum (two thirds of all delegates). The three
        demo tablets check their delegates in when they sign in."""
        for delegate in session.council.delegates.exclude(seat_label__in=TABLET_SEATS):
            services.attendance_set(
                session_id=session.pk,
                delegate_id=delegate.pk,
                status=Attendance.Status.PRESENT,
                actor=secretary,
            )

    def _new_session(self, council: Council) -> Session:
        today = timezone.localdate()
        year = today.year
        last = Session.objects.filter(council=council).order_by("-number").first()
        session = Session.objects.create(
            council=council,
            number=max(SESSION_NUMBER, last.number + 1 if last else 0),
            title=f"Kỳ họp thường lệ cuối năm {year}",
            planned_start=today,
            planned_end=today + datetime.timedelta(days=1),
        )
        for position, (title, presenter, children) in enumerate(agenda(year)):
            item = AgendaItem.objects.create(
                session=session, position=position, title=title, presenter=presenter
            )
            for sub_position, (sub_title, sub_presenter) in enumerate(children):
                AgendaItem.objects.create(
                    session=session,
                    parent=item,
                    position=sub_position,
                    title=sub_title,
                    presenter=sub_presenter,
                )
        return session

    def _print(self, base: str, council: Council, session: Session) -> None:
        write = self.stdout.write
        delegates = {d.seat_label: d for d in council.delegates.all()}
        projector = reverse("projector", args=[session.pk])
        write("")
        write(self.style.SUCCESS(f"Chamber demo: {council.name}"))
        write(
            f"  Kỳ họp thứ {session.number} — {session.title} "
            f"({session.get_status_display()}), {len(delegates)} đại biểu"
        )
        write("")
        write("  Console (bàn chủ tọa):")
        write(f"    {base}{reverse('chair', args=[session.pk])}")
        write(f"    login: chutoa / {PASSWORD}   (thư ký: thuky / {PASSWORD})")
        write("  Projector (màn hình chiếu):")
        write(f"    {base}{projector}?key={session.projector_key}")
        write("  Tablets (máy tính bảng) — each link signs in one delegate, like scanning a badge:")
        for seat in TABLET_SEATS:
            delegate = delegates[seat]
            write(f"    {delegate.full_name} ({delegate.title}, ghế {delegate.seat_label}):")
            write(f"      {sign_in_url(base, delegate)}")
        write("  Badge sheet (thẻ đại biểu, PDF):")
        write(f"    {base}{reverse('badges', args=[council.pk])}")
        write(f"    login: vanthu / {PASSWORD}")
        write("  Admin (quản trị):")
        write(f"    {base}{reverse('admin:index')}")
        write(f"    login: vanthu / {PASSWORD}   (or create one: chamber createsuperuser)")
        write("")
