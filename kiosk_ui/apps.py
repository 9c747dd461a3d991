from django.apps import AppConfig


class KioskUiConfig(AppConfig):
    name = "kiosk_ui"
