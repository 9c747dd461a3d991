"""The documents' part of each screen's snapshot (documents.selectors.documents_snapshot).

Private notes go to the tablet only: a console user who is a delegate reads hers there.
Registered with realtime's registry (``realtime.registry.snapshot_part``).
"""

from __future__ import annotations

from documents.selectors import documents_snapshot
from realtime.registry import CHAIR, PROJECTOR, TABLET, Viewer, snapshot_part


@snapshot_part(TABLET)
def with_notes(viewer: Viewer) -> dict:
    return documents_snapshot(viewer.session, screen=TABLET, delegate=viewer.delegate)


@snapshot_part(CHAIR, PROJECTOR)
def without_notes(viewer: Viewer) -> dict:
    return documents_snapshot(viewer.session, screen=viewer.screen)
