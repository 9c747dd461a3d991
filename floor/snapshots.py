"""The floor's part of each screen's snapshot (realtime.registry): the lists of speakers, the
running turn with the server's time, the question session; a tablet's own written answers."""

from __future__ import annotations

from floor.selectors import floor_snapshot
from realtime.registry import CHAIR, PROJECTOR, TABLET, Viewer, snapshot_part


@snapshot_part(TABLET, CHAIR, PROJECTOR)
def floor_part(viewer: Viewer) -> dict:
    return floor_snapshot(
        viewer.session, delegate=viewer.delegate if viewer.screen == TABLET else None
    )
