"""``{% consultations_waiting delegate as n %}``: open consultations that wait for this
delegate's answer (the tablet links to them)."""

from django import template

from resolutions.selectors import waiting_for

register = template.Library()


@register.simple_tag
def consultations_waiting(delegate) -> int:
    return waiting_for(delegate) if delegate is not None else 0
