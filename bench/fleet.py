"""The client processes (bench/clients.py), seen from the main process."""

from __future__ import annotations

import asyncio
import multiprocessing
import time

from bench.clients import client_main
from bench.pipes import AsyncPipe
from bench.screen import Target

monotonic = time.monotonic


class Fleet:
    """The client processes, seen from the main process."""

    entry = staticmethod(client_main)  # what each client process runs

    def __init__(self, targets: list[Target], processes: int, options: dict) -> None:
        self.shares = [targets[i::processes] for i in range(processes)]
        self.shares = [share for share in self.shares if share]
        self.options = options
        self.processes: list[multiprocessing.Process] = []
        self.pipes: list[AsyncPipe] = []
        self.calls = 0

    async def start(self) -> None:
        context = multiprocessing.get_context("spawn")
        for share in self.shares:
            parent, child = context.Pipe()
            process = context.Process(
                target=self.entry, args=(child, share, self.options), daemon=True
            )
            process.start()
            child.close()
            self.processes.append(process)
            self.pipes.append(AsyncPipe(parent))

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self.processes if p.pid]

    async def call(self, op: str, limit: float, /, **kwargs) -> list[dict]:
        """Send ``op`` to every client process; their results in order, within ``limit`` s.

        A call given up (its phase's deadline passed, bench/clock.py) is still answered later
        by the client processes: each call has its number, and an older answer is dropped."""
        self.calls += 1
        call = self.calls
        for pipe in self.pipes:
            pipe.send({"op": op, "call": call, **kwargs})
        deadline = monotonic() + limit

        async def answer(pipe: AsyncPipe) -> dict:
            while True:
                message = await pipe.get(max(0.0, deadline - monotonic()))
                if message.get("call") == call:
                    return message

        try:
            answers = await asyncio.gather(*(answer(pipe) for pipe in self.pipes))
        except (EOFError, TimeoutError) as exc:
            codes = [p.exitcode for p in self.processes]
            raise RuntimeError(
                f"client processes did not answer {op!r}: {exc!r}, exit codes {codes}"
            ) from exc
        failed = [a["error"] for a in answers if not a["ok"]]
        if failed:
            raise RuntimeError(f"client process failed: {failed}")
        return [a["result"] for a in answers]

    async def stop(self) -> None:
        for pipe in self.pipes:
            try:
                pipe.send({"op": "close"})
            except OSError:
                pass
        deadline = monotonic() + 10
        for process in self.processes:
            while process.is_alive() and monotonic() < deadline:
                await asyncio.sleep(0.05)
        for process in self.processes:
            if process.is_alive():
                process.kill()
            process.join(timeout=5)
        for pipe in self.pipes:
            pipe.close()
        self.processes.clear()
        self.pipes.clear()
