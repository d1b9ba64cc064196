"""Per-client request limits: one atomic counter per client and minute in the shared cache (see livecache.exchange)."""

from __future__ import annotations

import math

from workbench.journeys.models import ApiClient

WINDOW_SECONDS = 60


class RateLimited(Exception):
    def __init__(self, client: ApiClient, retry_after: int) -> None:
        super().__init__(f"{client.name} is over {client.rate_limit_per_minute} requests a minute")
        self.limit = client.rate_limit_per_minute
        self.retry_after = retry_after


def counter_key(token_hash: str, now: float) -> str:
    """The counter for this token and minute.

    Keyed by part of the token's hash, not the client id, so a client made again with the same id
    (a fresh test database) never inherits another's count.
    """
    return f"journeys:rate:{token_hash[:20]}:{int(now // WINDOW_SECONDS)}"


def enforce(client: ApiClient, count: int | None, now: float) -> None:
    """Raise RateLimited past the client's limit for this minute.

    count None means the shared cache is down: the request is let through, since refusing every
    journey engine would be the worse failure.
    """
    if count is not None and count > client.rate_limit_per_minute:
        window_end = (int(now // WINDOW_SECONDS) + 1) * WINDOW_SECONDS
        raise RateLimited(client, retry_after=max(1, math.ceil(window_end - now)))
