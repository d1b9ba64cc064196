"""Per-client request limits: one atomic counter per client and minute in the shared cache.

Each process adds its requests to the shared counter (an atomic INCRBY on
Redis). Far from the limit it adds them in small batches, so a busy client
does not cost a round trip on every request; near the limit every request is
counted at once. The batch is at most 1/SPREAD of what the client has left,
so even SPREAD processes each holding back a full batch cannot let it past
twice its remaining budget, and at one request left it is exact.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

from workbench.journeys.livecache import incr_counter
from workbench.journeys.models import ApiClient

log = logging.getLogger(__name__)

WINDOW_SECONDS = 60
SPREAD = 64
MAX_BATCH = 50
MAX_HOLD_SECONDS = 0.5  # a held-back batch is sent within this, so other processes see it


class RateLimited(Exception):
    def __init__(self, client: ApiClient, retry_after: int) -> None:
        super().__init__(f"{client.name} is over {client.rate_limit_per_minute} requests a minute")
        self.limit = client.rate_limit_per_minute
        self.retry_after = retry_after


@dataclass
class _Tally:
    key: str
    shared: int = 0  # the shared counter's value when last added to
    pending: int = 0  # counted here, not yet added to the shared counter
    sent_at: float = 0.0


_tallies: dict[str, _Tally] = {}


def enforce(client: ApiClient, now: float | None = None) -> None:
    """Count one request; raise RateLimited past the client's limit for this minute.

    The key uses part of the token's hash, not the client id, so a client made again with the same
    id (a fresh test database) never inherits another's count. If the cache is down the request is
    let through: refusing every journey engine would be the worse failure.
    """
    now = time.time() if now is None else now
    window = int(now // WINDOW_SECONDS)
    key = f"journeys:rate:{client.token_hash[:20]}:{window}"
    tally = _tallies.get(client.token_hash)
    if tally is None or tally.key != key:
        tally = _tallies[client.token_hash] = _Tally(key)
    tally.pending += 1
    left = client.rate_limit_per_minute - tally.shared - tally.pending
    if tally.pending >= max(1, min(MAX_BATCH, left // SPREAD)) or now - tally.sent_at > MAX_HOLD_SECONDS:
        try:
            tally.shared = incr_counter(key, tally.pending, ttl=2 * WINDOW_SECONDS)
        except Exception:
            log.exception("rate-limit counter unavailable; letting the request through")
            return
        tally.pending, tally.sent_at = 0, now
    if tally.shared + tally.pending > client.rate_limit_per_minute:
        raise RateLimited(client, retry_after=max(1, math.ceil((window + 1) * WINDOW_SECONDS - now)))
