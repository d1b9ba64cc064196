from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from workbench.audit.context import RequestContext, current_request

CLIENT_REQUEST_ID_CHARS = 64
# Visible ASCII only: a client's id ends up in the audit log, its exports and log lines.
NOT_ID_CHARACTER = re.compile(r"[^\x21-\x7e]")


def client_request_id(header: str) -> str:
    """The client's own X-Request-ID, reduced to visible ASCII and cut to the column's length."""
    return NOT_ID_CHARACTER.sub("", header)[:CLIENT_REQUEST_ID_CHARS]


class RequestContextMiddleware:
    """Gives every request an id of Copydesk's own (echoed as X-Request-ID) that its audit events carry.

    A client's X-Request-ID is kept beside it (client_request_id), never used as ours: a client
    choosing the id could make its requests look like, or collide with, someone else's."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = uuid.uuid4().hex
        context = RequestContext(
            request_id=request_id, ip=request.META.get("REMOTE_ADDR", ""),
            client_request_id=client_request_id(request.headers.get("X-Request-ID", "")),
        )
        token = current_request.set(context)
        try:
            response = self.get_response(request)
        finally:
            current_request.reset(token)
        response["X-Request-ID"] = request_id
        return response
