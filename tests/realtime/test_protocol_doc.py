"""docs/protocol.md names every frame the server can send and every command it accepts.

The frames are the event catalogue (realtime.events, filled by each app's events.py): the doc's
"Events" table lists exactly the declared events, its "Notices" table exactly the declared
notices, each row naming the payload's fields.
"""

import re
from pathlib import Path

from realtime.commands import ALL_COMMANDS
from realtime.events import catalogue
from realtime.schema import Obj

ROOT = Path(__file__).resolve().parents[2]
PROTOCOL = (ROOT / "docs" / "protocol.md").read_text()
ROW = re.compile(r"^\| `([a-z_.]+)` \|(.*)$", re.M)


def documented(heading: str) -> dict[str, str]:
    """The rows of the tables under ``## <heading>``: type → the rest of the row."""
    section = PROTOCOL.split(f"\n## {heading}", 1)[1].split("\n## ", 1)[0]
    return dict(ROW.findall(section))


def test_the_events_table_is_the_catalogues_events():
    declared = {t for t, e in catalogue().items() if e.sequenced}
    assert {"agenda.current", "poll.closed", "document.shown"} <= declared  # apps were found
    assert sorted(documented("Events")) == sorted(declared)


def test_the_notices_table_is_the_catalogues_notices():
    declared = {t for t, e in catalogue().items() if e.notice}
    assert {"note.saved", "poll.result", "badge.revoked"} <= declared
    assert sorted(documented("Notices")) == sorted(declared)


def test_each_documented_frame_names_the_fields_of_its_declared_payload():
    rows = documented("Events") | documented("Notices")
    undocumented = {}
    for type, declared in catalogue().items():
        fields = declared.data.fields if isinstance(declared.data, Obj) else {}
        missing = sorted(f for f in fields if not re.search(rf"\b{f}\b", rows[type]))
        if missing:
            undocumented[type] = missing
    assert undocumented == {}


def test_every_command_is_documented():
    missing = sorted(c for c in ALL_COMMANDS if f"`{c}`" not in PROTOCOL)
    assert missing == []
