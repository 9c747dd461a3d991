"""Documents benchmark: a 300-page PDF from upload to the first page on a tablet.

``python -m bench.documents [--pages 300] [--render-processes 2]`` (``make bench-documents``)
starts one real server on its own PostgreSQL database, signs a tablet in, uploads a PDF with
Vietnamese text through the clerk's page over HTTP, and measures:

* upload: the POST until the clerk's page answers (inspection, text extraction, storage);
* first page visible: from the start of the upload until the tablet, told by the
  ``document.added`` event, has downloaded page 1's image;
* pages rendered per second: every page at tablet width, in the worker processes, from the
  end of the upload until the progress the clerk's page polls says all pages are ready.

Only 127.0.0.1 is contacted; every process it starts is stopped; every wait has a deadline.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from http.cookies import SimpleCookie
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "bench" / "reports"
ADMIN_URL = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres")
DB_NAME = "chamber_bench_documents"
DEADLINE_SECONDS = 600


def make_pdf(pages: int) -> bytes:
    """A report-like PDF: a heading, Vietnamese paragraphs and a table-like grid per page."""
    import pymupdf

    document = pymupdf.open()
    font = pymupdf.Font("notos")
    text = (
        "Nghị quyết về dự toán ngân sách địa phương và phân bổ ngân sách năm 2027. "
        "Hội đồng nhân dân phường thảo luận báo cáo kinh tế - xã hội, quy hoạch sử dụng đất, "
        "đầu tư công trung hạn và chương trình giám sát. "
    ) * 6
    for number in range(1, pages + 1):
        page = document.new_page(width=595, height=842)
        writer = pymupdf.TextWriter(page.rect)
        writer.append((56, 70), f"Trang {number} — Báo cáo tổng hợp", font=font, fontsize=16)
        writer.fill_textbox(pymupdf.Rect(56, 90, 540, 520), text, font=font, fontsize=10)
        writer.write_text(page)
        for row in range(8):
            y = 540 + row * 28
            page.draw_rect(pymupdf.Rect(56, y, 540, y + 28), color=(0.4, 0.4, 0.4), width=0.5)
    data = document.tobytes(garbage=3, deflate=True)
    document.close()
    return data


def database_url(name: str) -> str:
    return ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


def recreate_database() -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=10) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')


def drop_database() -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=10) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')


def seed(env: dict[str, str]) -> dict:
    """Council, live session, a clerk and a signed-in tablet, made by a child process on the
    bench database (this process never loads Django's settings)."""
    script = r"""
import json, django
django.setup()
from django.contrib.auth.models import Group, User
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.auth import SESSION_KEY, BACKEND_SESSION_KEY, HASH_SESSION_KEY
from meeting.roles import sync_role_groups
from meeting.models import Council, Delegate, Membership, Session, AgendaItem
import datetime
sync_role_groups()
council = Council.objects.create(name="HĐND Phường Đo Tài Liệu", level="ward", seats=30)
Delegate.objects.bulk_create(
    Delegate(council=council, full_name=f"Đại biểu {i}") for i in range(30)
)
session = Session.objects.create(council=council, number=1, title="Kỳ họp đo",
    planned_start=datetime.date(2026, 12, 1), planned_end=datetime.date(2026, 12, 1),
    status="in_progress")
item = AgendaItem.objects.create(session=session, title="Dự toán ngân sách")
session.current_item = item; session.save()
clerk = User.objects.create_user("vanthu-bench", password="x-bench-x", is_staff=True)
clerk.groups.add(Group.objects.get(name="clerk"))
Membership.objects.create(user=clerk, council=council, role="clerk")
def cookie(**values):
    store = SessionStore(); store.update(values); store.create(); return store.session_key
delegate = council.delegates.first()
print(json.dumps({
    "session": session.pk, "item": item.pk,
    "clerk_cookie": cookie(**{SESSION_KEY: str(clerk.pk),
        BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
        HASH_SESSION_KEY: clerk.get_session_auth_hash()}),
    "tablet_cookie": cookie(delegate_id=delegate.pk, badge_key=delegate.badge_key),
}))
"""
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def request(port, method, path, *, cookies, body=None, headers=None, timeout=120):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        all_headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
        all_headers.update(headers or {})
        connection.request(method, path, body=body, headers=all_headers)
        response = connection.getresponse()
        return response.status, response.read(), response.headers
    finally:
        connection.close()


def multipart(fields: dict[str, str], file_bytes: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        header = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        parts.append(f"{header}{value}\r\n".encode())
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="bao-cao.pdf"'
        f"\r\nContent-Type: application/pdf\r\n\r\n".encode()
        + file_bytes
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


async def tablet_waits_for_document(port: int, fixture: dict, started: asyncio.Event) -> dict:
    from websockets.asyncio.client import connect

    async with connect(
        f"ws://127.0.0.1:{port}/ws/tablet/{fixture['session']}/",
        origin=f"http://127.0.0.1:{port}",
        additional_headers={"Cookie": f"sessionid={fixture['tablet_cookie']}"},
        max_size=None,
    ) as ws:
        snapshot = json.loads(await ws.recv())
        assert snapshot["type"] == "snapshot", snapshot
        started.set()
        while True:
            frame = json.loads(await ws.recv())
            if frame["type"] == "document.added":
                return {"event_at": time.monotonic(), "document": frame["data"]["document"]}


async def run(pages: int, render_processes: int) -> dict:
    recreate_database()
    media = Path(tempfile.mkdtemp(prefix="chamber-bench-media-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "chamber.settings",
        "DATABASE_URL": database_url(DB_NAME),
        "MEDIA_ROOT": str(media),
        "CHAMBER_RENDER_PROCESSES": str(render_processes),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("REDIS_URL", None)
    subprocess.run(
        [sys.executable, "-m", "chamber.cli", "migrate", "--no-input", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=300,
    )
    fixture = seed(env)
    pdf = make_pdf(pages)
    port = _free_port()
    log = open(media / "server.log", "w")  # noqa: SIM115 - closed in finally
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "daphne",
            "-b",
            "127.0.0.1",
            "-p",
            str(port),
            "chamber.asgi:application",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        _wait_serving(port)
        clerk = {"sessionid": fixture["clerk_cookie"]}
        staff_path = f"/staff/sessions/{fixture['session']}/documents/"
        status, page, headers = request(port, "GET", staff_path, cookies=clerk)
        assert status == 200, status
        csrf_cookie = SimpleCookie(headers.get("Set-Cookie", ""))["csrftoken"].value
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
        body, content_type = multipart(
            {
                "csrfmiddlewaretoken": token,
                "title": "Báo cáo 300 trang",
                "access": "delegates",
                "agenda_item": str(fixture["item"]),
            },
            pdf,
        )
        started = asyncio.Event()
        waiting = asyncio.create_task(tablet_waits_for_document(port, fixture, started))
        await asyncio.wait_for(started.wait(), 30)
        upload_started = time.monotonic()
        status, _, _ = await asyncio.to_thread(
            request,
            port,
            "POST",
            staff_path,
            cookies={**clerk, "csrftoken": csrf_cookie},
            body=body,
            headers={"Content-Type": content_type, "Referer": f"http://127.0.0.1:{port}/"},
        )
        upload_done = time.monotonic()
        assert status == 302, f"upload answered {status}"
        added = await asyncio.wait_for(waiting, 60)
        tablet = {"sessionid": fixture["tablet_cookie"]}
        first_path = f"{added['document']['pages_url']}1.png?w=1280"
        status, image, _ = await asyncio.to_thread(request, port, "GET", first_path, cookies=tablet)
        first_page_visible = time.monotonic()
        assert status == 200 and image.startswith(b"\x89PNG"), status
        progress_path = f"{staff_path}progress/"
        deadline = time.monotonic() + DEADLINE_SECONDS
        while True:
            _, answer, _ = await asyncio.to_thread(
                request, port, "GET", progress_path, cookies=clerk
            )
            item = json.loads(answer)["documents"][0]
            if item["rendered"] >= item["pages"]:
                all_rendered = time.monotonic()
                break
            if time.monotonic() > deadline:
                raise TimeoutError(f"only {item['rendered']} of {item['pages']} pages rendered")
            await asyncio.sleep(0.2)  # polling interval of the progress bar
        return {
            "pages": pages,
            "pdf_bytes": len(pdf),
            "render_processes": render_processes,
            "upload_s": round(upload_done - upload_started, 3),
            "document_added_event_s": round(added["event_at"] - upload_started, 3),
            "first_page_visible_s": round(first_page_visible - upload_started, 3),
            "all_pages_rendered_s": round(all_rendered - upload_started, 3),
            "pages_rendered_per_s": round(pages / (all_rendered - upload_done), 1),
            "first_page_bytes": len(image),
        }
    finally:
        os.killpg(server.pid, 15)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, 9)
        log.close()
        shutil.rmtree(media, ignore_errors=True)
        drop_database()


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_serving(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            status, _, _ = request(port, "GET", "/healthz", cookies={}, timeout=2)
            if status == 200:
                return
        except OSError:
            time.sleep(0.1)  # polling interval while the server boots
    raise TimeoutError("the server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--render-processes", type=int, default=2)
    args = parser.parse_args()
    result = asyncio.run(run(args.pages, args.render_processes))
    REPORTS.mkdir(parents=True, exist_ok=True)
    (REPORTS / "documents-latest.json").write_text(json.dumps(result, indent=2))
    width = max(len(key) for key in result)
    print("Documents benchmark (python -m bench.documents " + " ".join(sys.argv[1:]) + ")")
    for key, value in result.items():
        print(f"  {key:<{width}}  {value}")


if __name__ == "__main__":
    main()
