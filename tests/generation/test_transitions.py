"""The invariants, enforced by the transition functions whatever the entrance."""

from __future__ import annotations

import pytest

from tests.pipeline import generate_now, make_brief, submitted_draft
from workbench.audit.log import verify_chain
from workbench.audit.models import AuditEvent
from workbench.checks.models import finding_key
from workbench.checks.services import latest_check
from workbench.errors import CopydeskError
from workbench.generation import actions
from workbench.generation.models import DraftState
from workbench.journeys.actions import journey_create, journey_step_create, publication_create
from workbench.review import actions as review

pytestmark = pytest.mark.django_db


def test_it_generates_one_draft_per_segment_channel_variant(brand, prompt, segments, marketer):
    brief = make_brief(brand, prompt, [segments["new"], segments["loyal"]], marketer, channels=["email", "sms"], variants=2)
    drafts = generate_now(brief, marketer)
    assert len(drafts) == 8
    for draft in drafts:
        version = draft.latest_version()
        assert version.number == 1
        assert version.provider == "offline"
        assert version.guide_version.brand == brand
        assert version.prompt_version.template == prompt
        assert latest_check(version) is not None
    assert verify_chain().ok


def test_it_refuses_a_brief_without_segments_or_channels(brand, prompt, segments, marketer):
    with pytest.raises(CopydeskError, match="segment"):
        make_brief(brand, prompt, [], marketer)
    with pytest.raises(CopydeskError, match="channel"):
        actions.brief_create(
            brand=brand, title="t", goal="g", key_message="k", call_to_action="c", segments=[segments["new"]],
            channels=[], prompt_template=prompt, acting_user=marketer,
        )
    assert not brand.briefs.exists()


def test_it_refuses_self_approval(brand, prompt, segments, marketer, admin_user):
    draft = submitted_draft(brand, prompt, segments["new"], admin_user)
    with pytest.raises(CopydeskError, match="four-eyes"):
        review.review_approve(draft, version_number=1, acting_user=admin_user)
    draft.refresh_from_db()
    assert draft.state == DraftState.IN_REVIEW


def test_it_refuses_approval_by_anyone_who_edited_the_draft(brand, prompt, segments, marketer, reviewer, reviewer2):
    draft = submitted_draft(brand, prompt, segments["new"], marketer)
    fields = dict(draft.latest_version().fields, subject="A calmer subject line")
    actions.draft_edit(draft, fields=fields, base_version=1, acting_user=reviewer)
    draft.refresh_from_db()
    assert draft.state == DraftState.IN_REVIEW, "a reviewer's edit stays in review"
    with pytest.raises(CopydeskError, match="four-eyes"):
        review.review_approve(draft, version_number=2, acting_user=reviewer)
    review.review_approve(draft, version_number=2, acting_user=reviewer2)
    draft.refresh_from_db()
    assert draft.state == DraftState.APPROVED


def test_sensitive_segments_need_two_different_reviewers(brand, prompt, segments, marketer, reviewer, reviewer2):
    draft = submitted_draft(brand, prompt, segments["complaint"], marketer)
    review.review_approve(draft, version_number=1, acting_user=reviewer)
    draft.refresh_from_db()
    assert draft.state == DraftState.IN_REVIEW
    with pytest.raises(CopydeskError, match="already approved"):
        review.review_approve(draft, version_number=1, acting_user=reviewer)
    review.review_approve(draft, version_number=1, acting_user=reviewer2)
    draft.refresh_from_db()
    assert draft.state == DraftState.APPROVED


def test_a_blocking_finding_needs_an_override_with_justification(brand, prompt, segments, marketer, reviewer):
    draft = submitted_draft(brand, prompt, segments["new"], marketer)
    fields = dict(draft.latest_version().fields, subject="Cheap boots, great trails")
    version = actions.draft_edit(draft, fields=fields, base_version=1, acting_user=marketer)
    actions.draft_submit(draft, acting_user=marketer)
    check = latest_check(version)
    assert check is not None and not check.passed
    blocking = check.blocking[0]
    assert blocking["kind"] == "disallowed_word" and blocking["match"] == "Cheap"
    with pytest.raises(CopydeskError, match="blocking"):
        review.review_approve(draft, version_number=2, acting_user=reviewer)
    with pytest.raises(CopydeskError, match="justification"):
        review.finding_override(version, key=finding_key(blocking), justification="ok", acting_user=reviewer)
    review.finding_override(version, key=finding_key(blocking), justification="Quoting a customer review verbatim.", acting_user=reviewer)
    review.review_approve(draft, version_number=2, acting_user=reviewer)
    draft.refresh_from_db()
    assert draft.state == DraftState.APPROVED
    assert AuditEvent.objects.filter(action="review.override", changes__justification="Quoting a customer review verbatim.").exists()


def test_rejecting_needs_a_reason(brand, prompt, segments, marketer, reviewer):
    draft = submitted_draft(brand, prompt, segments["new"], marketer)
    with pytest.raises(CopydeskError, match="Say why"):
        review.review_reject(draft, version_number=1, reason="   ", acting_user=reviewer)
    review.review_reject(draft, version_number=1, reason="Too pushy for new customers.", acting_user=reviewer)
    draft.refresh_from_db()
    assert draft.state == DraftState.REJECTED


def test_a_decision_on_a_stale_version_is_a_conflict(brand, prompt, segments, marketer, reviewer):
    draft = submitted_draft(brand, prompt, segments["new"], marketer)
    fields = dict(draft.latest_version().fields, subject="A newer subject")
    actions.draft_edit(draft, fields=fields, base_version=1, acting_user=marketer)
    actions.draft_submit(draft, acting_user=marketer)
    with pytest.raises(CopydeskError) as caught:
        review.review_approve(draft, version_number=1, acting_user=reviewer)
    assert caught.value.code == "conflict"


def test_an_edit_after_approval_needs_a_new_approval_before_publishing(brand, prompt, segments, marketer, reviewer, publisher):
    journey = journey_create(brand=brand, slug="welcome", name="Welcome", acting_user=publisher)
    step = journey_step_create(journey, slug="email", name="Email", channel="email", default_segment=segments["new"], acting_user=publisher)
    draft = submitted_draft(brand, prompt, segments["new"], marketer)
    review.review_approve(draft, version_number=1, acting_user=reviewer)
    approved = draft.latest_version()
    actions.draft_edit(draft, fields=dict(approved.fields, subject="Edited after approval"), base_version=1, acting_user=marketer)
    draft.refresh_from_db()
    assert draft.state == DraftState.DRAFT
    for version in (approved, draft.latest_version()):
        with pytest.raises(CopydeskError):
            publication_create(step, version=version, acting_user=publisher)
    assert not step.publications.exists()


def test_only_an_approved_version_can_be_published(brand, prompt, segments, marketer, reviewer, publisher):
    journey = journey_create(brand=brand, slug="welcome", name="Welcome", acting_user=publisher)
    step = journey_step_create(journey, slug="email", name="Email", channel="email", default_segment=segments["new"], acting_user=publisher)
    sms_step = journey_step_create(journey, slug="sms", name="SMS", channel="sms", default_segment=segments["new"], acting_user=publisher)
    draft = submitted_draft(brand, prompt, segments["new"], marketer)
    with pytest.raises(CopydeskError, match="only approved"):
        publication_create(step, version=draft.latest_version(), acting_user=publisher)
    review.review_approve(draft, version_number=1, acting_user=reviewer)
    with pytest.raises(CopydeskError, match="Only publishers"):
        publication_create(step, version=draft.latest_version(), acting_user=marketer)
    with pytest.raises(CopydeskError, match="SMS"):
        publication_create(sms_step, version=draft.latest_version(), acting_user=publisher)
    publication = publication_create(step, version=draft.latest_version(), acting_user=publisher)
    assert publication.segment == segments["new"]
    assert verify_chain().ok


def test_every_transition_writes_its_audit_event(brand, prompt, segments, marketer, reviewer):
    draft = submitted_draft(brand, prompt, segments["new"], marketer)
    review.review_reject(draft, version_number=1, reason="Not yet.", acting_user=reviewer)
    actions_seen = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"brief.create", "generation.start", "draft.create", "draft.version_create", "check.run", "generation.job_done", "draft.submit", "review.reject"} <= actions_seen
    event = AuditEvent.objects.get(action="review.reject")
    assert event.actor_label == reviewer.username
    assert event.changes["state"] == ["in_review", "rejected"]
