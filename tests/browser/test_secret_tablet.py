"""A secret ballot on a real tablet: changed with the proof only the tablet holds, its choice
shown only until the close, nothing left on the tablet after sign-out (issue 10, items 6–7)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from realtime.actors import Actor
from tests.browser.conftest import chromium, console_login, watch_errors
from tests.browser.test_voting import _connected, _make_sitting, _open_tablet, _vote
from tests.servers import running_servers
from voting import services as voting
from voting.models import Ballot, Poll
from voting.secrecy import receipt_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

expect.set_options(timeout=15_000)

TITLE = "Bầu Trưởng Ban Kinh tế – Xã hội"


def _kept(page: Page) -> dict:
    """Everything of a ballot this browser keeps: key → value."""
    return page.evaluate(
        "Object.fromEntries(Object.keys(localStorage)"
        ".filter((k) => k.startsWith('chamber.receipts.') || k.startsWith('chamber.ballot.'))"
        ".map((k) => [k, JSON.parse(localStorage.getItem(k))]))"
    )


def test_a_secret_ballot_is_changed_by_its_tablet_and_forgotten_at_sign_out(artifacts):
    session, chair, delegates = _make_sitting()
    voter = delegates[0]
    poll = voting.poll_create(
        session_id=session.pk,
        title=TITLE,
        actor=Actor(user=chair),
        kind="secret",
        allow_change=True,
    )
    voting.poll_open(poll_id=poll.pk, actor=Actor(user=chair))
    errors: list[str] = []
    sent: list[dict] = []

    with running_servers(1, redis=True) as [server], chromium() as new_context:
        console = new_context(width=1440, height=900).new_page()
        console_login(console, server.http, chair, session.pk)
        watch_errors(console, errors)
        _connected(console)
        tablet = _open_tablet(new_context, server, voter, errors, frames=sent)

        _vote(tablet, "yes", "Tán thành")
        # Until the close, the tablet shows its own choice (from memory: not stored).
        expect(tablet.locator("#ballot-done-choice")).to_contain_text("Tán thành")
        first_id = sent[-1]["id"]
        receipt = tablet.locator("#ballot-receipt").get_attribute("data-receipt")
        assert receipt == receipt_for(poll_id=poll.pk, command_id=first_id)
        kept = _kept(tablet)[f"chamber.receipts.{voter.pk}"][str(poll.pk)]
        assert (kept["receipt"], kept["id"], "choice" in kept) == (receipt, first_id, False)

        # Changing it: the proof sent is the old command id, never the receipt.
        tablet.click("#ballot-change")
        _vote(tablet, "no", "Không tán thành")
        expect(tablet.locator("#ballot-done-choice")).to_contain_text("Không tán thành")
        change = sent[-1]
        assert change["data"] == {"poll_id": poll.pk, "choice": "no", "previous_id": first_id}
        tablet.screenshot(path=artifacts / "tablet-secret-changed-1024x768.png")

        console.click("#tab-voting")
        # The console offers no partial counts for a secret poll (the server refuses them too).
        console.click("#poll-new")
        console.click("#poll-advanced summary")
        partial = console.locator("#poll-show-partial")
        expect(partial).to_be_enabled()
        partial.check()
        console.check('input[name="kind"][value="secret"]')
        expect(partial).to_be_disabled()
        expect(partial).not_to_be_checked()
        console.click("#poll-form-cancel")
        console.click('#poll-detail [data-action="close"]')
        console.click("#poll-close-yes")
        expect(tablet.locator("#poll-card")).to_have_attribute("data-status", "closed")
        # Closed: the choice is gone from the screen and the proof from the storage.
        for shown in ("#ballot-done-choice", "#ballot-confirm-choice"):
            expect(tablet.locator(shown)).to_have_text("")
        kept = _kept(tablet)[f"chamber.receipts.{voter.pk}"][str(poll.pk)]
        assert "id" not in kept and "choice" not in kept and kept["receipt"]
        tablet.screenshot(path=artifacts / "tablet-secret-closed-1024x768.png")

        tablet.click("#sign-out")
        tablet.wait_for_url(f"{server.http}/tablet/signin/")
        assert _kept(tablet) == {}

    assert errors == []
    ballots = {b.receipt: b for b in Ballot.objects.filter(poll=poll)}
    assert ballots[receipt].superseded
    assert ballots[receipt_for(poll_id=poll.pk, command_id=change["id"])].superseded is False
    assert Poll.objects.get(pk=poll.pk).result.counts == {"yes": 0, "no": 1, "abstain": 0}
