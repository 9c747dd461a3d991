"""Settings of the test suite: Chamber's own, on PostgreSQL unless told otherwise."""

import os

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test")

from chamber.settings import *  # noqa: E402,F403

# Every event a test publishes is checked against its declaration (realtime.events).
CHAMBER_CHECK_EVENTS = True

# No deadline clock in the test process itself (a thread on the test database); the servers a
# test starts get it with CHAMBER_CLOCK=1 (tests/resolutions/test_clock_server.py).
CHAMBER_CLOCK = env_bool("CHAMBER_CLOCK", False)  # noqa: F405

# Fast hashing for test users; the default still verifies for users made otherwise.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

# One test database per test run, so that runs side by side never drop each other's.
DATABASES["default"]["TEST"] = {  # noqa: F405
    "NAME": os.environ.get("TEST_DB_NAME", f"test_chamber_{os.getpid()}")
}

# The test database's commits do not wait for their write-ahead log to reach the disk (each
# connection's setting, the server's is untouched): what other sessions see, and when, is the
# same; only a crash of PostgreSQL itself could lose the last commits, of a database dropped at
# the end of the run anyway. A commit was an fsync: most of a test's time on a busy disk. The
# servers a test starts use these settings too (tests/servers.py).
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    DATABASES["default"]["OPTIONS"]["options"] += " -c synchronous_commit=off"  # noqa: F405
