"""The JSON API (Contracts 2 and 3), served under /api/v1/ with its OpenAPI schema."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer

from workbench.errors import CopydeskError
from workbench.journeys import ratelimit
from workbench.journeys.actions import api_client_mark_used, authenticate_token, hash_token
from workbench.journeys.livecache import current_stamp, remembered
from workbench.journeys.models import ApiClient


def _client_for(token: str) -> ApiClient | None:
    client = authenticate_token(token)
    if client is not None:
        client.journey_ids  # loaded now, so the remembered client answers scope questions without a query
    return client


class BearerToken(HttpBearer):
    openapi_description = "An API client's token, `cpd_<id>_<secret>`, as made by create_api_client or the API clients page."

    def authenticate(self, request: HttpRequest, token: str) -> ApiClient | None:
        # Read once per request: whether what this process remembers is still current (see livecache).
        stamp = current_stamp()
        request.live_stamp = stamp  # type: ignore[attr-defined]
        client = remembered(("client", hash_token(token)), lambda: _client_for(token), stamp=stamp)
        if client is None:
            return None
        # Written at most once a minute per process so a busy client doesn't write on every pull.
        used_at = timezone.now()
        if client.last_used_at is None or (used_at - client.last_used_at).total_seconds() > 60:
            api_client_mark_used(client, used_at)
        ratelimit.enforce(client)
        return client


api = NinjaAPI(
    title="Copydesk API",
    version="1",
    description="Approved content for customer journeys, outcome reporting, and copy checks.",
    urls_namespace="api",
    auth=BearerToken(),
    docs_url="/docs",
)


def client_of(request: HttpRequest) -> ApiClient:
    client = request.auth  # type: ignore[attr-defined]
    assert isinstance(client, ApiClient)
    return client


@api.exception_handler(CopydeskError)
def on_domain_error(request: HttpRequest, exc: CopydeskError) -> HttpResponse:
    return api.create_response(request, {"detail": exc.message}, status=exc.http_status)


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    response = api.create_response(request, {"detail": "A valid bearer token is required: Authorization: Bearer cpd_<id>_<secret>."}, status=401)
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(ratelimit.RateLimited)
def on_rate_limited(request: HttpRequest, exc: ratelimit.RateLimited) -> HttpResponse:
    response = api.create_response(
        request, {"detail": f"Too many requests: this client may make {exc.limit} a minute. Retry in {exc.retry_after} s."}, status=429
    )
    response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors: list[dict[str, Any]] = exc.errors
    first = errors[0] if errors else {}
    # Drop pydantic's names for union branches ("list[function-wrap[...]]") so the path reads body.outcomes.0.event.
    where = ".".join(str(p) for p in first.get("loc", []) if not (isinstance(p, str) and "[" in p))
    return api.create_response(request, {"detail": f"{where}: {first.get('msg', 'invalid input')}", "errors": errors}, status=422)


@api.exception_handler(RequestDataTooBig)
def on_body_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0
    return api.create_response(request, {"detail": f"The request body is larger than the {limit / 1_000_000:g} MB this API accepts."}, status=413)


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


from workbench.checks.api import router as checks_router  # noqa: E402
from workbench.journeys.api import router as journeys_router  # noqa: E402

api.add_router("/journeys", journeys_router)
api.add_router("/checks", checks_router)
