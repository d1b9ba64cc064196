"""Logging filters: request and start-up logs carry what an operator needs, not routine noise.

Used by LOGGING in settings.py (web processes and Celery workers alike).
"""

from __future__ import annotations

import logging

# Browsers ask for these on their own; their 404s say nothing about Copydesk.
ROUTINE_PATHS = ("/favicon.ico", "/apple-touch-icon.png", "/apple-touch-icon-precomposed.png", "/robots.txt")


class ClientErrorsWithoutTracebacks(logging.Filter):
    """Django logs a 403 (PermissionDenied), a 400 (BadRequest, SuspiciousOperation) or a 404 with the
    exception's full traceback, although nothing went wrong on our side: keep the one line, drop the
    traceback. 5xx answers and everything else keep theirs. A browser's favicon 404 is not logged."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.name.startswith("django."):
            return True
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and status >= 500:
            return True
        if status == 404:
            request = getattr(record, "request", None)
            if getattr(request, "path", None) in ROUTINE_PATHS:
                return False
        if status is not None or record.name.startswith("django.security"):
            record.exc_info, record.exc_text = None, None
        return True


class KnownNoise(logging.Filter):
    """Drops messages that are true of every start and that nobody acts on."""

    MESSAGES = (
        # kombu's file-system and memory transports have no host; the fallback to 'localhost' is meaningless there.
        "No hostname was supplied. Reverting to default",
    )

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.name.startswith("kombu") and isinstance(record.msg, str) and record.msg.startswith(self.MESSAGES))
