"""Which code a run measured: the commit, and what was uncommitted in the work tree.

Several people work in the same tree while the benchmark runs: each run records this when its
servers start (they import the code then), not when the report is written.
"""

from __future__ import annotations

import subprocess

from bench.config import ROOT


def source_state() -> dict:
    def git(*args: str) -> str:
        try:
            done = subprocess.run(
                ["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10
            )
        except (OSError, subprocess.TimeoutExpired):
            return ""
        return done.stdout.rstrip()

    changed = [
        line[3:]
        for line in git("status", "--porcelain").splitlines()
        if not line[3:].startswith(("bench/", "tests/"))
    ]
    return {"commit": git("rev-parse", "--short", "HEAD").strip(), "uncommitted": changed}
