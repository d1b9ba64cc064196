"""What each web process keeps in memory between API requests, and how it learns it is stale.

A *live stamp* in the shared cache (Redis at scale, var/cache in the embedded
default) names the current state of everything the API serves. Any change to
it (publish, unpublish, rollback, weights, windows, kill switch, step or
journey edits, client revocation) writes a new random stamp, once inside its
transaction and again after it commits; a process whose memory was filled
under another stamp drops it. Bumping after the commit is what makes this
exact: a reload that raced the change (read the old rows under the new stamp)
is thrown away by the second bump. A random stamp, not a counter, so a
flushed or restarted cache can never bring back an old stamp.

How a process learns the stamp:

* On Redis, each web process keeps one subscription to the stamp channel in a
  daemon thread; every bump is published there, so requests compare against
  the stamp the thread last heard, without a round trip. Until the
  subscription is confirmed, or when it has not heard from Redis (it pings
  every PING_SECONDS) within LISTENER_SILENCE_SECONDS, requests read the stamp
  from Redis themselves, so a broken subscription costs speed, never
  correctness. The delay between a commit and every process dropping its
  memory is Redis's publish latency (well under a millisecond on a LAN).
* With the embedded file cache, every request reads the stamp file.

If the stamp cannot be read, nothing is served from memory. If a bump is lost
(the cache went down at commit), memory is still dropped every
MEMORY_TTL_SECONDS, which bounds how long anything stale can be served.
"""

from __future__ import annotations

import logging
import os
import secrets
import threading
import time
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.db import transaction

log = logging.getLogger(__name__)

STAMP_KEY = "journeys:live-stamp"
CHANNEL_KEY = "journeys:live-stamp:channel"
MEMORY_TTL_SECONDS = 5.0
PING_SECONDS = 2.0
LISTENER_SILENCE_SECONDS = 6.0
MAX_ENTRIES = 20_000  # request paths are client-chosen; don't let them grow memory without bound

T = TypeVar("T")

_redis_client: tuple[object, Any] | None = None


def _redis() -> Any | None:
    """The raw Redis client behind Django's RedisCache (to pipeline and subscribe); None for other backends.

    Kept per process: building a client costs more than a round trip (the connection pool is shared anyway).
    """
    global _redis_client
    backend = caches["default"]
    if not isinstance(backend, RedisCache):
        return None
    if _redis_client is None or _redis_client[0] is not backend:
        _redis_client = (backend, backend._cache.get_client(write=True))
    return _redis_client[1]


def _bump() -> None:
    stamp = secrets.token_hex(8)
    try:
        cache.set(STAMP_KEY, stamp, timeout=None)
        redis = _redis()
        if redis is not None:
            redis.publish(cache.make_and_validate_key(CHANNEL_KEY), stamp)
    except Exception:  # the cache being down must not undo a committed change; MEMORY_TTL_SECONDS bounds it
        log.exception("could not bump the live stamp; processes may serve old content for up to %ss", MEMORY_TTL_SECONDS)


def live_changed() -> None:
    """Call inside the transaction of any change to what the API serves or whom it serves."""
    _bump()
    transaction.on_commit(_bump)


def _read_stamp() -> str | None:
    try:
        stamp = cache.get(STAMP_KEY)
        if stamp is None:
            cache.add(STAMP_KEY, secrets.token_hex(8), timeout=None)
            stamp = cache.get(STAMP_KEY)
    except Exception:
        log.exception("shared cache unavailable; serving from the database")
        return None
    return None if stamp is None else str(stamp)


class _Listener:
    """One subscription per process to the stamp channel, kept by a daemon thread."""

    def __init__(self) -> None:
        self.pid = 0
        self.stamp: str | None = None
        self.heard_at = 0.0  # monotonic time of the last message or pong; 0 until subscribed

    def current(self, redis: Any) -> str | None:
        if self.pid != os.getpid():  # not started in this process yet (or we were forked)
            self.pid, self.heard_at = os.getpid(), 0.0
            threading.Thread(target=self._run, args=(redis,), name="copydesk-live-stamp", daemon=True).start()
        if self.heard_at and time.monotonic() - self.heard_at < LISTENER_SILENCE_SECONDS:
            return self.stamp
        return _read_stamp()

    def _run(self, redis: Any) -> None:
        channel = cache.make_and_validate_key(CHANNEL_KEY)
        while True:
            try:
                pubsub = redis.pubsub()
                pubsub.subscribe(channel)
                last_ping = time.monotonic()
                while True:
                    message = pubsub.get_message(timeout=PING_SECONDS)
                    now = time.monotonic()
                    if message is not None:
                        if message["type"] == "subscribe":
                            # Anything published before this point is in the stored stamp.
                            self.stamp = _read_stamp()
                        elif message["type"] == "message":
                            self.stamp = message["data"].decode()
                        self.heard_at = now
                    if now - last_ping >= PING_SECONDS:
                        pubsub.ping()
                        last_ping = now
            except Exception:
                self.heard_at = 0.0
                log.exception("live-stamp subscription lost; requests read the stamp themselves until it is back")
                time.sleep(1.0)


_listener = _Listener()


def current_stamp() -> str | None:
    """The live stamp, as this process last heard it (Redis) or read from the shared cache (file cache)."""
    redis = _redis()
    if redis is None:
        return _read_stamp()
    return _listener.current(redis)


def incr_counter(key: str, delta: int, ttl: int) -> int:
    """Atomically add delta to a counter that expires ttl seconds after it was made; one round trip on Redis."""
    redis = _redis()
    if redis is not None:
        pipe = redis.pipeline(transaction=False)
        name = cache.make_and_validate_key(key)
        pipe.set(name, 0, ex=ttl, nx=True)
        pipe.incrby(name, delta)
        return int(pipe.execute()[1])
    cache.add(key, 0, timeout=ttl)
    return int(cache.incr(key, delta))


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
    """The value for key as of `stamp` (read once per request by the caller)."""
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
