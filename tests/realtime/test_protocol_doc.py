"""docs/protocol.md names every frame the server can send and every command it accepts."""

import re
from pathlib import Path

from realtime.commands import ALL_COMMANDS
from tests.e2e.client import EVENT_TYPES, NOTICE_TYPES

ROOT = Path(__file__).resolve().parents[2]
PROTOCOL = (ROOT / "docs" / "protocol.md").read_text()
SENT = re.compile(r"""(?:emit|notify)\(\s*(?:session=[^,]+,\s*)?type="([a-z_.]+)\"""", re.S)


def sent_types() -> set[str]:
    found = set()
    for path in ROOT.glob("*/services.py"):
        found |= set(SENT.findall(path.read_text()))
    return found


def test_every_frame_a_service_sends_is_documented_and_known_to_the_test_client():
    sent = sent_types()
    assert {"agenda.current", "poll.closed", "note.saved"} <= sent  # the scan finds them
    missing = sorted(t for t in sent if f"`{t}`" not in PROTOCOL)
    assert missing == []
    assert sent <= EVENT_TYPES | NOTICE_TYPES


def test_every_command_is_documented():
    missing = sorted(c for c in ALL_COMMANDS if f"`{c}`" not in PROTOCOL)
    assert missing == []
