"""Long lists, newest first, page by page without counting every row.

A numbered pager costs an exact ``COUNT(*)`` over every matching row and an ``OFFSET`` that
reads every row before the page; on a city's 60,000 petitions that was most of the list's
time. A keyset page instead asks for the rows *after* the last one shown (the next 50 by the
list's own order, walked along an index) and counts at most ``count_cap + 1`` rows: "1.000+"
when there are more (the overviews give exact totals, from aggregates)::

    from kiosk_ui.paging import keyset_page

    page = keyset_page(rows, after=request.GET.get("after"),
                       before=request.GET.get("before"), date_field="received_on")
    # rows must be ordered by (-date_field, -id); an index on (date_field, id) serves it.

    {% include "kiosk_ui/partials/keyset_pager.html" %}
    (Về đầu / Trang trước / Xem tiếp, the list's filters kept; needs ``page``)

A list in the order of its rows' ids alone (``date_field=None``, ``-id``: the primary key
serves it) has cursors of the id alone.

A cursor is ``YYYY-MM-DD.<id>`` of a row shown: ``after`` the last one (the next page),
``before`` the first one (the previous page: the rows just before it, walked backwards along
the same index). A link keeps working while rows are added (they appear on the first page,
never shift the next one).
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
    first: bool  # nothing before it: no "Về đầu" nor "Trang trước"
    count: int  # matching rows, at most COUNT_CAP
    more_than_count: bool  # there are more than ``count``
    # The cursor of "Trang trước": None on the first page, and on an empty page past the end
    # (whose "Trang trước" is the first page).
    previous_before: str | None = None

    def __iter__(self):
        return iter(self.rows)


def parse_after(value: str | None) -> tuple[date, int] | None:
    day, _dot, pk = (value or "").partition(".")
    try:
        return date.fromisoformat(day), int(pk)
    except ValueError:
        return None


def _cursor(row, date_field: str | None) -> str:
    if date_field is None:
        return str(row.pk)
    return f"{getattr(row, date_field).isoformat()}.{row.pk}"


def _parse(value: str | None, date_field: str | None) -> tuple[date | None, int] | None:
    if date_field is None:
        return (None, int(value)) if (value or "").isdigit() else None
    return parse_after(value)


def _after(rows: QuerySet, cursor: tuple[date | None, int], date_field: str | None):
    day, pk = cursor
    if date_field is None:
        return rows.filter(pk__lt=pk)
    # The range bound on the index's first column, then the tie on the same day.
    return rows.filter(**{f"{date_field}__lte": day}).exclude(
        Q(**{date_field: day}) & Q(pk__gte=pk)
    )


def _before(rows: QuerySet, cursor: tuple[date | None, int], date_field: str | None):
    day, pk = cursor
    if date_field is None:
        return rows.filter(pk__gt=pk)
    return rows.filter(**{f"{date_field}__gte": day}).exclude(
        Q(**{date_field: day}) & Q(pk__lte=pk)
    )


def keyset_page(
    rows: QuerySet,
    *,
    after: str | None,
    date_field: str | None,
    before: str | None = None,
    size: int | None = None,
    count_cap: int | None = None,
) -> KeysetPage:
    """The ``size`` rows of ``rows`` (ordered by ``-date_field, -id``, or ``-id`` without a
    date_field) after the ``after`` cursor, or just before the ``before`` one (``after``
    wins when both are given)."""
    size = PAGE_SIZE if size is None else size
    count_cap = COUNT_CAP if count_cap is None else count_cap
    count = rows.order_by()[: count_cap + 1].count()
    cursor = _parse(after, date_field)
    back = None if cursor else _parse(before, date_field)
    if back:
        return _page_before(rows, back, date_field, size, count, count_cap)
    if cursor:
        rows = _after(rows, cursor, date_field)
    found = list(rows[: size + 1])
    shown = found[:size]
    last = shown[-1] if len(found) > size else None
    return KeysetPage(
        rows=shown,
        next_after=_cursor(last, date_field) if last else None,
        first=cursor is None,
        count=min(count, count_cap),
        more_than_count=count > count_cap,
        previous_before=_cursor(shown[0], date_field) if cursor and shown else None,
    )


def _page_before(
    rows: QuerySet,
    cursor: tuple[date | None, int],
    date_field: str | None,
    size: int,
    count: int,
    cap: int,
) -> KeysetPage:
    """The ``size`` rows just before the cursor's row: the same index walked the other way
    (ascending from the cursor), then shown newest first like every page."""
    found = list(_before(rows, cursor, date_field).reverse()[: size + 1])
    shown = found[:size][::-1]
    more_before = len(found) > size
    return KeysetPage(
        rows=shown,
        # The cursor's row itself follows this page.
        next_after=_cursor(shown[-1], date_field) if shown else None,
        first=not more_before,
        count=min(count, cap),
        more_than_count=count > cap,
        previous_before=_cursor(shown[0], date_field) if more_before else None,
    )
