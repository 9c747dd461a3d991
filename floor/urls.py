from django.urls import path

from floor import views

urlpatterns = [
    path("floor/written/", views.written_list, name="floor-written"),
    path("floor/written/<int:question_id>/", views.written_answer, name="floor-written-answer"),
    path("floor/answers/<int:question_id>/answer.pdf", views.answer_pdf, name="floor-answer-pdf"),
]
