"""Under /api/ every answer is JSON with an error code and one sentence: bad bodies, unknown paths, wrong methods, our own failures."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
from django.test import Client

from tests.journeys_setup import CONTENT, Live
from workbench.api.core import API_MAX_BODY_BYTES
from workbench.journeys.models import OutcomeCount

pytestmark = pytest.mark.django_db


def _outcomes_url(live: Live) -> str:
    return CONTENT.format(journey=live.journey.slug, step=live.step.slug).replace("/content", "/outcomes")


def _assert_json_error(response, status: int) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = json.loads(response.content)
    assert isinstance(body["error"], str) and body["error"]
    assert isinstance(body["detail"], str) and body["detail"].endswith(".") and "Traceback" not in body["detail"]
    return body


@pytest.mark.parametrize(
    "raw",
    [
        b'[{"publication": 1, "event": "opened", "count": 1',  # cut off
        b"{'publication': 1}",  # not JSON quotes
        b"\xff\xfe\x00[",  # not UTF-8
        b'[{"publication": 1, "event": "\xed\xa0\x80", "count": 1}]',  # a surrogate encoded as bytes
        b"",
        b"NaN",
    ],
)
def test_malformed_bodies_answer_4xx_json(client, live: Live, raw):
    response = client.post(_outcomes_url(live), raw, content_type="application/json", **live.auth())
    assert response.status_code in (400, 422)
    _assert_json_error(response, response.status_code)
    assert not OutcomeCount.objects.exists()


@pytest.mark.parametrize(
    "raw",
    [
        '[{"publication": 1, "event": "\\ud800", "count": 1}]',
        '{"batch_id": "\\ud800", "outcomes": [{"publication": 1, "event": "opened", "count": 1}]}',
        '[{"publication": "\\udfff", "event": "opened", "count": 1}]',
        '[{"publication": 1, "event": "opened", "count": "\\ud83d"}]',
    ],
)
def test_a_lone_surrogate_in_json_is_refused_with_json(client, live: Live, raw):
    assert "\\ud" in raw  # the escape itself, as a client would send it
    response = client.post(_outcomes_url(live), raw, content_type="application/json", **live.auth())
    body = _assert_json_error(response, 400)
    assert "lone surrogate" in body["detail"]


def test_a_lone_surrogate_in_a_check_request_is_no_server_error(client, live: Live, admin_user):
    from workbench.journeys import actions

    _, token = actions.api_client_create(name="checker", can_check=True, acting_user=admin_user)
    raw = '{"brand": "northwind", "channel": "sms", "fields": {"body": "Hi \\ud800 there. Reply STOP to opt out"}}'
    response = client.post("/api/v1/checks", raw, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 400 and "lone surrogate" in response.json()["detail"]
    paired = raw.replace("\\ud800", "\\ud83d\\ude00")  # an escaped emoji is a real character
    assert client.post("/api/v1/checks", paired, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200


def test_a_body_over_the_documented_maximum_is_refused_with_413_before_it_is_read(client, live: Live):
    big = json.dumps([{"publication": live.a.pk, "event": "opened", "count": 1}] * (API_MAX_BODY_BYTES // 40))
    assert len(big) > API_MAX_BODY_BYTES
    body = _assert_json_error(client.post(_outcomes_url(live), big, content_type="application/json", **live.auth()), 413)
    assert body["error"] == "too_large" and f"{API_MAX_BODY_BYTES:,}" in body["detail"]
    # Refused on the declared length alone, without a token even (nothing was read).
    _assert_json_error(client.post("/api/v1/checks", big, content_type="application/json"), 413)
    assert not OutcomeCount.objects.exists()


@pytest.mark.parametrize("path", ["/api/v1/nope", "/api/v1/journeys/spring/nope", "/api/v2/journeys", "/api/", "/api"])
def test_unknown_api_paths_answer_a_json_404(client, live: Live, path):
    for method in ("get", "post", "delete"):
        body = _assert_json_error(getattr(client, method)(path, **live.auth()), 404)
        assert body["error"] == "not_found"


def test_unknown_api_paths_answer_json_even_to_a_browser_with_a_session(live: Live, admin_user):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(admin_user)
    _assert_json_error(browser.post("/api/v1/nope", {"a": "b"}), 404)


@pytest.mark.parametrize(("method", "path"), [("delete", "/api/v1/journeys"), ("put", "/api/v1/journeys"), ("post", CONTENT), ("get", CONTENT.replace("/content", "/outcomes"))])
def test_wrong_methods_answer_a_json_405_with_allow(client, live: Live, method, path):
    response = getattr(client, method)(path.format(journey=live.journey.slug, step=live.step.slug), **live.auth())
    body = _assert_json_error(response, 405)
    assert body["error"] == "method_not_allowed" and response["Allow"]


def test_our_own_failure_is_a_json_500(client, live: Live, monkeypatch):
    from workbench.api import journeys as journeys_api

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("boom")

    monkeypatch.setattr(journeys_api, "suppressed_by", broken)
    client.raise_request_exception = False
    body = _assert_json_error(client.get(live.url(), **live.auth()), 500)
    assert body["error"] == "server_error" and "boom" not in body["detail"]


def test_the_schema_documents_the_error_bodies_and_codes(client):
    schema = client.get("/api/v1/openapi.json").json()
    content = schema["paths"]["/api/v1/journeys/{journey}/steps/{step}/content"]["get"]
    assert {"200", "204", "304", "404", "422"} <= set(content["responses"])
    assert "unknown_segment" in content["description"] and "journey_paused" in content["description"]
    props = schema["components"]["schemas"]["ContentOut"]["properties"]
    assert {"requested_segment", "segment", "variant", "variant_label", "variant_index"} <= set(props)
    assert {"error", "detail"} <= set(schema["components"]["schemas"]["Message"]["properties"])


class _Assets(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline_scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name in ("src", "href"):
            if values.get(name):
                self.urls.append(str(values[name]))
        if tag == "script" and not values.get("src") and values.get("type") != "application/json":
            self.inline_scripts += 1


def test_the_docs_page_uses_only_same_origin_assets_under_a_strict_csp(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assets = _Assets()
    assets.feed(response.content.decode())
    assert assets.urls and all(url.startswith("/") and not url.startswith("//") for url in assets.urls), assets.urls
    assert any(url.endswith("swagger-ui-bundle.js") for url in assets.urls)
    assert assets.inline_scripts == 0
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "cdn" not in csp
    for url in assets.urls:
        asset = client.get(url)
        assert asset.status_code == 200, url
        b"".join(asset.streaming_content) if asset.streaming else asset.content


def test_every_api_error_sentence_names_no_pydantic_internals(client, live: Live):
    bodies = [
        client.get(CONTENT.format(journey="x" * 65, step="y") + "?segment=z", **live.auth()),
        client.post(_outcomes_url(live), json.dumps({"outcomes": "many"}), content_type="application/json", **live.auth()),
        client.post(_outcomes_url(live), json.dumps([{"publication": 1, "event": "seen", "count": 1}]), content_type="application/json", **live.auth()),
        client.post(_outcomes_url(live), json.dumps([{"publication": 1, "event": "opened", "count": 1}]), content_type="application/json", HTTP_IDEMPOTENCY_KEY="a b", **live.auth()),
    ]
    for response in bodies:
        body = _assert_json_error(response, 422)
        assert not re.search(r"function-wrap|list\[|Input should|pattern '", body["detail"]), body["detail"]
