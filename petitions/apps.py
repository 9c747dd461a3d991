from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class PetitionsConfig(AppConfig):
    name = "petitions"
    verbose_name = _("Kiến nghị cử tri")

    def ready(self) -> None:
        from meeting import reminders
        from meeting.roles import sync_role_groups
        from petitions.reminders import due_and_overdue

        # The roles' groups take this app's permissions once they exist (they are created
        # after meeting's own post_migrate on a fresh database).
        post_migrate.connect(sync_role_groups, sender=self, dispatch_uid="petitions.roles")
        reminders.register("petitions", due_and_overdue)

        from petitions import search_index

        search_index.connect()
