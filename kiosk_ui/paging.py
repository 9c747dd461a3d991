"""Long lists, newest first, page by page without counting every row.

A numbered pager costs an exact ``COUNT(*)`` over every matching row and an ``OFFSET`` that
reads every row before the page; on a city's 60,000 petitions that was most of the list's
time. A keyset page instead asks for the rows *after* the last one shown (the next 50 by the
list's own order, walked along an index) and counts at most ``count_cap + 1`` rows: "1.000+"
when there are more (the overviews give exact totals, from aggregates)::

    from kiosk_ui.paging import keyset_page

    page = keyset_page(rows, after=request.GET.get("after"), date_field="received_on")
    # rows must be ordered by (-date_field, -id); an index on (date_field, id) serves it.

    {% include "kiosk_ui/keyset_pager.html" %}      (Về đầu / Xem tiếp; needs ``page``)

The cursor (``after``) is ``YYYY-MM-DD.<id>`` of the last row shown: a link keeps working
while rows are added (they appear on the first page, never shift the next one).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet

PAGE_SIZE = 50
COUNT_CAP = 1000


@dataclass
class KeysetPage:
    rows: list
    next_after: str | None  # the cursor of "Xem tiếp"; None on the last page
    first: bool  # no cursor was given: the first page
    count: int  # matching rows, at most COUNT_CAP
    more_than_count: bool  # there are more than ``count``

    def __iter__(self):
        return iter(self.rows)


def parse_after(value: str | None) -> tuple[date, int] | None:
    day, _dot, pk = (value or "").partition(".")
    try:
        return date.fromisoformat(day), int(pk)
    except ValueError:
        return None


def keyset_page(
    rows: QuerySet,
    *,
    after: str | None,
    date_field: str,
    size: int | None = None,
    count_cap: int | None = None,
) -> KeysetPage:
    """The ``size`` rows of ``rows`` (ordered by ``-date_field, -id``) after the cursor."""
    size = PAGE_SIZE if size is None else size
    count_cap = COUNT_CAP if count_cap is None else count_cap
    count = rows.order_by()[: count_cap + 1].count()
    cursor = parse_after(after)
    if cursor:
        day, pk = cursor
        # The range bound on the index's first column, then the tie on the same day.
        rows = rows.filter(**{f"{date_field}__lte": day}).exclude(
            Q(**{date_field: day}) & Q(pk__gte=pk)
        )
    found = list(rows[: size + 1])
    shown = found[:size]
    last = shown[-1] if len(found) > size else None
    return KeysetPage(
        rows=shown,
        next_after=f"{getattr(last, date_field).isoformat()}.{last.pk}" if last else None,
        first=cursor is None,
        count=min(count, count_cap),
        more_than_count=count > count_cap,
    )
