"""``{% chart c %}`` draws a ``kiosk_ui.charts.Chart``; ``{% export_links t %}`` offers a
table's CSV and XLSX (``kiosk_ui.tables``)."""

from urllib.parse import urlencode

from django import template
from django.template.loader import get_template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()


def _row(drawn: dict) -> str:
    """One bar, written here rather than by the template engine: a city's chart has a row per
    commune (169), and the engine's per-node cost made the overview several times slower."""
    row = drawn["row"]
    label = escape(row.label)
    name = f'<a href="{escape(row.href)}">{label}</a>' if row.href else label
    parts = [
        f'<div class="bars-row" data-label="{label}" data-total="{drawn["total"]}">'
        f'<span class="bars-label">{name}</span>'
        f'<svg class="bars-bar" width="100%" height="32" role="img" '
        f'aria-label="{label}: {drawn["total"]}">'
        '<rect class="bars-track" x="0" y="0" width="100%" height="32" rx="4"/>'
    ]
    for seg in drawn["segments"]:
        series = seg["series"]
        parts.append(
            f'<rect class="tone-{escape(series.tone)}" x="{seg["x"]}%" y="0" '
            f'width="{seg["width"]}%" height="32" data-series="{escape(series.key)}" '
            f'data-value="{seg["value"]}"><title>{escape(series.label)}: {seg["value"]}</title>'
            "</rect>"
        )
        if seg["labelled"]:
            parts.append(
                f'<text class="bars-seg-value" x="{seg["text_x"]}%" y="22" '
                f'text-anchor="middle">{seg["value"]}</text>'
            )
    parts.append(f'</svg><span class="bars-value">{drawn["total"]}</span></div>')
    return "".join(parts)


@register.simple_tag
def chart(value, *, empty: str = ""):
    rows = value.drawn()
    return get_template("kiosk_ui/partials/chart.html").render(
        {
            "chart": value,
            "rows": bool(rows),
            "drawn_rows": mark_safe("".join(_row(r) for r in rows)),
            "empty": empty,
        }
    )


@register.inclusion_tag("kiosk_ui/partials/export_links.html", takes_context=True)
def export_links(context, table):
    """Links to this page with ``export=<table name>&format=csv|xlsx`` added to its query."""
    request = context["request"]
    query = request.GET.copy()
    query.pop("page", None)
    links = []
    for fmt in ("csv", "xlsx"):
        query["export"], query["format"] = table.name, fmt
        links.append({"format": fmt, "url": f"{request.path}?{urlencode(query, doseq=True)}"})
    return {"table": table, "links": links}
