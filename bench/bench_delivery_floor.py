"""Where the delivery API's time goes, in-process (plain script: `python bench/bench_delivery_floor.py`).

Calls the WSGI application directly (no HTTP, no gunicorn) with production settings on
PostgreSQL and Redis, and prints microseconds per request, best of 5 rounds, for:

* bare               the bench's fixed 1 KB JSON view (bench/bench_urls.py)
* ninja              a django-ninja endpoint returning the same bytes, no auth, no parameters
* ninja+auth         the same with Copydesk's bearer authentication (stamp, client memory, rate limit)
* ninja+auth+params  the same with the content endpoint's path and query parameters
* content            GET …/welcome/steps/welcome-email/content (the real thing)

so the gap between the bare view and the content endpoint can be attributed. Run
bench_delivery.py first (it creates and seeds the database), or pass --seed.
"""


import argparse
import os
import secrets
import sys
import time
import types
from io import BytesIO
from pathlib import Path
from typing import Annotated, Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_delivery import CONTENT, _env, _fresh_database, _manage  # noqa: E402

SLUG = r"^[-a-zA-Z0-9_]{1,64}$"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/copydesk_bench_delivery")
    parser.add_argument("--cache-url", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--seed", action="store_true", help="make a fresh database with the demo data first")
    parser.add_argument("--requests", type=int, default=3000)
    args = parser.parse_args()
    env = _env(args, "/tmp/copydesk-bench-floor")
    if args.seed:
        _fresh_database(args.database_url)
        _manage(env, "migrate", "--no-input", "-v0")
        _manage(env, "seed_demo")
    os.environ.update(env)

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.decorators import login_not_required
    from django.core.handlers.wsgi import WSGIHandler
    from django.http import HttpRequest, HttpResponse
    from django.urls import path
    from ninja import NinjaAPI, Path as PathParam, Query

    from bench.bench_urls import BODY, urlpatterns as bench_patterns
    from workbench.api.core import BearerToken
    from workbench.access import SYSTEM
    from workbench.journeys.actions import api_client_create

    floor = NinjaAPI(urls_namespace="floor", auth=BearerToken())

    @floor.get("/plain", auth=None)
    def plain(request: HttpRequest) -> HttpResponse:
        return HttpResponse(BODY, content_type="application/json")

    @floor.get("/auth")
    def authenticated(request: HttpRequest) -> HttpResponse:
        return HttpResponse(BODY, content_type="application/json")

    @floor.get("/{journey}/steps/{step}/params")
    def with_params(
        request: HttpRequest, journey: Annotated[str, PathParam(pattern=SLUG)], step: Annotated[str, PathParam(pattern=SLUG)],
        segment: Annotated[str, Query(pattern=SLUG)], subject_id: Annotated[str | None, Query(max_length=200)] = None,
        signals: Annotated[str, Query(max_length=1000)] = "", render: bool = False, attributes: Annotated[str | None, Query(max_length=10_000)] = None,
    ) -> HttpResponse:
        return HttpResponse(BODY, content_type="application/json")

    urls, app_name, namespace = floor.urls
    for pattern in urls:
        pattern.callback = login_not_required(pattern.callback)  # type: ignore[union-attr]
    module = types.ModuleType("bench_floor_urls")
    module.urlpatterns = [path("floor/", (urls, app_name, namespace)), *bench_patterns]  # type: ignore[attr-defined]
    sys.modules["bench_floor_urls"] = module
    settings.ROOT_URLCONF = "bench_floor_urls"

    _, token = api_client_create(name=f"floor-{secrets.token_hex(3)}", all_journeys=True, rate_limit_per_minute=1_000_000, acting_user=SYSTEM)
    application = WSGIHandler()

    def call(target: str, auth: bool) -> str:
        path_info, _, query = target.partition("?")
        environ: dict[str, Any] = {
            "REQUEST_METHOD": "GET", "PATH_INFO": path_info, "QUERY_STRING": query, "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80",
            "wsgi.input": BytesIO(), "wsgi.url_scheme": "http", "HTTP_HOST": "127.0.0.1",
        }
        if auth:
            environ["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        status: list[str] = []
        b"".join(application(environ, lambda s, h: status.append(s)))
        return status[0]

    cases = [
        ("bare", "/bench/bare", False), ("ninja", "/floor/plain", False), ("ninja+auth", "/floor/auth", True),
        ("ninja+auth+params", "/floor/welcome/steps/welcome-email/params?segment=new-customers&subject_id=42", True),
        ("content", CONTENT, True),
    ]
    for name, target, auth in cases:
        status = call(target, auth)
        assert status.startswith("200"), (name, status)
    time.sleep(0.5)  # let the live-stamp subscription come up
    best = {name: float("inf") for name, _, _ in cases}
    for _ in range(5):
        for name, target, auth in cases:
            started = time.perf_counter()
            for _ in range(args.requests):
                call(target, auth)
            best[name] = min(best[name], (time.perf_counter() - started) / args.requests * 1e6)
    for name, micros in best.items():
        print(f"{name:<20}{micros:>8.0f} µs/request   {best['bare'] / micros:>5.0%} of bare")
    return 0


if __name__ == "__main__":
    sys.exit(main())
