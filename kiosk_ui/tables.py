"""Tables that export to CSV and XLSX: the same rows a page shows, as a file.

Every overview and list offers its tables as files. Build a ``Table`` (the rows from one
query: ``values_list`` or an aggregate), then answer the export before rendering the page::

    from kiosk_ui import tables

    def overview(request):
        by_agency = tables.Table(
            name="agencies", title=_("Theo cơ quan"),
            columns=[tables.Column("agency", _("Cơ quan")), tables.Column("n", _("Số lượng"))],
            rows=queryset.values_list("agency__name").annotate(n=Count("pk")),
        )
        if (response := tables.export_response(request, [by_agency, chart.table()])):
            return response          # ?export=agencies&format=xlsx
        return render(...)

    {% load charts %}{% export_links by_agency %}   (in the template: the two links)

``rows`` may be any iterable of sequences (a queryset's ``values_list`` streams: a CSV of
60,000 rows is written as it is read). CSV is UTF-8 with a byte-order mark so that Excel shows
Vietnamese right; a cell that a spreadsheet would take for a formula (``=``, ``+``, ``-``,
``@`` …) is prefixed with ``'`` (CSV injection). XLSX is openpyxl's write-only workbook.

Personal data: a table meant for the public must not have the columns; build it without them
(petitions.exports shows how) rather than hiding columns at render time.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils import timezone

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Column:
    key: str
    label: str


@dataclass
class Table:
    name: str
    title: str
    columns: Sequence[Column]
    rows: Iterable[Sequence]

    @property
    def headings(self) -> list[str]:
        return [str(column.label) for column in self.columns]


def _plain(value) -> str | int | float | datetime.date | None:
    """A cell as a spreadsheet takes it: numbers and dates as such, the rest as text."""
    if value is None or isinstance(value, (bool, int, float, datetime.date)):
        if isinstance(value, datetime.datetime) and timezone.is_aware(value):
            return timezone.localtime(value).replace(tzinfo=None)
        return value
    return str(value)


def _csv_cell(value) -> str:
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = str(value)
    if isinstance(value, str) and text.startswith(FORMULA_START):
        return "'" + text
    return text


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(table: Table) -> Iterable[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(table.headings)
    for row in table.rows:
        yield writer.writerow([_csv_cell(value) for value in row])


def xlsx_bytes(table: Table) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title(table.title))
    widths = [min(60, max(10, len(h) + 2)) for h in table.headings]
    for index, width in enumerate(widths):
        sheet.column_dimensions[_column_letter(index)].width = width
    header = []
    for heading in table.headings:
        cell = WriteOnlyCell(sheet, value=heading)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for row in table.rows:
        cells = []
        for value in row:
            value = _plain(value)
            # Text that looks like a formula stays text (openpyxl would write a formula).
            if isinstance(value, str) and value.startswith("="):
                cell = WriteOnlyCell(sheet, value=value)
                cell.data_type = "s"
                cells.append(cell)
            else:
                cells.append(value)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def _sheet_title(title: str) -> str:
    return re.sub(r"[\[\]:*?/\\]", " ", str(title)).strip()[:31] or "Sheet1"


def _filename(table: Table, extension: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", table.name).strip("-") or "bang"
    return f"{stem}-{timezone.localdate():%Y%m%d}.{extension}"


def csv_response(table: Table) -> StreamingHttpResponse:
    response = StreamingHttpResponse(csv_lines(table), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(table, "csv")}"'
    return response


def xlsx_response(table: Table) -> HttpResponse:
    response = HttpResponse(xlsx_bytes(table), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{_filename(table, "xlsx")}"'
    return response


def export_response(
    request: HttpRequest, tables: Iterable[Table]
) -> HttpResponse | StreamingHttpResponse | None:
    """The file of ``?export=<name>&format=csv|xlsx`` when asked for, else None."""
    name = request.GET.get("export")
    if not name:
        return None
    fmt = request.GET.get("format", "csv")
    for table in tables:
        if table.name == name:
            return xlsx_response(table) if fmt == "xlsx" else csv_response(table)
    return HttpResponse(status=404)
