"""The app's tables, by area: resolutions; the tasks and supervision recommendations that
follow decisions; supervision programmes; written consultations."""

from resolutions.models.consultation import (
    Consultation,
    ConsultationBallot,
    ConsultationParticipation,
)
from resolutions.models.decisions import Resolution
from resolutions.models.supervision import SupervisionProgramme
from resolutions.models.tasks import ProgressReport, Task

__all__ = [
    "Consultation",
    "ConsultationBallot",
    "ConsultationParticipation",
    "ProgressReport",
    "Resolution",
    "SupervisionProgramme",
    "Task",
]
