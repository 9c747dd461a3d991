"""The fault suite: two real Uvicorn workers, a Redis of its own, real WebSocket clients.

Each test starts its own ``redis-server`` on a free port (never the shared one on 6379: it is
stopped and restarted here) and two Uvicorn processes on the PostgreSQL test database with the
Redis channel layer, then plays a fault against a live sitting (``chamber``).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.e2e.conftest import chamber  # noqa: F401  (the sitting of the end-to-end tests)
from tests.servers import free_port, running_servers, server_env

# Short enough that a scenario takes seconds, long enough to be realistic.
HEARTBEAT_SECONDS = 5.0
LOCK_TIMEOUT_SECONDS = 2.0
IDLE_IN_TRANSACTION_SECONDS = 4.0
WORKER_ENV = {
    "CHAMBER_HEARTBEAT_SECONDS": str(HEARTBEAT_SECONDS),
    "CHAMBER_DB_LOCK_TIMEOUT": str(LOCK_TIMEOUT_SECONDS),
    "CHAMBER_DB_IDLE_IN_TRANSACTION_TIMEOUT": str(IDLE_IN_TRANSACTION_SECONDS),
    "CHAMBER_SEND_STALL_SECONDS": "2",
    "CHAMBER_SEND_QUEUE_BYTES": str(256 * 1024),
    "PGAPPNAME": "chamber-fault-worker",  # libpq: names the workers' database sessions
}


@dataclass
class RedisServer:
    port: int
    directory: Path
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 10
        while not self._answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server on {self.port} did not start")
            time.sleep(0.02)  # polling interval while it boots

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False


@pytest.fixture
def redis_server(tmp_path):
    if shutil.which("redis-server") is None:
        pytest.fail("the fault suite starts its own redis-server: apt-get install redis-server")
    server = RedisServer(port=free_port(), directory=tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def workers(request, redis_server, transactional_db):
    """Two Uvicorn processes with the Redis layer (``pubsub`` as in docker/, or ``redis``)."""
    layer = getattr(request, "param", "pubsub")
    env = {
        **server_env(redis=True, redis_url=redis_server.url),
        **WORKER_ENV,
        "CHANNEL_LAYER": layer,
    }
    with running_servers(2, server="uvicorn", env=env) as started:
        yield started
        for server in started:  # shown by pytest only when the test fails
            print(f"--- {server.log} ---\n{server.log.read_text()[-6000:]}")
