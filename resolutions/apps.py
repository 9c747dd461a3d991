from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResolutionsConfig(AppConfig):
    name = "resolutions"
    verbose_name = _("Nghị quyết, giám sát và lấy ý kiến")

    def ready(self) -> None:
        from resolutions import reminders, search_index

        search_index.connect()
        reminders.connect()
