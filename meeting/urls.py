from django.urls import path

from meeting import views

urlpatterns = [
    path("tablet/signin/", views.tablet_sign_in, name="tablet-signin"),
    path("tablet/signin/pin/", views.tablet_pin, name="tablet-pin"),
    path("tablet/signin/<str:token>/", views.tablet_sign_in_with_badge, name="tablet-badge"),
    path("tablet/signout/", views.tablet_sign_out, name="tablet-signout"),
    path("staff/councils/<int:council_id>/badges.pdf", views.council_badges, name="badges"),
]
