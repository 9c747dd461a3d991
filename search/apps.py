from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = _("Tìm kiếm")

    def ready(self) -> None:
        from search.sources import fill_missing_after_migrate

        post_migrate.connect(fill_missing_after_migrate, sender=self)
