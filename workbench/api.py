"""The JSON API (Contracts 2 and 3), served under /api/v1/ with its OpenAPI schema."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer

from workbench.errors import CopydeskError
from workbench.journeys.actions import authenticate_token
from workbench.journeys.models import ApiClient


class BearerToken(HttpBearer):
    openapi_description = "An API client's token, `cpd_<id>_<secret>`, as made by create_api_client or the API clients page."

    def authenticate(self, request: HttpRequest, token: str) -> ApiClient | None:
        client = authenticate_token(token)
        if client is not None:
            # Written at most once a minute so a busy client doesn't write on every pull.
            now = timezone.now()
            if client.last_used_at is None or (now - client.last_used_at).total_seconds() > 60:
                ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
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


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors: list[dict[str, Any]] = exc.errors
    first = errors[0] if errors else {}
    where = ".".join(str(p) for p in first.get("loc", []))
    return api.create_response(request, {"detail": f"{where}: {first.get('msg', 'invalid input')}", "errors": errors}, status=422)


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


from workbench.checks.api import router as checks_router  # noqa: E402
from workbench.journeys.api import router as journeys_router  # noqa: E402

api.add_router("/journeys", journeys_router)
api.add_router("/checks", checks_router)
