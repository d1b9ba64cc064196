"""Requests Copydesk makes to addresses its users typed (a brand's review webhook): only to the public internet.

An admin's webhook address is fetched by the worker from inside the deployment, where the database, Redis, the
cloud's metadata service and other internal services answer. So, unless the operator allows private addresses
(``COPYDESK_WEBHOOK_ALLOW_PRIVATE=1``, for a chat server on the company network):

* an address naming a private, loopback, link-local or otherwise non-public IP, or ``localhost``, is refused when
  it is saved;
* at delivery the address the connection actually reached is checked before anything is sent, so a name that
  resolves (or is re-pointed after saving, "DNS rebinding") to an internal address is refused too;
* redirects are not followed and proxies from the environment are not used (the check is of the real peer);
* the answer is read up to 64 KiB.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

from workbench.errors import CopydeskError

MAX_ANSWER_BYTES = 64 * 1024


class PrivateAddressError(CopydeskError):
    """The address is not on the public internet and private addresses are not allowed."""


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # an IPv6 zone ("fe80::1%eth0") is not part of the address
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    return ip.is_global and not ip.is_multicast


def _private_allowed() -> bool:
    return bool(getattr(settings, "WEBHOOK_ALLOW_PRIVATE", False))


def check_url_host(url: str) -> None:
    """Refuse, when it is saved, an address whose host is plainly not public (a name is judged at delivery)."""
    if _private_allowed():
        return
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        raise PrivateAddressError("That address is this server itself; a webhook must be on the public internet.")
    try:
        public = is_public(host)
    except ValueError:
        return  # a name, not an address
    if not public:
        raise PrivateAddressError(
            f"{host} is a private or reserved address; a webhook must be on the public internet "
            "(the operator can allow private addresses with COPYDESK_WEBHOOK_ALLOW_PRIVATE=1)."
        )


def _public_connection(address: tuple[str, int], *args: Any, **kwargs: Any) -> socket.socket:
    sock = socket.create_connection(address, *args, **kwargs)
    peer = sock.getpeername()[0]
    if not _private_allowed() and not is_public(peer):
        sock.close()
        raise PrivateAddressError(f"{address[0]} resolved to {peer}, which is not a public address; nothing was sent.")
    return sock


class _PublicHTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = _public_connection


class _PublicHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = _public_connection


class _PublicHTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_PublicHTTPConnection, req)


class _PublicHTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_PublicHTTPSConnection, req, context=self._context)  # type: ignore[attr-defined]


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req: urllib.request.Request, fp: Any, code: int, msg: str, headers: Any, newurl: str) -> None:
        raise urllib.error.HTTPError(req.full_url, code, f"redirect to {newurl} not followed", headers, fp)


def post_json(url: str, body: bytes, *, timeout: float) -> int:
    """POST ``body`` as JSON to ``url`` under the rules above; the answer's status. Raises OSError (urllib's errors
    included) on a network error or a non-2xx answer, PrivateAddressError on a non-public peer."""
    opener = urllib.request.OpenerDirector()
    for handler in (urllib.request.ProxyHandler({}), urllib.request.UnknownHandler(), _PublicHTTPHandler(),
                    _PublicHTTPSHandler(), _NoRedirects(), urllib.request.HTTPErrorProcessor(), urllib.request.HTTPDefaultErrorHandler()):
        opener.add_handler(handler)
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"}, method="POST")
    with opener.open(request, timeout=timeout) as response:
        response.read(MAX_ANSWER_BYTES)
        return int(response.status)
