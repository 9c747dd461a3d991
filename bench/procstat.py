"""CPU time and memory of processes, read from /proc (Linux only, no dependency)."""

from __future__ import annotations

import os
import resource
from collections.abc import Iterable
from dataclasses import dataclass

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


def raise_open_files_limit() -> int:
    """Soft limit of open files up to the hard limit: thousands of sockets per process."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY:
        hard = 1 << 20
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def _stat_fields(pid: int) -> list[str] | None:
    try:
        with open(f"/proc/{pid}/stat") as f:
            text = f.read()
    except OSError:
        return None
    # The command name is in parentheses and may hold spaces: split after its last ")".
    return text[text.rfind(")") + 2 :].split()


def cpu_seconds(pid: int, *, children: bool = False) -> float:
    """utime + stime of a process (and of its reaped children: a postmaster's backends)."""
    fields = _stat_fields(pid)
    if fields is None:
        return 0.0
    # Fields after the name start at field 3 (state): utime is field 14, stime 15,
    # cutime 16, cstime 17 in proc(5) numbering.
    ticks = int(fields[11]) + int(fields[12])
    if children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / CLOCK_TICKS


def rss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * PAGE_SIZE
    except OSError:
        return 0


def group_pids(pgid: int) -> list[int]:
    """Every live process of a process group (a server and whatever it forked)."""
    pids = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        fields = _stat_fields(int(name))
        if fields is not None and int(fields[2]) == pgid:
            pids.append(int(name))
    return pids


def pids_named(command: str) -> list[int]:
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/comm") as f:
                if f.read().strip() == command:
                    found.append(int(name))
        except OSError:
            continue
    return found


@dataclass(frozen=True)
class Sample:
    cpu: float  # seconds
    rss: int  # bytes


def sample(pids: Iterable[int]) -> Sample:
    pids = list(pids)
    return Sample(cpu=sum(cpu_seconds(p) for p in pids), rss=sum(rss_bytes(p) for p in pids))


def services_cpu() -> dict[str, float]:
    """CPU seconds so far of Redis and PostgreSQL (the postmaster counts its reaped backends)."""
    redis = sum(cpu_seconds(p) for p in pids_named("redis-server"))
    postgres = 0.0
    for pid in pids_named("postgres"):
        # The postmaster is the one whose parent is not a postgres process.
        postgres += cpu_seconds(pid, children=_is_postmaster(pid))
    return {"redis": redis, "postgres": postgres}


def _is_postmaster(pid: int) -> bool:
    fields = _stat_fields(pid)
    if fields is None:
        return False
    try:
        with open(f"/proc/{fields[1]}/comm") as f:
            return f.read().strip() != "postgres"
    except OSError:
        return True


def system_cpu_busy() -> tuple[float, float]:
    """(busy, total) seconds of all cores since boot, from /proc/stat."""
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    total = sum(values[:8])
    return (total - idle) / CLOCK_TICKS, total / CLOCK_TICKS


def wait_quiet(max_wait: float, threshold: float = 0.25, window: float = 2.0) -> float:
    """Wait (at most ``max_wait`` s) until the machine is less than ``threshold`` busy over a
    ``window``: other people's test runs share these two cores. Returns the last busy fraction."""
    import time

    deadline = time.monotonic() + max_wait
    while True:
        busy0, total0 = system_cpu_busy()
        time.sleep(window)
        busy1, total1 = system_cpu_busy()
        fraction = (busy1 - busy0) / max(1e-9, total1 - total0)
        if fraction < threshold or time.monotonic() >= deadline:
            return fraction
