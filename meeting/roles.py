"""Staff roles as Django groups, kept in step with their permissions after every migrate."""

from django.utils.translation import gettext_lazy as _

ROLE_PERMISSIONS: dict[str, list[str]] = {
    # The chair runs the sitting from the console.
    "chair": ["meeting.run_session", "meeting.view_session", "meeting.view_delegate"],
    # The secretary assists the chair at the console and keeps the record; a document that
    # arrives during the sitting, they upload from the console's link.
    "secretary": [
        "meeting.run_session",
        "meeting.view_session",
        "meeting.view_delegate",
        "meeting.view_attendance",
        "meeting.view_actionlog",
        "documents.add_document",
        "documents.view_document",
    ],
    # The clerk prepares councils, delegates, sessions and the agenda, prints badges, and
    # uploads the session documents (the staff documents page).
    "clerk": [
        "meeting.print_badges",
        *(
            f"meeting.{verb}_{model}"
            for model in ("council", "delegate", "session", "agendaitem")
            for verb in ("add", "change", "view")
        ),
        "documents.add_document",
        "documents.view_document",
        "documents.change_document",
    ],
}
ROLE_LABELS = {"chair": _("Chủ tọa"), "secretary": _("Thư ký"), "clerk": _("Văn thư")}


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
