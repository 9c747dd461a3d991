"""Every write of tasks and supervision recommendations: add one, report progress on it.

The council's staff (clerk, secretary) add tasks to its resolutions and recommendations to its
supervision programmes; only an officer of the agency a task is assigned to reports on it
(meeting.agencies: an officer acts for an agency, never for the council). Each write appends
to the council's chain.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from documents.services import InspectedPdf
from meeting.agencies import officer_agencies
from meeting.models import Agency
from realtime.actors import Actor
from realtime.errors import ServiceError
from resolutions import access, chain, files
from resolutions.chain import council_lock
from resolutions.models import ProgressReport, Resolution, SupervisionProgramme, Task

ADD_TASK = "resolutions.add_task"
MAX_REPORT = 20_000


def _invalid(message: str) -> ServiceError:
    return ServiceError("task.invalid", message)


def _not_found() -> ServiceError:
    return ServiceError("task.not_found", _("Không tìm thấy nhiệm vụ."))


def _add(
    *, council_id: int, kind: str, title: str, agency_id: int, due_on: datetime.date,
    actor: Actor, **parent,
) -> Task:
    access.require_act(actor, ADD_TASK, council_id)
    title = (title or "").strip()
    if not title:
        raise _invalid(_("Cần nhập nội dung nhiệm vụ."))
    if not isinstance(due_on, datetime.date):
        raise _invalid(_("Cần nhập hạn hoàn thành."))
    agency = Agency.objects.filter(pk=agency_id, council_id=council_id, active=True).first()
    if agency is None:
        raise ServiceError(
            "agency.not_found",
            _("Cơ quan không có trong danh sách đang sử dụng của hội đồng."),
        )
    with transaction.atomic():
        council_lock(council_id)
        task = Task.objects.create(
            council_id=council_id,
            kind=kind,
            title=title[:500],
            agency=agency,
            due_on=due_on,
            created_by=actor.user,
            **parent,
        )
        chain.append(
            council_id=council_id,
            action=f"{kind}.add",
            actor=actor,
            task=task.pk,
            resolution=task.resolution_id,
            programme=task.programme_id,
            title=task.title,
            agency=agency.pk,
            due_on=due_on.isoformat(),
        )
    return task


def task_add(
    *, resolution_id: int, title: str, agency_id: int, due_on: datetime.date, actor: Actor
) -> Task:
    """An implementation task of a resolution in force."""
    resolution = Resolution.objects.filter(pk=resolution_id).first()
    if resolution is None:
        raise ServiceError("resolution.not_found", _("Không tìm thấy nghị quyết."))
    access.require_act(actor, ADD_TASK, resolution.council_id)
    if resolution.status == Resolution.Status.REPEALED:
        raise ServiceError(
            "resolution.repealed", _("Nghị quyết đã bị bãi bỏ: không giao thêm nhiệm vụ.")
        )
    return _add(
        council_id=resolution.council_id, kind=Task.Kind.TASK, title=title, agency_id=agency_id,
        due_on=due_on, actor=actor, resolution=resolution,
    )


def recommendation_add(
    *, programme_id: int, title: str, agency_id: int, due_on: datetime.date, actor: Actor
) -> Task:
    """A recommendation of a supervision programme, to one of the agencies it supervised."""
    programme = SupervisionProgramme.objects.filter(pk=programme_id).first()
    if programme is None:
        raise ServiceError("supervision.not_found", _("Không tìm thấy chương trình giám sát."))
    access.require_act(actor, ADD_TASK, programme.council_id)
    if not programme.agencies.filter(pk=agency_id).exists():
        raise ServiceError(
            "agency.not_supervised", _("Cơ quan này không thuộc đối tượng của đợt giám sát.")
        )
    return _add(
        council_id=programme.council_id, kind=Task.Kind.RECOMMENDATION, title=title,
        agency_id=agency_id, due_on=due_on, actor=actor, programme=programme,
    )


def progress_report(
    *,
    task_id: int,
    text: str,
    percent: int,
    actor: Actor,
    done: bool = False,
    pdf: bytes | None = None,
    checked: InspectedPdf | None = None,
) -> ProgressReport:
    """The agency officer's report: words, a percentage, a PDF; ``done`` completes the task."""
    task = Task.objects.filter(pk=task_id).first()
    if task is None:
        raise _not_found()
    if actor.user is None or task.agency_id not in officer_agencies(actor.user):
        raise access.forbidden()
    text = (text or "").strip()
    if not text:
        raise _invalid(_("Cần nhập nội dung báo cáo."))
    if len(text) > MAX_REPORT:
        raise _invalid(_("Báo cáo dài quá %(n)d ký tự.") % {"n": MAX_REPORT})
    if done:
        percent = 100
    if not isinstance(percent, int) or not 0 <= percent <= 100:
        raise _invalid(_("Tiến độ phải từ 0 đến 100%."))
    checked = files.inspected(pdf, checked)
    with files.atomic_with_pdf(pdf, checked) as keep:
        council_lock(task.council_id)
        task = Task.objects.select_for_update().get(pk=task_id)
        if task.done_on is not None:
            raise ServiceError("task.already_done", _("Nhiệm vụ đã hoàn thành."))
        now = timezone.now()
        report = ProgressReport.objects.create(
            task=task, at=now, author=actor.user, text=text, percent=percent, done=done,
            file=keep(),
        )
        task.percent, task.last_report_at = percent, now
        if done:
            task.done_on = timezone.localdate(now)
        task.save(update_fields=["percent", "last_report_at", "done_on"])
        chain.append(
            council_id=task.council_id,
            action="task.report",
            actor=actor,
            task=task.pk,
            report=report.pk,
            percent=percent,
            done=done,
            sha256=report.file_id,
        )
    return report
