from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("kiosk_ui.urls")),
    path("", include("meeting.urls")),
    path("", include("voting.urls")),
    path("", include("documents.urls")),
    path("", include("record.urls")),
    path("", include("floor.urls")),
    path("", include("petitions.urls")),
    path("", include("resolutions.urls")),
]
