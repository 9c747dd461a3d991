from django.urls import path

from voting import views

urlpatterns = [
    path("tablet/ballot/", views.ballot_cast, name="ballot-cast"),
]
