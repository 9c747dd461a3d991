"""The floor: lists of speakers per agenda item, turns and their timers, the question session.

An app of its own rather than more of ``meeting/`` (which is at its size limit): it builds on
meeting's sessions, agenda items, delegates and guests and nothing in meeting refers back.
Only ``floor.services`` (and its ``turns`` and ``questions`` parts) writes these rows.

Ordering is the database's: a request's place is a number drawn from its list's counter
(``SpeakerList.last_position``) while the list row is locked, unique per list; a question's
place likewise from the session's ``QuestionSession``. At most one waiting request per kind per
delegate, and one running turn per session, are unique constraints.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    """What a turn is. Delegates ask for the first three; the question session has the rest."""

    SPEAK = "speak", _("Phát biểu")
    DEBATE = "debate", _("Tranh luận")
    ORDER = "order", _("Ý kiến về thủ tục")
    QUESTION = "question", _("Chất vấn")
    ANSWER = "answer", _("Trả lời chất vấn")


REQUEST_KINDS = (Kind.SPEAK, Kind.DEBATE, Kind.ORDER)

# Built-in limits, in seconds, when neither the council, the session nor the item set one:
# 7 minutes for a discussion turn, 1 to debate, to raise a point of order and to ask, 3 to answer.
DEFAULT_LIMITS = {
    Kind.SPEAK: 7 * 60,
    Kind.DEBATE: 60,
    Kind.ORDER: 60,
    Kind.QUESTION: 60,
    Kind.ANSWER: 3 * 60,
}


class SpeakingLimit(models.Model):
    """A speaking-time limit of one kind: the council's default, or a session's or an item's.

    The most specific one applies (item, then session, then council, then DEFAULT_LIMITS).
    """

    council = models.ForeignKey(
        "meeting.Council", verbose_name=_("hội đồng"), on_delete=models.CASCADE, related_name="+"
    )
    session = models.ForeignKey(
        "meeting.Session",
        verbose_name=_("kỳ họp"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    agenda_item = models.ForeignKey(
        "meeting.AgendaItem",
        verbose_name=_("nội dung"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    kind = models.CharField(_("loại"), max_length=10, choices=Kind.choices)
    seconds = models.PositiveIntegerField(_("thời gian (giây)"))

    class Meta:
        verbose_name = _("thời gian phát biểu")
        verbose_name_plural = _("thời gian phát biểu")
        constraints = [
            models.CheckConstraint(
                condition=Q(seconds__gte=10, seconds__lte=3600), name="floor_limit_range"
            ),
            models.UniqueConstraint(
                fields=["council", "kind"],
                condition=Q(session__isnull=True, agenda_item__isnull=True),
                name="floor_limit_once_per_council",
            ),
            models.UniqueConstraint(
                fields=["session", "kind"],
                condition=Q(session__isnull=False, agenda_item__isnull=True),
                name="floor_limit_once_per_session",
            ),
            models.UniqueConstraint(
                fields=["agenda_item", "kind"],
                condition=Q(agenda_item__isnull=False),
                name="floor_limit_once_per_item",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.seconds} s"


class SpeakerList(models.Model):
    """The list of speakers of one agenda item; its row is the lock that orders arrivals."""

    session = models.ForeignKey(
        "meeting.Session", on_delete=models.CASCADE, related_name="speaker_lists"
    )
    agenda_item = models.OneToOneField(
        "meeting.AgendaItem", on_delete=models.CASCADE, related_name="speaker_list"
    )
    closed = models.BooleanField(_("đã khóa danh sách"), default=False)
    last_position = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("danh sách phát biểu")
        verbose_name_plural = _("danh sách phát biểu")

    def __str__(self) -> str:
        return f"{self.agenda_item_id}: {'closed' if self.closed else 'open'}"


class Request(models.Model):
    """A request for the floor on one item: a delegate's, or one the chair added.

    Waiting requests are served in order of (``rank``, ``position``): a point of order arrives
    with rank 0, ahead of the others; the chair's reordering makes every rank 1 again.
    """

    class Status(models.TextChoices):
        WAITING = "waiting", _("Đang chờ")
        SPEAKING = "speaking", _("Đang phát biểu")
        DONE = "done", _("Đã phát biểu")
        WITHDRAWN = "withdrawn", _("Đã rút")

    speaker_list = models.ForeignKey(SpeakerList, on_delete=models.CASCADE, related_name="requests")
    kind = models.CharField(_("loại"), max_length=10, choices=Kind.choices)
    delegate = models.ForeignKey(
        "meeting.Delegate", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    guest = models.ForeignKey(
        "meeting.Guest", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Debate: the earlier turn on this item the speaker replies to.
    reply_to = models.ForeignKey(
        "Turn", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    rank = models.PositiveSmallIntegerField(default=1)
    position = models.BigIntegerField()
    added_by_chair = models.BooleanField(default=False)
    requested_at = models.DateTimeField()

    class Meta:
        verbose_name = _("đăng ký phát biểu")
        verbose_name_plural = _("đăng ký phát biểu")
        constraints = [
            models.UniqueConstraint(
                fields=["speaker_list", "position"], name="floor_request_place_unique"
            ),
            models.UniqueConstraint(
                fields=["speaker_list", "delegate", "kind"],
                condition=Q(status="waiting", delegate__isnull=False),
                name="floor_one_waiting_request_per_kind",
            ),
            models.UniqueConstraint(
                fields=["speaker_list", "guest", "kind"],
                condition=Q(status="waiting", guest__isnull=False),
                name="floor_one_waiting_guest_request_per_kind",
            ),
            models.CheckConstraint(
                condition=Q(delegate__isnull=True, guest__isnull=False)
                | Q(delegate__isnull=False, guest__isnull=True),
                name="floor_request_one_speaker",
            ),
        ]
        indexes = [models.Index(fields=["speaker_list", "status", "rank", "position"])]

    def __str__(self) -> str:
        return f"{self.kind} #{self.position} ({self.status})"


class Turn(models.Model):
    """One speaker holding the floor: when it started, its pauses, when it ended.

    The timer is the server's: elapsed = (end, or the pause, or now) − start − paused time.
    """

    session = models.ForeignKey("meeting.Session", on_delete=models.CASCADE, related_name="turns")
    agenda_item = models.ForeignKey(
        "meeting.AgendaItem", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    request = models.OneToOneField(
        Request, null=True, blank=True, on_delete=models.SET_NULL, related_name="turn"
    )
    question = models.ForeignKey(
        "Question", null=True, blank=True, on_delete=models.SET_NULL, related_name="turns"
    )
    kind = models.CharField(_("loại"), max_length=10, choices=Kind.choices)
    delegate = models.ForeignKey(
        "meeting.Delegate", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    guest = models.ForeignKey(
        "meeting.Guest", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reply_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField()
    limit_seconds = models.PositiveIntegerField()
    added_seconds = models.IntegerField(default=0)
    paused_at = models.DateTimeField(null=True, blank=True)
    paused_seconds = models.FloatField(default=0)
    # [[paused at, resumed at], ...] in ISO 8601, for the record.
    pauses = models.JSONField(default=list)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("lượt phát biểu")
        verbose_name_plural = _("lượt phát biểu")
        ordering = ["started_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session"],
                condition=Q(ended_at__isnull=True),
                name="floor_one_running_turn",
            ),
            models.CheckConstraint(
                condition=Q(delegate__isnull=True, guest__isnull=False)
                | Q(delegate__isnull=False, guest__isnull=True),
                name="floor_turn_one_speaker",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.started_at:%H:%M:%S}"


class QuestionSession(models.Model):
    """A sitting's question time: the order questions are called in, its end, its counter."""

    class Order(models.TextChoices):
        REGISTRATION = "registration", _("Theo thứ tự đăng ký")
        RESPONDENT = "respondent", _("Theo người trả lời")

    session = models.OneToOneField(
        "meeting.Session", on_delete=models.CASCADE, related_name="question_session"
    )
    order = models.CharField(max_length=20, choices=Order.choices, default=Order.REGISTRATION)
    last_position = models.BigIntegerField(default=0)
    ended_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.session_id}: {self.order}"


class Question(models.Model):
    """A question (chất vấn) to a respondent of the session; unreached, a written-answer task."""

    class Status(models.TextChoices):
        REGISTERED = "registered", _("Đã đăng ký")
        CALLED = "called", _("Đang chất vấn")
        ANSWERED = "answered", _("Đã trả lời tại kỳ họp")
        WRITTEN_DUE = "written_due", _("Chờ trả lời bằng văn bản")
        ANSWERED_IN_WRITING = "answered_in_writing", _("Đã trả lời bằng văn bản")
        WITHDRAWN = "withdrawn", _("Đã rút")

    session = models.ForeignKey(
        "meeting.Session", on_delete=models.CASCADE, related_name="questions"
    )
    asker = models.ForeignKey("meeting.Delegate", on_delete=models.PROTECT, related_name="+")
    respondent = models.ForeignKey("meeting.Guest", on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("nội dung chất vấn"), max_length=2000)
    on_paper = models.BooleanField(_("đăng ký bằng phiếu giấy"), default=False)
    position = models.BigIntegerField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.REGISTERED)
    registered_at = models.DateTimeField()
    called_at = models.DateTimeField(null=True, blank=True)
    due_date = models.DateField(_("hạn trả lời"), null=True, blank=True)
    answer_text = models.TextField(_("nội dung trả lời"), blank=True, max_length=20000)
    # The answer's PDF, taken in like a session document (documents.services.file_store):
    # never a Document of the session, whose chain may already be sealed.
    answer_file = models.ForeignKey(
        "documents.StoredFile", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    # The written answer's own seal (floor.questions.answer_seal), checked by verify-record.
    answer_seal = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        verbose_name = _("câu hỏi chất vấn")
        verbose_name_plural = _("câu hỏi chất vấn")
        ordering = ["session", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "position"], name="floor_question_place_unique"
            ),
            models.UniqueConstraint(
                fields=["session"],
                condition=Q(status="called"),
                name="floor_one_question_called",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.position}: {self.text[:60]}"
