"""Every write of supervision programmes: plan one (team, agencies, period), file its report.
Its recommendations are added and followed as tasks (resolutions.services.tasks)."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from documents.services import InspectedPdf
from meeting.models import Agency, Council, Delegate
from realtime.actors import Actor
from realtime.errors import ServiceError
from resolutions import access, chain, files
from resolutions.chain import council_lock
from resolutions.models import SupervisionProgramme

ADD = "resolutions.add_supervisionprogramme"


def _invalid(message: str) -> ServiceError:
    return ServiceError("supervision.invalid", message)


def programme_create(
    *,
    council_id: int,
    subject: str,
    period_start: datetime.date,
    period_end: datetime.date,
    actor: Actor,
    kind: str = SupervisionProgramme.Kind.THEMATIC,
    team_ids: list[int] | None = None,
    agency_ids: list[int] | None = None,
) -> SupervisionProgramme:
    if not Council.objects.filter(pk=council_id).exists():
        raise ServiceError("council.not_found", _("Không tìm thấy hội đồng."))
    access.require_act(actor, ADD, council_id)
    subject = (subject or "").strip()
    if not subject:
        raise _invalid(_("Cần nhập nội dung giám sát."))
    if kind not in SupervisionProgramme.Kind.values:
        raise _invalid(_("Loại giám sát không hợp lệ."))
    if not (period_start and period_end) or period_end < period_start:
        raise _invalid(_("Thời gian giám sát không hợp lệ."))
    team_ids, agency_ids = sorted(set(team_ids or [])), sorted(set(agency_ids or []))
    if Delegate.objects.filter(pk__in=team_ids, council_id=council_id).count() != len(team_ids):
        raise _invalid(_("Thành viên đoàn giám sát phải là đại biểu của hội đồng."))
    if Agency.objects.filter(pk__in=agency_ids, council_id=council_id).count() != len(
        agency_ids
    ):
        raise _invalid(_("Cơ quan được giám sát phải có trong danh sách của hội đồng."))
    with transaction.atomic():
        council_lock(council_id)
        programme = SupervisionProgramme.objects.create(
            council_id=council_id, kind=kind, subject=subject[:500], period_start=period_start,
            period_end=period_end, created_by=actor.user,
        )
        programme.team.set(team_ids)
        programme.agencies.set(agency_ids)
        chain.append(
            council_id=council_id, action="supervision.create", actor=actor,
            programme=programme.pk, subject=programme.subject, kind=kind,
            period=[period_start.isoformat(), period_end.isoformat()], team=team_ids,
            agencies=agency_ids,
        )
    return programme


def programme_report(
    *,
    programme_id: int,
    pdf: bytes,
    reported_on: datetime.date,
    actor: Actor,
    checked: InspectedPdf | None = None,
) -> SupervisionProgramme:
    """File the programme's report (once)."""
    programme = SupervisionProgramme.objects.filter(pk=programme_id).first()
    if programme is None:
        raise ServiceError("supervision.not_found", _("Không tìm thấy chương trình giám sát."))
    access.require_act(actor, ADD, programme.council_id)
    if not pdf:
        raise _invalid(_("Cần chọn tệp báo cáo (PDF)."))
    checked = files.inspected(pdf, checked)
    with files.atomic_with_pdf(pdf, checked) as keep:
        council_lock(programme.council_id)
        programme = SupervisionProgramme.objects.select_for_update().get(pk=programme_id)
        if programme.report_file_id:
            raise ServiceError(
                "supervision.already_reported", _("Đợt giám sát đã có báo cáo kết quả.")
            )
        programme.report_file, programme.reported_on = keep(), reported_on
        programme.save(update_fields=["report_file", "reported_on"])
        chain.append(
            council_id=programme.council_id, action="supervision.report", actor=actor,
            programme=programme.pk, sha256=programme.report_file_id,
            reported_on=reported_on.isoformat(),
        )
    return programme
