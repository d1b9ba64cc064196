"""Who is acting and from where, for the audit events of the current request or task."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""  # always made by Copydesk
    ip: str = ""
    client_request_id: str = ""  # what the client sent as X-Request-ID, sanitised; never trusted as ours


current_request: ContextVar[RequestContext] = ContextVar("copydesk_request", default=RequestContext())
