"""Numbers, dates and times as Vietnamese administrative documents write them.

Decimal comma and thousands dot (``53,33 %``, ``1.300``); dates written out, with a leading
zero for days below 10 and for January and February (Decree 30/2020/NĐ-CP):
``ngày 05 tháng 02 năm 2026``; times as ``8 giờ 05 phút``; ordinals in words (``thứ Năm``).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

DIGITS = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]


def number(value: int) -> str:
    """1300 → 1.300"""
    return f"{value:,}".replace(",", ".")


def decimal(value: Decimal | float, places: int = 2) -> str:
    """53.333 → 53,33 (rounded half up, thousands dot, decimal comma)."""
    quantum = Decimal(1).scaleb(-places)
    rounded = Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP)
    whole, _dot, fraction = f"{rounded:f}".partition(".")
    sign = "-" if whole.startswith("-") else ""
    whole = number(int(whole.lstrip("-")))
    return f"{sign}{whole},{fraction}" if places else f"{sign}{whole}"


def share(count: int, total: int) -> str:
    """The share of ``count`` in ``total`` as printed in minutes: ``53,33 %``."""
    if not total:
        return "0,00 %"
    return f"{decimal(Decimal(count) * 100 / Decimal(total))} %"


def words(n: int) -> str:
    """1..999 in words: 21 → hai mươi mốt, 15 → mười lăm, 105 → một trăm linh năm."""
    if n < 10:
        return DIGITS[n]
    if n < 100:
        tens, unit = divmod(n, 10)
        head = "mười" if tens == 1 else f"{DIGITS[tens]} mươi"
        if unit == 0:
            return head
        if unit == 5:
            tail = "lăm"
        elif unit == 1 and tens > 1:
            tail = "mốt"
        elif unit == 4 and tens > 1:
            tail = "tư"
        else:
            tail = DIGITS[unit]
        return f"{head} {tail}"
    hundreds, rest = divmod(n, 100)
    if rest == 0:
        return f"{DIGITS[hundreds]} trăm"
    if rest < 10:
        return f"{DIGITS[hundreds]} trăm linh {DIGITS[rest]}"
    return f"{DIGITS[hundreds]} trăm {words(rest)}"


def ordinal(n: int) -> str:
    """The ordinal after "thứ", capitalised as in a title: 1 → Nhất, 4 → Tư, 5 → Năm."""
    special = {1: "nhất", 4: "tư"}
    text = special.get(n) or (words(n) if 0 < n < 1000 else str(n))
    return text[:1].upper() + text[1:]


def local(moment: datetime | str) -> datetime:
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return timezone.localtime(moment)


def day_words(day: date | datetime | str) -> str:
    """ngày 05 tháng 02 năm 2026"""
    if isinstance(day, str):
        day = date.fromisoformat(day) if len(day) == 10 else local(day)
    elif isinstance(day, datetime):
        day = local(day)
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def time_words(moment: datetime | str) -> str:
    """8 giờ 05 phút"""
    moment = local(moment)
    return f"{moment.hour} giờ {moment.minute:02d} phút"


def moment_words(moment: datetime | str) -> str:
    """8 giờ 05 phút, ngày 15 tháng 12 năm 2026"""
    return f"{time_words(moment)}, {day_words(moment)}"
