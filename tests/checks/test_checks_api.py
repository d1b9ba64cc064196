"""POST /api/v1/checks through Django (Contract 2): token, scope, clear 4xx messages, the result's shape."""

from __future__ import annotations

import pytest

from workbench.access import SYSTEM
from workbench.brand.actions import guide_version_create
from workbench.journeys.actions import api_client_create, journey_create

pytestmark = pytest.mark.django_db

URL = "/api/v1/checks"
FINDING_KEYS = ["kind", "rule", "severity", "field", "start", "end", "match", "message", "suggestion"]


@pytest.fixture
def checker(brand) -> str:
    return api_client_create(name="linter", can_check=True, acting_user=SYSTEM)[1]


def post(client, body: object, token: str | None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return client.post(URL, body, content_type="application/json", **headers)


def test_it_checks_copy_against_the_current_guide(client, checker):
    response = post(client, {"brand": "northwind", "channel": "sms", "fields": {"body": "Boots are ch3ap now. Reply STOP to opt out"}, "id": "m1"}, checker)
    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["id", "passed", "findings"] and body["id"] == "m1" and body["passed"] is False
    (finding,) = [f for f in body["findings"] if f["kind"] == "disallowed_word"]
    assert list(finding) == FINDING_KEYS
    assert finding == {
        "kind": "disallowed_word", "rule": "cheap", "severity": "block", "field": "body", "start": 10, "end": 15,
        "match": "ch3ap", "message": "\"cheap\" is not allowed: cheapens the brand", "suggestion": "affordable",
    }


def test_clean_copy_passes_and_uses_the_newest_guide_version(client, checker, brand, admin_user):
    text = {"brand": "northwind", "channel": "sms", "fields": {"body": "Sturdy boots are here. Reply STOP to opt out"}}
    assert post(client, text, checker).json() == {"id": None, "passed": True, "findings": []}
    source = brand.current_guide().source_yaml.replace("  - {term: cheap,", "  - {term: sturdy, severity: block}\n  - {term: cheap,")
    guide_version_create(source_yaml=source, acting_user=admin_user)
    assert post(client, text, checker).json()["passed"] is False


def test_it_needs_a_valid_token(client, checker):
    body = {"brand": "northwind", "channel": "sms", "fields": {"body": "Hi"}}
    for token in (None, "cpd_1_wrong"):
        response = post(client, body, token)
        assert response.status_code == 401 and "bearer token" in response.json()["detail"]


def test_it_needs_the_checks_scope(client, brand, publisher):
    journey = journey_create(brand=brand, slug="welcome", name="Welcome", acting_user=publisher)
    _, token = api_client_create(name="engine", journeys=[journey], acting_user=SYSTEM)
    response = post(client, {"brand": "northwind", "channel": "sms", "fields": {"body": "Hi"}}, token)
    assert response.status_code == 403 and "checks scope" in response.json()["detail"]


@pytest.mark.parametrize(
    ("body", "status", "detail"),
    [
        ({"brand": "southwind", "channel": "sms", "fields": {"body": "Hi"}}, 404, "Unknown brand 'southwind'."),
        ({"brand": "northwind", "channel": "fax", "fields": {"body": "Hi"}}, 400, "unknown channel 'fax' (expected one of: email, sms, push, in_app)"),
        ({"brand": "northwind", "channel": "sms", "context": "party", "fields": {"body": "Hi"}}, 400, "unknown context 'party' for this brand guide (known: billing_issue, promotional, service_recovery)"),
        ({"brand": "northwind", "channel": "sms", "fields": {"subject": "Hi"}}, 400, "unknown field 'subject' for channel sms (expected: body)"),
        ({"brand": "northwind", "channel": "sms", "fields": {"body": "  "}}, 400, "nothing to check: all fields are empty"),
        ({"brand": "northwind", "channel": "sms"}, 422, "The body field 'fields' is required."),
    ],
)
def test_bad_input_gets_a_clear_message(client, checker, body, status, detail):
    response = post(client, body, checker)
    assert (response.status_code, response.json()["detail"]) == (status, detail)


def test_an_over_size_field_is_refused_with_413_and_one_sentence(client, checker):
    from workbench.checks.engine import MAX_FIELD_CHARS

    body = "Warm boots. " * (MAX_FIELD_CHARS // 12 + 1)
    response = post(client, {"brand": "northwind", "channel": "email", "fields": {"body": body}}, checker)
    assert response.status_code == 413
    detail = response.json()["detail"]
    assert f"{MAX_FIELD_CHARS:,}" in detail and "'body'" in detail and detail.count(".") == 1
    fits = post(client, {"brand": "northwind", "channel": "email", "fields": {"body": body[:MAX_FIELD_CHARS]}}, checker)
    assert fits.status_code == 200


def test_an_over_size_request_body_is_refused_as_json(client, checker):
    # 3 fields of astral characters: over Django's upload limit once JSON-escaped
    fields = {"subject": "\U0001d41c" * 90_000, "preheader": "\U0001d41c" * 90_000, "body": "\U0001d41c" * 90_000}
    response = client.post(URL, {"brand": "northwind", "channel": "email", "fields": fields},
                           content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {checker}")
    assert 400 <= response.status_code < 500
    assert response["Content-Type"].startswith("application/json") and response.json()["detail"]


def test_disguised_html_copy_is_read_as_the_customer_sees_it(client, checker):
    body = '<p>Ch<b></b>eap boots, write to bob&#64;gmail.com or <a href="//evil.example/x">here</a>. {{ unsubscribe_url }}</p>'
    response = post(client, {"brand": "northwind", "channel": "email", "fields": {"body": body}}, checker)
    assert response.status_code == 200 and response.json()["passed"] is False
    got = {(f["kind"], f["match"]) for f in response.json()["findings"]}
    assert {("disallowed_word", "Ch<b></b>eap"), ("pii", "bob&#64;gmail.com"), ("link", "//evil.example/x")} <= got


def test_it_checks_copy_in_the_locale_given(client, checker):
    spanish = {"brand": "northwind", "channel": "sms", "locale": "es-US",
               "fields": {"body": "Botas baratas. Responde STOP para cancelar"}}
    response = post(client, spanish, checker)
    assert response.status_code == 200
    assert [(f["rule"], f["match"]) for f in response.json()["findings"]] == [("barato", "baratas")]
    # no locale: the brand's default (en-US), where Spanish terms and opt-out texts do not apply
    default = post(client, {**spanish, "locale": None}, checker).json()
    assert [f["rule"] for f in default["findings"]] == ["Reply STOP to opt out"]


def test_an_undeclared_locale_is_refused_with_422_and_one_sentence(client, checker):
    body = {"brand": "northwind", "channel": "sms", "locale": "de-DE", "fields": {"body": "Hallo"}}
    response = post(client, body, checker)
    assert response.status_code == 422
    assert response.json()["detail"] == (
        "Unknown locale 'de-DE' for this brand guide (declared: en-US, es-US, fr-CA)."
    )
