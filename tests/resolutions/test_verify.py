"""``chamber verify-record`` covers adopted resolutions and counted consultations: a clean
record verifies; each kind of tampering is named."""

import io

import pytest
from django.core.management import CommandError, call_command

from meeting.council_log import CouncilLog
from resolutions.models import Consultation, ConsultationBallot, Resolution
from resolutions.services import consultation as consult
from resolutions.services import resolutions as services
from resolutions.verify import verify_council
from tests.resolutions.helpers import (
    answer,
    consultation_council,
    pdf_bytes,
    sent_consultation,
    sitting_with_votes,
)
from voting.models import PollResult

pytestmark = pytest.mark.django_db


def problems_of(*args: str) -> str:
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("verify-record", *args, stdout=io.StringIO(), stderr=err)
    return err.getvalue()


def test_a_resolution_from_a_poll_verifies_and_tampering_is_named():
    chamber = sitting_with_votes()
    resolution = services.resolution_from_poll(
        poll_id=chamber.passed.pk, title="", actor=chamber.clerk, pdf=pdf_bytes()
    )
    out = io.StringIO()
    call_command("verify-record", str(chamber.sitting.session.pk), stdout=out)
    assert out.getvalue().startswith("OK session")
    Resolution.objects.filter(pk=resolution.pk).update(number=99, title="Khác")
    said = problems_of(str(chamber.sitting.session.pk))
    assert "number was changed after it was adopted: 1 → 99" in said
    assert "title was changed" in said
    Resolution.objects.filter(pk=resolution.pk).update(number=1, title=resolution.title)
    PollResult.objects.filter(poll=chamber.passed).update(digest="0" * 64)
    assert "differs from the one recorded at adoption" in problems_of(
        "--council", str(chamber.council.pk)
    )


def test_a_consultation_is_recounted_from_the_chain():
    place = consultation_council(seats=5)
    consultation = sent_consultation(place)
    for delegate, choice in zip(place.delegates, ["yes", "yes", "yes", "no"], strict=False):
        answer(consultation, delegate, choice)
    consult.consultation_close(consultation_id=consultation.pk, actor=place.standing)
    out = io.StringIO()
    call_command("verify-record", "--council", str(place.council.pk), stdout=out)
    assert out.getvalue().startswith("OK council")
    ballot = ConsultationBallot.objects.filter(consultation=consultation, choice="no").get()
    ConsultationBallot.objects.filter(pk=ballot.pk).update(choice="yes")
    said = problems_of("--council", str(place.council.pk))
    assert f"answer {ballot.receipt[:10]} was changed after the close" in said
    assert "the answers give" in said
    ConsultationBallot.objects.filter(pk=ballot.pk).update(choice="no")
    Consultation.objects.filter(pk=consultation.pk).update(passed=False)
    assert "the stored outcome differs from the recount" in problems_of(
        "--council", str(place.council.pk)
    )


def test_a_removed_or_altered_entry_breaks_the_chain():
    place = consultation_council(seats=3)
    consultation = sent_consultation(place, kind="secret")
    answer(consultation, place.delegates[0], "yes")
    consult.consultation_close(consultation_id=consultation.pk, actor=place.standing)
    assert verify_council(place.council.pk) == []
    last = CouncilLog.objects.filter(council=place.council).order_by("-id").first()
    CouncilLog.objects.filter(pk=last.pk).update(data={**last.data, "participants": []})
    assert any("was altered" in p for p in verify_council(place.council.pk))
    CouncilLog.objects.filter(pk=last.pk).delete()
    said = verify_council(place.council.pk)
    assert any("its head says" in p for p in said)
