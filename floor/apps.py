from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FloorConfig(AppConfig):
    name = "floor"
    verbose_name = _("Phát biểu và chất vấn")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from meeting.roles import sync_role_groups

        # The roles' groups get the floor's permissions once they exist (after meeting's).
        post_migrate.connect(sync_role_groups, sender=self, dispatch_uid="chamber.roles.floor")
