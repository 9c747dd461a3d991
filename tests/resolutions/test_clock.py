"""The deadline clock (resolutions.clock): a consultation closes at its deadline on a clock,
once, however many processes race to it; ``chamber close_due_consultations`` for cron."""

import threading
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from resolutions import chain, clock
from resolutions.models import Consultation
from resolutions.services import consultation as services
from tests.resolutions.helpers import answer, consultation_council, sent_consultation


def _past_due(consultation) -> None:
    """Its deadline reached (the services refuse to send one already past)."""
    Consultation.objects.filter(pk=consultation.pk).update(
        deadline=timezone.now() - timedelta(seconds=1)
    )


def _entries(place, consultation) -> tuple[int, int]:
    return (
        len(chain.entries_of(place.council.pk, "consultation.close", consultation=consultation.pk)),
        len(
            chain.entries_of(place.council.pk, "consultation.turnout", consultation=consultation.pk)
        ),
    )


class Steps:
    """The clock's ``wait``: records how long it was asked to sleep; stops after ``n``."""

    def __init__(self, n: int, between=None) -> None:
        self.n, self.between, self.asked = n, between, []
        self.stop = threading.Event()

    def __call__(self, seconds: float) -> None:
        self.asked.append(seconds)
        if len(self.asked) >= self.n:
            self.stop.set()
        elif self.between:
            self.between(len(self.asked))


@pytest.mark.django_db
def test_the_clock_closes_what_is_due_and_sleeps_until_the_next_deadline():
    place = consultation_council(seats=5)
    due = sent_consultation(place, title="Đến hạn")
    later = sent_consultation(place, title="Chưa đến hạn")
    for delegate in place.delegates[:3]:
        answer(due, delegate, "yes")
    _past_due(due)
    now = timezone.now()
    Consultation.objects.filter(pk=later.pk).update(deadline=now + timedelta(seconds=12))

    def deadline_passes(step: int) -> None:
        _past_due(later)  # time moves on between the first and the second pass

    steps = Steps(2, between=deadline_passes)
    ticking = clock.DeadlineClock(rescan=30, now=lambda: now, wait=steps, stop=steps.stop)
    ticking.run()

    due.refresh_from_db()
    later.refresh_from_db()
    assert due.status == later.status == Consultation.Status.CLOSED
    assert due.passed is True and due.result["counts"]["yes"] == 3  # 3 of 5 seats
    # First it slept until the other deadline; with nothing left open, one rescan.
    assert steps.asked == [12.0, 30]
    assert ticking.closed == 2
    assert _entries(place, due) == (1, 1) and _entries(place, later) == (1, 1)


@pytest.mark.django_db
def test_the_wait_never_exceeds_a_rescan_and_a_stuck_deadline_is_not_a_busy_loop():
    now = timezone.now()
    assert clock.seconds_to_wait(None, now, 30) == 30
    assert clock.seconds_to_wait(now + timedelta(hours=5), now, 30) == 30
    assert clock.seconds_to_wait(now + timedelta(seconds=4), now, 30) == 4
    assert clock.seconds_to_wait(now - timedelta(seconds=4), now, 30) == clock.RETRY_SECONDS


@pytest.mark.django_db
def test_sending_a_consultation_wakes_this_process_clock(django_capture_on_commit_callbacks):
    place = consultation_council(seats=3)
    clock._wake.clear()
    with django_capture_on_commit_callbacks(execute=True):
        sent_consultation(place)
    assert clock._wake.is_set()
    clock._wake.clear()


@pytest.mark.django_db
def test_a_clock_that_fails_tries_again_at_the_next_rescan(monkeypatch):
    calls = []

    def broken():
        calls.append(1)
        raise RuntimeError("database away")

    monkeypatch.setattr(services, "close_due_consultations", broken)
    steps = Steps(1)
    clock.DeadlineClock(rescan=7, wait=steps, stop=steps.stop).run()
    assert calls == [1] and steps.asked == [7]


@pytest.mark.django_db(transaction=True)
def test_workers_racing_to_the_deadline_count_it_once():
    """Every worker's clock wakes at the same deadline: one close, one count, one entry."""
    place = consultation_council(seats=5)
    consultation = sent_consultation(place)
    for delegate in place.delegates[:3]:
        answer(consultation, delegate, "yes")
    _past_due(consultation)
    workers = 6
    start = threading.Barrier(workers)
    closed: list[int] = []

    def worker():
        try:
            start.wait()
            closed.append(services.close_due_consultations())
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(closed) == [0] * (workers - 1) + [1]
    consultation.refresh_from_db()
    assert consultation.status == Consultation.Status.CLOSED
    assert consultation.result["counts"]["yes"] == 3
    assert _entries(place, consultation) == (1, 1)


@pytest.mark.django_db
def test_the_cron_command_closes_what_is_due_once():
    place = consultation_council(seats=3)
    due = sent_consultation(place)
    open_still = sent_consultation(place)
    _past_due(due)
    out = StringIO()
    call_command("close_due_consultations", stdout=out)
    assert out.getvalue().strip() == "1 consultation(s) closed"
    out = StringIO()
    call_command("close_due_consultations", stdout=out)
    assert out.getvalue().strip() == "0 consultation(s) closed"
    open_still.refresh_from_db()
    assert open_still.status == Consultation.Status.OPEN
    assert _entries(place, due) == (1, 1)
