"""Staff roles as Django groups, kept in step with their permissions after every migrate.

A group says what a role may do; a ``Membership`` (user, council, role) says for which council
(meeting.scope). Granting a membership puts the user in the role's group; removing the last
membership of a role takes them out of it.
"""

from django.utils.translation import gettext_lazy as _

# Recording resolutions and conclusions, their tasks and supervision (resolutions/).
RESOLUTION_CLERKING = [
    *(
        f"resolutions.{verb}_{model}"
        for model in ("resolution", "task", "supervisionprogramme")
        for verb in ("add", "change", "view")
    ),
    "resolutions.view_consultation",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    # The chair runs the sitting from the console.
    "chair": [
        "meeting.run_session",
        "meeting.view_session",
        "meeting.view_delegate",
        "petitions.view_petition",
        "petitions.view_voter",
    ],
    # The secretary assists the chair at the console and keeps the record; a document that
    # arrives during the sitting, they upload from the console's link.
    "secretary": [
        "meeting.run_session",
        "meeting.view_session",
        "meeting.view_delegate",
        "meeting.view_attendance",
        "meeting.view_actionlog",
        "meeting.view_credentiallog",
        "documents.add_document",
        "documents.view_document",
        # Written answers to questions not reached (floor.views).
        "floor.view_question",
        "floor.change_question",
        # Voters' petitions: enters and moves them like the clerk.
        "petitions.view_petition",
        "petitions.change_petition",
        "petitions.view_voter",
        # The secretary records what the sitting adopted (resolutions, conclusions).
        *RESOLUTION_CLERKING,
    ],
    # The clerk prepares councils, delegates, sessions and the agenda, prints badges, and
    # uploads the session documents (the staff documents page).
    "clerk": [
        "meeting.print_badges",
        *(
            f"meeting.{verb}_{model}"
            for model in ("council", "delegate", "session", "agendaitem")
            for verb in ("add", "change", "view")
            # Councils and who holds their roles are the administrator's (superuser's).
            if (model, verb) != ("council", "add")
        ),
        "documents.add_document",
        "documents.view_document",
        "documents.change_document",
        # Written answers to questions not reached, and the council's speaking times.
        "floor.view_question",
        "floor.change_question",
        *(f"floor.{verb}_speakinglimit" for verb in ("add", "change", "view", "delete")),
        # The council's list of agencies (meeting.agencies) and who answers for each.
        *(
            f"meeting.{verb}_{model}"
            for model in ("agency", "agencyofficer")
            for verb in ("add", "change", "view", "delete")
        ),
        "meeting.view_councillog",
        # Voters' petitions (petitions.access): meetings with voters, petitions, the list of
        # fields, extensions.
        "petitions.view_petition",
        "petitions.add_petition",
        "petitions.change_petition",
        "petitions.view_voter",
        *(f"petitions.{verb}_field" for verb in ("add", "change", "view")),
        *RESOLUTION_CLERKING,
    ],
    # The city's Standing Committee reads the record of its council and the councils under it.
    "standing": [
        "meeting.view_council",
        "meeting.view_session",
        "meeting.view_delegate",
        "meeting.view_agendaitem",
        "meeting.view_attendance",
        "meeting.view_actionlog",
        "meeting.view_credentiallog",
        "meeting.view_agency",
        "meeting.view_councillog",
        "documents.view_document",
        "floor.view_question",
        "petitions.view_petition",
        "petitions.view_voter",
        "voting.view_poll",
        "voting.view_pollresult",
        "resolutions.view_resolution",
        "resolutions.view_task",
        "resolutions.view_supervisionprogramme",
        "resolutions.view_consultation",
        # Sends written consultations to its own council's delegates (resolutions.access:
        # acting does not reach down to the councils below).
        "resolutions.add_consultation",
        "resolutions.change_consultation",
    ],
}
ROLE_LABELS = {
    "chair": _("Chủ tọa"),
    "secretary": _("Thư ký"),
    "clerk": _("Văn thư"),
    "standing": _("Thường trực HĐND"),
}


def sync_role_groups(**kwargs) -> None:
    from django.contrib.auth.models import Group, Permission

    for role, perms in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        wanted = []
        for dotted in perms:
            app_label, codename = dotted.split(".")
            permission = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if permission is not None:
                wanted.append(permission)
        group.permissions.set(wanted)


def membership_grant(*, user, council, role: str):
    """Give ``user`` the ``role`` in ``council`` (and the role's group)."""
    from django.contrib.auth.models import Group

    from meeting.models import Membership

    if role not in ROLE_PERMISSIONS:
        raise ValueError(f"unknown role {role!r}")
    membership, _created = Membership.objects.get_or_create(user=user, council=council, role=role)
    group, _created = Group.objects.get_or_create(name=role)
    user.groups.add(group)
    return membership


def sync_membership_groups(sender, instance, **kwargs) -> None:
    """``post_save`` / ``post_delete`` of a Membership: the user's role groups follow."""
    from django.contrib.auth.models import Group

    from meeting.models import Membership

    user = instance.user
    held = set(Membership.objects.filter(user=user).values_list("role", flat=True))
    for role in ROLE_PERMISSIONS:
        group = Group.objects.filter(name=role).first()
        if group is None:
            continue
        if role in held:
            user.groups.add(group)
        else:
            user.groups.remove(group)
