"""The resolutions benchmark at a small scale, as a correctness check (no timing is asserted):
every page it times answers, and the overview counts what was seeded."""

from __future__ import annotations

import argparse

import pytest
from django.test import Client

from bench import resolutions
from bench.resolutions_seed import seed
from resolutions.models import Resolution, Task

pytestmark = pytest.mark.django_db


def test_every_page_of_the_bench_answers_and_counts_the_seeded_year():
    seeded = seed(per_council=3, commune_count=3)
    assert seeded.counts["councils"] == 4
    assert seeded.counts["resolutions"] == Resolution.objects.count()
    assert seeded.counts["tasks"] + seeded.counts["recommendations"] == Task.objects.count()
    args = argparse.Namespace(requests=2)
    for title, run in resolutions._scenarios(seeded, args):
        figures = run()  # a page that does not answer 200 stops the bench
        assert figures["queries"] >= 2 and figures["statements"] > 0, title
        assert len(figures["load"]) == 2
    city = Client()
    city.force_login(seeded.standing)
    page = city.get("/resolutions/overview/").content.decode()
    total = f'<span class="card-label">Nhiệm vụ, kiến nghị</span><strong>{Task.objects.count()}'
    assert total in page
