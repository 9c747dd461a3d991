"""The polls' part of each screen's snapshot (voting.selectors.voting_snapshot): the delegate's
own ballots on the tablet and on a console whose user is a delegate.

Registered with realtime's registry (``realtime.registry.snapshot_part``).
"""

from __future__ import annotations

from meeting.selectors import snapshot_attendance
from realtime.registry import CHAIR, PROJECTOR, TABLET, Viewer, snapshot_part
from voting.selectors import voting_public, voting_snapshot


def public(viewer: Viewer) -> list[dict]:
    """The polls without their live counts: shared by the tablets and projectors at one seq."""
    return voting_public(viewer.session, screen=viewer.screen)


@snapshot_part(TABLET, PROJECTOR, shared=public)
def polls(viewer: Viewer, shared: list[dict]) -> dict:
    present, _own = snapshot_attendance(viewer)  # the sitting's part read it: once
    return voting_snapshot(
        viewer.session,
        screen=viewer.screen,
        delegate=viewer.delegate,
        public=shared,
        entitled=present,
    )


@snapshot_part(CHAIR)
def console_polls(viewer: Viewer) -> dict:
    # The console hears of drafts by notice (seq unchanged): its polls are read each time.
    present, _own = snapshot_attendance(viewer)
    return voting_snapshot(
        viewer.session, screen=viewer.screen, delegate=viewer.delegate, entitled=present
    )
