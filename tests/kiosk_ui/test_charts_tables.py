"""The shared chart and table helpers: what a reader sees, what a spreadsheet opens."""

import csv
import io

import openpyxl
import pytest
from django.template import Context, Template
from django.test import RequestFactory

from kiosk_ui import tables
from kiosk_ui.charts import Chart, Series


def _stacked():
    return Chart(
        name="timeliness",
        title="Đúng hạn, trễ hạn",
        series=[Series("on_time", "Đúng hạn", "good"), Series("late", "Trễ hạn", "bad")],
        rows=[("Phòng Tài nguyên và Môi trường", [6, 2]), ("Công an phường", [1, 1])],
        label_heading="Cơ quan",
    )


def test_bars_are_scaled_to_the_longest_and_stacked_segments_follow_each_other():
    drawn = _stacked().drawn()
    first, second = drawn
    assert [s["width"] for s in first["segments"]] == ["75.00", "25.00"]
    assert [s["x"] for s in first["segments"]] == ["0.00", "75.00"]
    assert second["total"] == 2 and [s["width"] for s in second["segments"]] == ["12.50", "12.50"]


def test_a_row_with_the_wrong_number_of_values_is_refused():
    with pytest.raises(ValueError):
        Chart(name="x", title="x", series=[Series("a", "A")], rows=[("r", [1, 2])])


def test_the_template_tag_draws_labels_values_and_a_legend():
    request = RequestFactory().get("/overview/?period=2026")
    chart = _stacked()
    html = Template("{% load charts %}{% chart c %}{% export_links t %}").render(
        Context({"c": chart, "t": chart.table(), "request": request})
    )
    assert "Phòng Tài nguyên và Môi trường" in html
    assert 'data-total="8"' in html and "Trễ hạn" in html
    assert 'width="75.00%"' in html
    assert "?period=2026&amp;export=timeliness&amp;format=xlsx" in html
    assert "style=" not in html  # the CSP allows no inline style


def test_csv_opens_in_excel_with_vietnamese_and_no_formula():
    table = tables.Table(
        name="list",
        title="Danh sách",
        columns=[tables.Column("text", "Nội dung"), tables.Column("n", "Số")],
        rows=[("Đường ngập nước", 3), ('=HYPERLINK("http://x")', 1)],
    )
    body = b"".join(
        part.encode() if isinstance(part, str) else part
        for part in tables.csv_response(table).streaming_content
    )
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows == [["Nội dung", "Số"], ["Đường ngập nước", "3"], ['\'=HYPERLINK("http://x")', "1"]]


def test_xlsx_holds_the_same_rows_with_numbers_as_numbers():
    table = _stacked().table()
    workbook = openpyxl.load_workbook(io.BytesIO(tables.xlsx_bytes(table)))
    sheet = workbook.active
    assert sheet.title == "Đúng hạn, trễ hạn"
    assert [list(r) for r in sheet.iter_rows(values_only=True)] == [
        ["Cơ quan", "Đúng hạn", "Trễ hạn", "Tổng"],
        ["Phòng Tài nguyên và Môi trường", 6, 2, 8],
        ["Công an phường", 1, 1, 2],
    ]


def test_export_response_answers_only_the_named_table():
    chart = _stacked()
    factory = RequestFactory()
    assert tables.export_response(factory.get("/"), [chart.table()]) is None
    response = tables.export_response(
        factory.get("/?export=timeliness&format=xlsx"), [chart.table()]
    )
    assert response["Content-Type"] == tables.XLSX_TYPE
    assert tables.export_response(factory.get("/?export=nope"), [chart.table()]).status_code == 404
