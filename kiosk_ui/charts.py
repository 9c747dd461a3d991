"""Charts drawn on the server: horizontal bars in SVG, readable at a glance, no build step.

Every overview (petitions, resolutions …) draws its charts with these. A chart is data; the
template tag draws it::

    from kiosk_ui.charts import Chart, Series

    # one value per row (one aggregate query gives the rows: never all rows into Python)
    chart = Chart.bars("by-status", _("Theo trạng thái"), [("Đã tiếp nhận", 12), ...])

    # several values per row, stacked (on time / late / overdue per agency)
    chart = Chart(
        name="timeliness", title=_("Đúng hạn, trễ hạn"),
        series=[Series("on_time", _("Đúng hạn"), "good"), Series("late", _("Trễ hạn"), "warn"),
                Series("overdue", _("Quá hạn"), "bad")],
        rows=[("Phòng Tài nguyên", [5, 2, 1]), ...],
    )

    {% load charts %}{% chart chart %}

Each row may carry a link (``Row(label, values, href)``: click a bar to see its list).
``chart.table()`` is the same data as a ``kiosk_ui.tables.Table``, so every chart exports to
CSV and XLSX too. Colours come from the series' ``tone`` (``good``, ``warn``, ``bad``, ``info``,
``muted``, ``c1`` … ``c6``), styled in ``kiosk_ui/charts.css`` — never inline (the CSP forbids
inline styles; SVG geometry is in attributes, which it allows).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from kiosk_ui.tables import Column, Table

# A segment narrower than this (percent of the bar's width) gets no number written in it.
MIN_LABELLED_PERCENT = 7.0


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    tone: str = "c1"


@dataclass(frozen=True)
class Row:
    label: str
    values: Sequence[int]
    href: str | None = None

    @property
    def total(self) -> int:
        return sum(self.values)


@dataclass
class Chart:
    name: str
    title: str
    series: list[Series]
    rows: list[Row] = field(default_factory=list)
    # Column heading of the labels in the exported table ("Cơ quan", "Xã, phường" …).
    label_heading: str = ""

    def __post_init__(self) -> None:
        self.rows = [row if isinstance(row, Row) else Row(*row) for row in self.rows]
        for row in self.rows:
            if len(row.values) != len(self.series):
                raise ValueError(
                    f"row {row.label!r}: {len(row.values)} values, {len(self.series)} series"
                )

    @classmethod
    def bars(
        cls,
        name: str,
        title: str,
        rows: Iterable[tuple[str, int] | tuple[str, int, str | None]],
        *,
        series_label: str | None = None,
        tone: str = "c1",
        label_heading: str = "",
    ) -> Chart:
        """One value per row."""
        made = []
        for row in rows:
            label, value, *rest = row
            made.append(Row(str(label), [int(value or 0)], rest[0] if rest else None))
        return cls(
            name=name,
            title=title,
            series=[Series("value", series_label or str(_("Số lượng")), tone)],
            rows=made,
            label_heading=label_heading,
        )

    @property
    def stacked(self) -> bool:
        return len(self.series) > 1

    @property
    def maximum(self) -> int:
        return max((row.total for row in self.rows), default=0)

    @property
    def total(self) -> int:
        return sum(row.total for row in self.rows)

    def drawn(self) -> list[dict]:
        """Each row with its segments placed: ``x`` and ``width`` in percent of the widest
        row (as text for the SVG attributes)."""
        top = self.maximum or 1
        rows = []
        for row in self.rows:
            x, segments = 0.0, []
            for series, value in zip(self.series, row.values, strict=True):
                width = 100.0 * value / top
                if value:
                    segments.append(
                        {
                            "series": series,
                            "value": value,
                            # Text, not floats: a localized template would write "75,0".
                            "x": f"{x:.2f}",
                            "width": f"{width:.2f}",
                            "text_x": f"{x + width / 2:.2f}",
                            "labelled": self.stacked and width >= MIN_LABELLED_PERCENT,
                        }
                    )
                x += width
            rows.append({"row": row, "segments": segments, "total": row.total})
        return rows

    def table(self) -> Table:
        columns = [Column("label", self.label_heading or str(_("Mục")))]
        columns += [Column(s.key, s.label) for s in self.series]
        if self.stacked:
            columns.append(Column("total", str(_("Tổng"))))
        rows = [
            [row.label, *row.values, *([row.total] if self.stacked else [])] for row in self.rows
        ]
        return Table(name=self.name, title=self.title, columns=columns, rows=rows)
