"""The documents' part of each screen's snapshot (documents.selectors.documents_snapshot).

Private notes go to the tablet only: a console user who is a delegate reads hers there.
Registered with realtime's registry (``realtime.registry.snapshot_part``).
"""

from __future__ import annotations

from documents.selectors import documents_public, documents_snapshot
from realtime.registry import CHAIR, PROJECTOR, TABLET, Viewer, snapshot_part


def public(viewer: Viewer) -> dict:
    """The shown page and the list, per screen: shared by the screens at one seq."""
    return documents_public(viewer.session, screen=viewer.screen)


@snapshot_part(TABLET, shared=public)
def with_notes(viewer: Viewer, shared: dict) -> dict:
    return documents_snapshot(
        viewer.session, screen=TABLET, delegate=viewer.delegate, public=shared
    )


@snapshot_part(CHAIR, PROJECTOR, shared=public)
def without_notes(viewer: Viewer, shared: dict) -> dict:
    return documents_snapshot(viewer.session, screen=viewer.screen, public=shared)
