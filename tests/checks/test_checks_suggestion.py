"""One-click suggestion apply: the finding's span becomes its suggestion in a new, re-checked, audited version."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.checks_pipeline import EMAIL, draft_with_text
from workbench.audit.models import AuditEvent
from workbench.checks.actions import with_suggestion
from workbench.checks.models import finding_key
from workbench.checks.services import latest_check

pytestmark = pytest.mark.django_db


def word(start: int, end: int, suggestion: str, kind: str = "disallowed_word") -> dict[str, object]:
    return {"kind": kind, "start": start, "end": end, "suggestion": suggestion}


@pytest.mark.parametrize(
    ("text", "finding", "expected"),
    [
        ("Boots so cheap.", word(9, 14, "affordable"), "Boots so affordable."),
        ("Cheap boots.", word(0, 5, "affordable"), "Affordable boots."),
        ("Fine. cheap boots.", word(6, 11, "affordable"), "Fine. Affordable boots."),
        ("Get it NOW today", word(7, 10, "now", "tone"), "Get it now today"),
        ("Write to bob@example.com today", word(9, 24, "help@northwind.example", "pii"), "Write to help@northwind.example today"),
        ("New boots", word(9, 9, "Reply STOP to opt out", "required_text"), "New boots Reply STOP to opt out"),
        ("New boots\n", word(10, 10, "{{ unsubscribe_url }}", "required_text"), "New boots\n{{ unsubscribe_url }}"),
    ],
)
def test_it_replaces_the_span_keeping_the_sentence_case(text, finding, expected):
    assert with_suggestion(text, finding) == expected


def _finding(draft, kind: str) -> dict:
    return next(f for f in latest_check(draft.latest_version()).findings if f["kind"] == kind)


def test_it_applies_a_suggestion_as_a_new_checked_version(logged_in, brand, prompt, segments, marketer):
    draft = draft_with_text(brand, prompt, segments["new"], marketer, {**EMAIL, "body": "Cheap boots for the trail. {{ unsubscribe_url }}"})
    version = draft.latest_version()
    key = finding_key(_finding(draft, "disallowed_word"))

    response = logged_in(marketer).post(reverse("finding_apply_suggestion", args=[version.pk]), {"finding": key}, follow=True)

    new = draft.latest_version()
    assert new.number == version.number + 1
    assert new.fields["body"] == "Affordable boots for the trail. {{ unsubscribe_url }}"
    assert new.fields["subject"] == EMAIL["subject"]
    assert not [f for f in latest_check(new).findings if f["kind"] == "disallowed_word"]
    assert f"Suggestion applied as version {new.number}" in response.content.decode()
    event = AuditEvent.objects.filter(action="check.suggestion_apply").get()
    assert event.object_id == str(new.pk) and event.changes["body"] == ["Cheap", "affordable"] and event.actor_label == marketer.username


def test_it_adds_missing_required_text(logged_in, brand, prompt, segments, marketer):
    draft = draft_with_text(brand, prompt, segments["new"], marketer, {"body": "New trail boots are in."}, channel="sms")
    key = finding_key(_finding(draft, "required_text"))
    logged_in(marketer).post(reverse("finding_apply_suggestion", args=[draft.latest_version().pk]), {"finding": key})
    assert draft.latest_version().fields["body"] == "New trail boots are in. Reply STOP to opt out"


def test_a_suggestion_for_an_old_version_is_a_conflict_and_changes_nothing(logged_in, brand, prompt, segments, marketer):
    draft = draft_with_text(brand, prompt, segments["new"], marketer, {**EMAIL, "body": "Cheap boots. {{ unsubscribe_url }}"})
    old = draft.latest_version()
    key = finding_key(_finding(draft, "disallowed_word"))
    client = logged_in(marketer)
    client.post(reverse("finding_apply_suggestion", args=[old.pk]), {"finding": key})
    count = draft.versions.count()

    response = client.post(reverse("finding_apply_suggestion", args=[old.pk]), {"finding": key}, follow=True)

    assert draft.versions.count() == count
    assert "while you were editing version" in response.content.decode()


@pytest.mark.parametrize("key", ["", "disallowed_word:nope:body:0-4"])
def test_an_unknown_finding_says_so(logged_in, brand, prompt, segments, marketer, key):
    draft = draft_with_text(brand, prompt, segments["new"], marketer, {**EMAIL, "body": "Cheap boots. {{ unsubscribe_url }}"})
    response = logged_in(marketer).post(reverse("finding_apply_suggestion", args=[draft.latest_version().pk]), {"finding": key}, follow=True)
    assert "That finding is not on this version" in response.content.decode()
    assert draft.versions.count() == 2  # generated, then edited by the helper


def test_a_finding_without_a_suggestion_cannot_be_applied(logged_in, brand, prompt, segments, marketer):
    draft = draft_with_text(brand, prompt, segments["new"], marketer, {**EMAIL, "body": "Vote in the election. {{ unsubscribe_url }}"})
    key = finding_key(_finding(draft, "taboo_topic"))
    response = logged_in(marketer).post(reverse("finding_apply_suggestion", args=[draft.latest_version().pk]), {"finding": key}, follow=True)
    assert "has no suggestion" in response.content.decode()


def test_publishers_cannot_edit_through_a_suggestion(logged_in, brand, prompt, segments, marketer, publisher):
    draft = draft_with_text(brand, prompt, segments["new"], marketer, {**EMAIL, "body": "Cheap boots. {{ unsubscribe_url }}"})
    key = finding_key(_finding(draft, "disallowed_word"))
    response = logged_in(publisher).post(reverse("finding_apply_suggestion", args=[draft.latest_version().pk]), {"finding": key}, follow=True)
    assert "You cannot edit drafts" in response.content.decode()
    assert draft.versions.count() == 2


def test_the_draft_page_offers_the_button_without_javascript(logged_in, brand, prompt, segments, marketer):
    draft = draft_with_text(brand, prompt, segments["new"], marketer, {**EMAIL, "body": "Cheap boots. {{ unsubscribe_url }}"})
    page = logged_in(marketer).get(reverse("draft_detail", args=[draft.pk])).content.decode()
    assert f'action="{reverse("finding_apply_suggestion", args=[draft.latest_version().pk])}"' in page
    assert "Replace with “affordable”" in page
