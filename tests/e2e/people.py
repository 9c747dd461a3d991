"""What the people of a sitting do over HTTP, as their browsers would: staff sign in through the
admin's login form, the clerk downloads the badge sheet, delegates type their badge codes, the
chair downloads the minutes. Every answer is read as a person reads it (PDF text included)."""

from __future__ import annotations

import http.client
import re
from dataclasses import dataclass
from http.cookies import SimpleCookie
from urllib.parse import urlencode

import pymupdf

from tests.servers import Server

TIMEOUT = 15.0
DEMO_PASSWORD = "chamber-demo"
BADGE_CODE = re.compile(r"\b[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}\b")


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def cookies(self) -> dict[str, str]:
        jar = SimpleCookie()
        for header in self.headers.get_all("Set-Cookie") or []:
            jar.load(header)
        return {name: morsel.value for name, morsel in jar.items()}


def request(
    server: Server,
    method: str,
    path: str,
    *,
    cookies: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
) -> Answer:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=TIMEOUT)
    headers = {}
    if cookies:
        headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
    body = None
    if form is not None:
        body = urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return Answer(response.status, response.headers, response.read())
    finally:
        connection.close()


def staff_sign_in(server: Server, username: str, password: str = DEMO_PASSWORD) -> str:
    """Sign in through ``/admin/login/`` as a person does; the session cookie."""
    page = request(server, "GET", "/admin/login/")
    assert page.status == 200, page.status
    csrf = page.cookies()["csrftoken"]
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.body).group(1)
    answer = request(
        server,
        "POST",
        "/admin/login/?next=/chair/",
        cookies={"csrftoken": csrf},
        form={
            "csrfmiddlewaretoken": token.decode(),
            "username": username,
            "password": password,
            "next": "/chair/",
        },
    )
    assert answer.status == 302, (username, answer.status, answer.body[:2000])
    return answer.cookies()["sessionid"]


def badge_codes(server: Server, clerk_cookie: str, badge_sheet_path: str) -> list[str]:
    """The codes printed under the QR codes of the council's badge sheet, in its order."""
    answer = request(server, "GET", badge_sheet_path, cookies={"sessionid": clerk_cookie})
    assert answer.status == 200, answer.status
    assert answer.headers["Content-Type"] == "application/pdf"
    with pymupdf.open("pdf", answer.body) as sheet:
        text = "\n".join(page.get_text() for page in sheet)
    return BADGE_CODE.findall(text)


def badge_sign_in(server: Server, code: str) -> str:
    """A delegate's tablet opens the badge's sign-in URL (the QR code's, or the code typed)."""
    token = code.replace("-", "")
    answer = request(server, "GET", f"/tablet/signin/{token}/")
    assert answer.status == 302, (code, answer.status)
    return answer.cookies()["sessionid"]


def pdf_lines(server: Server, path: str, cookie: str) -> list[str]:
    answer = request(server, "GET", path, cookies={"sessionid": cookie})
    assert answer.status == 200, answer.status
    assert answer.headers["Content-Type"] == "application/pdf"
    with pymupdf.open("pdf", answer.body) as document:
        return [
            line.strip()
            for page in document
            for line in page.get_text().splitlines()
            if line.strip()
        ]


def counts_in_minutes(
    lines: list[str], title: str, labels: dict[str, str], *, every: bool = False
) -> dict[str, int] | list[dict[str, int]]:
    """The counts the minutes print for the poll ``title``: the number that follows each
    choice's label in the poll's part (``– Tán thành: 16/30 đại biểu, chiếm 53,33 %;``, or a
    table row: ``Tán thành`` then ``16``). ``every``: those after each mention of the title
    (a poll and its re-vote share it)."""
    starts = [i for i, line in enumerate(lines) if title in line]
    assert starts, f"{title!r} is not in the minutes"
    sections = []
    for start in starts:
        counts = {}
        for choice, label in labels.items():
            inline = re.compile(rf"^(?:[–-]\s*)?{re.escape(label)}:\s*(\d+)")
            for i in range(start + 1, min(start + 80, len(lines) - 1)):
                if found := inline.match(lines[i]):
                    counts[choice] = int(found.group(1))
                    break
                if lines[i] == label and (number := re.match(r"\d+", lines[i + 1])):
                    counts[choice] = int(number.group())
                    break
        if len(counts) == len(labels):
            if not every:
                return counts
            sections.append(counts)
    if sections:
        return sections
    raise AssertionError(f"no counts after {title!r}: {lines[starts[0] : starts[0] + 40]}")
