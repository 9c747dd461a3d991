"""Choices shared by councils (their defaults) and polls. No models here: meeting imports it."""

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from voting import rules


class VoteBase(models.TextChoices):
    SEATS = rules.Base.SEATS, _("Tổng số đại biểu của hội đồng")
    PRESENT = rules.Base.PRESENT, _("Số đại biểu có mặt khi kết thúc")
    CAST = rules.Base.CAST, _("Số phiếu biểu quyết")
    CAST_WITHOUT_ABSTAIN = (
        rules.Base.CAST_WITHOUT_ABSTAIN,
        _("Số phiếu biểu quyết, không tính phiếu không biểu quyết"),
    )


class VoteThreshold(models.TextChoices):
    MORE_THAN_HALF = "more_than_half", _("Quá nửa")
    TWO_THIRDS = "two_thirds", _("Ít nhất hai phần ba")
    THREE_FIFTHS = "three_fifths", _("Ít nhất ba phần năm")
    FRACTION = "fraction", _("Tỷ lệ tùy chọn")


def choice_labels(choice_type: str, options: list[dict]) -> dict[str, str]:
    """A poll's choices in words, by choice id: the three of a yes/no/abstain vote, or the
    poll's own options (the minutes, the exports, the record pages, the spare tablet)."""
    if choice_type == "yes_no_abstain":
        return {
            "yes": gettext("Tán thành"),
            "no": gettext("Không tán thành"),
            "abstain": gettext("Không biểu quyết"),
        }
    return {str(option["id"]): option["label"] for option in options}
