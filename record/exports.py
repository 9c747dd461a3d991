"""CSV exports of the record. Secret polls give totals and participants, never a pairing."""

from __future__ import annotations

import csv
import io

from record.minutes import ordered_counts
from voting.choices import choice_labels


def _csv(header: list[str], rows: list[list]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    # A byte-order mark so spreadsheet programs read Vietnamese as UTF-8.
    return "\ufeff" + out.getvalue()


def attendance_csv(record: dict) -> str:
    return _csv(
        ["seat", "full_name", "title", "status", "status_label"],
        [
            [r["seat"], r["full_name"], r["title"], r["status"], r["status_label"]]
            for r in record["attendance"]
        ],
    )


def polls_csv(record: dict) -> str:
    rows = []
    for entry in record["polls"]:
        poll, result = entry["poll"], entry["result"] or {}
        at_open = poll.get("quorum_at_open") or {}
        at_close = result.get("sitting_quorum") or {}
        labels = choice_labels(poll["choice_type"], poll["options"])
        counts = "; ".join(
            f"{labels.get(choice, choice)}: {count}"
            for choice, count in ordered_counts(poll, result.get("counts") or {})
        )
        rows.append(
            [
                poll["id"],
                poll["title"],
                poll["kind"],
                poll["status"],
                counts,
                result.get("ballots"),
                result.get("present"),
                result.get("base"),
                result.get("required"),
                result.get("threshold"),
                result.get("passed"),
                result.get("void"),
                len(entry["participants"]),
                result.get("digest"),
                # The sitting's quorum at the opening and at the close of the vote; the
                # chair's reason when it opened below it.
                at_open.get("present"),
                at_open.get("override_reason", ""),
                at_close.get("present"),
                at_close.get("seats"),
                at_close.get("required"),
                at_close.get("quorate"),
            ]
        )
    return _csv(
        [
            "poll_id",
            "title",
            "kind",
            "status",
            "counts",
            "ballots",
            "present",
            "base",
            "required",
            "threshold",
            "passed",
            "void",
            "participants",
            "digest",
            "present_at_open",
            "opened_below_quorum_reason",
            "present_at_close",
            "seats",
            "quorum_required",
            "quorate_at_close",
        ],
        rows,
    )


def named_votes_csv(record: dict) -> str:
    """Who chose what, for named polls only."""
    rows = []
    for entry in record["polls"]:
        if entry["poll"]["kind"] != "named":
            continue
        labels = choice_labels(entry["poll"]["choice_type"], entry["poll"]["options"])
        recorded = {
            row["delegate_id"]: row["by"]
            for row in entry.get("assisted", [])
            if row["how"] == "recorded"
        }
        for row in entry.get("choices", []):
            chosen = [row["choice"]] if isinstance(row["choice"], str) else row["choice"]
            rows.append(
                [
                    entry["poll"]["id"],
                    entry["poll"]["title"],
                    row["full_name"],
                    ", ".join(labels.get(c, c) for c in chosen),
                    recorded.get(row["delegate_id"], ""),  # a show of hands: who recorded it
                ]
            )
    return _csv(["poll_id", "poll", "delegate", "choice", "recorded_by"], rows)
