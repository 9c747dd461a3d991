"""Optional py-spy profiles of the worker processes, one per phase (``--profile``).

py-spy is not a dependency of the project: ``.venv/bin/pip install py-spy`` to use this.
Each phase writes collapsed stacks (``--format raw``) per worker to the run directory;
``python -m bench.profile FILE...`` prints the functions that took the most samples.
"""

from __future__ import annotations

import collections
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path


class Profiler:
    def __init__(self, run_dir: Path, enabled: bool) -> None:
        self.run_dir = Path(run_dir)
        self.enabled = enabled and self._py_spy() is not None
        self.running: list[subprocess.Popen] = []
        self.files: list[str] = []

    @staticmethod
    def _py_spy() -> str | None:
        local = Path(sys.executable).parent / "py-spy"
        return str(local) if local.exists() else shutil.which("py-spy")

    def start(self, phase: str, pids: dict[str, int]) -> None:
        if not self.enabled:
            return
        self.stop()
        for name, pid in pids.items():
            out = self.run_dir / f"profile-{phase}-{name}.txt"
            self.files.append(str(out))
            self.running.append(
                subprocess.Popen(
                    [
                        self._py_spy(),
                        "record",
                        "-p",
                        str(pid),
                        "-r",
                        "100",
                        "--format",
                        "raw",
                        "-o",
                        str(out),
                        "--nonblocking",
                        "--threads",
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    start_new_session=True,
                )
            )
        time.sleep(0.5)  # attached before the phase starts

    def stop(self) -> None:
        for process in self.running:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        for process in self.running:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        self.running.clear()


def top_self(paths: list[str], top: int = 3) -> list[str]:
    """The functions with the most samples of their own, as ``"37% frame"``: what a profile
    says to look at next."""
    own: collections.Counter = collections.Counter()
    for path in paths:
        try:
            text = Path(path).read_text()
        except OSError:
            continue
        for line in text.splitlines():
            stack, _, count = line.rpartition(" ")
            if count.isdigit() and stack:
                own[stack.split(";")[-1]] += int(count)
    total = sum(own.values())
    return [f"{n / total:.0%} {frame}" for frame, n in own.most_common(top)] if total else []


def summarise(paths: list[str], top: int = 25) -> str:
    """Self and inclusive samples per function, over the collapsed stacks of ``paths``."""
    own: collections.Counter = collections.Counter()
    inclusive: collections.Counter = collections.Counter()
    total = 0
    for path in paths:
        for line in Path(path).read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            if not count.isdigit():
                continue
            n = int(count)
            frames = stack.split(";")
            if frames and frames[0].startswith("thread"):
                frames = frames[1:]
            total += n
            if frames:
                own[frames[-1]] += n
            for frame in set(frames):
                inclusive[frame] += n
    lines = [f"{total} samples in {len(paths)} file(s)", "", "self:"]
    lines += [f"  {n / total:6.1%}  {f}" for f, n in own.most_common(top)] if total else []
    lines += ["", "inclusive:"]
    lines += [f"  {n / total:6.1%}  {f}" for f, n in inclusive.most_common(top)] if total else []
    return "\n".join(lines)


if __name__ == "__main__":
    print(summarise(sys.argv[1:]))
