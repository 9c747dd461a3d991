"""Reminders before a petition's due date and notices once it is overdue (meeting.reminders).

To the agency's address and its officers; overdue notices also to the clerks of the council
handling the petition (the city's, once a commune forwarded it there: petitions.steps).
One reminder per petition and due date (a new due date after an extension, a new reminder).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from django.utils.translation import gettext as _

from meeting.models import AgencyOfficer, Membership
from meeting.reminders import Reminder
from petitions.models import WITH_AGENCY, Petition
from petitions.steps import handling_council

DAYS_BEFORE = 3


def due_and_overdue(today: date):
    petitions = list(
        Petition.objects.filter(
            status__in=WITH_AGENCY, group__isnull=True, due_date__lte=today + timedelta(DAYS_BEFORE)
        )
        .select_related("agency", "council")
        .only(
            "pk", "text", "due_date", "handler_id", "council__name", "agency__name", "agency__email"
        )
        .order_by("due_date", "pk")
    )
    if not petitions:
        return
    agency_ids = {p.agency_id for p in petitions}
    officers = defaultdict(set)
    for agency_id, email in AgencyOfficer.objects.filter(
        agency_id__in=agency_ids, user__is_active=True
    ).values_list("agency_id", "user__email"):
        officers[agency_id].add(email)
    clerks = defaultdict(set)
    for council_id, email in Membership.objects.filter(
        council_id__in={handling_council(p) for p in petitions},
        role="clerk",
        user__is_active=True,
    ).values_list("council_id", "user__email"):
        clerks[council_id].add(email)
    for petition in petitions:
        overdue = petition.due_date < today
        to = {petition.agency.email, *officers[petition.agency_id]}
        facts = {
            "id": petition.pk,
            "due": petition.due_date.strftime("%d/%m/%Y"),
            "agency": petition.agency.name,
            "council": petition.council.name,
        }
        if overdue:
            to |= clerks[handling_council(petition)]  # the city's, once it handles it
            subject = _("Quá hạn trả lời kiến nghị cử tri #%(id)d") % facts
            lead = (
                _(
                    "Kiến nghị #%(id)d của %(council)s giao %(agency)s đã quá hạn trả lời "
                    "(hạn %(due)s)."
                )
                % facts
            )
        else:
            subject = _("Sắp đến hạn trả lời kiến nghị cử tri #%(id)d (hạn %(due)s)") % facts
            lead = (
                _("Kiến nghị #%(id)d của %(council)s giao %(agency)s đến hạn trả lời ngày %(due)s.")
                % facts
            )
        yield Reminder(
            key=f"petition:{petition.pk}:{'overdue' if overdue else 'due'}:{petition.due_date}",
            to=tuple(sorted(a for a in to if a)),
            subject=subject,
            body=f"{lead}\n\n{petition.text[:1000]}\n",
        )
