"""The list an amendment or a repeal picks the earlier resolution from (no id typed).

The adoption form renders the council's latest resolutions in a ``<select>`` (it works
without script); ``picker.js`` narrows it as the clerk types, from this answer. The service
still checks the chosen one belongs to the same council (``resolution.target_invalid``)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from resolutions import access, selectors
from resolutions.models import Resolution
from resolutions.views import common


def choice(resolution: Resolution) -> dict:
    return {
        "id": resolution.pk,
        "label": f"{resolution.symbol} — {resolution.title}",
        "status": resolution.status,
    }


def choices_by_council(council_ids) -> dict[int, list[dict]]:
    """The first page of each council's list, for the forms of a page (one query each)."""
    return {pk: [choice(r) for r in selectors.targets_to_pick(pk)] for pk in set(council_ids)}


@login_required
@require_GET
def targets(request: HttpRequest) -> JsonResponse:
    council_id = common.parse_int_or_none(request.GET.get("council"))
    if council_id is None or not access.may_act(request.user, access.ADD, council_id):
        raise PermissionDenied
    found = selectors.targets_to_pick(council_id, request.GET.get("q", ""))
    return JsonResponse({"results": [choice(r) for r in found]})
