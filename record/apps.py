from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordConfig(AppConfig):
    name = "record"
    verbose_name = _("Hồ sơ kỳ họp")

    def ready(self) -> None:
        from record import search_index

        search_index.connect()
