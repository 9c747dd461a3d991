from django.urls import path

from kiosk_ui import views

urlpatterns = [
    path("", views.home, name="home"),
    path("tablet/", views.tablet, name="tablet"),
    path("chair/", views.chair_index, name="chair-index"),
    path("chair/<int:session_id>/", views.chair, name="chair"),
    path("projector/<int:session_id>/", views.projector, name="projector"),
    path("healthz", views.healthz, name="healthz"),
]
