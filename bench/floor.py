"""The floor: a bare ``websockets`` server that broadcasts to every client it holds.

No Django, no channel layer, no database: one process, one event loop (uvloop when present,
as Uvicorn would use), ``websockets.broadcast`` writing one encoded frame to every socket.
It speaks just enough of Chamber's protocol for the same clients to measure it the same way:
a ``snapshot`` on connect, and for each command from ``/control`` an ``ack`` and one event of
``--size`` bytes with the next ``seq`` to everyone (the sender included).

Run as ``python -m bench.floor --port P``; ``GET /healthz`` answers 200.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
from http import HTTPStatus

from websockets.asyncio.server import broadcast, serve

from bench.config import HOST


class Floor:
    def __init__(self, size: int) -> None:
        self.size = size
        self.seq = 0
        self.clients: set = set()

    def event(self) -> str:
        frame = {"type": "agenda.current", "id": None, "seq": self.seq, "data": {"pad": ""}}
        padding = self.size - len(json.dumps(frame, separators=(",", ":")))
        frame["data"]["pad"] = "x" * max(0, padding)
        return json.dumps(frame, separators=(",", ":"))

    async def handler(self, connection) -> None:
        path = connection.request.path
        snapshot = {"type": "snapshot", "id": None, "seq": self.seq, "data": {}}
        await connection.send(json.dumps(snapshot, separators=(",", ":")))
        self.clients.add(connection)
        try:
            async for text in connection:
                if not path.startswith("/control"):
                    continue
                command = json.loads(text)
                await connection.send(
                    json.dumps({"type": "ack", "id": command.get("id"), "seq": None, "data": {}})
                )
                self.seq += 1
                broadcast(self.clients, self.event())
        finally:
            self.clients.discard(connection)


def health(connection, request):
    if request.path == "/healthz":
        return connection.respond(HTTPStatus.OK, "ok\n")
    return None


async def main(port: int, size: int) -> None:
    floor = Floor(size)
    stop = asyncio.get_running_loop().create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set_result, None)
    async with serve(
        floor.handler,
        HOST,
        port,
        process_request=health,
        ping_interval=None,
        max_queue=None,
        backlog=2048,
    ):
        await stop


if __name__ == "__main__":
    from bench.procstat import raise_open_files_limit

    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--size", type=int, default=150)
    parser.add_argument("--loop", choices=["uvloop", "asyncio"], default="uvloop")
    args = parser.parse_args()
    raise_open_files_limit()
    if args.loop == "uvloop":
        try:
            import uvloop
        except ImportError:
            uvloop = None
        if uvloop is not None:
            uvloop.run(main(args.port, args.size))
            raise SystemExit(0)
    asyncio.run(main(args.port, args.size))
