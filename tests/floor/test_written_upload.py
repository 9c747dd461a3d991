"""The clerk records a written answer with its PDF over HTTP (/floor/written/<id>/): the PDF
goes through the documents intake, is linked on the asker's tablet and opens for them (not
for another delegate); a broken PDF is refused with the intake's code and nothing is written."""

from __future__ import annotations

import datetime

import pymupdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from documents.models import StoredFile
from floor import questions, selectors
from floor.models import Question
from meeting import services as meeting
from meeting.badges import badge_token
from meeting.models import ActionLog, Session
from realtime.actors import Actor
from tests.documents.pdfs import broken_pdf, make_pdf
from tests.factories import make_staff

pytestmark = pytest.mark.django_db

ANSWER = "Sở Giao thông vận tải trả lời: cầu Phú Lương thông xe trong quý II năm 2027."


def upload(data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("tra-loi.pdf", data, content_type="application/pdf")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """The test's own folder of stored PDFs: what a refusal leaves there is seen."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def due(sitting):
    """A question left for a written answer at the end of question time; the sitting closed;
    the clerk signed in."""
    question = questions.question_register(
        session_id=sitting.session.pk,
        respondent_id=sitting.guests[1].pk,
        text="Khi nào thông xe cầu Phú Lương?",
        actor=Actor(delegate=sitting.delegates[2]),
    )
    questions.question_time_end(
        session_id=sitting.session.pk,
        due_date=datetime.date.today() + datetime.timedelta(days=15),
        actor=sitting.chair,
    )
    meeting.session_transition(session_id=sitting.session.pk, action="close", actor=sitting.chair)
    clerk = Client()
    clerk.force_login(make_staff(role="clerk", council=sitting.session.council))
    sitting.question, sitting.clerk = question, clerk
    return sitting


def badge(delegate) -> Client:
    client = Client()
    client.get(reverse("tablet-badge", args=[badge_token(delegate)]))
    return client


def test_the_answers_pdf_is_linked_and_opens_for_the_asker_only(due):
    path = reverse("floor-written-answer", args=[due.question.pk])
    data = make_pdf([ANSWER])
    recorded = due.clerk.post(path, {"text": "Xem văn bản kèm theo.", "file": upload(data)})
    assert recorded.status_code == 302 and recorded.url == reverse("floor-written")
    question = Question.objects.get(pk=due.question.pk)
    assert question.status == Question.Status.ANSWERED_IN_WRITING
    assert question.answer_seal == questions.answer_seal(question)
    # The asker's tablet lists the answer with the link to its PDF.
    session = Session.objects.get(pk=due.session.pk)
    mine = selectors.floor_snapshot(session, delegate=due.delegates[2])["my_answers"]
    link = reverse("floor-answer-pdf", args=[question.pk])
    assert [(a["id"], a["answer_pdf_url"]) for a in mine] == [(question.pk, link)]
    # It opens for the asker, with the text the respondent sent.
    opened = badge(due.delegates[2]).get(link)
    assert opened.status_code == 200 and opened["Content-Type"] == "application/pdf"
    body = b"".join(opened.streaming_content)
    assert body == data
    with pymupdf.open(stream=body, filetype="pdf") as document:
        assert "cầu Phú Lương thông xe" in document[0].get_text()
    # Another delegate, or nobody signed in, gets nothing.
    assert badge(due.delegates[3]).get(link).status_code == 404
    assert Client().get(link).status_code == 404
    # The list of those due no longer shows it.
    assert f'data-question-id="{question.pk}"' not in due.clerk.get(
        reverse("floor-written")
    ).content.decode()


def test_a_broken_pdf_is_refused_with_the_intakes_code_and_nothing_is_written(due, media):
    path = reverse("floor-written-answer", args=[due.question.pk])
    before = (
        Question.objects.filter(pk=due.question.pk).values().get(),
        StoredFile.objects.count(),
        ActionLog.objects.count(),
    )
    refused = due.clerk.post(
        path, {"text": "Xem văn bản kèm theo.", "file": upload(broken_pdf())}
    )
    page = refused.content.decode()
    assert refused.status_code == 400
    assert "code-document.broken" in page and "Tệp PDF bị hỏng, không đọc được." in page
    assert 'id="answer-form"' in page  # the form again, to send a good copy
    after = (
        Question.objects.filter(pk=due.question.pk).values().get(),
        StoredFile.objects.count(),
        ActionLog.objects.count(),
    )
    assert after == before
    assert not [p for p in media.rglob("*") if p.is_file()]  # no file stored
    assert f'data-question-id="{due.question.pk}"' in due.clerk.get(
        reverse("floor-written")
    ).content.decode()
