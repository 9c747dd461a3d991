"""Fixtures shared by the whole suite. The services must be up: PostgreSQL and Redis."""

import os
import socket
import tempfile

import pytest
from hypothesis import settings as hypothesis_settings

# Properties of the rules, not timings: an example slowed by a loaded machine (CI shares two
# cores with servers and browsers) must not fail the per-example deadline.
hypothesis_settings.register_profile("chamber", deadline=None)
hypothesis_settings.load_profile("chamber")


def pytest_configure(config):
    """The end of a transactional test: a DELETE and a copy instead of TRUNCATE and
    post_migrate (tests/flush.py; the same database left behind, ~50x faster).

    Temporary files in memory when the machine has /dev/shm: the SQLite databases of the
    embedded install (``make demo``'s file, in write-ahead-log mode all the same), the
    servers' logs and chromium's profiles. On a busy disk each SQLite commit's fsync took
    tens of milliseconds: ``chamber migrate`` and ``load_demo`` spent 26 s and 43 s of wall
    time for 6 s and 7 s of CPU. Pytest's own folders (tmp_path) follow TMPDIR; the servers
    and commands a test starts inherit it. Left alone when TMPDIR or --basetemp is given.
    """
    from tests.flush import install

    install()
    shm = "/dev/shm"
    if (
        "TMPDIR" not in os.environ
        and config.option.basetemp is None
        and os.path.isdir(shm)
        and os.access(shm, os.W_OK)
    ):
        os.environ["TMPDIR"] = shm
        tempfile.tempdir = None  # gettempdir() reads TMPDIR again

START_POSTGRES = "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
START_REDIS = (
    'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" '
    "--appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log"
)
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def pytest_sessionstart(session):
    """Fail at once, saying how to start them, when PostgreSQL or Redis is down."""
    from django.conf import settings

    problems = []
    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("postgresql") and not _reachable(
        database.get("HOST") or "127.0.0.1", int(database.get("PORT") or 5432)
    ):
        problems.append(
            f"PostgreSQL is not reachable on 127.0.0.1:5432. Start it: {START_POSTGRES}"
        )
    if not _reachable("127.0.0.1", 6379):
        problems.append(f"Redis is not reachable on 127.0.0.1:6379. Start it: {START_REDIS}")
    if problems:
        pytest.exit("\n".join(problems), returncode=3)


@pytest.fixture(scope="session", autouse=True)
def _close_stray_connections(django_db_setup, django_db_blocker):
    """Consumers leave connections open in asgiref's worker threads: end them before the test
    database is dropped, so the next run starts clean."""
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.fixture
def published():
    """Run a service, let its transaction 'commit', and see the events it published.

    Usage: ``with published() as events: service(...)``; each event is the decoded envelope
    plus its ``group``, verified against its declaration (tests/events.py, which also has
    ``expect_events`` to assert the frames by number).
    """
    from tests.events import captured

    return captured


@pytest.fixture(autouse=True)
def _forget_shared_snapshots():
    """Each test's rows are rolled back (or flushed, and their ids may come again): a public
    part built for one test's session must not answer another's (realtime.shared_snapshot)."""
    from realtime.shared_snapshot import shared_parts

    shared_parts.clear()
    yield
    shared_parts.clear()
