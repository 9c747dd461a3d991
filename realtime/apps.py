from django.apps import AppConfig


class RealtimeConfig(AppConfig):
    name = "realtime"

    def ready(self) -> None:
        # The apps' commands and snapshot parts (realtime.registry), as django.contrib.admin
        # finds the apps' admin modules.
        from realtime import registry

        registry.autodiscover()

        from realtime import events

        events.discover()  # each app's events.py declares what it sends
