"""Browser helpers: Debian's chromium driven by Playwright's sync API.

Playwright's own browser downloads are never used: the tests launch the system chromium
(``make system-deps`` installs it). Screenshots go to ``test-artifacts/`` at the repo root.

The sync API runs an asyncio loop in the test's thread while it is open, and Django refuses
ORM calls from a thread with a running loop: so a test builds its rows first, then opens the
browser with ``chromium()``, and closes it before pytest-django flushes the database.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@contextmanager
def chromium() -> Iterator[Callable]:
    """Yield ``open_context(width=, height=, locale=)``: isolated contexts (own cookies)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make system-deps` (Debian's chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

        def open_context(*, width: int, height: int, locale: str = "vi-VN"):
            context = browser.new_context(
                viewport={"width": width, "height": height},
                locale=locale,
                timezone_id="Asia/Ho_Chi_Minh",
            )
            context.set_default_timeout(15_000)
            return context

        try:
            yield open_context
        finally:
            browser.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


CONSOLE_PASSWORD = "pw-123456"


def make_console_user(role: str = "chair", *, council=None):
    """A staff account that can sign in to the console through the admin's login page.

    The password hash is PBKDF2 with few rounds: whatever hashers the server process lists,
    Django's default one verifies it, and quickly.
    """
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    from tests.factories import make_staff

    user = make_staff(role=role, council=council)
    user.is_staff = True
    hasher = PBKDF2PasswordHasher()
    user.password = hasher.encode(CONSOLE_PASSWORD, hasher.salt(), 1000)
    user.save(update_fields=["is_staff", "password"])
    return user


def console_login(page, base_url: str, user, session_id: int) -> None:
    """Sign in through the admin's login page and land on the session's console."""
    page.goto(f"{base_url}/admin/login/?next=/chair/{session_id}/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", CONSOLE_PASSWORD)
    page.click("input[type=submit]")
    # The exact URL: the login page's own URL ends with ?next=/chair/<id>/ too.
    page.wait_for_url(f"{base_url}/chair/{session_id}/")


def watch_errors(page, errors: list[str]):
    """Collect uncaught exceptions and console errors of ``page`` into ``errors``."""
    page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
    page.on(
        "console",
        lambda message: (
            errors.append(f"{page.url}: {message.text}") if message.type == "error" else None
        ),
    )
    return page
