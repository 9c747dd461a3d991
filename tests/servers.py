"""Real ASGI server processes for end-to-end and browser tests.

Each server is a separate ``daphne`` process (or ``uvicorn``, as docker/ runs production, for
the fault suite) on the test database (PostgreSQL) and, when asked, the Redis channel layer
with a prefix of its own, so that tests never hear each other.

``embedded_demo`` is the other install: what ``make demo`` runs — ``chamber migrate``,
``chamber load_demo`` and one ``daphne`` process on Chamber's own settings, with nothing set
but the folder of its SQLite file (no PostgreSQL, no Redis: the in-memory channel layer).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
BIN = Path(sys.executable).parent  # the virtualenv's scripts: chamber, daphne


@dataclass
class Server:
    port: int
    process: subprocess.Popen
    log: Path

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    @property
    def origin(self) -> str:
        return self.http


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url() -> str:
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or "postgres"
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{user}@{host}:{port}/{db['NAME']}"


def _wait_until_serving(server: Server, timeout: float = 30.0) -> None:
    """Poll the health URL until the process answers (or has died): no fixed sleep."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"server exited early:\n{server.log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{server.http}/healthz", timeout=1) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.05)  # polling interval while the process boots
    raise RuntimeError(f"server did not start in {timeout}s:\n{server.log.read_text()[-3000:]}")


def server_env(*, redis: bool, redis_url: str | None = None) -> dict[str, str]:
    """The environment of a server (or command) on the test database (``redis_url``: another
    Redis than the shared one)."""
    env = {
        **os.environ,
        # Chamber's settings plus the tests' fast password hasher (DATABASE_URL below wins).
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": database_url(),
        "CHANNEL_PREFIX": f"chamber-test-{uuid.uuid4().hex[:8]}",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "CHAMBER_HEARTBEAT_SECONDS": "5",
        "PYTHONUNBUFFERED": "1",
        "PYTHONPATH": str(ROOT),  # tests.settings, for the ``chamber`` command too
    }
    if redis:
        env["REDIS_URL"] = redis_url or REDIS_URL
    else:
        env.pop("REDIS_URL", None)
    return env


def embedded_env(var_dir: Path) -> dict[str, str]:
    """``make demo``'s environment: Chamber's own settings and nothing else set — SQLite in
    ``var_dir``, the in-memory channel layer. (The test process's own variables — its
    PostgreSQL ``DATABASE_URL``, its settings module — are not passed on.)"""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in {"DATABASE_URL", "REDIS_URL", "CHANNEL_LAYER", "DJANGO_SETTINGS_MODULE"}
        and not name.startswith("CHAMBER_")
    }
    env.update({"CHAMBER_VAR_DIR": str(var_dir), "PYTHONUNBUFFERED": "1"})
    return env


def chamber_command(env: dict[str, str], *args: str, timeout: float = 120) -> str:
    """Run ``chamber <args>`` as a user would; its output (it must succeed)."""
    done = subprocess.run(
        [str(BIN / "chamber"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, f"chamber {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@contextmanager
def embedded_demo(var_dir: Path, log_dir: Path | None = None) -> Iterator[tuple[Server, str]]:
    """``make demo``: migrate, load the demo, serve it with one daphne process.

    Yields the server and what ``chamber load_demo`` printed (the console, projector, badge
    sheet URLs)."""
    env = embedded_env(var_dir)
    chamber_command(env, "migrate", "--no-input")
    port = free_port()
    printed = chamber_command(env, "load_demo", "--host", "127.0.0.1", "--port", str(port))
    with running_servers(1, env=env, ports=[port], log_dir=log_dir or var_dir) as (server,):
        yield server, printed


@contextmanager
def running_servers(
    count: int = 1,
    *,
    redis: bool = True,
    log_dir: Path | None = None,
    env: dict[str, str] | None = None,
    ports: list[int] | None = None,
    server: str = "daphne",
) -> Iterator[list[Server]]:
    """Start ``count`` daphne (or ``uvicorn``) processes sharing the test database (and one
    Redis layer), or sharing what ``env`` says (``embedded_demo``)."""
    env = env or server_env(redis=redis)
    prefix = env.get("CHANNEL_PREFIX", "chamber-embedded")
    log_dir = log_dir or Path(os.environ.get("TMPDIR", "/tmp"))
    servers: list[Server] = []
    try:
        for index in range(count):
            port = ports[index] if ports else free_port()
            log = log_dir / f"{prefix}-{port}.log"
            process = subprocess.Popen(
                _command(server, port),
                cwd=ROOT,
                env=env,
                stdout=log.open("w"),
                stderr=subprocess.STDOUT,
            )
            servers.append(Server(port=port, process=process, log=log))
        for started in servers:
            _wait_until_serving(started)
        yield servers
    finally:
        for started in servers:
            if started.process.poll() is None:
                started.process.send_signal(signal.SIGCONT)  # a test may have stopped it
                started.process.terminate()
        for started in servers:
            try:
                started.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                started.process.kill()


def _command(server: str, port: int) -> list[str]:
    if server == "uvicorn":
        # As docker/Dockerfile runs it (one worker process per server here).
        return [str(BIN / "uvicorn"), "chamber.asgi:application", "--host", "127.0.0.1"] + [
            "--port",
            str(port),
            "--ws-per-message-deflate",
            "false",
            "--no-access-log",
        ]
    # As the Makefile runs it.
    return [str(BIN / "daphne"), "-b", "127.0.0.1", "-p", str(port), "chamber.asgi:application"]
