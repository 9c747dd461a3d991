from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FloorConfig(AppConfig):
    name = "floor"
    verbose_name = _("Phát biểu và chất vấn")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from floor.questions import end_on_sitting_stop
        from meeting.roles import sync_role_groups
        from meeting.signals import sitting_stops

        # The roles' groups get the floor's permissions once they exist (after meeting's).
        post_migrate.connect(sync_role_groups, sender=self, dispatch_uid="chamber.roles.floor")
        # A sitting adjourned or closed ends the running turn (and at the close the question
        # being called), in the same transaction.
        sitting_stops.connect(end_on_sitting_stop, dispatch_uid="chamber.floor.sitting_stops")
