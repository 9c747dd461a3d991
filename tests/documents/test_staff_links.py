"""The clerk's upload page looks like the other staff pages, says a good upload is done (not as
a warning), and the admin and the console lead to it."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.documents import pdfs
from tests.factories import make_council, make_session, make_staff

pytestmark = pytest.mark.django_db


def _client(role: str, *, council, staff: bool = True) -> Client:
    user = make_staff(role=role, council=council)
    user.is_staff = staff
    user.save(update_fields=["is_staff"])
    client = Client()
    client.force_login(user)
    return client


def test_upload_page_has_the_staff_pages_header_and_a_success_message_in_green():
    session = make_session(council=make_council(seats=3))
    clerk = _client("clerk", council=session.council)
    url = f"/staff/sessions/{session.pk}/documents/"
    page = clerk.get(url).content.decode()
    # The same frame as the session list: the brand header, the page title, cards.
    assert 'class="page-header"' in page and 'class="brand"' in page
    assert re.search(r'<main class="page-main staff-documents"', page)
    assert 'class="card upload-form"' in page
    assert f'href="/admin/meeting/session/{session.pk}/change/"' in page

    form = {
        "title": "Tờ trình ngân sách",
        "access": "delegates",
        "file": SimpleUploadedFile("to-trinh.pdf", pdfs.make_pdf(count=1)),
    }
    done = clerk.post(url, form, follow=True).content.decode()
    message = re.search(r'<p class="alert alert-(\w+)"[^>]*data-level="(\w+)"[^>]*>([^<]*)<', done)
    assert message is not None, done
    assert message.group(1) == message.group(2) == "success"  # green, not the warning's orange
    assert "Đã tải lên" in message.group(3)


def test_the_admin_and_the_console_lead_to_the_upload_page():
    session = make_session(council=make_council(seats=3))
    link = f'href="/staff/sessions/{session.pk}/documents/"'
    clerk = _client("clerk", council=session.council)
    assert link in clerk.get("/admin/meeting/session/").content.decode()
    assert link in clerk.get(f"/admin/meeting/session/{session.pk}/change/").content.decode()
    # The secretary, at the console, uploads a document that arrives during the sitting.
    secretary = _client("secretary", council=session.council)
    assert link in secretary.get(f"/chair/{session.pk}/").content.decode()
    assert secretary.get(f"/staff/sessions/{session.pk}/documents/").status_code == 200
    # The chair runs the sitting and uploads nothing: no link that would refuse them.
    chair = _client("chair", council=session.council)
    assert link not in chair.get(f"/chair/{session.pk}/").content.decode()
