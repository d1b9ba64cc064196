"""Who may call the API: 401 without a valid token, 403 outside the scope, 429 past the rate limit, 503 without a database."""

from __future__ import annotations

import pytest
from django.db import OperationalError, connection

from tests.journeys_setup import CONTENT, Live
from workbench.journeys import actions
from workbench.journeys.models import ApiClient

pytestmark = pytest.mark.django_db


def _call(client, method: str, path: str, **extra: str):  # type: ignore[no-untyped-def]
    if method == "get":
        return client.get(path, **extra)
    return client.post(path, data='[{"publication": 1, "event": "delivered", "count": 1}]', content_type="application/json", **extra)


def _paths(live: Live, journey: str) -> list[tuple[str, str]]:
    base = CONTENT.format(journey=journey, step="launch-email" if journey == live.journey.slug else "mail").removesuffix("/content")
    return [("get", "/api/v1/journeys"), ("get", base + "/content?segment=new-customers"), ("post", base + "/outcomes")]


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer nonsense", "Bearer cpd_1_wrong", "Basic dXNlcjpwYXNz", "Token cpd_1_x"])
def test_it_answers_401_without_a_valid_token(client, live: Live, header):
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    for method, path in _paths(live, live.journey.slug):
        response = _call(client, method, path, **extra)
        assert response.status_code == 401, (path, header)
        assert response["WWW-Authenticate"] == "Bearer" and "bearer token" in response.json()["detail"]


def test_a_tampered_secret_for_a_real_client_is_401(client, live: Live):
    tampered = live.token[:-1] + ("A" if live.token[-1] != "A" else "B")
    assert client.get(live.url(), **live.auth(tampered)).status_code == 401


def test_a_revoked_client_is_401_at_once(client, live: Live, admin_user):
    assert client.get(live.url(), **live.auth()).status_code == 200
    actions.api_client_revoke(live.client, acting_user=admin_user)
    assert client.get(live.url(), **live.auth()).status_code == 401


def test_it_answers_403_outside_the_client_scope(client, live: Live):
    for method, path in _paths(live, live.other_journey.slug):
        if path == "/api/v1/journeys":
            continue
        response = _call(client, method, path, **live.auth())
        assert response.status_code == 403, path
        assert "may not access" in response.json()["detail"]
    listed = client.get("/api/v1/journeys", **live.auth()).json()["journeys"]
    assert [j["slug"] for j in listed] == [live.journey.slug]


def test_a_checks_only_client_may_not_pull_content_and_an_all_journeys_client_may(client, live: Live, admin_user):
    _, checks_token = actions.api_client_create(name="linter", can_check=True, acting_user=admin_user)
    assert client.get(live.url(), **live.auth(checks_token)).status_code == 403
    _, all_token = actions.api_client_create(name="everything", all_journeys=True, acting_user=admin_user)
    assert client.get(live.url(), **live.auth(all_token)).status_code == 200
    assert client.post("/api/v1/checks", data="{}", content_type="application/json", **live.auth(all_token)).status_code in (403, 422)


def test_it_answers_429_with_retry_after_past_the_client_limit(client, live: Live, admin_user):
    _, token = actions.api_client_create(name="tight", journeys=[live.journey], rate_limit_per_minute=3, acting_user=admin_user)
    statuses = [client.get(live.url(), **live.auth(token)).status_code for _ in range(5)]
    assert statuses[:3] == [200, 200, 200] and statuses[3:] == [429, 429]
    limited = client.get(live.url(), **live.auth(token))
    assert 1 <= int(limited["Retry-After"]) <= 60 and "3 a minute" in limited.json()["detail"]
    assert client.get(live.url(), **live.auth()).status_code == 200  # another client has its own counter


def test_it_records_last_use(client, live: Live):
    assert ApiClient.objects.get(pk=live.client.pk).last_used_at is None
    client.get(live.url(), **live.auth())
    assert ApiClient.objects.get(pk=live.client.pk).last_used_at is not None


def test_a_database_outage_is_a_503_json_answer(client, live: Live):
    def down(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        raise OperationalError("connection refused")

    fresh = live.url(segment="loyal-members")
    with connection.execute_wrapper(down):
        response = client.post(fresh.replace("/content?segment=loyal-members", "/outcomes"), data='[{"publication": 1, "event": "delivered", "count": 1}]',
                               content_type="application/json", HTTP_AUTHORIZATION="Bearer cpd_999_never-seen")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json" and "database is unavailable" in response.json()["detail"]
    assert response["Retry-After"]
