"""Concurrent decisions on one draft and concurrent publications to one step: one wins, the rest get a clear
conflict, nothing is corrupted, the audit chain stays valid. Real threads with their own connections
(on SQLite the IMMEDIATE transactions queue them; on PostgreSQL the row locks do)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.pipeline import submitted_draft
from tests.audit.test_audit_chain import approvable_drafts, run_in_threads
from workbench.audit.log import verify_chain
from workbench.audit.models import AuditEvent
from workbench.errors import CopydeskError
from workbench.generation.models import DraftState
from workbench.journeys.actions import journey_create, journey_step_create, publication_create
from workbench.journeys.models import Publication
from workbench.review import actions as review
from workbench.review.models import ReviewDecision

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_approval_and_a_rejection_at_once_one_wins_and_the_other_is_told(brand, prompt, segments, marketer, reviewer, reviewer2):
    draft = submitted_draft(brand, prompt, segments["new"], marketer)
    work: list[Callable[[], object]] = [
        lambda: review.review_approve(draft, version_number=1, acting_user=reviewer),
        lambda: review.review_reject(draft, version_number=1, reason="Too pushy", acting_user=reviewer2),
    ]
    results, errors = run_in_threads(work)
    assert len(results) == 1 and len(errors) == 1
    (error,) = errors
    assert isinstance(error, CopydeskError) and error.code == "conflict"
    assert "not recorded" in error.message or "not waiting for review" in error.message
    draft.refresh_from_db()
    winner = ReviewDecision.objects.get(version__draft=draft)
    assert draft.state == (DraftState.APPROVED if winner.decision == "approve" else DraftState.REJECTED)
    assert AuditEvent.objects.filter(action__in=["review.approve", "review.reject"], object_id=str(draft.pk)).count() == 1
    assert verify_chain().ok


def test_many_reviewers_approving_one_draft_make_one_approval(brand, prompt, segments, marketer, django_user_model):
    from workbench.accounts.models import Role

    draft = submitted_draft(brand, prompt, segments["new"], marketer)
    reviewers = [django_user_model.objects.create_user(username=f"rev{i}", password="x" * 16, role=Role.REVIEWER) for i in range(8)]
    results, errors = run_in_threads([lambda r=r: review.review_approve(draft, version_number=1, acting_user=r) for r in reviewers])
    assert len(results) == 1
    assert len(errors) == 7 and all(isinstance(e, CopydeskError) and e.code == "conflict" for e in errors)
    assert ReviewDecision.objects.filter(version__draft=draft).count() == 1
    assert verify_chain().ok


def test_concurrent_publications_to_one_step_leave_exactly_one_live_version(brand, prompt, segments, marketer, reviewer, publisher):
    journey = journey_create(brand=brand, slug="welcome", name="Welcome", acting_user=publisher)
    step = journey_step_create(journey, slug="email", name="Email", channel="email", default_segment=segments["new"], acting_user=publisher)
    drafts = [d for d in approvable_drafts(brand, prompt, segments, marketer, 40) if d.channel == "email" and d.segment_id == segments["new"].pk][:6]
    assert len(drafts) >= 3
    for draft in drafts:
        review.review_approve(draft, version_number=1, acting_user=reviewer)

    def publish(draft) -> Callable[[], object]:  # type: ignore[no-untyped-def]
        return lambda: publication_create(step, version=draft.latest_version(), replace=True, acting_user=publisher)

    results, errors = run_in_threads([publish(d) for d in drafts])
    assert errors == [] and len(results) == len(drafts)
    live = Publication.objects.filter(step=step, segment=segments["new"], ended_at__isnull=True)
    assert live.count() == 1, "replacing publications raced: more than one is live"
    assert Publication.objects.filter(step=step).count() == len(drafts)
    events = AuditEvent.objects.filter(action="publication.create").order_by("seq")
    assert events.count() == len(drafts)
    # Each publication replaced exactly the one live before it: the events form one line, not a fork.
    replaced = [e.changes["replaced"] for e in events]
    assert replaced[0] == [] and all(len(r) == 1 for r in replaced[1:])
    assert verify_chain().ok
