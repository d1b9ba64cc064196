"""The JSON API (docs/check-copy.md and docs/journeys-api.md), served under /api/v1/ with its OpenAPI schema.

Every answer under /api/ is JSON, errors included: `{"error": CODE, "detail": ONE SENTENCE}`, and never an
HTML page — unknown paths (404), wrong methods (405), bodies over API_MAX_BODY_BYTES (413) and our own
failures (500) too.

This module is what every endpoint shares: the API object, its errors, body parsing and bearer-token
authentication. The endpoints are routers beside it (checks.py, journeys.py), added in __init__.py.
"""

from __future__ import annotations

import functools
import json
import logging
import re
from collections.abc import Callable
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern, URLResolver, re_path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.operation import Operation
from ninja.parser import Parser
from ninja.security import HttpBearer

from workbench.errors import CopydeskError
from workbench.journeys import ratelimit
from workbench.journeys.actions import api_client_mark_used, authenticate_token, hash_token
from workbench.journeys.livecache import current_stamp, remembered
from workbench.journeys.models import ApiClient

log = logging.getLogger(__name__)
SURROGATE = re.compile("[\ud800-\udfff]")

API_MAX_BODY_BYTES = 1_000_000  # documented in the README and the schema: larger bodies are refused with 413 before they are read
ERROR_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed", 409: "conflict",
               413: "too_large", 422: "invalid", 429: "rate_limited", 500: "server_error", 503: "unavailable"}


# Hints for the regular expressions the endpoints use, so a mismatch says what is allowed instead of quoting the pattern.
PATTERN_HINTS: dict[str, str] = {}
# Names pydantic puts into error locations for union branches; they mean nothing to a caller.
UNION_BRANCH_TAGS: set[str] = set()
SOURCES = {"query": "query parameter", "path": "path parameter", "header": "header", "cookie": "cookie", "body": "body field"}


def _where(loc: list[Any] | tuple[Any, ...]) -> tuple[str, list[Any]]:
    """Where the problem is, in words ("query parameter 'segment'", "body field 'outcomes[0].count'"), and the cleaned location."""
    parts = [p for p in loc if not (isinstance(p, str) and ("[" in p or p in UNION_BRANCH_TAGS))]
    source = str(parts[0]) if parts else "body"
    # After "body" comes the view's parameter name, which the caller never sees.
    rest = parts[2:] if source == "body" else parts[1:]
    if source == "body" and rest and isinstance(rest[0], int):  # a body that is a list: say which item
        inner = _dotted(rest[1:])
        return (f"field '{inner}' of item {rest[0]} in the body" if inner else f"item {rest[0]} in the body"), [source, *rest]
    path = _dotted(rest)
    if not path:
        return ("request body" if source == "body" else SOURCES.get(source, source)), [source]
    return f"{SOURCES.get(source, source)} '{path}'", [source, *rest]


def _dotted(parts: list[Any]) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts).lstrip(".")


def _sentence(error: dict[str, Any], where: str) -> str:
    kind = str(error.get("type", ""))
    ctx: dict[str, Any] = error.get("ctx") or {}
    msg = str(error.get("msg", "is not valid")).removeprefix("Value error, ").rstrip(".")
    if kind == "missing":
        return f"The {where} is required."
    if kind in ("int_type", "int_parsing", "int_from_float", "int_parsing_size"):
        return f"The {where} must be a whole number written as a number (not text, true/false or a decimal)."
    if kind in ("bool_type", "bool_parsing"):
        return f"The {where} must be true or false."
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        bound = {"greater_than_equal": f"at least {ctx.get('ge')}", "greater_than": f"more than {ctx.get('gt')}",
                 "less_than_equal": f"at most {ctx.get('le'):,}" if isinstance(ctx.get("le"), int) else f"at most {ctx.get('le')}",
                 "less_than": f"less than {ctx.get('lt')}"}[kind]
        return f"The {where} must be {bound}."
    if kind == "string_type":
        return f"The {where} must be text."
    if kind == "string_unicode":
        return f"The {where} must be valid Unicode text (it has a lone surrogate or undecodable bytes)."
    if kind == "string_pattern_mismatch":
        hint = PATTERN_HINTS.get(str(ctx.get("pattern")), f"it must match {ctx.get('pattern')}")
        return f"The {where} is not allowed: {hint}."
    if kind in ("string_too_long", "string_too_short"):
        limit = ctx.get("max_length") if kind == "string_too_long" else ctx.get("min_length")
        return f"The {where} must be {'at most' if kind == 'string_too_long' else 'at least'} {limit} characters long."
    if kind in ("too_long", "too_short"):
        limit = ctx.get("max_length") if kind == "too_long" else ctx.get("min_length")
        return f"The {where} must have {'at most' if kind == 'too_long' else 'at least'} {limit} item(s)."
    if kind in ("literal_error", "enum"):
        return f"The {where} must be one of {ctx.get('expected')}."
    if kind == "list_type":
        return f"The {where} must be a JSON list."
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"The {where} must be a JSON object."
    if kind == "json_invalid":
        return f"The {where} is not valid JSON."
    if kind == "extra_forbidden":
        return f"The {where} is not one this endpoint accepts."
    return f"The {where} is not valid: {msg}."


def describe_validation_errors(errors: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """One sentence for the first problem (with how many more there are), and the errors with locations a caller can read."""
    cleaned = []
    sentences = []
    for error in errors:
        where, loc = _where(error.get("loc") or ())
        sentence = _sentence(error, where)
        sentences.append(sentence)
        cleaned.append({"loc": loc, "type": error.get("type"), "msg": sentence})
    if not sentences:
        return "The request is not valid.", cleaned
    first = sentences[0]
    if len(sentences) > 1:
        first = f"{first[:-1]}; {len(sentences) - 1} more problem{'s are' if len(sentences) > 2 else ' is'} listed in errors."
    return first, cleaned


def error_body(status: int, detail: str, error: str | None = None) -> dict[str, str]:
    return {"error": error or ERROR_CODES.get(status, "error"), "detail": detail}


def json_error(status: int, detail: str, error: str | None = None) -> JsonResponse:
    return JsonResponse(error_body(status, detail, error), status=status)


def _too_large() -> JsonResponse:
    return json_error(413, f"The request body is larger than this API accepts ({API_MAX_BODY_BYTES:,} bytes); send less per request.")


def json_errors_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Refuse oversized bodies before anything reads them, and answer in JSON where django-ninja would not."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return json_error(400, "The Content-Length header is not a number.")
        if declared > API_MAX_BODY_BYTES:
            return _too_large()
        try:
            response = view(request, *args, **kwargs)
        except RequestDataTooBig:
            return _too_large()
        if response.status_code == 405 and not response.get("Content-Type", "").startswith("application/json"):
            allowed = response.get("Allow", "")
            refused = json_error(405, f"{request.method} is not allowed here; use {allowed or 'another method'}.")
            refused["Allow"] = allowed
            return refused
        return response

    return wrapped


@csrf_exempt  # bearer-token API: no cookies, so no CSRF; a stray POST must get this JSON 404, not a CSRF page
def api_not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    return json_error(404, f"There is no API endpoint at {request.path}; see /api/v1/docs for the ones there are.")


class UnreadableBody(ValueError):
    """Why a request body is not JSON this API can take, in a sentence."""


def _reject_constant(name: str) -> object:
    raise UnreadableBody(f"The request body is not valid JSON: {name} is not a JSON number.")


def _text_of(request: HttpRequest) -> str:
    try:
        return request.body.decode("utf-8")
    except UnicodeDecodeError:
        raise UnreadableBody("The request body is not UTF-8 text; send JSON encoded as UTF-8.") from None


class StrictJSONParser(Parser):
    """JSON as RFC 8259 has it: UTF-8, no NaN or Infinity, and no lone surrogates (escaped "\\ud800" included).

    A lone surrogate is not a character: it cannot be stored, encoded or checked, so it is refused here,
    once for every endpoint, rather than failing somewhere deeper.
    """

    def parse_body(self, request: HttpRequest) -> Any:
        data = json.loads(_text_of(request), parse_constant=_reject_constant)
        pending = [data]
        while pending:  # iterative: nesting depth is the client's choice
            item = pending.pop()
            if isinstance(item, dict):
                pending.extend(item.keys())
                pending.extend(item.values())
            elif isinstance(item, list):
                pending.extend(item)
            elif isinstance(item, str) and SURROGATE.search(item):
                raise UnreadableBody("The request body has a lone surrogate (an escape like \\ud800 without its pair); send valid Unicode text.")
        return data


# The schema's operation ids name each endpoint's module; clients generated from the schema name their methods after
# them, so the routers keep the ids of the modules they were first written in.
OPERATION_ID_PREFIXES = {"workbench.api.checks": "workbench_checks_api", "workbench.api.journeys": "workbench_journeys_api"}


class CopydeskAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation: Operation) -> str:
        module = operation.view_func.__module__
        return f"{OPERATION_ID_PREFIXES.get(module, module.replace('.', '_'))}_{operation.view_func.__name__}"

    def _get_urls(self) -> list[URLResolver | URLPattern]:
        patterns = super()._get_urls()
        for pattern in patterns:
            if isinstance(pattern, URLPattern):
                pattern.callback = json_errors_only(pattern.callback)
        return [*patterns, re_path(r"^.*$", api_not_found)]


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


api = CopydeskAPI(
    title="Copydesk API",
    version="1",
    description=(
        "Approved content for customer journeys, outcome reporting, and copy checks. Every error is JSON: "
        '`{"error": CODE, "detail": ONE SENTENCE}`. Request bodies are limited to '
        f"{API_MAX_BODY_BYTES:,} bytes (413 above that)."
    ),
    urls_namespace="api",
    auth=BearerToken(),
    parser=StrictJSONParser(),
    docs_url="/docs",
)


def client_of(request: HttpRequest) -> ApiClient:
    client = request.auth  # type: ignore[attr-defined]
    assert isinstance(client, ApiClient)
    return client


class ApiRefusal(CopydeskError):
    """A refusal with its own machine-readable `error` code (e.g. unknown_segment), beside the sentence."""

    def __init__(self, message: str, *, error: str, code: Any = "not_found") -> None:
        super().__init__(message, code=code)
        self.error = error


@api.exception_handler(CopydeskError)
def on_domain_error(request: HttpRequest, exc: CopydeskError) -> HttpResponse:
    return api.create_response(request, error_body(exc.http_status, exc.message, getattr(exc, "error", None)), status=exc.http_status)


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    response = api.create_response(request, error_body(401, "A valid bearer token is required: Authorization: Bearer cpd_<id>_<secret>."), status=401)
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(ratelimit.RateLimited)
def on_rate_limited(request: HttpRequest, exc: ratelimit.RateLimited) -> HttpResponse:
    response = api.create_response(
        request, error_body(429, f"Too many requests: this client may make {exc.limit} a minute. Retry in {exc.retry_after} s."), status=429
    )
    response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors: list[dict[str, Any]] = exc.errors
    detail, cleaned = describe_validation_errors(errors)
    return api.create_response(request, {**error_body(422, detail), "errors": cleaned}, status=422)


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(request, error_body(404, "Nothing was found at this address."), status=404)


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    detail = str(exc)
    if exc.status_code == 400 and detail.startswith("Cannot parse request body"):
        cause = exc.__cause__
        detail = str(cause) if isinstance(cause, UnreadableBody) else "The request body is not valid JSON (check quotes, commas and brackets)."
    return api.create_response(request, error_body(exc.status_code, detail), status=exc.status_code)


@api.exception_handler(Exception)
def on_unexpected_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    if isinstance(exc, (OperationalError, InterfaceError)):
        raise exc  # the database is down: DatabaseUnavailableMiddleware answers 503 in JSON
    log.exception("API request failed: %s %s", request.method, request.path)
    return api.create_response(request, error_body(500, "Copydesk failed to answer this request; the error was logged for its operators."), status=500)
