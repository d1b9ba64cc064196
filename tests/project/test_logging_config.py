"""Request logs carry what an operator needs: one line for a routine 4xx, a traceback only for real errors.
Read from what the console handler (the one LOGGING configures) writes."""

from __future__ import annotations

import io
import logging
import sys
from collections.abc import Iterator

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


class Console:
    """What the console handler configured by LOGGING writes, from now on."""

    def __init__(self, stream: io.StringIO) -> None:
        self.stream = stream

    def read(self) -> str:
        text = self.stream.getvalue()
        self.stream.seek(0)
        self.stream.truncate()
        return text


@pytest.fixture
def console() -> Iterator[Console]:  # pytest's capfd cannot see a stream bound at start-up
    handler = next(h for h in logging.getLogger().handlers if isinstance(h, logging.StreamHandler) and h.filters)
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        yield Console(stream)
    finally:
        handler.setStream(previous)  # type: ignore[arg-type]


def console_lines(console: Console) -> list[str]:
    return [line for line in console.read().splitlines() if line.strip()]


def request_lines(console: Console) -> list[str]:
    return [line for line in console_lines(console) if " django." in line and "axes" not in line]


def test_a_403_is_one_line_without_a_traceback(client, marketer, console):
    client.force_login(marketer)
    console.read()
    assert client.get(reverse("user_list")).status_code == 403
    lines = request_lines(console)
    assert len(lines) == 1 and lines[0].endswith("WARNING django.request Forbidden (Permission denied): /users/")


def test_a_favicon_is_an_empty_answer_and_other_404s_are_one_line(client, marketer, console):
    console.read()
    assert client.get("/favicon.ico").status_code == 204  # signed in or not
    client.force_login(marketer)
    console.read()
    assert client.get("/favicon.ico").status_code == 204
    assert client.get("/apple-touch-icon.png").status_code == 404
    assert client.get("/no-such-page/").status_code == 404
    lines = request_lines(console)
    assert len(lines) == 1 and lines[0].endswith("Not Found: /no-such-page/")


def test_a_disallowed_host_is_one_line(client, console):
    console.read()
    assert client.get(reverse("login"), HTTP_HOST="evil.example").status_code == 400
    lines = console_lines(console)
    assert any("django.security.DisallowedHost" in line for line in lines)
    assert not any("Traceback" in line for line in lines)


def test_a_server_error_keeps_its_traceback(console):
    console.read()
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        logging.getLogger("django.request").error("Internal Server Error: /x/", exc_info=sys.exc_info(), extra={"status_code": 500})
    text = console.read()
    assert "Traceback" in text and "RuntimeError: boom" in text


def test_axes_says_nothing_at_a_sign_in_but_still_warns_of_failures(client, marketer, console):
    from tests.conftest import PASSWORD

    console.read()
    client.post(reverse("login"), {"username": marketer.username, "password": PASSWORD})
    assert not [line for line in console_lines(console) if "axes" in line]
    client.logout()
    client.post(reverse("login"), {"username": marketer.username, "password": "not-the-password"})
    assert any("axes" in line and "WARNING" in line for line in console_lines(console))


def test_kombus_hostname_fallback_is_dropped_and_its_other_warnings_kept(console):
    console.read()
    logging.getLogger("kombu.connection").warning("No hostname was supplied. Reverting to default 'localhost'")
    logging.getLogger("kombu.connection").warning("Connection to broker lost")
    lines = [line for line in console_lines(console) if "kombu" in line]
    assert len(lines) == 1 and lines[0].endswith("Connection to broker lost")
