"""Assert the frames an action publishes, by number, kind, audience and shape.

As Zulip's ``capture_send_event_calls`` / ``verify_action``: a service test says which frames
its action sends, in order, and each is held to its declaration in the event catalogue
(realtime.events) whatever ``CHAMBER_CHECK_EVENTS`` says:

    with expect_events("poll.closed", "poll.result") as frames:
        poll_close(poll_id=poll.pk, actor=chair)
    assert frames[1]["data"]["result"]["passed"]

Each frame is the decoded envelope plus its ``group``. The block runs as one committed action
(its ``transaction.on_commit`` callbacks run, as in production); an action that raises
publishes nothing, which ``expect_events()`` with no types asserts.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.test import TestCase

from realtime.events import audience_of, lookup
from realtime.publish import capturing


def decoded(raw: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The frames ``realtime.publish.capturing`` saw: each envelope with its ``group``."""
    return [{**json.loads(item["text"]), "group": item["group"]} for item in raw]


def verify(frame: dict[str, Any]) -> None:
    """One published frame against its declaration: kind, audience, payload shape."""
    declared = lookup(frame["type"])
    assert frame.get("notice", False) is declared.notice, ("notice flag", frame)
    assert frame["id"] is None, frame
    assert audience_of(frame["group"]) in declared.to, ("audience", frame)
    declared.data.check(frame["data"], frame["type"])


@contextmanager
def captured() -> Iterator[list[dict[str, Any]]]:
    """Run the block as a committed action; the list then holds its frames, each verified."""
    frames: list[dict[str, Any]] = []
    with capturing() as raw, TestCase.captureOnCommitCallbacks(execute=True):
        yield frames
    frames.extend(decoded(raw))
    for frame in frames:
        verify(frame)
    for group in {frame["group"] for frame in frames if not frame.get("notice")}:
        numbers = [frame["seq"] for frame in frames if frame["group"] == group]
        expected = list(range(numbers[0], numbers[0] + len(numbers)))
        assert numbers == expected, ("the events of a session take consecutive seq", numbers)


@contextmanager
def expect_events(*types: str) -> Iterator[list[dict[str, Any]]]:
    """The block publishes exactly these frames, in this order (none: nothing at all)."""
    with captured() as frames:
        yield frames
    assert [frame["type"] for frame in frames] == list(types), frames
