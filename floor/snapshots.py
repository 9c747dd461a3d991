"""The floor's part of each screen's snapshot (realtime.registry): the lists of speakers, the
running turn with the server's time, the question session; a tablet's own written answers."""

from __future__ import annotations

from floor.selectors import floor_public, floor_snapshot
from realtime.registry import CHAIR, PROJECTOR, TABLET, Viewer, snapshot_part


def public(viewer: Viewer) -> dict:
    """The lines and the question session: shared by the screens at one seq."""
    return floor_public(viewer.session)


@snapshot_part(TABLET, CHAIR, PROJECTOR, shared=public)
def floor_part(viewer: Viewer, shared: dict) -> dict:
    return floor_snapshot(
        viewer.session,
        delegate=viewer.delegate if viewer.screen == TABLET else None,
        public=shared,
    )
