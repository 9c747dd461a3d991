from django.urls import path

from voting import pass_views, views

urlpatterns = [
    path("tablet/ballot/", views.ballot_cast, name="ballot-cast"),
    # A spare tablet with a one-time voting pass (voting.assisted).
    path("tablet/pass/", pass_views.voting_pass_vote, name="voting-pass"),
    path(
        "tablet/pass/<str:token>/", pass_views.voting_pass_sign_in, name="voting-pass-sign-in"
    ),
]
