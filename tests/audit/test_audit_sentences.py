"""The audit log reads as sentences with people's names and links to the objects, keeps the stored event behind a
disclosure, filters by lists of actors, actions and kinds of object, and says whether the chain verified and when."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.pipeline import submitted_draft
from workbench.audit.actions import verification_run
from workbench.audit.describe import SENTENCES, describe
from workbench.audit.models import Action, AuditEvent, VerificationTrigger
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


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def test_every_recorded_action_has_a_sentence():
    assert set(Action.values) <= set(SENTENCES)


def test_events_read_as_sentences_with_names_and_links(published, logged_in, admin_user, reviewer, publisher):
    draft = published.version.draft
    page = logged_in(admin_user).get(reverse("audit_log")).content.decode()
    text = text_of(page)
    assert f"Riley approved version 1 of ‘{draft}’." in text
    assert f"Pat published version 1 of ‘{draft}’ on ‘Welcome › Email’ for New customers." in text
    assert f"Maya submitted version 1 of ‘{draft}’ for review." in text
    assert "Copydesk checked version 1 of" in text
    assert f'<a href="{reverse("draft_detail", args=[draft.pk])}">‘{draft}’</a>' in page.replace("&#x27;", "'")
    assert f'<a href="{reverse("step_detail", args=["welcome", "email"])}">' in page
    # The stored event is still there in full, behind a disclosure.
    assert "<details" in page and "<bdi>generation.draft</bdi>:" in page and "review.approve" in page


def test_an_object_that_is_not_a_row_and_odd_actors_still_read(logged_in, admin_user, client):
    client.post(reverse("login"), {"username": "nobody-here", "password": "wrong-password"})
    events = describe(AuditEvent.objects.filter(action=Action.USER_LOGIN_FAILED))
    assert events and events[0][1].before == "A sign-in as ‘nobody-here’ failed"


def test_it_filters_by_lists_of_actors_actions_and_kinds_of_object(published, logged_in, admin_user, reviewer):
    client = logged_in(admin_user)
    response = client.get(reverse("audit_log"))
    page = response.content.decode()
    assert '<select name="object_type"' in page and '<option value="generation.draft">Draft</option>' in page
    assert '<select name="action"' in page and '<option value="review.approve">Approved</option>' in page
    assert '<select name="actor"' in page and f'<option value="{reviewer.username}">Riley (riley)</option>' in page
    automatic = client.get(reverse("audit_log"), {"actor": "@system"}).context["page"]
    assert automatic.paginator.count and all(e.actor_type == "system" for e in automatic)
    only_drafts = client.get(reverse("audit_log"), {"object_type": "generation.draft", "actor": reviewer.username}).context["page"]
    assert [e.action for e in only_drafts] == ["review.approve"]
    refused = client.get(reverse("audit_log"), {"action": "no.such"})
    assert refused.status_code == 200 and "That action is not one Copydesk records." in refused.content.decode()


def test_it_says_whether_the_chain_verified_and_when(published, logged_in, admin_user):
    client = logged_in(admin_user)
    assert "not verified yet" in client.get(reverse("audit_log")).content.decode()
    report, verification = verification_run(trigger=VerificationTrigger.SCHEDULE)
    assert report.ok and verification.ok and verification.count == AuditEvent.objects.count()
    text = text_of(client.get(reverse("audit_log")).content.decode())
    assert f"chain verified {verification.count} events up to #{verification.head_seq} verified" in text and "by the scheduled check" in text


def test_verify_audit_records_its_result(published):
    from io import StringIO

    from django.core.management import call_command

    from workbench.audit.actions import latest_verification

    call_command("verify_audit", stdout=StringIO())
    latest = latest_verification()
    assert latest is not None and latest.ok and latest.trigger == VerificationTrigger.COMMAND
