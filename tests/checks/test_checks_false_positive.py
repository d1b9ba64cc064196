"""Reviewers mark a finding as a false positive: recorded with who and why, audited, shown on the draft page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.checks_pipeline import EMAIL, draft_with_text
from workbench.audit.models import AuditEvent
from workbench.checks.models import FalsePositive, finding_key
from workbench.checks.services import latest_check

pytestmark = pytest.mark.django_db


@pytest.fixture
def flagged(brand, prompt, segments, marketer):
    draft = draft_with_text(brand, prompt, segments["new"], marketer, {**EMAIL, "body": "Our boots are guaranteed to last. {{ unsubscribe_url }}"})
    version = draft.latest_version()
    finding = next(f for f in latest_check(version).findings if f["kind"] == "claim")
    return draft, version, finding_key(finding)


def mark(client, version, key, reason="The warranty page backs this claim"):
    return client.post(reverse("finding_false_positive", args=[version.pk]), {"finding": key, "reason": reason}, follow=True)


def test_a_reviewer_marks_a_finding_and_it_is_audited(logged_in, flagged, reviewer):
    draft, version, key = flagged
    response = mark(logged_in(reviewer), version, key)

    marked = FalsePositive.objects.get()
    assert (marked.version, marked.finding_key, marked.kind, marked.rule, marked.marked_by) == (version, key, "claim", "guaranteed", reviewer)
    assert marked.guide_version == version.guide_version
    event = AuditEvent.objects.filter(action="check.false_positive").get()
    assert event.actor_label == reviewer.username and event.changes["finding"] == key
    assert event.changes["reason"] == [None, "The warranty page backs this claim"]
    page = response.content.decode()
    assert "Marked as a false positive by Riley: “The warranty page backs this claim”" in page


def test_marking_twice_is_refused_with_who_did_it(logged_in, flagged, reviewer, reviewer2):
    _, version, key = flagged
    mark(logged_in(reviewer), version, key)
    response = mark(logged_in(reviewer2), version, key)
    assert "Riley already marked this finding" in response.content.decode()
    assert FalsePositive.objects.count() == 1


def test_a_reason_is_required(logged_in, flagged, reviewer):
    _, version, key = flagged
    response = mark(logged_in(reviewer), version, key, reason="  ")
    assert "Say why this finding is wrong" in response.content.decode()
    assert not FalsePositive.objects.exists()


def test_an_unknown_finding_is_refused(logged_in, flagged, reviewer):
    _, version, _ = flagged
    response = mark(logged_in(reviewer), version, "claim:guaranteed:body:999-1000")
    assert "That finding is not on this version" in response.content.decode()


def test_marketers_cannot_mark_false_positives(logged_in, flagged, marketer):
    _, version, key = flagged
    assert mark(logged_in(marketer), version, key).status_code == 403
    assert not FalsePositive.objects.exists()


def test_the_draft_page_shows_the_form_to_reviewers_only(logged_in, flagged, reviewer, marketer):
    draft, version, _ = flagged
    url = reverse("draft_detail", args=[draft.pk])
    action = reverse("finding_false_positive", args=[version.pk])
    assert action in logged_in(reviewer).get(url).content.decode()
    assert action not in logged_in(marketer).get(url).content.decode()
