from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class MeetingConfig(AppConfig):
    name = "meeting"
    verbose_name = _("Kỳ họp")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from meeting.roles import sync_membership_groups, sync_role_groups

        post_migrate.connect(sync_role_groups, sender=self)
        for signal in (post_save, post_delete):
            signal.connect(
                sync_membership_groups, sender="meeting.Membership", dispatch_uid="chamber.roles"
            )

        from django.contrib.auth.signals import user_logged_in

        from meeting.staff_login import shorten_staff_session

        user_logged_in.connect(shorten_staff_session, dispatch_uid="chamber.staff_session")

        from meeting import revocation

        revocation.connect()
