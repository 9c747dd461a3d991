"""The vote: the chair opens a poll, every tablet casts within ``cast_spread_s``, the chair
closes and publishes; acknowledgements, CPU per ballot and the events' fan-out are recorded."""

from __future__ import annotations

import time

from bench.measure import cpu_delta, cpu_snapshot
from bench.phases import COMMAND_TIMEOUT, FANOUT_TIMEOUT, event_or_none
from bench.stats import add_counts, summary

monotonic = time.monotonic


async def vote(cfg, clock, console, fleet, stack, triggers, out) -> int:
    clock.phase = "poll"
    current = console.last("agenda.current")
    _, _, created = await console.command(
        "poll.create",
        clock.limit(COMMAND_TIMEOUT),
        title="Thông qua nghị quyết về kế hoạch đầu tư công năm 2027",
        agenda_item_id=current["data"]["current_item_id"] if current else None,
    )
    poll_id = created["data"]["poll_id"]
    since = len(console.events)
    sent, _, _ = await console.command("poll.open", clock.limit(COMMAND_TIMEOUT), poll_id=poll_id)
    opened = await event_or_none(console, lambda f: f["type"] == "poll.opened", clock, since)
    if opened is None:
        out.setdefault("problems", []).append("poll.opened never reached the console")
    else:
        triggers[opened["seq"]] = ("poll.opened", sent)
    await fleet.call(
        "wait_seq",
        clock.limit(FANOUT_TIMEOUT) + 10,
        seq=opened["seq"] if opened else console.seq,
        timeout=clock.limit(FANOUT_TIMEOUT),
    )

    clock.phase = "ballots"
    cpu_before = cpu_snapshot(stack, fleet)
    start_at = monotonic() + 0.3
    # Bounded, but long enough for a slow server to answer a whole chamber.
    cast_timeout = clock.limit(max(60.0, cfg.tablets / 25))
    casts = await fleet.call(
        "cast",
        cast_timeout + cfg.cast_spread_s + 15,
        poll_id=poll_id,
        start_at=start_at,
        spread=cfg.cast_spread_s,
        total=cfg.tablets,
        timeout=cast_timeout,
    )
    acks = [a for c in casts for a in c["acks"]]
    errors = add_counts(c["errors"] for c in casts)
    sent_times = [a[1] for a in acks]
    ack_times = sorted(a[2] for a in acks)
    out["ballots"] = ballots = {
        "poll_id": poll_id,
        "tablets": cfg.tablets,
        "acked": len(acks),
        "errors": errors,
        "ack_latency_s": summary(a[2] - a[1] for a in acks),
        "all_acked_after_first_cast_s": (ack_times[-1] - start_at) if ack_times else None,
        "casting_window_s": (max(sent_times) - min(sent_times)) if sent_times else None,
        "ballots_per_s": (
            len(acks) / (ack_times[-1] - min(sent_times)) if len(ack_times) > 1 else None
        ),
        "_acks": acks,
        "_ack_times": ack_times,
    }
    # The chair closes when the room shows everyone has voted (bounded).
    try:
        await console.wait_event(
            lambda f: f["type"] == "poll.progress" and f["data"]["voted"] >= len(acks),
            clock.limit(15),
        )
        ballots["progress_reached_all"] = True
    except TimeoutError:
        ballots["progress_reached_all"] = False
    ballots["cpu"] = cpu_votes = cpu_delta(cpu_before, cpu_snapshot(stack, fleet))
    ballots["server_cpu_per_ballot_ms"] = cpu_votes["server"] / max(1, len(acks)) * 1000

    clock.phase = "close"
    since = len(console.events)
    # Closing waits for the ballots in flight: allow as long as casting was allowed.
    close_timeout = max(COMMAND_TIMEOUT, cfg.tablets / 25)
    ballots["_close_sent"] = close_sent = monotonic()
    close_sent, close_acked, _ = await console.command(
        "poll.close", clock.limit(close_timeout), poll_id=poll_id
    )
    ballots["_close_sent"] = close_sent
    ballots["close_ack_s"] = close_acked - close_sent
    publish_sent, publish_acked, _ = await console.command(
        "poll.publish", clock.limit(close_timeout), poll_id=poll_id
    )
    ballots["publish_ack_s"] = publish_acked - publish_sent
    closed = await event_or_none(console, lambda f: f["type"] == "poll.closed", clock, since)
    published = await event_or_none(console, lambda f: f["type"] == "poll.published", clock, since)
    if closed is not None:
        triggers[closed["seq"]] = ("poll.closed", close_sent)
    if published is not None:
        triggers[published["seq"]] = ("poll.published", publish_sent)
        ballots["_published_seq"] = published["seq"]
    for kind, frame in (("poll.closed", closed), ("poll.published", published)):
        if frame is None:
            out.setdefault("problems", []).append(f"{kind} never reached the console")
    await fleet.call(
        "wait_seq",
        clock.limit(FANOUT_TIMEOUT) + 10,
        seq=console.seq,
        timeout=clock.limit(FANOUT_TIMEOUT),
    )
    return poll_id
