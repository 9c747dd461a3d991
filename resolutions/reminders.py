"""E-mails of this app, through meeting.reminders (``chamber send_reminders``).

* A task or recommendation due in ``DUE_SOON_DAYS``: its agency and officers are reminded.
* One past its due date and not done: the overdue alert, to the agency, its officers and the
  council's clerks and secretaries.
* A consultation's reminder steps (hours before its deadline): each delegate who has not
  answered and has an address. Hours, not days: run ``send_reminders`` every few minutes where
  consultations are in use — each reminder's key is sent once, however often it runs.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from meeting import reminders
from meeting.models import Membership
from resolutions.models import Consultation, ConsultationParticipation, Task

DUE_SOON_DAYS = 3
STAFF_ROLES = ("clerk", "secretary")


def _officer_addresses(agency) -> list[str]:
    return [agency.email, *agency.officers.values_list("user__email", flat=True)]


def _staff_addresses(council_id: int) -> list[str]:
    return list(
        Membership.objects.filter(council_id=council_id, role__in=STAFF_ROLES)
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )


def due_tasks(today: datetime.date) -> Iterator[reminders.Reminder]:
    soon = today + datetime.timedelta(days=DUE_SOON_DAYS)
    due = Task.objects.filter(done_on__isnull=True, due_on__lte=soon).select_related(
        "agency", "council"
    )
    for task in due.iterator(chunk_size=200):
        overdue = task.due_on < today
        facts = {"title": task.title, "due": f"{task.due_on:%d/%m/%Y}", "agency": task.agency.name,
                 "council": task.council.name, "percent": task.percent}
        if overdue:
            yield reminders.Reminder(
                key=f"task:{task.pk}:overdue:{task.due_on.isoformat()}",
                to=tuple(_officer_addresses(task.agency) + _staff_addresses(task.council_id)),
                subject=_("Quá hạn: %(title)s") % facts,
                body=_(
                    "Nhiệm vụ “%(title)s” của %(council)s giao cho %(agency)s đã quá hạn "
                    "%(due)s, tiến độ báo cáo gần nhất: %(percent)s%%."
                ) % facts,
            )
        else:
            yield reminders.Reminder(
                key=f"task:{task.pk}:due:{task.due_on.isoformat()}",
                to=tuple(_officer_addresses(task.agency)),
                subject=_("Sắp đến hạn: %(title)s") % facts,
                body=_(
                    "Nhiệm vụ “%(title)s” của %(council)s giao cho %(agency)s đến hạn ngày "
                    "%(due)s. Xin báo cáo tiến độ."
                ) % facts,
            )


def consultation_steps(today: datetime.date) -> Iterator[reminders.Reminder]:
    now = timezone.now()
    open_ = Consultation.objects.filter(status=Consultation.Status.OPEN, deadline__gt=now)
    for consultation in open_.select_related("council"):
        due_steps = [
            hours for hours in consultation.remind_hours
            if consultation.deadline - datetime.timedelta(hours=hours) <= now
        ]
        if not due_steps:
            continue
        step = min(due_steps)  # the latest step reached: one e-mail, not one per step missed
        waiting = consultation.council.delegates.exclude(email="").exclude(
            Exists(ConsultationParticipation.objects.filter(
                consultation=consultation, delegate=OuterRef("pk")
            ))
        )
        deadline = timezone.localtime(consultation.deadline)
        for delegate in waiting:
            yield reminders.Reminder(
                key=f"consultation:{consultation.pk}:{step}h:{delegate.pk}",
                to=(delegate.email,),
                subject=_("Xin ý kiến đại biểu: %(title)s") % {"title": consultation.title},
                body=_(
                    "Kính gửi đại biểu %(name)s, Thường trực %(council)s xin ý kiến về "
                    "“%(title)s”. Hạn trả lời: %(deadline)s. Đại biểu đăng nhập bằng thẻ đại "
                    "biểu để trả lời."
                ) % {
                    "name": delegate.full_name,
                    "council": consultation.council.name,
                    "title": consultation.title,
                    "deadline": f"{deadline:%H:%M %d/%m/%Y}",
                },
            )


def connect() -> None:
    reminders.register("resolutions.tasks", due_tasks)
    reminders.register("resolutions.consultations", consultation_steps)
