"""POST …/outcomes: validated, all or nothing, and counted once per batch id."""

from __future__ import annotations

import json

import pytest

from tests.journeys_setup import CONTENT, Live
from workbench.audit.models import AuditEvent
from workbench.journeys.models import OutcomeCount

pytestmark = pytest.mark.django_db


def _post(client, live: Live, body: object, **extra: str):  # type: ignore[no-untyped-def]
    url = CONTENT.format(journey=live.journey.slug, step=live.step.slug).replace("/content", "/outcomes")
    return client.post(url, data=json.dumps(body), content_type="application/json", **live.auth(), **extra)


def _counts(live: Live) -> dict[tuple[int, str], int]:
    return {(o.publication_id, o.event): o.count for o in OutcomeCount.objects.filter(publication__step=live.step)}


def test_it_adds_counts_from_the_contract_list_body(client, live: Live):
    body = [{"publication": live.a.pk, "event": "delivered", "count": 100}, {"publication": live.a.pk, "event": "opened", "count": 40}]
    assert _post(client, live, body).json() == {"recorded": 2, "replayed": False}
    assert _post(client, live, body[:1]).status_code == 200
    assert _counts(live) == {(live.a.pk, "delivered"): 200, (live.a.pk, "opened"): 40}
    assert AuditEvent.objects.filter(action="outcomes.report", actor_type="api_client").count() == 2


def test_a_batch_id_makes_a_retry_count_once(client, live: Live):
    body = [{"publication": live.b.pk, "event": "clicked", "count": 3}]
    assert _post(client, live, body, HTTP_IDEMPOTENCY_KEY="night-1").json()["replayed"] is False
    assert _post(client, live, body, HTTP_IDEMPOTENCY_KEY="night-1").json() == {"recorded": 1, "replayed": True}
    assert _post(client, live, {"batch_id": "night-2", "outcomes": body}).json()["replayed"] is False
    assert _post(client, live, {"batch_id": "night-2", "outcomes": body}).json()["replayed"] is True
    assert _counts(live) == {(live.b.pk, "clicked"): 6}
    other = _post(client, live, {"batch_id": "night-2", "outcomes": [{"publication": live.b.pk, "event": "clicked", "count": 4}]})
    assert other.status_code == 409 and "already sent" in other.json()["detail"]
    assert _counts(live) == {(live.b.pk, "clicked"): 6}


@pytest.mark.parametrize(
    "body",
    [
        [],
        [{"publication": 1, "event": "bounced", "count": 1}],
        [{"publication": 1, "event": "opened", "count": 0}],
        [{"publication": 1, "event": "opened", "count": -5}],
        [{"publication": 1, "event": "opened"}],
        {"outcomes": []},
        "delivered",
    ],
)
def test_it_refuses_invalid_reports_with_a_message(client, live: Live, body):
    response = _post(client, live, body)
    assert response.status_code in (400, 422)
    assert response.json()["detail"]
    assert _counts(live) == {}


def test_a_batch_with_a_foreign_publication_counts_nothing(client, live: Live):
    body = [{"publication": live.a.pk, "event": "delivered", "count": 5}, {"publication": 999_999, "event": "delivered", "count": 5}]
    response = _post(client, live, body)
    assert response.status_code == 404 and "999999" in response.json()["detail"]
    assert _counts(live) == {}
