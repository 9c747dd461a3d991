"""``{% date_input "name" value required=True %}``: a dd/mm/yyyy text input (kiosk_ui.dates)."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from kiosk_ui.dates import PATTERN, PLACEHOLDER, shown

register = template.Library()


@register.simple_tag
def date_input(name: str, value=None, *, required: bool = False, label: str = ""):
    """A text input, not ``type=date``: the browser's locale never decides the order."""
    return format_html(
        '<input type="text" name="{}" value="{}" class="date-input" inputmode="numeric" '
        'autocomplete="off" pattern="{}" placeholder="{}" title="{}"{}{}>',
        name,
        shown(value),
        PATTERN,
        PLACEHOLDER,
        _("Ngày/tháng/năm, ví dụ 05/03/2026"),
        format_html(' aria-label="{}"', label) if label else "",
        mark_safe(" required") if required else "",
    )
