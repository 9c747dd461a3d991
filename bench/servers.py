"""Server processes the benchmark starts, each in a process group of its own, and stops."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from bench import procstat
from bench.config import HOST, ROOT, Config


@dataclass
class Process:
    name: str
    port: int
    popen: subprocess.Popen
    log: Path
    host: str = HOST  # where it listens (a worker host's own address with --hosts)

    @property
    def pgid(self) -> int:
        return self.popen.pid  # started with start_new_session: its own group

    @property
    def pids(self) -> list[int]:
        return procstat.group_pids(self.pgid) or [self.popen.pid]

    @property
    def origin(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def ws(self) -> str:
        return f"ws://{self.host}:{self.port}"

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except OSError:
            return ""


@dataclass
class Stack:
    """Processes started for one run; ``stop`` ends them all, whatever happened."""

    processes: list[Process] = field(default_factory=list)

    @property
    def pids(self) -> list[int]:
        return [pid for process in self.processes for pid in process.pids]

    def sample(self) -> procstat.Sample:
        return procstat.sample(self.pids)

    def stop(self) -> None:
        for process in self.processes:
            _signal_group(process, signal.SIGTERM)
        deadline = time.monotonic() + 3  # then SIGKILL: nothing of a benchmark run is kept
        for process in self.processes:
            try:
                process.popen.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
            _signal_group(process, signal.SIGKILL)
            try:
                process.popen.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        self.processes.clear()


def _signal_group(process: Process, sig: int) -> None:
    try:
        os.killpg(process.pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _preexec() -> None:
    procstat.raise_open_files_limit()


def spawn(name: str, argv: list[str], env: dict[str, str], log: Path, port: int) -> Process:
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as out:
        popen = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            preexec_fn=_preexec,
        )
    return Process(name=name, port=port, popen=popen, log=log)


def server_argv(cfg: Config, port: int, bind: str = HOST) -> list[str]:
    if cfg.server == "daphne":
        # The endpoint string sets the listen backlog (Twisted's default is 50: a burst of
        # handshakes would be dropped and retried after a second by the kernel).
        return [
            sys.executable,
            "-m",
            "daphne",
            "-e",
            f"tcp:port={port}:interface={bind}:backlog=2048",
            "-v",
            "0",
            "chamber.asgi:application",
        ]
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "chamber.asgi:application",
        "--host",
        bind,
        "--port",
        str(port),
        "--no-access-log",
        "--log-level",
        "warning",
        "--ws",
        cfg.uvicorn_ws,
        "--backlog",
        "2048",
        "--lifespan",
        "off",
        "--ws-per-message-deflate",
        "true" if cfg.uvicorn_deflate else "false",
    ]


def wait_until_serving(process: Process, path: str, deadline: float) -> None:
    """Poll until the process answers HTTP (or has died): no fixed sleep."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # 127.0.0.1 only
    while time.monotonic() < deadline:
        if process.popen.poll() is not None:
            raise RuntimeError(f"{process.name} exited early:\n{process.log_tail()}")
        try:
            with opener.open(f"{process.origin}{path}", timeout=1) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.1)  # polling interval while the process boots
    raise RuntimeError(f"{process.name} did not start in time:\n{process.log_tail()}")


def start_workers(cfg: Config, stack: Stack, deadline: float) -> list[Process]:
    env = cfg.server_env()
    workers = []
    for i in range(cfg.workers):
        port = free_port()
        process = spawn(
            f"{cfg.server}-{i}",
            server_argv(cfg, port),
            env,
            Path(cfg.run_dir) / f"{cfg.server}-{i}-{port}.log",
            port,
        )
        stack.processes.append(process)
        workers.append(process)
    for process in workers:
        wait_until_serving(process, "/healthz", min(deadline, time.monotonic() + 60))
    return workers


def start_floor(cfg: Config, stack: Stack, deadline: float, size: int) -> Process:
    port = free_port()
    process = spawn(
        "floor",
        [sys.executable, "-m", "bench.floor", "--port", str(port), "--size", str(size)],
        {**os.environ, "PYTHONUNBUFFERED": "1"},
        Path(cfg.run_dir) / f"floor-{port}.log",
        port,
    )
    stack.processes.append(process)
    wait_until_serving(process, "/healthz", min(deadline, time.monotonic() + 30))
    return process
