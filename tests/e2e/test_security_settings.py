"""Debug pages only on loopback; CSP on every page; HTTPS only (HSTS, redirect, secure
cookies) when SECRET_KEY is set, unless SECURE_COOKIES=false (issue 10, item 23).

Real server processes, started with the environment `make demo` and production give them.
"""

from __future__ import annotations

import http.client
import subprocess
from contextlib import contextmanager

import pytest

from tests.servers import ROOT, running_servers, server_env

pytestmark = pytest.mark.django_db(transaction=True)

DEBUG_PAGE = "DEBUG = True"  # what Django's debug 404/500 pages say about themselves


@contextmanager
def server_with(server: str = "daphne", **env: str):
    with running_servers(1, env=server_env(redis=False) | env, server=server) as [started]:
        yield started


def get(server, path: str, **headers: str) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=20)
    connection.request("GET", path, headers=headers)
    answer = connection.getresponse()
    answer.text = answer.read().decode("utf-8", "replace")
    connection.close()
    return answer


def make_dry_run(*args: str) -> str:
    done = subprocess.run(
        ["make", "-n", *args], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return done.stdout


def test_make_demo_tells_the_server_where_it_listens():
    assert "CHAMBER_BIND_HOST=0.0.0.0 " in make_dry_run("demo", "HOST=0.0.0.0")
    assert "CHAMBER_BIND_HOST=127.0.0.1 " in make_dry_run("demo")


def test_on_the_rooms_network_there_are_no_debug_pages():
    # Bound (as far as Chamber is told) to every interface, as `make demo HOST=0.0.0.0` is;
    # no SECRET_KEY, as in the demo.
    with server_with(CHAMBER_BIND_HOST="0.0.0.0") as server:
        answer = get(server, "/no-such-page/")
        assert answer.status == 404
        assert DEBUG_PAGE not in answer.text and "urlpatterns" not in answer.text.lower()
        # Plain HTTP still works for the demo on the room's network: no redirect, no HSTS.
        page = get(server, "/tablet/signin/")
        assert page.status == 200
        assert "Strict-Transport-Security" not in page.headers
        assert "Secure" not in (page.headers.get("Set-Cookie") or "")


def test_on_loopback_the_developer_keeps_the_debug_pages():
    with server_with(CHAMBER_BIND_HOST="127.0.0.1") as server:
        answer = get(server, "/no-such-page/")
        assert answer.status == 404 and DEBUG_PAGE in answer.text


def test_every_page_carries_a_strict_content_security_policy():
    with server_with() as server:
        for path in ("/tablet/signin/", "/admin/login/", "/archive/"):
            policy = get(server, path).headers["Content-Security-Policy"]
            directives = dict(
                (part.split(" ", 1) + [""])[:2] for part in policy.split("; ") if part
            )
            assert directives["script-src"] == "'self'", path
            assert directives["style-src"] == "'self'", path
            assert "unsafe" not in policy
            assert directives["object-src"] == "'none'"
            assert directives["frame-ancestors"] == "'none'"
            assert f"ws://127.0.0.1:{server.port}" in directives["connect-src"]


def test_with_a_secret_key_http_is_redirected_and_https_is_pinned():
    # Uvicorn as in production: it trusts X-Forwarded-Proto from the proxy (here, loopback).
    with server_with("uvicorn", SECRET_KEY="s3cret-" * 8) as server:
        answer = get(server, "/tablet/signin/")
        assert answer.status == 301
        assert answer.headers["Location"] == f"https://127.0.0.1:{server.port}/tablet/signin/"
        assert get(server, "/healthz").status == 200  # the health check is not redirected

        secure = get(server, "/tablet/signin/", **{"X-Forwarded-Proto": "https"})
        assert secure.status == 200
        assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")
        assert "; Secure" in secure.headers["Set-Cookie"]  # the CSRF cookie
        assert (
            DEBUG_PAGE not in get(server, "/no-such-page/", **{"X-Forwarded-Proto": "https"}).text
        )


def test_secure_cookies_false_serves_a_closed_lan_over_plain_http():
    with server_with("uvicorn", SECRET_KEY="s3cret-" * 8, SECURE_COOKIES="false") as server:
        answer = get(server, "/tablet/signin/")
        assert answer.status == 200
        assert "Strict-Transport-Security" not in answer.headers
        assert "Secure" not in answer.headers["Set-Cookie"]
        assert "Content-Security-Policy" in answer.headers
