"""The polls' part of each screen's snapshot (voting.selectors.voting_snapshot): the delegate's
own ballots on the tablet and on a console whose user is a delegate.

Registered with realtime's registry (``realtime.registry.snapshot_part``).
"""

from __future__ import annotations

from realtime.registry import CHAIR, PROJECTOR, TABLET, Viewer, snapshot_part
from voting.selectors import voting_snapshot


@snapshot_part(TABLET, CHAIR, PROJECTOR)
def polls(viewer: Viewer) -> dict:
    return voting_snapshot(viewer.session, screen=viewer.screen, delegate=viewer.delegate)
