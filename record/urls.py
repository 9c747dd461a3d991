from django.urls import path

from record import views

urlpatterns = [
    path("record/<int:session_id>/", views.record_page, name="record"),
    path("record/<int:session_id>/minutes.pdf", views.minutes, name="record-minutes"),
    path("record/<int:session_id>/verify/", views.verify, name="record-verify"),
    path("record/<int:session_id>/<str:name>", views.export, name="record-export"),
    path("archive/", views.archive_page, name="archive"),
]
