"""The draft page: live checks, suggestions, edits, decisions, conflicts, comments and presence."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.pipeline import generate_now, make_brief, submitted_draft
from workbench.checks.models import finding_key
from workbench.checks.services import latest_check
from workbench.generation import actions
from workbench.generation.models import DraftState, DraftVersion
from workbench.review import actions as review
from workbench.review.models import Comment, Notification

pytestmark = pytest.mark.django_db


def page_of(client, draft) -> str:  # type: ignore[no-untyped-def]
    return client.get(reverse("draft_detail", args=[draft.pk])).content.decode()


def test_live_check_returns_findings_and_counters_without_a_new_version(logged_in, brand, prompt, segments, marketer):
    (draft,) = generate_now(make_brief(brand, prompt, [segments["new"]], marketer, channels=["sms"], variants=1), marketer)
    response = logged_in(marketer).post(reverse("draft_live_check", args=[draft.pk]), {"body": "Cheap boots! Reply STOP to opt out"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body, "the live check answers with the partial only"
    assert '<mark class="sev-block"' in body and "Cheap</mark>" in body
    assert "34 / " not in body and "34 characters" in body and "1 SMS segment" in body
    assert DraftVersion.objects.filter(draft=draft).count() == 1


def test_a_stale_edit_is_refused_with_the_typed_text_kept(logged_in, brand, prompt, segments, marketer, reviewer):
    draft = submitted_draft(brand, prompt, segments["new"], marketer)
    fields = draft.latest_version().fields
    actions.draft_edit(draft, fields=dict(fields, subject="Someone else's subject"), base_version=1, acting_user=reviewer)
    response = logged_in(marketer).post(reverse("draft_edit", args=[draft.pk]), {**fields, "subject": "My careful subject", "base_version": 1})
    assert response.status_code == 409
    body = response.content.decode()
    assert "Someone saved version 2" in body and "My careful subject" in body
    assert draft.latest_version().number == 2


def test_the_author_sees_approve_disabled_with_the_reason_and_the_server_refuses(logged_in, brand, prompt, segments, admin_user):
    draft = submitted_draft(brand, prompt, segments["new"], admin_user)
    client = logged_in(admin_user)
    page = page_of(client, draft)
    assert 'id="approve-button" disabled' in page and "someone else must approve it (four-eyes)" in page
    response = client.post(reverse("review_approve", args=[draft.pk]), {"version": 1})
    assert response.status_code == 403 and "four-eyes" in response.content.decode()
    draft.refresh_from_db()
    assert draft.state == DraftState.IN_REVIEW


def test_reject_without_a_reason_is_refused_and_says_why(logged_in, brand, prompt, segments, marketer, reviewer):
    draft = submitted_draft(brand, prompt, segments["new"], marketer)
    response = logged_in(reviewer).post(reverse("review_reject", args=[draft.pk]), {"version": 1, "decision": "reject", "reason": "  "})
    assert response.status_code == 400 and "Say why you are rejecting" in response.content.decode()
    draft.refresh_from_db()
    assert draft.state == DraftState.IN_REVIEW


def test_after_a_rejection_the_page_says_what_comes_next_and_the_author_is_notified(logged_in, brand, prompt, segments, marketer, reviewer):
    draft = submitted_draft(brand, prompt, segments["new"], marketer)
    response = logged_in(reviewer).post(reverse("review_reject", args=[draft.pk]), {"version": 1, "decision": "reject", "reason": "Too pushy"}, follow=True)
    body = response.content.decode()
    assert "Rejected version 1" in body and "submit it again" in body
    note = Notification.objects.get(recipient=marketer, kind="decision")
    assert "Too pushy" in note.message


def test_request_changes_sends_the_draft_back_as_a_draft(logged_in, brand, prompt, segments, marketer, reviewer):
    draft = submitted_draft(brand, prompt, segments["new"], marketer)
    response = logged_in(reviewer).post(reverse("review_reject", args=[draft.pk]), {"version": 1, "decision": "request_changes", "reason": "Shorter subject"}, follow=True)
    assert "Changes requested" in response.content.decode()
    draft.refresh_from_db()
    assert draft.state == DraftState.DRAFT


def test_two_reviewers_at_once_one_wins_the_other_gets_a_conflict(logged_in, client, django_user_model, brand, prompt, segments, marketer, reviewer, reviewer2):
    from django.test import Client

    draft = submitted_draft(brand, prompt, segments["new"], marketer)
    first, second = Client(), Client()
    first.force_login(reviewer)
    second.force_login(reviewer2)
    assert first.post(reverse("review_approve", args=[draft.pk]), {"version": 1}).status_code == 302
    response = second.post(reverse("review_reject", args=[draft.pk]), {"version": 1, "decision": "reject", "reason": "Off brand"})
    body = response.content.decode()
    assert response.status_code == 409
    assert "Riley already decided (approved); the draft is now approved." in body
    assert "Off brand" in body, "the reason typed is kept"
    draft.refresh_from_db()
    assert draft.state == DraftState.APPROVED
    assert draft.latest_version().decisions.count() == 1


def test_sensitive_segments_show_the_first_approval_as_pending(logged_in, brand, prompt, segments, marketer, reviewer, reviewer2):
    draft = submitted_draft(brand, prompt, segments["complaint"], marketer)
    response = logged_in(reviewer).post(reverse("review_approve", args=[draft.pk]), {"version": 1}, follow=True)
    body = response.content.decode()
    assert "waits for a second reviewer" in body and "pending a second reviewer" in body
    assert "You already approved this version" in body
    assert Notification.objects.filter(recipient=reviewer2, kind="submitted", message__contains="second approval").exists()
    logged_in(reviewer2).post(reverse("review_approve", args=[draft.pk]), {"version": 1})
    draft.refresh_from_db()
    assert draft.state == DraftState.APPROVED


def test_overriding_a_block_enables_approval_and_shows_the_justification(logged_in, brand, prompt, segments, marketer, reviewer):
    draft = submitted_draft(brand, prompt, segments["new"], marketer)
    version = actions.draft_edit(draft, fields=dict(draft.latest_version().fields, subject="Cheap boots"), base_version=1, acting_user=marketer)
    actions.draft_submit(draft, acting_user=marketer)
    client = logged_in(reviewer)
    assert "blocking finding(s) need a fix or an override" in page_of(client, draft)
    key = finding_key(latest_check(version).blocking[0])  # type: ignore[union-attr]
    client.post(reverse("finding_override", args=[version.pk]), {"finding": key, "justification": "Quoting a customer verbatim."})
    page = page_of(client, draft)
    assert "Quoting a customer verbatim." in page and 'id="approve-button" disabled' not in page


def test_comments_are_posted_and_notify_the_author(logged_in, brand, prompt, segments, marketer, reviewer):
    draft = submitted_draft(brand, prompt, segments["new"], marketer)
    client = logged_in(reviewer)
    assert client.post(reverse("comment_add", args=[draft.pk]), {"body": ""}).status_code == 400
    client.post(reverse("comment_add", args=[draft.pk]), {"body": "Can the subject be shorter?"})
    assert Comment.objects.get().body == "Can the subject be shorter?"
    assert "Can the subject be shorter?" in page_of(client, draft)
    assert Notification.objects.filter(recipient=marketer, kind="comment").count() == 1


def test_a_reviewer_sees_who_else_has_the_draft_open(logged_in, client, brand, prompt, segments, marketer, reviewer, reviewer2):
    from django.test import Client

    draft = submitted_draft(brand, prompt, segments["new"], marketer)
    other = Client()
    other.force_login(reviewer2)
    other.get(reverse("draft_detail", args=[draft.pk]))
    page = page_of(logged_in(reviewer), draft)
    assert "Also open by <strong>Sam</strong>" in page
    poll = other.get(reverse("draft_presence", args=[draft.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "Riley" in poll and "<html" not in poll


def test_diffs_show_changes_against_the_previous_version_and_the_original(logged_in, brand, prompt, segments, marketer):
    draft = submitted_draft(brand, prompt, segments["new"], marketer)
    original = draft.latest_version().fields
    actions.draft_edit(draft, fields=dict(original, subject="Second subject"), base_version=1, acting_user=marketer)
    actions.draft_edit(draft, fields=dict(original, subject="Third subject"), base_version=2, acting_user=marketer)
    page = page_of(logged_in(marketer), draft)
    assert "<del>Second</del> <ins>Third</ins> subject" in page, "a replaced word is kept apart from its replacement"
    assert "Against the model's original (v1)" in page
    side = logged_in(marketer).get(reverse("draft_detail", args=[draft.pk]), {"from": 2, "to": 3, "diff": "side"}).content.decode()
    assert 'class="diff-side"' in side and "version 2 → version 3" in side
    assert "<del>Second</del> subject</p>" in side and "<ins>Third</ins> subject</p>" in side, "each side shows its own text"


def test_its_query_count_stays_constant_as_drafts_versions_and_comments_grow(logged_in, brand, prompt, segments, marketer, reviewer):
    draft = submitted_draft(brand, prompt, segments["new"], marketer)
    client = logged_in(reviewer)
    client.get(reverse("draft_detail", args=[draft.pk]))  # presence row exists from here on

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("draft_detail", args=[draft.pk])).status_code == 200
        return len(captured)

    few = count()
    generate_now(make_brief(brand, prompt, [segments["loyal"], segments["complaint"]], marketer, variants=3), marketer)
    fields = draft.latest_version().fields
    for n in range(1, 4):
        actions.draft_edit(draft, fields=dict(fields, subject=f"Subject {n}"), base_version=n, acting_user=marketer)
        review.comment_add(draft, body=f"note {n}", acting_user=reviewer)
    actions.draft_submit(draft, acting_user=marketer)
    assert count() == few


def test_the_live_check_explains_an_emptied_draft(client, marketer, brand, prompt, segments):
    from tests.pipeline import submitted_draft

    draft = submitted_draft(brand, prompt, segments["new"], marketer, channel="sms")
    client.force_login(marketer)
    response = client.post(f"/drafts/{draft.pk}/check/", {"body": ""})
    assert response.status_code == 200
    assert "empty" in response.text.lower()
