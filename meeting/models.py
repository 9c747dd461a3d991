"""Councils, delegates, sessions, the agenda tree, attendance and the action log.

Only ``meeting.services`` writes these rows (the admin edits the static parts: councils,
delegates, session titles and the agenda before a session opens).
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from meeting.badges import new_badge_key
from voting.choices import VoteBase, VoteThreshold


def new_projector_key() -> str:
    return secrets.token_urlsafe(16)


class Council(models.Model):
    class Level(models.TextChoices):
        CITY = "city", _("Thành phố")
        COMMUNE = "commune", _("Xã")
        WARD = "ward", _("Phường")
        SPECIAL_ZONE = "special_zone", _("Đặc khu")

    class QuorumRule(models.TextChoices):
        # Law on Organisation of Local Government: a sitting is valid with at least two thirds
        # of all delegates; some councils set "more than half" for ordinary sittings.
        TWO_THIRDS_OF_SEATS = "two_thirds", _("Ít nhất hai phần ba tổng số đại biểu")
        MAJORITY_OF_SEATS = "majority", _("Quá nửa tổng số đại biểu")

    name = models.CharField(_("tên"), max_length=200)
    level = models.CharField(_("cấp"), max_length=20, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("hội đồng cấp trên"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    seats = models.PositiveIntegerField(
        _("số đại biểu được bầu"),
        help_text=_(
            "Cơ sở tính đa số và túc số của hội đồng. Thay đổi chỉ áp dụng cho các kỳ họp khai "
            "mạc sau đó; kỳ họp đã khai mạc giữ số đã có lúc khai mạc."
        ),
    )
    quorum_rule = models.CharField(
        _("quy tắc túc số"),
        max_length=20,
        choices=QuorumRule.choices,
        default=QuorumRule.TWO_THIRDS_OF_SEATS,
    )
    # Defaults of every poll of this council (voting.rules); a poll may set its own.
    # The People's Council rule: more than half of all delegates of the council.
    vote_base = models.CharField(
        _("cơ sở tính đa số mặc định"),
        max_length=24,
        choices=VoteBase.choices,
        default=VoteBase.SEATS,
    )
    vote_threshold = models.CharField(
        _("ngưỡng thông qua mặc định"),
        max_length=20,
        choices=[c for c in VoteThreshold.choices if c[0] != VoteThreshold.FRACTION],
        default=VoteThreshold.MORE_THAN_HALF,
    )
    # What the minutes' header and title say of the council (Decree 30/2020/NĐ-CP).
    locality = models.CharField(
        _("địa phương"),
        max_length=200,
        blank=True,
        help_text=_("Ví dụ: “phường Bến Thành”. Để trống: lấy từ tên hội đồng."),
    )
    place_name = models.CharField(
        _("địa danh ghi trên văn bản"),
        max_length=100,
        blank=True,
        help_text=_("Ví dụ: “Bến Thành”. Để trống: lấy từ địa phương."),
    )
    term = models.CharField(_("khóa"), max_length=20, blank=True, help_text=_("Ví dụ: “I”."))
    term_start = models.PositiveSmallIntegerField(_("nhiệm kỳ từ năm"), null=True, blank=True)
    term_end = models.PositiveSmallIntegerField(_("nhiệm kỳ đến năm"), null=True, blank=True)
    # The badge alone then signs no one in: the delegate sets a PIN at the first sign-in
    # (meeting.credentials), so whoever holds the badge sheet cannot act for them.
    require_pin = models.BooleanField(
        _("yêu cầu mã PIN khi đăng nhập bằng thẻ"),
        default=False,
        help_text=_("Đại biểu tự đặt mã PIN ở lần đăng nhập đầu tiên; cấp lại thẻ xóa mã PIN."),
    )

    class Meta:
        verbose_name = _("hội đồng nhân dân")
        verbose_name_plural = _("hội đồng nhân dân")
        constraints = [
            models.CheckConstraint(condition=Q(seats__gt=0), name="council_has_seats"),
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A staff user's role in one council (meeting.scope): the council the role acts for.

    The Django group of the same name carries the role's permissions; the membership says
    where they apply. ``standing`` (the Standing Committee) reads its council and every council
    under it, and runs nothing.
    """

    class Role(models.TextChoices):
        CHAIR = "chair", _("Chủ tọa")
        SECRETARY = "secretary", _("Thư ký")
        CLERK = "clerk", _("Văn thư")
        STANDING = "standing", _("Thường trực HĐND (xem các hội đồng cấp dưới)")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tài khoản"),
        on_delete=models.CASCADE,
        related_name="council_roles",
    )
    council = models.ForeignKey(
        Council, verbose_name=_("hội đồng"), on_delete=models.CASCADE, related_name="staff_roles"
    )
    role = models.CharField(_("vai trò"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("vai trò của cán bộ")
        verbose_name_plural = _("vai trò của cán bộ")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "council", "role"], name="membership_once_per_role"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.council}"


class Delegate(models.Model):
    council = models.ForeignKey(
        Council, verbose_name=_("hội đồng"), on_delete=models.PROTECT, related_name="delegates"
    )
    full_name = models.CharField(_("họ và tên"), max_length=200)
    title = models.CharField(_("chức danh"), max_length=200, blank=True)
    seat_label = models.CharField(_("ghế"), max_length=20, blank=True)
    vote_weight = models.PositiveSmallIntegerField(_("trọng số phiếu"), default=1)
    # Where reminders reach the delegate between sessions (written consultations: resolutions).
    email = models.EmailField(_("thư điện tử"), blank=True)
    # A random key; the badge carries it with a signature. Re-issuing replaces it, which
    # revokes every badge printed before.
    badge_key = models.CharField(max_length=16, unique=True, editable=False, default=new_badge_key)
    badge_issued_at = models.DateTimeField(null=True, editable=False)
    # The staff account of a delegate who also runs the console (the chair is a delegate):
    # with it, they vote from the console as themself.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tài khoản bàn chủ tọa"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="delegate",
        help_text=_("Tài khoản nhân viên của đại biểu (ví dụ chủ tọa): biểu quyết từ bàn chủ tọa."),
    )
    # The delegate's own PIN (Django's password hash), when the council requires one.
    pin_hash = models.CharField(max_length=128, blank=True, default="", editable=False)
    pin_failures = models.PositiveSmallIntegerField(default=0, editable=False)
    pin_locked_until = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("đại biểu")
        verbose_name_plural = _("đại biểu")
        ordering = ["council", "seat_label", "full_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(vote_weight__gte=1), name="delegate_weight_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.full_name


class Session(models.Model):
    """A sitting (kỳ họp) of one council; its ``seq`` numbers every event it publishes."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Dự thảo")
        SCHEDULED = "scheduled", _("Đã lên lịch")
        IN_PROGRESS = "in_progress", _("Đang họp")
        ADJOURNED = "adjourned", _("Tạm dừng")
        CLOSED = "closed", _("Bế mạc")

    council = models.ForeignKey(
        Council, verbose_name=_("hội đồng"), on_delete=models.PROTECT, related_name="sessions"
    )
    number = models.PositiveIntegerField(_("kỳ họp thứ"))
    title = models.CharField(_("tiêu đề"), max_length=300)
    planned_start = models.DateField(_("ngày khai mạc dự kiến"))
    planned_end = models.DateField(_("ngày bế mạc dự kiến"))
    status = models.CharField(
        _("trạng thái"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    current_item = models.ForeignKey(
        "AgendaItem",
        verbose_name=_("nội dung đang xem xét"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    seq = models.BigIntegerField(_("số thứ tự sự kiện"), default=0, editable=False)
    # The seq of the last event that may change what the snapshots' shared parts hold (not an
    # attendance count): shared parts built at it stay good until it moves
    # (realtime.shared_snapshot).
    shared_seq = models.BigIntegerField(default=0, editable=False)
    # The hash of the last entry of the session's log (meeting.chain).
    log_head = models.CharField(max_length=64, default="0" * 64, editable=False)
    # The council's seats, quorum and default vote rules as they were when the sitting opened
    # (meeting.fixed_rules): a later change of the council applies to later sessions only.
    # Empty until the opening; the chain's ``session.open`` entry holds the same values.
    seats = models.PositiveIntegerField(_("số đại biểu khi khai mạc"), null=True, editable=False)
    quorum_rule = models.CharField(
        _("quy tắc túc số khi khai mạc"), max_length=20, blank=True, editable=False
    )
    vote_base = models.CharField(max_length=24, blank=True, editable=False)
    vote_threshold = models.CharField(max_length=20, blank=True, editable=False)
    # {delegate id: vote weight} at the opening, for weighted polls.
    vote_weights = models.JSONField(default=dict, editable=False)
    # What those weights are (meeting.fixed_rules.weights_digest): each process parses a
    # session's weights once, keyed by it, and the hot reads of the row leave them out.
    vote_weights_digest = models.CharField(max_length=64, blank=True, editable=False)
    chair_name = models.CharField(_("chủ tọa"), max_length=200, blank=True)
    chair_title = models.CharField(_("chức vụ của chủ tọa"), max_length=200, blank=True)
    secretary_name = models.CharField(_("thư ký"), max_length=200, blank=True)
    secretary_title = models.CharField(_("chức vụ của thư ký"), max_length=200, blank=True)
    venue = models.CharField(
        _("địa điểm"), max_length=300, blank=True, help_text=_("Hội trường và địa chỉ.")
    )
    minutes_copies = models.PositiveSmallIntegerField(_("số bản biên bản"), default=2)
    # Given at the close: the council's own sequence of minutes in the year ("Số: 12/BB-HĐND").
    minutes_number = models.PositiveIntegerField(_("số biên bản"), null=True, editable=False)
    # The seal of the chain made at the close (meeting.chain.seal): the number of entries and
    # the final hash, under a key the database does not hold.
    log_count = models.PositiveIntegerField(default=0, editable=False)
    log_seal = models.CharField(max_length=64, blank=True, editable=False)
    # The projector's URL carries this key: the room screen needs no account.
    projector_key = models.CharField(max_length=32, editable=False, default=new_projector_key)

    class Meta:
        verbose_name = _("kỳ họp")
        verbose_name_plural = _("kỳ họp")
        ordering = ["council", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["council", "number"], name="session_number_unique"),
            models.CheckConstraint(
                condition=Q(planned_end__gte=models.F("planned_start")),
                name="session_dates_ordered",
            ),
        ]
        permissions = [
            ("run_session", _("Điều hành kỳ họp (bàn chủ tọa)")),
            ("print_badges", _("In thẻ đại biểu")),
        ]

    def __str__(self) -> str:
        return f"{self.council} — {self.title}"

    @property
    def is_live(self) -> bool:
        return self.status in (self.Status.IN_PROGRESS, self.Status.ADJOURNED)


class AgendaItem(models.Model):
    session = models.ForeignKey(
        Session, verbose_name=_("kỳ họp"), on_delete=models.CASCADE, related_name="agenda_items"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("thuộc mục"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )
    position = models.PositiveIntegerField(_("thứ tự"), default=0)
    title = models.CharField(_("tiêu đề"), max_length=500)
    presenter = models.CharField(_("người trình bày"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("nội dung chương trình")
        verbose_name_plural = _("chương trình kỳ họp")
        ordering = ["session", "parent_id", "position", "id"]

    def __str__(self) -> str:
        return self.title


class Attendance(models.Model):
    class Status(models.TextChoices):
        PRESENT = "present", _("Có mặt")
        EXCUSED = "excused", _("Vắng có lý do")
        ABSENT = "absent", _("Vắng")
        LEFT = "left", _("Đã rời phiên họp")

    session = models.ForeignKey(
        Session, verbose_name=_("kỳ họp"), on_delete=models.CASCADE, related_name="attendance"
    )
    delegate = models.ForeignKey(
        Delegate, verbose_name=_("đại biểu"), on_delete=models.PROTECT, related_name="attendance"
    )
    status = models.CharField(_("trạng thái"), max_length=20, choices=Status.choices)
    reason = models.CharField(_("lý do"), max_length=300, blank=True)
    # Marked at the console (by the chair or the secretary) rather than by the delegate's own
    # badge or tablet: such a delegate may have no tablet, and is not flagged as disconnected.
    by_staff = models.BooleanField(_("điểm danh tại bàn thư ký"), default=False)
    changed_at = models.DateTimeField(_("thời điểm"))

    class Meta:
        verbose_name = _("điểm danh")
        verbose_name_plural = _("điểm danh")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "delegate"], name="attendance_once_per_delegate"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.delegate}: {self.get_status_display()}"


class Guest(models.Model):
    """A person invited to a session who is not a delegate: name, title and agency.

    The minutes list a session's guests; a guest may also speak (the floor refers to them).
    """

    session = models.ForeignKey(
        Session, verbose_name=_("kỳ họp"), on_delete=models.CASCADE, related_name="guests"
    )
    position = models.PositiveIntegerField(_("thứ tự"), default=0)
    full_name = models.CharField(_("họ và tên"), max_length=200)
    title = models.CharField(_("chức vụ"), max_length=200, blank=True)
    agency = models.CharField(_("cơ quan, đơn vị"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("khách mời")
        verbose_name_plural = _("khách mời")
        ordering = ["session", "position", "id"]

    def __str__(self) -> str:
        return self.full_name


class TabletConnection(models.Model):
    """An open tablet WebSocket, kept by the worker process that holds it.

    The console's roster reads these to flag a delegate marked present whose tablet is gone.
    A process refreshes ``seen_at`` for all of its connections in one query per heartbeat;
    rows of a process that died go stale and stop counting.
    """

    delegate = models.ForeignKey(Delegate, on_delete=models.CASCADE, related_name="+")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="+")
    worker = models.CharField(max_length=64, db_index=True)
    connection = models.CharField(max_length=64, unique=True)
    # The browser's device id (cookie set at badge sign-in): tells a second device apart.
    device = models.CharField(max_length=64, blank=True, default="")
    seen_at = models.DateTimeField()

    class Meta:
        verbose_name = _("kết nối máy tính bảng")
        verbose_name_plural = _("kết nối máy tính bảng")

    def __str__(self) -> str:
        return f"{self.delegate} @ {self.worker}"


# The hash-chained logs, and the lists and logs of a council outside its sessions, kept in
# modules of their own.
from meeting.agencies import Agency, AgencyOfficer  # noqa: E402, F401
from meeting.council_log import CouncilLog, CouncilLogHead  # noqa: E402, F401
from meeting.logs import ActionLog, CredentialLog  # noqa: E402, F401
from meeting.reminders import SentReminder  # noqa: E402, F401

