"""Reviewers' edits follow one rule whatever the entrance: a reviewer's edit of a draft in review is a new version that
stays in review, counts the reviewer as an author (someone else approves) and tells the draft's author."""

from __future__ import annotations

from unittest import mock

import pytest
from django.urls import reverse

from tests.pipeline import submitted_draft
from workbench.checks import actions as check_actions
from workbench.checks.models import finding_key
from workbench.checks.services import latest_check
from workbench.errors import CopydeskError
from workbench.generation import actions as generation
from workbench.generation.edit_rule import edit_outcome, keeps_review
from workbench.generation.models import DraftState
from workbench.review import actions as review
from workbench.review import deadlines, notify
from workbench.review.models import Notification, ReviewDeadline
from workbench.review.policy import approval_status

pytestmark = pytest.mark.django_db


def edited(draft, **changes):  # type: ignore[no-untyped-def]
    return dict(draft.latest_version().fields, **changes)


def test_it_keeps_a_reviewers_edit_in_review_and_the_reviewer_cannot_approve_it(logged_in, brand, prompt, segments, marketer, reviewer, reviewer2):
    draft = submitted_draft(brand, prompt, segments["new"], marketer)
    client = logged_in(reviewer)
    response = client.post(reverse("draft_edit", args=[draft.pk]), {**edited(draft, subject="A calmer subject"), "base_version": 1}, follow=True)
    body = response.content.decode()
    draft.refresh_from_db()
    assert draft.state == DraftState.IN_REVIEW and draft.latest_version().number == 2
    assert draft.latest_version().author == reviewer
    assert "It stays in review" in body and "another reviewer must approve it" in body
    assert 'id="approve-button" disabled' in body and "someone else must approve it (four-eyes)" in body
    assert "Submit version 2" not in body, "nothing to submit: it is still in review"
    assert "a reviewer other than its authors (Maya and Riley)" in body
    assert client.post(reverse("review_approve", args=[draft.pk]), {"version": 2}).status_code == 403
    review.review_approve(draft, version_number=2, acting_user=reviewer2)
    draft.refresh_from_db()
    assert draft.state == DraftState.APPROVED


def test_it_tells_the_author_and_the_reviewer_whose_approval_stayed_behind(brand, prompt, segments, marketer, reviewer, reviewer2, django_capture_on_commit_callbacks):
    draft = submitted_draft(brand, prompt, segments["complaint"], marketer)  # sensitive: two approvals
    review.review_approve(draft, version_number=1, acting_user=reviewer)
    marketer.email = "maya@example.test"
    marketer.save()
    with mock.patch.object(notify.send_email, "delay") as send, django_capture_on_commit_callbacks(execute=True):
        generation.draft_edit(draft, fields=edited(draft, subject="Sorry for the wait"), base_version=1, acting_user=reviewer2)
    to_author = Notification.objects.get(recipient=marketer, kind="decision", message__contains="edited")
    assert "Sam edited" in to_author.message and "stays in review" in to_author.message
    assert Notification.objects.filter(recipient=reviewer, message__contains="Sam edited").exists()
    assert not Notification.objects.filter(recipient=reviewer2, message__contains="Sam edited").exists()
    assert marketer.pk in send.call_args.args[0]
    status = approval_status(draft.latest_version())
    assert status.approvals == 0 and reviewer2.pk in status.authors


def test_the_same_rule_holds_for_a_one_click_fix(brand, prompt, segments, marketer, reviewer):
    draft = submitted_draft(brand, prompt, segments["new"], marketer)
    version = generation.draft_edit(draft, fields=edited(draft, subject="Cheap boots for you"), base_version=1, acting_user=marketer)
    generation.draft_submit(draft, acting_user=marketer)
    finding = next(f for f in latest_check(version).findings if f.get("suggestion"))  # type: ignore[union-attr]
    new = check_actions.suggestion_apply(version, key=finding_key(finding), acting_user=reviewer)
    draft.refresh_from_db()
    assert new.number == 3 and draft.state == DraftState.IN_REVIEW
    with pytest.raises(CopydeskError, match="four-eyes"):
        review.review_approve(draft, version_number=3, acting_user=reviewer)
    assert Notification.objects.filter(recipient=marketer, message__contains="Riley edited").exists()


def test_the_authors_own_edit_takes_the_draft_out_of_review(brand, prompt, segments, marketer, reviewer):
    draft = submitted_draft(brand, prompt, segments["new"], marketer)
    generation.draft_edit(draft, fields=edited(draft, subject="My second thoughts"), base_version=1, acting_user=marketer)
    draft.refresh_from_db()
    assert draft.state == DraftState.DRAFT
    assert not Notification.objects.filter(recipient=marketer, kind="decision").exists()


def test_an_edit_of_an_approved_draft_goes_back_to_draft_even_by_a_reviewer(brand, prompt, segments, marketer, reviewer, reviewer2):
    draft = submitted_draft(brand, prompt, segments["new"], marketer)
    review.review_approve(draft, version_number=1, acting_user=reviewer)
    generation.draft_edit(draft, fields=edited(draft, subject="After approval"), base_version=1, acting_user=reviewer2)
    draft.refresh_from_db()
    assert draft.state == DraftState.DRAFT


def test_it_releases_the_editing_reviewers_claim(brand, prompt, segments, marketer, reviewer):
    draft = submitted_draft(brand, prompt, segments["new"], marketer)
    review.draft_claim(draft, acting_user=reviewer)
    generation.draft_edit(draft, fields=edited(draft, subject="Claimed and edited"), base_version=1, acting_user=reviewer)
    assert ReviewDeadline.objects.get(draft=draft).claimed_by is None, "their approval no longer counts, so others may decide"


def test_the_page_says_the_rule_next_to_the_editor(logged_in, brand, prompt, segments, marketer, reviewer):
    draft = submitted_draft(brand, prompt, segments["new"], marketer)
    assert keeps_review(draft, reviewer) and not keeps_review(draft, marketer)
    page = logged_in(reviewer).get(reverse("draft_detail", args=[draft.pk])).content.decode()
    assert 'id="edit-rule"' in page and "saving makes a new version that stays in review" in page and "Maya is told" in page
    page = logged_in(marketer).get(reverse("draft_detail", args=[draft.pk])).content.decode()
    assert "takes the draft out of review" in page
    assert edit_outcome(draft, marketer).startswith("Saving makes a new version and takes the draft out of review")
