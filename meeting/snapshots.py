"""The sitting's part of each screen's snapshot (council, session, agenda, attendance, who is
"me", the console's roster), and the sessions' sequence numbers the snapshots carry.

Registered with realtime's registry (``realtime.registry.snapshot_part``).
"""

from __future__ import annotations

from meeting import selectors
from meeting.models import Session
from realtime.registry import CHAIR, PROJECTOR, TABLET, Viewer, session_sequences, snapshot_part


@snapshot_part(TABLET)
def tablet(viewer: Viewer) -> dict:
    return selectors.tablet_snapshot(viewer.session, viewer.delegate)


@snapshot_part(CHAIR)
def console(viewer: Viewer) -> dict:
    return selectors.chair_snapshot(viewer.session, own=viewer.delegate)


@snapshot_part(PROJECTOR)
def projector(viewer: Viewer) -> dict:
    return selectors.projector_snapshot(viewer.session)


@session_sequences
def current_seqs(session_ids: set[int]) -> dict[int, int]:
    return dict(Session.objects.filter(pk__in=session_ids).values_list("pk", "seq"))
