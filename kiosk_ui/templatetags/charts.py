"""``{% chart c %}`` draws a ``kiosk_ui.charts.Chart``; ``{% export_links t %}`` offers a
table's CSV and XLSX (``kiosk_ui.tables``)."""

from urllib.parse import urlencode

from django import template

register = template.Library()


@register.inclusion_tag("kiosk_ui/partials/chart.html")
def chart(value, *, empty: str = ""):
    return {"chart": value, "rows": value.drawn(), "empty": empty}


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
