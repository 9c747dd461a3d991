"""A city's year of resolutions, in bulk: what ``bench.resolutions`` measures the pages on.

169 councils (the city and 168 communes), each with its agencies and delegates; per council a
year of resolutions and conclusions (``per_council``, ±30 %), 2–5 implementation tasks each
with 0–3 progress reports, a few supervision programmes with their recommendations, a few
written consultations (closed ones answered by most delegates, open ones half-answered) — and
the resolutions in the search index. Straight into the tables with ``bulk_create``: the
services' chain (a hash per row) would take hours at this size and is not what is measured.
Deterministic for a given seed.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

COMMUNES = 168
AGENCIES = [
    ("Ủy ban nhân dân", "committee"),
    ("Phòng Kinh tế", "office"),
    ("Phòng Văn hóa - Xã hội", "office"),
    ("Phòng Tài chính", "office"),
    ("Công an", "other"),
    ("Sở Xây dựng", "department"),
]
SUBJECTS = [
    "dự toán ngân sách",
    "kế hoạch đầu tư công trung hạn",
    "phí trông giữ xe",
    "chỉnh trang đô thị",
    "chống ngập",
    "xây dựng trường học",
    "hỗ trợ người có công",
    "quy hoạch sử dụng đất",
    "chương trình giám sát",
    "bảo vệ môi trường",
    "an toàn giao thông",
    "chuyển đổi số",
]
TASK_VERBS = ["Triển khai", "Hoàn thành", "Báo cáo kết quả", "Rà soát", "Tổ chức thực hiện"]


@dataclass
class Seeded:
    standing: object  # the city's Standing Committee (reads every commune)
    clerk: object  # a commune's clerk
    officer: object  # an officer of one of that commune's agencies
    city: object
    commune: object
    communes: list
    counts: dict


def _title(rng: random.Random, year: int) -> str:
    return f"về {rng.choice(SUBJECTS)} {rng.choice(['', 'giai đoạn 2026-2030 ', 'năm '])}{year}"


def seed(*, per_council: int = 30, commune_count: int = COMMUNES, seed: int = 15) -> Seeded:
    from django.contrib.auth.models import User
    from django.db import transaction

    from meeting.agencies import AgencyOfficer
    from meeting.models import Agency, Council, Delegate
    from meeting.roles import membership_grant, sync_role_groups

    rng = random.Random(seed)
    sync_role_groups()
    with transaction.atomic():
        city = Council.objects.create(name="HĐND Thành phố", level="city", seats=95)
        communes = Council.objects.bulk_create(
            Council(name=f"HĐND Phường {n:03d}", level="ward", seats=30, parent=city)
            for n in range(1, commune_count + 1)
        )
        councils = [city, *communes]
        agencies = Agency.objects.bulk_create(
            Agency(council=c, name=name, kind=kind, position=n)
            for c in councils
            for n, (name, kind) in enumerate(AGENCIES)
        )
        agencies_of = {c.pk: [a for a in agencies if a.council_id == c.pk] for c in councils}
        delegates = Delegate.objects.bulk_create(
            (
                Delegate(council=c, full_name=f"Đại biểu {n}", seat_label=f"{n:03d}")
                for c in councils
                for n in range(1, c.seats + 1)
            ),
            batch_size=2000,
        )
        delegates_of: dict[int, list] = {}
        for d in delegates:
            delegates_of.setdefault(d.council_id, []).append(d)
        # One officer per council answers for all of its agencies (reports need an author).
        officers = User.objects.bulk_create(
            User(username=f"canbo{c.pk}", is_staff=True, password="!") for c in councils
        )
        officer_of = dict(zip([c.pk for c in councils], officers, strict=True))
        AgencyOfficer.objects.bulk_create(
            AgencyOfficer(user=officer_of[a.council_id], agency=a) for a in agencies
        )
        counts = _year(rng, councils, agencies_of, delegates_of, officer_of, per_council)
        standing = User.objects.create_user("thuongtruc", is_staff=True)
        membership_grant(user=standing, council=city, role="standing")
        commune = communes[min(41, len(communes) - 1)]
        clerk = User.objects.create_user("vanthu", is_staff=True)
        membership_grant(user=clerk, council=commune, role="clerk")
    return Seeded(
        standing=standing,
        clerk=clerk,
        officer=officer_of[commune.pk],
        city=city,
        commune=commune,
        communes=communes,
        counts=counts,
    )


def _year(rng, councils, agencies_of, delegates_of, officer_of, per_council: int) -> dict:
    from resolutions.models import Resolution

    today = date.today()
    start = today - timedelta(days=365)
    resolutions = []
    for council in councils:
        numbers: dict[tuple[str, int], int] = {}
        count = max(1, round(rng.uniform(0.7, 1.3) * per_council))
        for adopted in sorted(start + timedelta(days=rng.randrange(365)) for _ in range(count)):
            kind = "conclusion" if rng.random() < 0.25 else "resolution"
            number = numbers[kind, adopted.year] = numbers.get((kind, adopted.year), 0) + 1
            resolutions.append(
                Resolution(
                    council=council,
                    kind=kind,
                    year=adopted.year,
                    number=number,
                    adopted_on=adopted,
                    title=f"{'Nghị quyết' if kind == 'resolution' else 'Kết luận'} "
                    f"{_title(rng, adopted.year)}",
                )
            )
    Resolution.objects.bulk_create(resolutions, batch_size=2000)
    _relations(rng, resolutions)
    tasks, reports = _tasks(rng, resolutions, agencies_of, officer_of, today)
    programmes, recommendations, answered = _supervision(
        rng, councils, agencies_of, officer_of, today
    )
    consultations, answers = _consultations(rng, councils, delegates_of, today)
    _index(resolutions)
    return {
        "councils": len(councils),
        "resolutions": len(resolutions),
        "tasks": tasks,
        "progress_reports": reports + answered,
        "programmes": programmes,
        "recommendations": recommendations,
        "consultations": consultations,
        "consultation_answers": answers,
    }


def _relations(rng, resolutions) -> None:
    """About 1 in 20 resolutions amends an earlier one of its council, 1 in 40 repeals one."""
    from resolutions.models import Resolution

    earlier: dict[int, list] = {}
    changed, targets = [], []
    for r in resolutions:
        previous = earlier.setdefault(r.council_id, [])
        if previous and rng.random() < 0.075:
            target = previous.pop(rng.randrange(len(previous)))
            repeal = rng.random() < 0.33
            r.relation = "repeals" if repeal else "amends"
            r.target = target
            target.status = "repealed" if repeal else "amended"
            changed.append(r)
            targets.append(target)
        previous.append(r)
    Resolution.objects.bulk_update(changed, ["relation", "target"], batch_size=1000)
    Resolution.objects.bulk_update(targets, ["status"], batch_size=1000)


def _progress(rng, task, officer, today, reports) -> None:
    """0–3 reports up to the task's percent; the last one says done when it is."""
    from resolutions.models import ProgressReport

    made = rng.randint(1, 3) if task.done_on or rng.random() < 0.6 else 0
    for n in range(made):
        last = n == made - 1
        percent = task.percent if last else max(0, task.percent - 20 * (made - 1 - n))
        at = datetime.combine(
            min(today, task.created_at_day + timedelta(days=20 * (n + 1))), time(9), tzinfo=UTC
        )
        reports.append(
            ProgressReport(
                task=task,
                at=at,
                author=officer,
                text=f"Báo cáo tiến độ lần {n + 1}: đã {rng.choice(TASK_VERBS).lower()}.",
                percent=percent,
                done=bool(last and task.done_on),
            )
        )
    if made:
        task.last_report_at = reports[-1].at


def _task(rng, council_id, agency, today, created: date, **parent):
    from resolutions.models import Task

    due = created + timedelta(days=rng.choice([30, 60, 90, 120, 180, 270]))
    done = None
    if rng.random() < (0.7 if due < today else 0.2):
        done = min(today, due + timedelta(days=rng.randint(-25, 20)))
        done = max(done, created)
    task = Task(
        council_id=council_id,
        title=f"{rng.choice(TASK_VERBS)} {rng.choice(SUBJECTS)}",
        agency=agency,
        due_on=due,
        percent=100 if done else rng.choice([0, 10, 30, 50, 70, 90]),
        done_on=done,
        **parent,
    )
    task.created_at_day = created
    return task


def _tasks(rng, resolutions, agencies_of, officer_of, today) -> tuple[int, int]:

    tasks = [
        _task(rng, r.council_id, rng.choice(agencies_of[r.council_id]), today, r.adopted_on,
              kind="task", resolution=r)
        for r in resolutions
        if r.kind == "resolution" or rng.random() < 0.5
        for _ in range(rng.randint(2, 5))
    ]
    return _with_reports(rng, tasks, officer_of, today)


def _with_reports(rng, tasks, officer_of, today) -> tuple[int, int]:
    from resolutions.models import ProgressReport, Task

    reports: list = []
    for task in tasks:
        _progress(rng, task, officer_of[task.council_id], today, reports)
    Task.objects.bulk_create(tasks, batch_size=2000)
    for report in reports:
        report.task_id = report.task.pk
    ProgressReport.objects.bulk_create(reports, batch_size=2000)
    return len(tasks), len(reports)


def _supervision(rng, councils, agencies_of, officer_of, today) -> tuple[int, int, int]:
    from resolutions.models import SupervisionProgramme

    programmes = []
    for council in councils:
        for n in range(rng.randint(2, 4)):
            begins = today - timedelta(days=rng.randrange(30, 330))
            programmes.append(
                SupervisionProgramme(
                    council=council,
                    kind="thematic" if n == 0 else rng.choice(["thematic", "regular"]),
                    subject=f"Giám sát việc thực hiện {rng.choice(SUBJECTS)}",
                    period_start=begins,
                    period_end=begins + timedelta(days=30),
                    reported_on=begins + timedelta(days=40),
                )
            )
    SupervisionProgramme.objects.bulk_create(programmes, batch_size=2000)
    recommendations = [
        _task(rng, p.council_id, rng.choice(agencies_of[p.council_id]), today, p.reported_on,
              kind="recommendation", programme=p)
        for p in programmes
        for _ in range(rng.randint(3, 8))
    ]
    made, reports = _with_reports(rng, recommendations, officer_of, today)
    return len(programmes), made, reports


def _consultations(rng, councils, delegates_of, today) -> tuple[int, int]:
    from django.utils import timezone

    from resolutions.models import (
        Consultation,
        ConsultationBallot,
        ConsultationParticipation,
    )

    now = timezone.now()
    consultations = []
    for council in councils:
        for n in range(rng.randint(2, 5)):
            open_ = n == 0 and rng.random() < 0.4
            sent = now - timedelta(days=2 if open_ else rng.randrange(10, 350))
            consultations.append(
                Consultation(
                    council=council,
                    title=f"Xin ý kiến về {rng.choice(SUBJECTS)}",
                    status="open" if open_ else rng.choice(["closed"] * 9 + ["cancelled"]),
                    seats=council.seats,
                    sent_at=sent,
                    deadline=sent + timedelta(days=5),
                    closed_at=None if open_ else sent + timedelta(days=5),
                )
            )
    Consultation.objects.bulk_create(consultations, batch_size=2000)
    participations, ballots = [], []
    for c in consultations:
        if c.status == "cancelled":
            continue
        share = 0.5 if c.status == "open" else 0.9
        for d in delegates_of[c.council_id]:
            if rng.random() >= share:
                continue
            participations.append(
                ConsultationParticipation(consultation=c, delegate=d, answered_at=c.sent_at)
            )
            ballots.append(
                ConsultationBallot(
                    consultation=c,
                    delegate=d,
                    choice=rng.choice(["yes"] * 8 + ["no", "abstain"]),
                    receipt=secrets.token_hex(8),
                )
            )
    ConsultationParticipation.objects.bulk_create(participations, batch_size=5000)
    ConsultationBallot.objects.bulk_create(ballots, batch_size=5000)
    return len(consultations), len(ballots)


def _index(resolutions) -> None:
    from resolutions import search_index
    from search.services import search_index_update_many

    search_index_update_many(
        items=[search_index._indexed(r, "") for r in resolutions], batch_size=2000
    )
