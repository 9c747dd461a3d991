"""Implementation tasks and supervision recommendations: added by the council's staff, reported
on by the agency's officer only, on track / late / done by the due date."""

import datetime

import pytest
from django.utils import timezone

from meeting.council_log import CouncilLog
from realtime.actors import Actor
from realtime.errors import ServiceError
from resolutions.models import ProgressReport, SupervisionProgramme, Task
from resolutions.services import resolutions as resolution_services
from resolutions.services import supervision, tasks
from tests.factories import make_staff
from tests.resolutions.helpers import agency_with_officer, pdf_bytes, sitting_with_votes

pytestmark = pytest.mark.django_db


@pytest.fixture
def chamber():
    chamber = sitting_with_votes()
    chamber.resolution = resolution_services.resolution_from_poll(
        poll_id=chamber.passed.pk, title="", actor=chamber.clerk
    )
    chamber.agency, chamber.officer = agency_with_officer(chamber.council)
    chamber.other_agency, chamber.other_officer = agency_with_officer(
        chamber.council, name="Phòng Tài chính - Kế hoạch"
    )
    return chamber


def refused(code: str, call, **kwargs):
    before = (Task.objects.count(), ProgressReport.objects.count(), CouncilLog.objects.count())
    with pytest.raises(ServiceError) as caught:
        call(**kwargs)
    assert caught.value.code == code and caught.value.message
    assert (
        Task.objects.count(), ProgressReport.objects.count(), CouncilLog.objects.count()
    ) == before


def soon(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def test_a_task_goes_from_on_track_to_late_to_done(chamber):
    task = tasks.task_add(
        resolution_id=chamber.resolution.pk, title="Lập dự toán chi tiết",
        agency_id=chamber.agency.pk, due_on=soon(10), actor=chamber.clerk,
    )
    assert task.state == "on_track" and task.kind == "task" and task.council == chamber.council
    report = tasks.progress_report(
        task_id=task.pk, text="Đã hoàn thành 40% khối lượng", percent=40, actor=chamber.officer,
        pdf=pdf_bytes("Báo cáo tiến độ"),
    )
    task.refresh_from_db()
    assert task.percent == 40 and report.file is not None and task.state == "on_track"
    Task.objects.filter(pk=task.pk).update(due_on=soon(-1))
    task.refresh_from_db()
    assert task.state == "late"
    assert Task.objects.annotate(s=Task.state_expression()).get(pk=task.pk).s == "late"
    tasks.progress_report(task_id=task.pk, text="Xong", percent=80, done=True,
                          actor=chamber.officer)
    task.refresh_from_db()
    assert task.state == "done" and task.percent == 100 and task.done_on == timezone.localdate()
    refused("task.already_done", tasks.progress_report, task_id=task.pk, text="Lại", percent=100,
            actor=chamber.officer)


def test_only_the_assigned_agencys_officer_reports(chamber):
    task = tasks.task_add(
        resolution_id=chamber.resolution.pk, title="X", agency_id=chamber.agency.pk,
        due_on=soon(5), actor=chamber.clerk,
    )
    for actor in (chamber.other_officer, chamber.clerk, Actor()):
        refused("command.forbidden", tasks.progress_report, task_id=task.pk, text="Y",
                percent=10, actor=actor)
    refused("task.invalid", tasks.progress_report, task_id=task.pk, text=" ", percent=10,
            actor=chamber.officer)
    refused("task.invalid", tasks.progress_report, task_id=task.pk, text="Y", percent=101,
            actor=chamber.officer)
    refused("document.not_pdf", tasks.progress_report, task_id=task.pk, text="Y", percent=10,
            actor=chamber.officer, pdf=b"nope")
    refused("task.not_found", tasks.progress_report, task_id=0, text="Y", percent=10,
            actor=chamber.officer)


def test_tasks_are_added_by_the_councils_staff_to_its_own_agencies(chamber):
    from tests.factories import make_council
    from tests.resolutions.helpers import agency_with_officer as another

    stranger_agency, _officer = another(make_council(seats=3))
    chair = Actor(user=make_staff(role="chair", council=chamber.council))
    base = {"resolution_id": chamber.resolution.pk, "title": "X", "due_on": soon(3)}
    refused("command.forbidden", tasks.task_add, agency_id=chamber.agency.pk, actor=chair, **base)
    refused("command.forbidden", tasks.task_add, agency_id=chamber.agency.pk,
            actor=chamber.officer, **base)
    refused("agency.not_found", tasks.task_add, agency_id=stranger_agency.pk,
            actor=chamber.clerk, **base)
    refused("task.invalid", tasks.task_add, agency_id=chamber.agency.pk, actor=chamber.clerk,
            resolution_id=chamber.resolution.pk, title=" ", due_on=soon(3))
    chamber.agency.active = False
    chamber.agency.save(update_fields=["active"])
    refused("agency.not_found", tasks.task_add, agency_id=chamber.agency.pk, actor=chamber.clerk,
            **base)


def test_supervision_recommendations_are_tracked_like_tasks(chamber):
    team = list(chamber.council.delegates.values_list("pk", flat=True)[:2])
    programme = supervision.programme_create(
        council_id=chamber.council.pk, subject="Giám sát công tác cải cách hành chính",
        period_start=soon(-30), period_end=soon(-1), team_ids=team,
        agency_ids=[chamber.agency.pk], actor=chamber.clerk,
    )
    assert sorted(programme.team.values_list("pk", flat=True)) == sorted(team)
    supervision.programme_report(programme_id=programme.pk, pdf=pdf_bytes("Báo cáo giám sát"),
                                 reported_on=timezone.localdate(), actor=chamber.clerk)
    with pytest.raises(ServiceError) as caught:
        supervision.programme_report(programme_id=programme.pk, pdf=pdf_bytes("x"),
                                     reported_on=timezone.localdate(), actor=chamber.clerk)
    assert caught.value.code == "supervision.already_reported"
    recommendation = tasks.recommendation_add(
        programme_id=programme.pk, title="Rút ngắn thời gian cấp phép xây dựng",
        agency_id=chamber.agency.pk, due_on=soon(20), actor=chamber.clerk,
    )
    assert recommendation.kind == "recommendation" and recommendation.programme == programme
    refused("agency.not_supervised", tasks.recommendation_add, programme_id=programme.pk,
            title="Y", agency_id=chamber.other_agency.pk, due_on=soon(5), actor=chamber.clerk)
    tasks.progress_report(task_id=recommendation.pk, text="Đã tiếp thu, đang thực hiện",
                          percent=50, actor=chamber.officer)
    recommendation.refresh_from_db()
    assert recommendation.percent == 50


def test_programmes_are_checked(chamber):
    base = {"council_id": chamber.council.pk, "actor": chamber.clerk}
    for bad in (
        {"subject": " ", "period_start": soon(0), "period_end": soon(1)},
        {"subject": "X", "period_start": soon(2), "period_end": soon(1)},
        {"subject": "X", "period_start": soon(0), "period_end": soon(1), "kind": "other"},
        {"subject": "X", "period_start": soon(0), "period_end": soon(1), "team_ids": [0]},
    ):
        with pytest.raises(ServiceError) as caught:
            supervision.programme_create(**base, **bad)
        assert caught.value.code == "supervision.invalid"
    assert not SupervisionProgramme.objects.exists()
    officer = chamber.officer
    with pytest.raises(ServiceError) as caught:
        supervision.programme_create(council_id=chamber.council.pk, subject="X",
                                     period_start=soon(0), period_end=soon(1), actor=officer)
    assert caught.value.code == "command.forbidden"


def test_overdue_alerts_and_consultation_reminders_go_once(chamber, mailoutbox):
    from datetime import timedelta

    from meeting import reminders
    from resolutions.services import consultation as consult
    from tests.resolutions.helpers import answer

    chamber.clerk.user.email = "vanthu@hdnd.example.vn"
    chamber.clerk.user.save(update_fields=["email"])
    task = tasks.task_add(
        resolution_id=chamber.resolution.pk, title="Báo cáo quyết toán",
        agency_id=chamber.agency.pk, due_on=soon(2), actor=chamber.clerk,
    )
    reminders.send_reminders()
    assert [m.subject for m in mailoutbox] == ["Sắp đến hạn: Báo cáo quyết toán"]
    Task.objects.filter(pk=task.pk).update(due_on=soon(-1))
    reminders.send_reminders()
    reminders.send_reminders()
    overdue = [m for m in mailoutbox if m.subject.startswith("Quá hạn")]
    assert len(overdue) == 1
    assert "vanthu@hdnd.example.vn" in overdue[0].to  # the council's staff hear of it
    assert chamber.officer.user.email in overdue[0].to
    delegates = list(chamber.council.delegates.order_by("seat_label")[:2])
    for delegate, address in zip(delegates, ["a@example.vn", "b@example.vn"], strict=True):
        delegate.email = address
        delegate.save(update_fields=["email"])
    standing = Actor(user=make_staff(role="standing", council=chamber.council))
    draft = consult.consultation_create(
        council_id=chamber.council.pk, title="Xin ý kiến gấp", actor=standing,
        deadline=timezone.now() + timedelta(hours=1), remind_hours=[2],
    )
    consultation = consult.consultation_send(consultation_id=draft.pk, actor=standing)
    answer(consultation, delegates[0], "yes")
    mailoutbox.clear()
    reminders.send_reminders()
    reminders.send_reminders()
    assert [m.to for m in mailoutbox] == [["b@example.vn"]]  # only who has not answered, once
