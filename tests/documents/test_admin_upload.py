"""The admin uploads through the same service and refuses the same files."""

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile

from documents.models import Document, StoredFile
from tests.documents import pdfs
from tests.factories import make_council, make_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(User.objects.create_superuser("quantri", password="pw-123456"))
    return client


def post(admin_client, session, data, name="to-trinh.pdf"):
    return admin_client.post(
        "/admin/documents/document/add/",
        {
            "session": session.pk,
            "title": "Tờ trình dự toán",
            "access": "delegates",
            "upload": SimpleUploadedFile(name, data, content_type="application/pdf"),
        },
    )


def test_admin_upload_stores_the_document(admin_client):
    session = make_session(council=make_council(seats=3))
    answer = post(admin_client, session, pdfs.make_pdf(pdfs.VIETNAMESE_PAGES))
    assert answer.status_code == 302
    document = Document.objects.get()
    assert document.title == "Tờ trình dự toán" and document.file.page_count == 4


def test_admin_refuses_a_protected_pdf_and_keeps_nothing(admin_client):
    session = make_session(council=make_council(seats=3))
    answer = post(admin_client, session, pdfs.encrypted_pdf())
    assert answer.status_code == 200
    assert "mật khẩu" in answer.content.decode()
    assert not Document.objects.exists() and not StoredFile.objects.exists()


def test_admin_refuses_a_text_bomb_and_keeps_nothing(admin_client):
    session = make_session(council=make_council(seats=3))
    answer = post(admin_client, session, pdfs.text_bomb(pages=50))
    assert answer.status_code == 200
    assert "quá nhiều chữ" in answer.content.decode()
    assert not Document.objects.exists() and not StoredFile.objects.exists()
