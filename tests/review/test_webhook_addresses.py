"""A brand's review webhook reaches the public internet only: private, loopback and metadata addresses are refused
when saved and, whatever a name resolves to, when posted; redirects are not followed."""

from __future__ import annotations

import logging
import threading
import urllib.error
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from django.urls import reverse

from tests.smtp_and_webhook import webhook_server
from workbench.brand.actions import brand_review_webhook_update
from workbench.errors import CopydeskError
from workbench.outbound import is_public
from workbench.review import notify

pytestmark = pytest.mark.django_db

NOT_PUBLIC = [
    "http://127.0.0.1/hook", "http://10.0.0.5/hook", "http://192.168.1.1/", "http://172.16.3.4:8080/x",
    "http://169.254.169.254/latest/meta-data/", "http://[::1]/hook", "http://[::ffff:127.0.0.1]/hook",
    "http://[fd00::1]/hook", "http://0.0.0.0/hook", "http://100.64.0.1/hook", "http://localhost:6379/",
    "http://api.localhost/hook", "http://LOCALHOST:8000/hook",
]


@pytest.mark.parametrize("url", NOT_PUBLIC)
def test_it_refuses_a_private_address_when_saved_and_keeps_the_old_one(brand, admin_user, url):
    brand_review_webhook_update(brand, url="https://hooks.example.com/T1/B2", acting_user=admin_user)
    with pytest.raises(CopydeskError, match="public internet"):
        brand_review_webhook_update(brand, url=url, acting_user=admin_user)
    brand.refresh_from_db()
    assert brand.review_webhook_url == "https://hooks.example.com/T1/B2"


def test_the_guide_page_says_why_an_address_was_refused(logged_in, brand, admin_user):
    page = logged_in(admin_user).post(reverse("brand_review_webhook", args=[brand.slug]), {"review_webhook_url": "http://169.254.169.254/latest"}, follow=True)
    assert "169.254.169.254 is a private or reserved address" in page.content.decode()
    brand.refresh_from_db()
    assert brand.review_webhook_url == ""


def test_the_operator_can_allow_private_addresses(brand, admin_user, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    assert brand_review_webhook_update(brand, url="http://10.0.0.5/hooks/review", acting_user=admin_user).review_webhook_url == "http://10.0.0.5/hooks/review"


@pytest.mark.parametrize(("scheme", "host"), [
    ("http", "localhost"), ("http", "127.0.0.1"), ("http", "2130706433"), ("http", "0x7f.1"),
    ("https", "localhost"),  # refused before the TLS handshake, not by it
])
def test_a_name_or_number_that_reaches_this_machine_gets_nothing_and_is_not_retried(brand, caplog, scheme, host):
    """Saved before the rule, or a public name re-pointed at an internal address later: the connection's real
    peer is checked before a byte is sent. No exception, so the task does not retry a refusal that cannot pass."""
    with webhook_server() as (received, url):
        port = url.split(":")[2].split("/")[0]
        brand.review_webhook_url = f"{scheme}://{host}:{port}/hooks/review"
        brand.save(update_fields=["review_webhook_url"])
        with caplog.at_level(logging.WARNING, logger="workbench.review.notify"):
            notify.deliver_webhook(brand.pk, "Overdue: Spring boots")
    assert received == []
    assert "which is not a public address; nothing was sent" in caplog.text


@contextmanager
def redirecting_server(location: str) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            self.send_response(307)
            self.send_header("Location", location)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/hook"
    finally:
        server.shutdown()
        server.server_close()


def test_a_redirect_is_not_followed(brand, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    with webhook_server() as (received, target), redirecting_server(target) as url:
        brand.review_webhook_url = url
        brand.save(update_fields=["review_webhook_url"])
        with pytest.raises(urllib.error.HTTPError, match="not followed"):
            notify.deliver_webhook(brand.pk, "Overdue: Spring boots")
    assert received == []


@pytest.mark.parametrize(("address", "public"), [
    ("8.8.8.8", True), ("2606:4700:4700::1111", True), ("127.0.0.1", False), ("10.1.2.3", False),
    ("169.254.169.254", False), ("::1", False), ("::ffff:10.0.0.1", False), ("fe80::1%eth0", False),
    ("224.0.0.1", False), ("100.64.0.1", False), ("0.0.0.0", False),
])
def test_what_counts_as_public(address, public):
    assert is_public(address) is public
