"""A refused form of the resolutions' staff pages is shown again as it was typed, with the
refusal and its code (kiosk_ui.refused.form_refused), not an empty form after a
redirect: a conclusion's, a supervision programme's and a task's (the consultation's is in
test_consultation_form)."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from meeting.models import Agency
from resolutions.models import Resolution, SupervisionProgramme, Task
from resolutions.services import resolutions as resolution_services
from tests.resolutions.helpers import pdf_bytes, sitting_with_votes

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _alert_code(page: str) -> str | None:
    found = re.search(r'data-level="error" data-tags="code-([^"]+)"', page)
    return found.group(1) if found else None


def _selected(page: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', page, re.S).group(1)
    return re.findall(r'<option value="([^"]+)" selected>', select)


def test_a_refused_conclusion_is_shown_again_as_typed():
    chamber = sitting_with_votes()
    upload = SimpleUploadedFile("kl.pdf", pdf_bytes(), content_type="application/pdf")
    refused = _client(chamber.clerk.user).post(
        reverse("conclusion-add"),
        {
            "session": chamber.sitting.session.pk,
            "title": "Kết luận về tình hình kinh tế - xã hội",
            "number": "7",
            "adopted_on": "31/02/2026",
            "pdf": upload,
        },
    )
    assert refused.status_code == 400
    page = refused.content.decode()
    assert _alert_code(page) == "date.bad_format"
    assert 'id="conclusion-new" open' in page
    assert _selected(page, "session") == [str(chamber.sitting.session.pk)]
    assert 'value="Kết luận về tình hình kinh tế - xã hội"' in page
    assert 'name="number" min="1" value="7"' in page
    assert 'name="adopted_on" value="31/02/2026"' in page
    assert "data-choose-again" in page  # the PDF is asked for again
    assert not Resolution.objects.exists()


def test_a_refused_supervision_programme_is_shown_again_as_typed():
    chamber = sitting_with_votes()
    agencies = [
        Agency.objects.create(council=chamber.council, name=f"Phòng chuyên môn {n}")
        for n in range(3)
    ]
    refused = _client(chamber.clerk.user).post(
        reverse("supervision-create"),
        {
            "council": chamber.council.pk,
            "kind": "thematic",
            "subject": "Giám sát việc cấp giấy phép xây dựng",
            "period_start": "10/03/2026",
            "period_end": "01/03/2026",  # before the start: refused
            "agencies": [agencies[0].pk, agencies[2].pk],
        },
    )
    assert refused.status_code == 400
    page = refused.content.decode()
    assert _alert_code(page) == "supervision.invalid"
    assert 'id="new-programme" open' in page
    assert _selected(page, "council") == [str(chamber.council.pk)]
    assert _selected(page, "kind") == ["thematic"]
    assert _selected(page, "agencies") == [str(agencies[0].pk), str(agencies[2].pk)]
    assert 'value="Giám sát việc cấp giấy phép xây dựng"' in page
    assert 'name="period_start" value="10/03/2026"' in page
    assert 'name="period_end" value="01/03/2026"' in page
    assert not SupervisionProgramme.objects.exists()


def test_the_empty_forms_stay_empty():
    chamber = sitting_with_votes()
    client = _client(chamber.clerk.user)
    for url in ("conclusion-list", "supervision-list"):
        page = client.get(reverse(url)).content.decode()
        assert " selected>" not in page and " open>" not in page and _alert_code(page) is None


def test_a_refused_task_is_shown_again_on_its_resolution_as_typed():
    chamber = sitting_with_votes()
    resolution = resolution_services.resolution_from_poll(
        poll_id=chamber.passed.pk, title="", actor=chamber.clerk
    )
    agencies = [
        Agency.objects.create(council=chamber.council, name=f"Phòng chuyên môn {n}")
        for n in range(2)
    ]
    refused = _client(chamber.clerk.user).post(
        reverse("task-add"),
        {
            "resolution": resolution.pk,
            "title": "Lập dự toán chi tiết",
            "agency": agencies[1].pk,
            "due_on": "30/02/2027",
        },
    )
    assert refused.status_code == 400
    page = refused.content.decode()
    assert _alert_code(page) == "date.bad_format"
    assert resolution.title in page  # the resolution's own page
    assert 'value="Lập dự toán chi tiết"' in page
    assert _selected(page, "agency") == [str(agencies[1].pk)]
    assert 'name="due_on" value="30/02/2027"' in page
    assert not Task.objects.exists()


def test_a_refused_adoption_is_shown_again_in_its_own_form():
    chamber = sitting_with_votes()
    upload = SimpleUploadedFile("nq.pdf", pdf_bytes(), content_type="application/pdf")
    refused = _client(chamber.clerk.user).post(
        reverse("resolution-adopt"),
        {
            "poll": chamber.passed.pk,
            "title": "Nghị quyết về dự toán ngân sách năm 2027 (sửa lời)",
            "number": "12",
            "adopted_on": "32/12/2026",
            "relation": "amends",
            "pdf": upload,
        },
    )
    assert refused.status_code == 400
    page = refused.content.decode()
    assert _alert_code(page) == "date.bad_format"
    assert f'data-poll-id="{chamber.passed.pk}" open' in page
    assert 'value="Nghị quyết về dự toán ngân sách năm 2027 (sửa lời)"' in page
    assert 'name="number" min="1" value="12"' in page
    assert 'name="adopted_on" value="32/12/2026"' in page
    assert _selected(page, "relation") == ["amends"]
    assert "data-choose-again" in page
    assert not Resolution.objects.exists()
    # As it opens: the vote's own title, nothing else filled.
    fresh = _client(chamber.clerk.user).get(reverse("resolution-list")).content.decode()
    assert f'data-poll-id="{chamber.passed.pk}">' in fresh
    assert f'value="{chamber.passed.title}"' in fresh and _selected(fresh, "relation") == []
