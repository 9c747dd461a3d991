"""Polls, ballots, who-has-voted records and results.

Secrecy is structural: a secret ballot row has no delegate, no timestamp and a random primary
key, so neither a column nor the order of ids ties it to the separate ``Participation`` row that
says who took part. Nothing deletes a ballot: a cancelled poll keeps them and its result is
marked void; a changed ballot (when the poll allows it) is superseded, not removed.
"""

import uuid
from fractions import Fraction

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from meeting.models import AgendaItem, Delegate, Session
from voting import rules
from voting.choices import VoteBase, VoteThreshold


class Poll(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Dự thảo")
        OPEN = "open", _("Đang biểu quyết")
        CLOSED = "closed", _("Đã kết thúc")
        PUBLISHED = "published", _("Đã công bố")
        CANCELLED = "cancelled", _("Đã hủy")

    class Kind(models.TextChoices):
        NAMED = "named", _("Biểu quyết công khai")
        SECRET = "secret", _("Bỏ phiếu kín")

    class ChoiceType(models.TextChoices):
        YES_NO_ABSTAIN = "yes_no_abstain", _("Tán thành / Không tán thành / Không biểu quyết")
        OPTIONS = "options", _("Chọn trong danh sách")

    Base = VoteBase
    Threshold = VoteThreshold

    class Quorum(models.TextChoices):
        NONE = "none", _("Không yêu cầu")
        MORE_THAN_HALF = "more_than_half", _("Quá nửa tổng số đại biểu tham gia biểu quyết")
        TWO_THIRDS = "two_thirds", _("Ít nhất hai phần ba tổng số đại biểu tham gia biểu quyết")

    class PresenceQuorum(models.TextChoices):
        NONE = "none", _("Không yêu cầu")
        MORE_THAN_HALF = "more_than_half", _("Có mặt quá nửa tổng số đại biểu")
        TWO_THIRDS = "two_thirds", _("Có mặt ít nhất hai phần ba tổng số đại biểu")

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="polls")
    agenda_item = models.ForeignKey(
        AgendaItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="polls"
    )
    title = models.CharField(_("nội dung biểu quyết"), max_length=500)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.NAMED)
    choice_type = models.CharField(
        max_length=20, choices=ChoiceType.choices, default=ChoiceType.YES_NO_ABSTAIN
    )
    options = models.JSONField(
        default=list, blank=True, help_text=_("Danh sách lựa chọn: [{id, label}]")
    )
    min_selections = models.PositiveSmallIntegerField(default=0)
    max_selections = models.PositiveSmallIntegerField(default=1)
    countdown_seconds = models.PositiveIntegerField(null=True, blank=True)
    allow_change = models.BooleanField(
        _("cho phép thay đổi phiếu trước khi kết thúc"), default=False
    )
    show_partial = models.BooleanField(_("hiện kết quả tạm thời"), default=False)

    base = models.CharField(max_length=24, choices=Base.choices, default=Base.SEATS)
    threshold = models.CharField(
        max_length=20, choices=Threshold.choices, default=Threshold.MORE_THAN_HALF
    )
    threshold_numerator = models.PositiveSmallIntegerField(default=1)
    threshold_denominator = models.PositiveSmallIntegerField(default=2)
    threshold_strict = models.BooleanField(default=True)
    quorum = models.CharField(max_length=20, choices=Quorum.choices, default=Quorum.NONE)
    # Counted on the delegates present at the close (voting.rules.Rules.presence_quorum).
    presence_quorum = models.CharField(
        max_length=20, choices=PresenceQuorum.choices, default=PresenceQuorum.NONE
    )
    tie_rule = models.CharField(
        max_length=20,
        choices=[
            (rules.TieRule.FAILS, _("Không thông qua")),
            (rules.TieRule.CASTING_VOTE, _("Theo phiếu của chủ tọa")),
        ],
        default=rules.TieRule.FAILS,
    )
    casting_delegate = models.ForeignKey(
        Delegate, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    weighted = models.BooleanField(_("tính trọng số phiếu"), default=False)

    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    revote_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="revotes"
    )
    opened_at = models.DateTimeField(null=True, blank=True)
    closes_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.TextField(blank=True)
    # The sitting's quorum when the poll opened: present, seats, required, quorate, and the
    # chair's reason when it opened below it (meeting.services.quorum_gate).
    quorum_at_open = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("biểu quyết")
        verbose_name_plural = _("biểu quyết")
        ordering = ["session", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(max_selections__gte=models.F("min_selections")),
                name="poll_selection_bounds",
            ),
            models.CheckConstraint(
                condition=Q(threshold_denominator__gt=0)
                & Q(threshold_numerator__lte=models.F("threshold_denominator")),
                name="poll_threshold_fraction",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def rules(self) -> rules.Rules:
        thresholds = {
            self.Threshold.MORE_THAN_HALF: rules.MORE_THAN_HALF,
            self.Threshold.TWO_THIRDS: rules.AT_LEAST_TWO_THIRDS,
            self.Threshold.THREE_FIFTHS: rules.AT_LEAST_THREE_FIFTHS,
        }
        threshold = thresholds.get(self.threshold) or rules.Threshold(
            Fraction(self.threshold_numerator, self.threshold_denominator),
            strict=self.threshold_strict,
        )
        quorums = {
            self.Quorum.NONE: None,
            self.Quorum.MORE_THAN_HALF: rules.MORE_THAN_HALF,
            self.Quorum.TWO_THIRDS: rules.AT_LEAST_TWO_THIRDS,
        }
        return rules.Rules(
            base=rules.Base(self.base),
            threshold=threshold,
            quorum=quorums[self.quorum],
            tie=rules.TieRule(self.tie_rule),
            presence_quorum=quorums[self.presence_quorum],
        )

    def count(self, ballots) -> tuple[dict[str, int], int]:
        """Votes per choice (weights summed) and blank ballots: the one place ballots become
        numbers — the result at close, live partial counts and the record check all use it."""
        counts = {choice: 0 for choice in self.choice_ids}
        blank = 0
        for ballot in ballots:
            selected = [ballot.choice] if isinstance(ballot.choice, str) else ballot.choice
            if not selected:
                blank += ballot.weight
            for choice in selected:
                counts[choice] = counts.get(choice, 0) + ballot.weight
        return counts, blank

    @property
    def choice_ids(self) -> list[str]:
        if self.choice_type == self.ChoiceType.YES_NO_ABSTAIN:
            return ["yes", "no", "abstain"]
        return [str(option["id"]) for option in self.options]


class Participation(models.Model):
    """Who has voted: one row per delegate per poll, enforced by the database.

    It says nothing about the choice; for a secret poll it is the only place the delegate
    appears.
    """

    poll = models.ForeignKey(Poll, on_delete=models.PROTECT, related_name="participations")
    delegate = models.ForeignKey(Delegate, on_delete=models.PROTECT, related_name="+")
    voted_at = models.DateTimeField()
    # An assisted vote (voting.assisted): a named ballot the secretary recorded from a show of
    # hands, or a ballot cast on a spare tablet with a one-time pass. Never a choice.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    voting_pass = models.ForeignKey(
        "VotingPass", null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["poll", "delegate"], name="one_ballot_per_delegate"),
        ]

    def __str__(self) -> str:
        return f"{self.delegate} → {self.poll}"


class Ballot(models.Model):
    # Random ids: the order of secret ballots says nothing about the order of voters.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    poll = models.ForeignKey(Poll, on_delete=models.PROTECT, related_name="ballots")
    # Named polls only; always NULL for a secret poll.
    delegate = models.ForeignKey(
        Delegate, null=True, on_delete=models.PROTECT, related_name="ballots"
    )
    # "yes" / "no" / "abstain", or the ids of the selected options.
    choice = models.JSONField()
    weight = models.PositiveSmallIntegerField(default=1)
    receipt = models.CharField(max_length=32)
    # A changed ballot is kept and marked, never deleted.
    superseded = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["poll", "receipt"], name="ballot_receipt_unique"),
            models.UniqueConstraint(
                fields=["poll", "delegate"],
                condition=Q(delegate__isnull=False, superseded=False),
                name="one_named_ballot_per_delegate",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.poll_id}:{self.receipt}"


class PollResult(models.Model):
    """The result, computed once at close from the database, with the attendance of that
    moment and a digest of the ballots it counted. Live counts are never the record."""

    poll = models.OneToOneField(Poll, on_delete=models.PROTECT, related_name="result")
    computed_at = models.DateTimeField()
    counts = models.JSONField()  # {choice: count or weight}
    ballots = models.PositiveIntegerField()  # ballots counted
    seats = models.PositiveIntegerField()
    present = models.PositiveIntegerField()  # attendance snapshot at close
    base = models.PositiveIntegerField()
    required = models.PositiveIntegerField()
    threshold = models.CharField(max_length=40)
    quorum_required = models.PositiveIntegerField(null=True)
    presence_quorum_required = models.PositiveIntegerField(null=True)
    # The sitting's quorum at the close, in delegates whatever the weights: present, seats,
    # required, quorate.
    sitting_quorum = models.JSONField(default=dict)
    passed = models.BooleanField()
    # For option polls: {option_id: passed}
    elected = models.JSONField(default=dict)
    detail = models.JSONField(default=dict)
    digest = models.CharField(max_length=64)
    void = models.BooleanField(_("vô hiệu"), default=False)

    class Meta:
        verbose_name = _("kết quả biểu quyết")
        verbose_name_plural = _("kết quả biểu quyết")

    def __str__(self) -> str:
        return f"{self.poll}: {'passed' if self.passed else 'failed'}"


class VotingPass(models.Model):
    """A one-time sign-in for a spare tablet: one delegate, one poll, one ballot.

    The secretary issues it for a present delegate whose tablet cannot vote; the link (or its
    QR code) signs a spare tablet in for that poll only. Only a hash of the token is stored.
    The first browser that opens the link holds it (``claimed_at``); the ballot spends it
    (``used_at``). The secretary sees neither the ballot nor its choice.
    """

    poll = models.ForeignKey(Poll, on_delete=models.PROTECT, related_name="passes")
    delegate = models.ForeignKey(Delegate, on_delete=models.PROTECT, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField()
    claim_hash = models.CharField(max_length=64, blank=True)
    claimed_at = models.DateTimeField(null=True)
    used_at = models.DateTimeField(null=True)
    revoked_at = models.DateTimeField(null=True)

    class Meta:
        verbose_name = _("mã bỏ phiếu một lần")
        verbose_name_plural = _("mã bỏ phiếu một lần")
        constraints = [
            # At most one live pass per delegate and poll: issuing again revokes the last.
            models.UniqueConstraint(
                fields=["poll", "delegate"],
                condition=Q(used_at__isnull=True, revoked_at__isnull=True),
                name="one_live_pass_per_delegate",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.delegate} → {self.poll}"
