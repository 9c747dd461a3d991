from django.urls import path

from resolutions.views import (
    conclusions,
    consultations,
    delegate,
    overview,
    picker,
    supervision,
    tasks,
)
from resolutions.views import resolutions as views

urlpatterns = [
    path("resolutions/", views.resolution_list, name="resolution-list"),
    path("resolutions/overview/", overview.overview_page, name="resolution-overview"),
    path("resolutions/targets/", picker.targets, name="resolution-targets"),
    path("resolutions/adopt/", views.resolution_adopt, name="resolution-adopt"),
    path("resolutions/<int:resolution_id>/", views.resolution_detail, name="resolution-detail"),
    path("resolutions/<int:resolution_id>/sign/", views.resolution_sign, name="resolution-sign"),
    path(
        "resolutions/<int:resolution_id>/signed.pdf", views.resolution_pdf, name="resolution-pdf"
    ),
    path("resolutions/conclusions/", conclusions.conclusion_list, name="conclusion-list"),
    path("resolutions/conclusions/add/", conclusions.conclusion_add, name="conclusion-add"),
    path(
        "resolutions/conclusions/<int:conclusion_id>/", conclusions.conclusion_detail,
        name="conclusion-detail",
    ),
    path("resolutions/tasks/", tasks.officer_tasks, name="officer-tasks"),
    path("resolutions/tasks/add/", tasks.task_add, name="task-add"),
    path("resolutions/tasks/<int:task_id>/", tasks.task_detail, name="task-detail"),
    path("resolutions/tasks/<int:task_id>/report/", tasks.task_report, name="task-report"),
    path("resolutions/reports/<int:report_id>.pdf", tasks.report_pdf, name="report-pdf"),
    path("supervision/", supervision.programme_list, name="supervision-list"),
    path("supervision/new/", supervision.programme_create, name="supervision-create"),
    path(
        "supervision/<int:programme_id>/", supervision.programme_detail,
        name="supervision-detail",
    ),
    path(
        "supervision/<int:programme_id>/report/", supervision.programme_report,
        name="supervision-report",
    ),
    path(
        "supervision/<int:programme_id>/report.pdf", supervision.programme_pdf,
        name="supervision-pdf",
    ),
    path("consultations/", consultations.staff_list, name="consultation-staff-list"),
    path("consultations/new/", consultations.staff_create, name="consultation-staff-create"),
    path(
        "consultations/<int:consultation_id>/", consultations.staff_detail,
        name="consultation-staff",
    ),
    path(
        "consultations/<int:consultation_id>/record/",
        consultations.record,
        name="consultation-record",
    ),
    path(
        "consultations/<int:consultation_id>/<str:action>/",
        consultations.staff_action,
        name="consultation-staff-action",
    ),
    path(
        "consultations/<int:consultation_id>/draft.pdf", consultations.draft,
        name="consultation-draft",
    ),
    # The delegate's side: any browser signed in with the badge.
    path("tablet/consultations/", delegate.consultation_list, name="consultation-list"),
    path(
        "tablet/consultations/<int:consultation_id>/",
        delegate.consultation_answer,
        name="consultation-answer",
    ),
]
