"""The petitions' tables as files (kiosk_ui.tables) and a petition's history from the chain.

No table here has a column for the voter's name or address: personal data never leaves in a
file, whoever downloads it (the staff read it on the petition's page only).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from kiosk_ui.charts import Chart, Row, Series
from kiosk_ui.tables import Column, Table
from meeting.council_log import CouncilLog
from petitions.models import Petition, Status

STATUS_LABELS = dict(Status.choices)
SOURCE_LABELS = dict(Petition.Source.choices)
# What a list's file holds: no voter_name, no voter_address (see the module).
LIST_FIELDS = [
    ("pk", _("Số")),
    ("council__name", _("Hội đồng")),
    ("received_on", _("Ngày tiếp nhận")),
    ("source", _("Nguồn")),
    ("field__name", _("Lĩnh vực")),
    ("place", _("Địa bàn")),
    ("text", _("Nội dung kiến nghị")),
    ("status", _("Trạng thái")),
    ("agency__name", _("Cơ quan giải quyết")),
    ("due_date", _("Hạn trả lời")),
    ("answered_on", _("Ngày trả lời")),
    ("answer_text", _("Nội dung trả lời")),
    ("group_id", _("Thuộc kiến nghị tổng hợp")),
]


def _rows(rows: QuerySet[Petition]):
    keys = [key for key, _label in LIST_FIELDS]
    status_at, source_at = keys.index("status"), keys.index("source")
    for values in rows.values_list(*keys).iterator(chunk_size=2000):
        values = list(values)
        values[status_at] = str(STATUS_LABELS.get(values[status_at], values[status_at]))
        values[source_at] = str(SOURCE_LABELS.get(values[source_at], values[source_at]))
        yield values


def list_table(rows: QuerySet[Petition], *, name: str = "kien-nghi") -> Table:
    return Table(
        name=name,
        title=_("Kiến nghị cử tri"),
        columns=[Column(key, label) for key, label in LIST_FIELDS],
        rows=_rows(rows),
    )


def status_chart(counts: dict[str, int], href=None) -> Chart:
    rows = [
        (label, counts.get(value, 0), href(value) if href else None)
        for value, label in Status.choices
    ]
    return Chart.bars("theo-trang-thai", _("Theo trạng thái"), rows, label_heading=_("Trạng thái"))


def field_chart(rows) -> Chart:
    return Chart.bars(
        "theo-linh-vuc", _("Theo lĩnh vực"), rows, tone="c3", label_heading=_("Lĩnh vực")
    )


TIMELINESS_SERIES = [
    Series("on_time", _("Trả lời đúng hạn"), "good"),
    Series("late", _("Trả lời trễ hạn"), "warn"),
    Series("overdue", _("Quá hạn chưa trả lời"), "bad"),
    Series("pending", _("Chưa đến hạn"), "muted"),
]


def count_chart(rows, *, per_council: bool, href=None) -> Chart:
    """Rows ``(id, name, count)``; ``href(id)``: the link of a commune's (an agency's) row."""
    if per_council:
        name, title, heading = "theo-xa-phuong", _("Theo xã, phường"), _("Hội đồng")
    else:
        name, title, heading = "theo-co-quan", _("Theo cơ quan giải quyết"), _("Cơ quan")
    rows = [(label, n, href(pk) if href else None) for pk, label, n in rows]
    return Chart.bars(name, title, rows, tone="c2", label_heading=heading)


def timeliness_chart(rows, *, per_council: bool, href=None) -> Chart:
    """Rows ``(id, name, on time, late, overdue, not yet due)``; ``href`` as count_chart's."""
    if per_council:
        name, title, heading = (
            "han-theo-xa-phuong",
            _("Thời hạn trả lời, theo xã, phường"),
            _("Hội đồng"),
        )
    else:
        name, title, heading = "han-theo-co-quan", _("Thời hạn trả lời, theo cơ quan"), _("Cơ quan")
    return Chart(
        name=name,
        title=title,
        series=TIMELINESS_SERIES,
        rows=[
            Row(label or "—", list(values), href(pk) if href else None)
            for pk, label, *values in rows
        ],
        label_heading=heading,
    )


ACTION_LABELS = {
    "petition.create": _("Tiếp nhận kiến nghị"),
    "petition.group": _("Gộp thành kiến nghị tổng hợp"),
    "petition.group_add": _("Gộp thêm kiến nghị"),
    "petition.ungroup": _("Tách kiến nghị khỏi kiến nghị tổng hợp"),
    "petition.forward": _("Chuyển cơ quan giải quyết"),
    "petition.to_city": _("Chuyển HĐND thành phố"),
    "petition.start": _("Cơ quan nhận giải quyết"),
    "petition.answer": _("Cơ quan trả lời"),
    "petition.inform": _("Đã thông tin cho cử tri"),
    "petition.close": _("Kết thúc"),
    "petition.extension_request": _("Cơ quan đề nghị gia hạn"),
    "petition.extension_accept": _("Đồng ý gia hạn"),
    "petition.extension_refuse": _("Không đồng ý gia hạn"),
}


def history(petition: Petition) -> list[CouncilLog]:
    """The chain's entries of this petition and of its consolidated petition — in its own
    council's chain and, once the city handles it, the city's — and its taking out of a group;
    each with the words for its action (``label``)."""
    ids = [petition.pk, *([petition.group_id] if petition.group_id else [])]
    chains = [petition.council_id, *([petition.handler_id] if petition.handler_id else [])]
    entries = list(
        CouncilLog.objects.filter(council_id__in=chains)
        .filter(Q(data__petition__in=ids) | Q(data__removed=petition.pk))
        .select_related("actor_user")
        .order_by("id")
    )
    for entry in entries:
        entry.label = str(ACTION_LABELS.get(entry.action, entry.action))
    return entries
