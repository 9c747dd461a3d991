"""The sitting's part of each screen's snapshot (council, session, agenda, attendance, who is
"me", the console's roster), and the sessions' sequence numbers the snapshots carry.

Registered with realtime's registry (``realtime.registry.snapshot_part``).
"""

from __future__ import annotations

from meeting import selectors
from meeting.models import Session
from realtime.registry import CHAIR, PROJECTOR, TABLET, Viewer, session_sequences, snapshot_part


def public(viewer: Viewer) -> dict:
    """Council, session and agenda: shared by the screens at one seq (no delegate here)."""
    return selectors.public_snapshot(viewer.session)


@snapshot_part(TABLET, shared=public)
def tablet(viewer: Viewer, shared: dict) -> dict:
    return selectors.tablet_snapshot(
        viewer.session,
        viewer.delegate,
        public=shared,
        attendance=selectors.snapshot_attendance(viewer),
    )


@snapshot_part(CHAIR, shared=public)
def console(viewer: Viewer, shared: dict) -> dict:
    # The roster's presence moves without seq (notices): read per console, never shared.
    present, _own = selectors.snapshot_attendance(viewer)
    return selectors.chair_snapshot(
        viewer.session, own=viewer.delegate, public=shared, present=present
    )


@snapshot_part(PROJECTOR, shared=public)
def projector(viewer: Viewer, shared: dict) -> dict:
    present, _none = selectors.snapshot_attendance(viewer)
    return selectors.projector_snapshot(viewer.session, public=shared, present=present)


@session_sequences
def current_seqs(session_ids: set[int]) -> dict[int, int]:
    return dict(Session.objects.filter(pk__in=session_ids).values_list("pk", "seq"))
