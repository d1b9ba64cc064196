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


@pytest.mark.parametrize("count", [True, False, "5", 5.0, 2.5, -1, 0, 10_000_001, 10**30, None, [5], {"n": 5}])
@pytest.mark.parametrize("shape", ["list", "batch"])
def test_counts_are_strict_whole_numbers_within_the_documented_maximum(client, live: Live, count, shape):
    reports = [{"publication": live.a.pk, "event": "delivered", "count": count}]
    response = _post(client, live, reports if shape == "list" else {"batch_id": "b-1", "outcomes": reports})
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "invalid" and "count" in body["detail"] and body["detail"].endswith(".")
    assert "function-wrap" not in response.content.decode() and "list[" not in response.content.decode()
    assert _counts(live) == {}


def test_the_largest_documented_count_is_taken(client, live: Live):
    assert _post(client, live, [{"publication": live.a.pk, "event": "delivered", "count": 10_000_000}]).status_code == 200
    assert _counts(live) == {(live.a.pk, "delivered"): 10_000_000}


@pytest.mark.parametrize("publication", [True, "1", 1.0])
def test_publication_ids_are_strict_numbers_too(client, live: Live, publication):
    response = _post(client, live, [{"publication": publication, "event": "delivered", "count": 1}])
    assert response.status_code == 422 and "publication" in response.json()["detail"]


def test_outcomes_for_a_publication_of_another_step_are_refused(client, live: Live, brand, prompt, segments, marketer, reviewer):
    from tests.pipeline import approved_draft
    from workbench.journeys import actions

    other_step = actions.journey_step_create(live.journey, slug="reminder", name="Reminder", channel="email", default_segment=None, acting_user=live.publisher)
    draft = approved_draft(brand, prompt, segments["new"], marketer, reviewer)
    elsewhere = actions.publication_create(other_step, version=draft.latest_version(), acting_user=live.publisher)
    response = _post(client, live, [{"publication": live.a.pk, "event": "delivered", "count": 3}, {"publication": elsewhere.pk, "event": "delivered", "count": 3}])
    assert response.status_code == 404 and f"Publication {elsewhere.pk}" in response.json()["detail"]
    assert _counts(live) == {} and not OutcomeCount.objects.filter(publication=elsewhere).exists()


def test_outcomes_outside_a_publications_live_window_are_refused(client, live: Live, brand, prompt, segments, marketer, reviewer):
    from datetime import timedelta

    from django.utils import timezone

    from tests.pipeline import approved_draft
    from workbench.journeys import actions
    from workbench.journeys.models import Publication

    draft = approved_draft(brand, prompt, segments["new"], marketer, reviewer)
    later = actions.publication_create(live.step, version=draft.latest_version(), starts_at=timezone.now() + timedelta(days=1), acting_user=live.publisher)
    early = _post(client, live, [{"publication": later.pk, "event": "delivered", "count": 1}])
    assert early.status_code == 409 and "not live until" in early.json()["detail"]
    # Ended a while ago: opens trail deliveries, so reports are taken for a grace period and refused after it.
    actions.publication_end(live.a, acting_user=live.publisher)
    assert _post(client, live, [{"publication": live.a.pk, "event": "opened", "count": 2}]).status_code == 200
    Publication.objects.filter(pk=live.a.pk).update(ended_at=timezone.now() - actions.OUTCOME_GRACE - timedelta(minutes=1))
    late = _post(client, live, [{"publication": live.a.pk, "event": "opened", "count": 2}, {"publication": live.b.pk, "event": "opened", "count": 2}])
    assert late.status_code == 409 and "stopped being served" in late.json()["detail"]
    assert _counts(live) == {(live.a.pk, "opened"): 2}  # the refused batch counted nothing
