"""Coalescing across the deployment: N worker processes tell a storm once per interval, not N
times, and never leave a write untold. Each "process" here is an event loop of its own in a
thread (its own pending set and Redis client, as a worker has), sharing the real Redis."""

from __future__ import annotations

import asyncio
import threading
import uuid

from django.test import override_settings

from realtime import coalesce
from tests.conftest import REDIS_URL

INTERVAL = 0.3


def _in_processes(count: int, body) -> None:
    """Run ``body(number)`` (a coroutine function) in ``count`` loops at once."""
    start = threading.Barrier(count)
    errors = []

    def run(number: int) -> None:
        async def main():
            start.wait()
            try:
                await body(number)
            finally:
                client = coalesce._claims.pop(asyncio.get_running_loop(), None)
                if client is not None:
                    await client.aclose()

        try:
            asyncio.run(main())
        except Exception as error:  # noqa: BLE001 - raised in the test's thread below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors


def _storm(told: list, key: str):
    """Each process sees a write, then waits until the storm has been told."""
    done = threading.Event()

    def tell(number: int) -> None:
        told.append(number)
        done.set()

    async def body(number: int) -> None:
        coalesce.soon(("test", key), tell, interval=INTERVAL, number=number)
        while not done.is_set():
            await asyncio.sleep(0.02)  # polling the shared flag, not waiting for a race
        await asyncio.sleep(INTERVAL * 2)  # room for a second, wrong publication to show

    return body


def test_four_workers_tell_a_storm_once():
    told: list[int] = []
    with override_settings(REDIS_URL=REDIS_URL, CHANNEL_PREFIX=f"test-{uuid.uuid4().hex[:8]}"):
        _in_processes(4, _storm(told, "storm"))
    assert len(told) == 1


def test_a_write_after_the_count_was_read_is_told_again():
    told: list[int] = []
    with override_settings(REDIS_URL=REDIS_URL, CHANNEL_PREFIX=f"test-{uuid.uuid4().hex[:8]}"):
        _in_processes(2, _storm(told, "again"))
        _in_processes(2, _storm(told, "again"))
    assert len(told) == 2


def test_without_redis_each_process_tells_it_itself():
    told: list[int] = []
    with override_settings(REDIS_URL=None):
        _in_processes(3, _storm(told, "alone"))
    assert sorted(told) == [0, 1, 2]
