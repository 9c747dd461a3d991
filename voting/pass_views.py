"""A spare tablet with a one-time voting pass (voting.assisted): sign in, vote once, done.

Plain HTML forms, no socket: a borrowed tablet that only has to work for one ballot.
"""

import uuid

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from realtime.errors import ServiceError
from voting import assisted, ballots
from voting.choices import choice_labels
from voting.views import STATUS_BY_CODE

PASS_KEY = "voting_pass"


def _page(request: HttpRequest, context: dict, status: int = 200) -> HttpResponse:
    response = render(request, "kiosk_ui/pass.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def voting_pass_sign_in(request: HttpRequest, token: str) -> HttpResponse:
    """The pass's link (its QR code): the first browser to open it holds the pass."""
    try:
        voting_pass, claim = assisted.voting_pass_claim(token=token)
    except ServiceError as refused:
        return _page(request, {"error": refused.message, "error_code": refused.code}, 403)
    # A one-time sign-in: whatever this browser was signed in as before is gone.
    request.session.flush()
    request.session[PASS_KEY] = {
        "id": voting_pass.pk,
        "claim": claim,
        "command": str(uuid.uuid4()),  # the ballot's command id: a repeated POST is harmless
    }
    return redirect("voting-pass")


@require_http_methods(["GET", "POST"])
def voting_pass_vote(request: HttpRequest) -> HttpResponse:
    held = request.session.get(PASS_KEY) or {}
    if held.get("done"):
        return _page(request, {"done": True, "receipt": held.get("receipt")})
    try:
        voting_pass = assisted.voting_pass_held(
            pass_id=int(held.get("id") or 0), claim=held.get("claim", "")
        )
    except ServiceError as refused:
        return _page(request, {"error": refused.message, "error_code": refused.code}, 403)
    poll = voting_pass.poll
    context = {
        "pass": voting_pass,
        "poll": poll,
        "delegate": voting_pass.delegate,
        "choice_labels": choice_labels(poll.choice_type, poll.options),
    }
    if request.method == "POST":
        if poll.choice_type == poll.ChoiceType.OPTIONS:
            choice = request.POST.getlist("option")
        else:
            choice = request.POST.get("choice", "")
        try:
            result = assisted.ballot_cast_with_pass(
                pass_id=voting_pass.pk,
                claim=held["claim"],
                choice=choice,
                command_id=held["command"],
            )
        except ServiceError as refused:
            context.update(error=refused.message, error_code=refused.code)
            return _page(request, context, STATUS_BY_CODE.get(refused.code, 400))
        ballots.poll_progress_publish(poll_id=poll.pk)
        # Nothing of the delegate stays on the spare tablet but this confirmation.
        request.session.flush()
        request.session[PASS_KEY] = {"done": True, "receipt": result["receipt"]}
        return redirect("voting-pass")
    return _page(request, context)
