"""What the API keeps in memory follows every change, across processes; counters are atomic."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.core.cache import caches

from tests.journeys_setup import Live
from workbench.journeys import livecache, ratelimit
from workbench.journeys.filecache import LockingFileBasedCache
from workbench.journeys.stats import two_proportion_p_value

pytestmark = pytest.mark.django_db

# Parallel test workers share this Redis: each keeps its keys (and the stamp channel) under its own prefix.
REDIS_CACHE = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:6379/12",
                           "KEY_PREFIX": f"copydesk-test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"}}


def test_a_change_committed_elsewhere_reaches_this_process_through_the_stamp(client, live: Live):
    assert client.get(live.url(subject_id="1"), **live.auth()).status_code == 200
    # Another process unpublishes: the rows change and the stamp moves; this process's memory must not be used.
    live.step.publications.update(ended_at=live.a.created_at)
    assert client.get(live.url(subject_id="1"), **live.auth()).status_code == 200  # remembered: nothing told us yet
    livecache._bump()
    assert client.get(live.url(subject_id="1"), **live.auth()).status_code == 404


def test_without_a_readable_stamp_nothing_is_served_from_memory(client, live: Live, monkeypatch):
    assert client.get(live.url(), **live.auth()).status_code == 200
    live.step.publications.update(ended_at=live.a.created_at)
    monkeypatch.setattr(livecache, "_read_stamp", lambda: None)
    assert client.get(live.url(), **live.auth()).status_code == 404


def test_on_redis_every_process_hears_a_bump_through_its_subscription(settings, live: Live):
    settings.CACHES = REDIS_CACHE
    try:
        caches["default"].get("probe")
    except Exception:
        pytest.skip("no Redis on 127.0.0.1:6379")
    livecache._listener.pid = 0  # start a fresh subscription for this backend
    first = livecache.current_stamp()
    deadline = time.monotonic() + 5
    while not livecache._listener.heard_at and time.monotonic() < deadline:
        time.sleep(0.02)
    assert livecache._listener.heard_at, "the subscription did not come up"
    livecache._bump()
    deadline = time.monotonic() + 5
    while livecache.current_stamp() == first and time.monotonic() < deadline:
        time.sleep(0.005)
    assert livecache.current_stamp() != first
    assert livecache.current_stamp() == caches["default"].get(livecache.STAMP_KEY)


def test_on_redis_the_rate_limit_is_exact_near_the_limit(settings, live: Live, client, admin_user):
    settings.CACHES = REDIS_CACHE
    try:
        caches["default"].get("probe")
    except Exception:
        pytest.skip("no Redis on 127.0.0.1:6379")
    from workbench.journeys import actions

    _, token = actions.api_client_create(name="tight-redis", journeys=[live.journey], rate_limit_per_minute=5, acting_user=admin_user)
    statuses = [client.get(live.url(), **live.auth(token)).status_code for _ in range(7)]
    assert statuses == [200] * 5 + [429] * 2


def test_a_busy_client_far_from_its_limit_is_counted_in_batches(live: Live, monkeypatch):
    sent: list[int] = []
    monkeypatch.setattr(ratelimit, "incr_counter", lambda key, delta, ttl: sent.append(delta) or sum(sent))
    live.client.rate_limit_per_minute = 1_000_000
    now = 1_000_000.0
    for i in range(200):
        ratelimit.enforce(live.client, now + i * 0.001)
    assert sum(sent) + ratelimit._tallies[live.client.token_hash].pending == 200
    assert len(sent) <= 200 // ratelimit.MAX_BATCH + 1


ADD_MANY = """
import sys
from django.conf import settings
settings.configure()
from workbench.journeys.filecache import LockingFileBasedCache
cache = LockingFileBasedCache(sys.argv[1], {})
for _ in range(200):
    cache.incr("counter")
"""


def test_the_file_cache_counts_atomically_across_processes(tmp_path):
    cache = LockingFileBasedCache(str(tmp_path), {})
    cache.add("counter", 0, timeout=60)
    workers = [subprocess.Popen([sys.executable, "-c", ADD_MANY, str(tmp_path)], cwd=settings.BASE_DIR) for _ in range(4)]
    assert [w.wait(60) for w in workers] == [0, 0, 0, 0]
    assert cache.get("counter") == 800


def test_the_file_cache_keeps_a_counters_expiry(tmp_path):
    cache = LockingFileBasedCache(str(tmp_path), {})
    cache.add("c", 0, timeout=1)
    cache.incr("c")
    time.sleep(1.1)
    assert cache.get("c") is None
    with pytest.raises(ValueError):
        cache.incr("c")


def test_the_two_proportion_test_matches_known_values():
    # 100/1000 vs 40/1000: z ≈ 5.2, p ≈ 2e-7; equal rates: p = 1; no deliveries: no answer.
    p = two_proportion_p_value(100, 1000, 40, 1000)
    assert p is not None and p < 1e-6
    assert two_proportion_p_value(50, 1000, 50, 1000) == pytest.approx(1.0)
    assert 0.05 < (two_proportion_p_value(12, 100, 10, 100) or 0) < 1
    assert two_proportion_p_value(1, 0, 1, 10) is None


def test_a_warm_process_serves_content_without_touching_the_database(client, live: Live, django_assert_num_queries):
    client.get(live.url(subject_id="9"), **live.auth())  # loads the client and the step into memory
    with django_assert_num_queries(0):
        for subject in range(5):
            assert client.get(live.url(subject_id=str(subject)), **live.auth()).status_code == 200
