"""``make demo``'s resolutions: a past sitting of the demo ward whose passed votes became
resolutions, their tasks (on track, reported on, one done, two overdue), a supervision
programme with its recommendations, and one written consultation open to the delegates.

Made through the services, like the rest of the demo, and only once: a second run finds the
past sitting and leaves everything as it is (the consultation is made again only when none is
open).
"""

from __future__ import annotations

import datetime
import uuid

import pymupdf
from django.contrib.auth.models import User
from django.utils import timezone

from meeting import services as meeting
from meeting.models import Agency, AgendaItem, Attendance, Council, Session
from meeting.roles import membership_grant
from realtime.actors import Actor
from resolutions.models import Consultation, Resolution
from resolutions.services import consultation as consult
from resolutions.services import resolutions, supervision, tasks
from voting import services as voting
from voting.ballots import ballot_cast
from voting.counting import poll_close

PAST_NUMBER = 4
VOTES = [
    "Nghị quyết về điều chỉnh dự toán ngân sách phường năm {year}",
    "Nghị quyết về danh mục công trình chỉnh trang đô thị năm {year}",
    "Nghị quyết về chương trình giám sát chuyên đề 6 tháng cuối năm {year}",
]
TASKS = [
    # (vote, task, agency index, days from today to the due date, reported percent or None)
    (0, "Phân bổ chi tiết dự toán điều chỉnh cho các đơn vị", 0, 25, 40),
    (0, "Công khai dự toán điều chỉnh trên cổng thông tin phường", 0, -12, None),
    (1, "Lập hồ sơ khảo sát các tuyến hẻm cần chỉnh trang", 0, -30, 100),
    (1, "Lựa chọn nhà thầu thi công giai đoạn 1", 1, 60, None),
    (2, "Báo cáo kết quả thực hiện kiến nghị giám sát kỳ trước", 2, -4, None),
]


def _signed_pdf(title: str) -> bytes:
    document = pymupdf.open()
    page = document.new_page()
    page.insert_text((72, 90), "HỘI ĐỒNG NHÂN DÂN PHƯỜNG BẾN THÀNH", fontname="notos")
    page.insert_textbox(pymupdf.Rect(72, 120, 520, 300), title, fontname="notos", fontsize=14)
    page.insert_text((72, 340), "(Bản ký số — dữ liệu trình diễn)", fontname="notos")
    return document.tobytes()


def _past_sitting(ward: Council, chair: Actor, secretary: Actor) -> Session:
    today = timezone.localdate()
    year = today.year
    start = today - datetime.timedelta(days=120)
    session = Session.objects.create(
        council=ward,
        number=PAST_NUMBER,
        title=f"Kỳ họp chuyên đề giữa năm {year}",
        planned_start=start,
        planned_end=start,
    )
    items = [
        AgendaItem.objects.create(session=session, position=n, title=title.format(year=year))
        for n, title in enumerate(VOTES)
    ]
    meeting.session_transition(session_id=session.pk, action="schedule", actor=chair)
    for delegate in ward.delegates.all():
        meeting.attendance_set(
            session_id=session.pk, delegate_id=delegate.pk, status=Attendance.Status.PRESENT,
            actor=secretary,
        )
    meeting.session_transition(session_id=session.pk, action="open", actor=chair)
    delegates = list(ward.delegates.order_by("seat_label"))
    for item in items:
        poll = voting.poll_create(
            session_id=session.pk, title=item.title, actor=chair, agenda_item_id=item.pk
        )
        voting.poll_open(poll_id=poll.pk, actor=chair)
        for index, delegate in enumerate(delegates):
            choice = "yes" if index % 7 else ("no" if index % 2 else "abstain")
            ballot_cast(
                poll_id=poll.pk, delegate=delegate, choice=choice, command_id=str(uuid.uuid4())
            )
        poll_close(poll_id=poll.pk, actor=chair)
        voting.poll_publish(poll_id=poll.pk, actor=chair)
    meeting.session_transition(session_id=session.pk, action="close", actor=chair)
    return session


def load(*, ward: Council, password: str) -> dict:
    """The ward's resolutions and its open consultation; the accounts that click through."""
    users = {u.username: u for u in User.objects.filter(username__in=["chutoa", "thuky",
                                                                        "vanthu", "canbo"])}
    standing, _created = User.objects.get_or_create(username="thuongtrucphuong")
    standing.first_name, standing.last_name = "Văn Minh", "Trần"
    standing.is_staff = standing.is_active = True
    standing.set_password(password)
    standing.save()
    membership_grant(user=standing, council=ward, role="standing")
    clerk, officer = Actor(user=users["vanthu"]), Actor(user=users["canbo"])
    made = 0
    if not Session.objects.filter(council=ward, number=PAST_NUMBER).exists():
        session = _past_sitting(ward, Actor(user=users["chutoa"]), Actor(user=users["thuky"]))
        agencies = list(Agency.objects.filter(council=ward, active=True).order_by("position"))
        adopted = []
        for poll in session.polls.order_by("pk"):
            adopted.append(
                resolutions.resolution_from_poll(
                    poll_id=poll.pk, title="", actor=clerk, pdf=_signed_pdf(poll.title)
                )
            )
            made += 1
        today = timezone.localdate()
        for vote, title, agency, days, percent in TASKS:
            task = tasks.task_add(
                resolution_id=adopted[vote].pk, title=title, agency_id=agencies[agency].pk,
                due_on=today + datetime.timedelta(days=days), actor=clerk,
            )
            if percent is not None:
                tasks.progress_report(
                    task_id=task.pk, text="Đã triển khai theo kế hoạch; báo cáo định kỳ.",
                    percent=percent, done=percent == 100, actor=officer,
                )
        programme = supervision.programme_create(
            council_id=ward.pk, subject="Giám sát công tác cải cách thủ tục hành chính",
            period_start=today - datetime.timedelta(days=90),
            period_end=today - datetime.timedelta(days=60),
            team_ids=list(ward.delegates.order_by("seat_label").values_list("pk", flat=True)[:4]),
            agency_ids=[a.pk for a in agencies[:2]], actor=clerk,
        )
        first = tasks.recommendation_add(
            programme_id=programme.pk, title="Rút ngắn thời gian giải quyết hồ sơ đất đai",
            agency_id=agencies[0].pk, due_on=today + datetime.timedelta(days=20), actor=clerk,
        )
        tasks.progress_report(task_id=first.pk, text="Đã tiếp thu, đang rà soát quy trình.",
                              percent=30, actor=officer)
        tasks.recommendation_add(
            programme_id=programme.pk, title="Công khai kết quả giải quyết hồ sơ hằng tháng",
            agency_id=agencies[1].pk, due_on=today - datetime.timedelta(days=5), actor=clerk,
        )
    if not Consultation.objects.filter(council=ward, status=Consultation.Status.OPEN).exists():
        draft = consult.consultation_create(
            council_id=ward.pk,
            title="Xin ý kiến về chủ trương đầu tư sửa chữa Trường Tiểu học Bến Thành",
            question=(
                "Thường trực HĐND phường xin ý kiến đại biểu về việc sử dụng 1,2 tỷ đồng từ nguồn "
                "dự phòng ngân sách để sửa chữa các phòng học xuống cấp trước mùa mưa."
            ),
            actor=Actor(user=standing),
            deadline=timezone.now() + datetime.timedelta(days=3),
            remind_hours=[24, 2],
        )
        consult.consultation_send(consultation_id=draft.pk, actor=Actor(user=standing))
    return {"resolutions": Resolution.objects.filter(council=ward).count(), "made": made}
