"""A refused form shown again as it was typed, with the refusal — not a redirect to an empty
form (the staff pages of petitions and resolutions)::

    def _list_page(request, typed: Typed | None = None) -> HttpResponse:
        ...render(..., {"typed": typed, ...})     # value="{{ typed.title }}"

    except ServiceError as refused:
        return form_refused(request, refused, _list_page)
"""

from __future__ import annotations

from collections.abc import Callable

from asgiref.sync import sync_to_async
from django.contrib import messages
from django.http import HttpRequest, HttpResponse

from realtime.errors import ServiceError


class Typed(dict):
    """What was typed in a refused form, by field name (the last value of each), for the page
    to fill its fields again: ``value="{{ typed.title }}"``. ``files`` names the file fields
    that had a file chosen: a browser never fills one again, the page asks for it;
    ``lists`` every value of each field (a multiple choice)."""

    def __init__(self, request: HttpRequest):
        super().__init__(
            (name, value)
            for name, value in request.POST.items()
            if name != "csrfmiddlewaretoken"
        )
        self.lists = dict(request.POST.lists())
        self.files = sorted(name for name, upload in request.FILES.items() if upload.size)


def form_refused(
    request: HttpRequest,
    refused: ServiceError,
    page: Callable[..., HttpResponse],
) -> HttpResponse:
    """A refused form shown again, not a redirect to an empty one: the refusal (its code in
    the message's tags) over the page the form is on, ``page(request, typed=Typed)``, with
    the fields as typed; 400, so nothing takes it for done."""
    messages.error(request, refused.message, extra_tags=f"code-{refused.code}")
    response = page(request, typed=Typed(request))
    response.status_code = 400
    return response


async def form_refused_async(
    request: HttpRequest, refused: ServiceError, page: Callable[..., HttpResponse]
) -> HttpResponse:
    """form_refused from an asynchronous view (the page reads the database)."""
    return await sync_to_async(form_refused)(request, refused, page)
