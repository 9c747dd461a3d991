"""What one benchmark run does, and the targets it is held to."""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "bench" / "reports"
HOST = "127.0.0.1"  # the only address the benchmark ever connects to
SECRET_KEY = "chamber-bench-secret-key-not-for-production-0123456789"

# Targets of the issue, at N = 5,000 on the 2-core machine. Nothing asserts them: the report
# says PASS or MISS, and by how much.
TARGETS = {
    "all_connected_s": 10.0,
    "progress_age_p99_s": 1.0,
    "fanout_p99_s": 1.0,
    "all_ballots_acked_s": 5.0,
    "lost_or_duplicated": 0,
    "close_to_result_on_projectors_s": 1.0,
    "server_memory_per_connection_kb": 50.0,
    "fanout_p50_vs_floor": 3.0,
    "cpu_per_frame_vs_floor": 1.5,
}


@dataclass
class Config:
    tablets: int = 1000
    workers: int = 2
    projectors: int = 3
    server: str = "daphne"  # daphne | uvicorn
    layer: str = "redis"  # redis | pubsub
    uvicorn_ws: str = "websockets"  # websockets | websockets-sansio | wsproto
    uvicorn_deflate: bool = True  # Uvicorn's default: accept permessage-deflate offers
    client_procs: int = 2
    connect_concurrency: int = 20  # handshakes in flight, all client processes together
    agenda_steps: int = 10
    agenda_items: int = 12
    cast_spread_s: float = 1.0  # every tablet casts within this window
    # Tablets asking for the floor at once (issue 12's storm); 0: every tablet. Each request is
    # an event to every screen, so a storm of all 5,000 is 25 million frames — not a sitting.
    requesters: int = 200
    compression: bool = True  # offer permessage-deflate, as browsers do
    db_name: str = "chamber_bench"
    postgres_url: str = "postgresql://postgres@127.0.0.1:5432"
    redis_url: str = "redis://127.0.0.1:6379/0"
    profile: bool = False  # py-spy each worker, one profile per phase (bench/profile.py)
    quiet_wait_s: float = 120.0  # before a run, wait (at most this) for an idle machine
    keep_db: bool = True  # left for a look after the run; the next run recreates it
    timeout_s: float = 540.0  # the whole run; every wait inside is bounded by it too
    run_dir: Path = field(default_factory=lambda: ROOT / "var" / "bench" / uuid.uuid4().hex[:8])
    channel_prefix: str = field(default_factory=lambda: f"chamber-bench-{uuid.uuid4().hex[:8]}")

    def __post_init__(self) -> None:
        if self.server not in ("daphne", "uvicorn"):
            raise ValueError(f"unknown server {self.server!r}")
        if self.layer not in ("redis", "pubsub"):
            raise ValueError(f"unknown layer {self.layer!r}")
        if self.tablets < 1 or self.workers < 1 or self.client_procs < 1:
            raise ValueError("tablets, workers and client processes must be positive")
        if self.agenda_items < self.agenda_steps + 2:
            raise ValueError("the agenda needs more items than the chair advances")

    @property
    def storm_requesters(self) -> int:
        return min(self.tablets, self.requesters) if self.requesters > 0 else self.tablets

    @property
    def label(self) -> str:
        server = self.server if self.server == "daphne" else f"uvicorn/{self.uvicorn_ws}"
        if self.server == "uvicorn" and not self.uvicorn_deflate:
            server += "/no-deflate"
        return f"{server}+{self.layer} K={self.workers} N={self.tablets}"

    def database_url(self, name: str | None = None) -> str:
        return f"{self.postgres_url}/{name or self.db_name}"

    def server_env(self) -> dict[str, str]:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("DJANGO_", "DATABASE_", "CHANNEL_", "PYTEST_"))
        }
        env.update(
            DJANGO_SETTINGS_MODULE="chamber.settings",
            DATABASE_URL=self.database_url(),
            REDIS_URL=self.redis_url,
            CHANNEL_LAYER=self.layer,
            CHANNEL_PREFIX=self.channel_prefix,
            ALLOWED_HOSTS="127.0.0.1,localhost",
            SECRET_KEY=SECRET_KEY,
            DEBUG="0",
            SECURE_COOKIES="0",
            LOG_LEVEL="WARNING",
            PYTHONUNBUFFERED="1",
            CHAMBER_VAR_DIR=str(self.run_dir / "var"),
        )
        return env
