"""Whether a worker (and the scheduler that feeds it) is alive, for the admins' home page.

Celery beat sends `worker_heartbeat` every HEARTBEAT_SECONDS; whichever worker runs it writes the time into the
shared cache, which every web process reads. A stale or missing heartbeat means no worker is taking tasks, or no
beat is sending them: either way generations, reminders and the scheduled audit check are not running.
"""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

HEARTBEAT_SECONDS = 60
# Busy workers take a queued heartbeat late (prefetch is one task per process): only this much silence is alarming.
STALE_AFTER = dt.timedelta(minutes=5)
CACHE_KEY = "worker-heartbeat"

log = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def worker_heartbeat() -> None:
    cache.set(CACHE_KEY, timezone.now().timestamp(), timeout=None)


def last_heartbeat() -> dt.datetime | None:
    """When a worker last ran the heartbeat; None when none ever did or the cache cannot be read."""
    try:
        value = cache.get(CACHE_KEY)
    except Exception:  # an unreachable cache must not take the home page down; the page says it does not know
        log.warning("the worker heartbeat could not be read from the cache", exc_info=True)
        return None
    return dt.datetime.fromtimestamp(float(value), tz=dt.UTC) if isinstance(value, (int, float)) else None


def worker_alive(at: dt.datetime | None, *, now: dt.datetime | None = None) -> bool:
    return at is not None and (now or timezone.now()) - at < STALE_AFTER
