from django.urls import path

from petitions import views, views_overview

urlpatterns = [
    path("petitions/", views.petition_list, name="petition-list"),
    path("petitions/new/", views.petition_new, name="petition-new"),
    path("petitions/due/", views.due_page, name="petition-due"),
    path("petitions/overview/", views_overview.overview, name="petition-overview"),
    path("petitions/meetings/", views_overview.meetings, name="petition-meetings"),
    path("petitions/<int:petition_id>/", views.petition_detail, name="petition-detail"),
    path("petitions/<int:petition_id>/act/", views.petition_act, name="petition-act"),
    path("petitions/<int:petition_id>/answer/", views.petition_answer, name="petition-answer"),
    path("petitions/<int:petition_id>/answer.pdf", views.answer_pdf, name="petition-answer-pdf"),
    path(
        "public/councils/<int:council_id>/petitions/",
        views_overview.public_list,
        name="petition-public",
    ),
]
