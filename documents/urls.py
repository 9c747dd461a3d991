from django.urls import path

from documents import views

urlpatterns = [
    path(
        "documents/<int:document_id>/<str:version>/<int:number>.png",
        views.page_image,
        name="document-page",
    ),
    path("documents/<int:document_id>/file.pdf", views.document_pdf, name="document-pdf"),
    path("documents/search/", views.search, name="document-search"),
    path(
        "staff/sessions/<int:session_id>/documents/",
        views.staff_documents,
        name="staff-documents",
    ),
    path(
        "staff/sessions/<int:session_id>/documents/progress/",
        views.staff_progress,
        name="staff-documents-progress",
    ),
    path(
        "public/sessions/<int:session_id>/documents/",
        views.public_documents,
        name="public-documents",
    ),
]
