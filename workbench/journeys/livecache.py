"""What each web process keeps in memory between API requests, and how it learns it is stale.

Every API request reads one *live stamp* from the shared cache (Redis at
scale, var/cache in the embedded default). Any change to what is live
(publish, unpublish, rollback, weights, windows, kill switch, step or journey
edits, client revocation) replaces the stamp with a new random value, once
inside its transaction and again after it commits; a process that sees a new
stamp drops everything it remembered. Bumping after the commit is what makes
this exact: a reload that raced the change (read the old rows under the new
stamp) is thrown away by the second bump. A random stamp, not a counter, so a
flushed or restarted cache can never bring back an old stamp.

If the shared cache cannot be read, nothing is served from memory. If a bump
is lost (the cache went down at commit), memory is still dropped every
MEMORY_TTL_SECONDS, which bounds how long anything stale can be served.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.db import transaction

log = logging.getLogger(__name__)

STAMP_KEY = "journeys:live-stamp"
MEMORY_TTL_SECONDS = 5.0
MAX_ENTRIES = 20_000  # request paths are client-chosen; don't let them grow memory without bound

T = TypeVar("T")


def _bump() -> None:
    try:
        cache.set(STAMP_KEY, secrets.token_hex(8), timeout=None)
    except Exception:  # the cache being down must not undo a committed change; MEMORY_TTL_SECONDS bounds it
        log.exception("could not bump the live stamp; processes may serve old content for up to %ss", MEMORY_TTL_SECONDS)


def live_changed() -> None:
    """Call inside the transaction of any change to what the API serves or whom it serves."""
    _bump()
    transaction.on_commit(_bump)


_redis_client: tuple[object, Any] | None = None


def _redis() -> Any | None:
    """The raw Redis client behind Django's RedisCache, to pipeline; None for other backends.

    Kept per process: building a client costs more than the round trip (the connection pool is shared anyway).
    """
    global _redis_client
    backend = caches["default"]
    if not isinstance(backend, RedisCache):
        return None
    if _redis_client is None or _redis_client[0] is not backend:
        _redis_client = (backend, backend._cache.get_client(write=True))
    return _redis_client[1]


def exchange(counter_key: str, counter_ttl: int) -> tuple[str | None, int | None]:
    """Read the live stamp and count one request under counter_key: the API's one trip to the shared cache.

    On Redis both go in one pipelined round trip (SET NX EX, then INCR: atomic, and the counter
    expires on its own). Elsewhere Django's cache API does it in a few calls. (None, None) when the
    shared cache is unavailable.
    """
    try:
        redis = _redis()
        if redis is not None:
            pipe = redis.pipeline(transaction=False)
            pipe.get(cache.make_and_validate_key(STAMP_KEY))
            pipe.set(cache.make_and_validate_key(counter_key), 0, ex=counter_ttl, nx=True)
            pipe.incr(cache.make_and_validate_key(counter_key))
            raw, _, count = pipe.execute()
            stamp = None if raw is None else cache._cache._serializer.loads(raw)
        else:
            stamp = cache.get(STAMP_KEY)
            cache.add(counter_key, 0, timeout=counter_ttl)
            count = cache.incr(counter_key)
        if stamp is None:
            cache.add(STAMP_KEY, secrets.token_hex(8), timeout=None)
            stamp = cache.get(STAMP_KEY)
    except Exception:
        log.exception("shared cache unavailable; serving from the database and not counting requests")
        return None, None
    return (None if stamp is None else str(stamp)), int(count)


class _Memory:
    def __init__(self) -> None:
        self.stamp: str | None = None
        self.loaded_at = 0.0
        self.entries: dict[Hashable, object] = {}

    def refresh(self, stamp: str | None) -> bool:
        """Drop everything if the stamp moved or the memory is old; False when memory must not be used."""
        if stamp is None:
            self.entries = {}
            self.stamp = None
            return False
        now = time.monotonic()
        if stamp != self.stamp or now - self.loaded_at > MEMORY_TTL_SECONDS or len(self.entries) > MAX_ENTRIES:
            self.entries = {}
            self.stamp = stamp
            self.loaded_at = now
        return True


_memory = _Memory()


def remembered(key: Hashable, load: Callable[[], T], *, stamp: str | None) -> T:
    """The value for key as of `stamp` (one read of the shared cache per request, done by the caller)."""
    if not _memory.refresh(stamp):
        return load()
    if key in _memory.entries:
        return _memory.entries[key]  # type: ignore[return-value]
    value = load()
    _memory.entries[key] = value
    return value


def forget_all() -> None:
    """For tests: start the next request from the database."""
    _memory.entries = {}
    _memory.stamp = None
