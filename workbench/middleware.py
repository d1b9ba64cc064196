from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

log = logging.getLogger(__name__)

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)


class ContentSecurityPolicyMiddleware:
    """A strict CSP on every response: no inline script or style, so injected markup cannot run."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response


def _is_database_down(exc: BaseException | None) -> bool:
    return isinstance(exc, (OperationalError, InterfaceError)) and not _is_integrity(exc)


def _note_database_failure(sender: object, request: HttpRequest | None = None, **kwargs: object) -> None:
    # Django turns an exception raised inside another middleware (loading the
    # session, the user) into a 500 before it reaches us; this signal fires
    # inside that handler, so the cause is still at hand.
    exc = sys.exc_info()[1]
    if request is not None and _is_database_down(exc):
        request.copydesk_database_failure = exc  # type: ignore[attr-defined]


class DatabaseUnavailableMiddleware:
    """When the database is down, answer 503 with a plain message instead of a traceback."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        got_request_exception.connect(_note_database_failure, dispatch_uid="copydesk_database_failure")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            response = self.get_response(request)
        except (OperationalError, InterfaceError) as exc:
            return self._unavailable(request, exc)
        failure = getattr(request, "copydesk_database_failure", None)
        if failure is not None and response.status_code == 500:
            return self._unavailable(request, failure)
        return response

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if _is_database_down(exc):
            return self._unavailable(request, exc)
        return None

    def _unavailable(self, request: HttpRequest, exc: Exception) -> HttpResponse:
        log.error("database unavailable: %s", exc)
        message = "Copydesk's database is unavailable right now. Nothing was changed; try again in a minute."
        if request.path.startswith("/api/"):
            response: HttpResponse = JsonResponse({"detail": message}, status=503)
        else:
            response = HttpResponse(render_to_string("503.html", {"message": message}), status=503)
        response["Retry-After"] = "30"
        return response


def _is_integrity(exc: BaseException) -> bool:
    return type(exc).__name__ == "IntegrityError"
