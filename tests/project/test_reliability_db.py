"""The database unavailable: pages and the API answer 503 with a clear message, and nothing is half-written."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse

from tests.pipeline import submitted_draft
from workbench.access import SYSTEM
from workbench.audit.log import verify_chain
from workbench.audit.models import AuditEvent
from workbench.generation.models import DraftState
from workbench.journeys.actions import api_client_create, journey_create
from workbench.review.models import ReviewDecision

MESSAGE = "database is unavailable"


@contextmanager
def database_fails(when: Callable[[str], bool] = lambda sql: True) -> Iterator[None]:
    """Every query matching `when` fails as if the server had gone away."""

    def fail(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if when(sql):
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(fail):
        yield


@pytest.fixture
def token(brand, publisher) -> str:  # type: ignore[no-untyped-def]
    journey = journey_create(brand=brand, slug="welcome", name="Welcome", acting_user=publisher)
    return api_client_create(name="engine", journeys=[journey], acting_user=SYSTEM)[1]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/briefs/", "/review/", "/audit/", "/login/"])
def test_pages_answer_503_with_a_message(path, marketer):
    # The failure happens while loading the session, inside other middleware: as in production, no exception reaches the test.
    client = Client(raise_request_exception=False)
    client.force_login(marketer)
    with database_fails():
        response = client.get(path)
    assert response.status_code == 503
    assert MESSAGE in response.content.decode() and "Nothing was changed" in response.content.decode()
    assert response["Retry-After"] == "30"
    assert "Traceback" not in response.content.decode()


@pytest.mark.django_db
def test_the_api_answers_503_as_json(client, token):
    with database_fails():
        response = client.get("/api/v1/journeys", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 503
    assert MESSAGE in response.json()["detail"]


@pytest.mark.django_db
def test_a_failure_mid_transition_leaves_nothing_half_written(client, brand, prompt, segments, marketer, reviewer):
    """The decision row and the state change are written, then the audit insert fails: all of it rolls back."""
    draft = submitted_draft(brand, prompt, segments["new"], marketer)
    client.force_login(reviewer)
    before = AuditEvent.objects.count()
    with database_fails(lambda sql: 'INSERT INTO "audit_auditevent"' in sql):
        response = client.post(reverse("review_approve", args=[draft.pk]), {"version": "1"})
    assert response.status_code == 503
    draft.refresh_from_db()
    assert draft.state == DraftState.IN_REVIEW
    assert not ReviewDecision.objects.filter(version__draft=draft).exists()
    assert AuditEvent.objects.count() == before
    assert verify_chain().ok
    # Once the database is back, the same request goes through.
    client.post(reverse("review_approve", args=[draft.pk]), {"version": "1"})
    draft.refresh_from_db()
    assert draft.state == DraftState.APPROVED


@pytest.mark.django_db(transaction=True)
def test_a_database_that_cannot_be_reached_at_all_gives_503(marketer, token, tmp_path):
    """Not a patched cursor: the connection itself points at a closed port (or an unopenable SQLite file)."""
    settings_dict = connection.settings_dict
    saved = dict(settings_dict)
    client = Client(raise_request_exception=False)
    client.force_login(marketer)
    connection.close()
    if connection.vendor == "postgresql":
        settings_dict.update(PORT="1", OPTIONS={**settings_dict.get("OPTIONS", {}), "connect_timeout": 2})
    else:
        settings_dict["NAME"] = str(tmp_path / "missing-dir" / "copydesk.sqlite3")
    try:
        page = client.get("/briefs/")
        api = client.get("/api/v1/journeys", HTTP_AUTHORIZATION=f"Bearer {token}")
    finally:
        connection.close()
        settings_dict.clear()
        settings_dict.update(saved)
    assert page.status_code == 503 and MESSAGE in page.content.decode()
    assert api.status_code == 503 and MESSAGE in api.json()["detail"]
    assert client.get("/briefs/").status_code == 200
