"""Bulk decisions from the queue: each draft decided on its own through the same action, refusals listed with their reason."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from tests.pipeline import submitted_draft
from workbench.audit.models import Action, AuditEvent
from workbench.generation import actions as generation
from workbench.generation.models import DraftState
from workbench.review import actions as review
from workbench.review.models import Decision, ReviewDecision

pytestmark = pytest.mark.django_db


def post_bulk(client, decision: str, drafts, reason: str = ""):  # type: ignore[no-untyped-def]
    selection = [f"{d.pk}:{d.latest_version().number}" for d in drafts]
    return client.post(reverse("review_bulk"), {"decision": decision, "draft": selection, "reason": reason, "next": reverse("review_queue")})


def texts(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_it_approves_each_selected_draft_and_lists_the_refused_with_their_reason(logged_in, brand, prompt, segments, marketer, reviewer, reviewer2):
    fine = submitted_draft(brand, prompt, segments["new"], marketer)
    sensitive = submitted_draft(brand, prompt, segments["complaint"], marketer, channel="sms")
    blocked = submitted_draft(brand, prompt, segments["loyal"], marketer)
    generation.draft_edit(blocked, fields=dict(blocked.latest_version().fields, subject="Cheap boots for you"), base_version=1, acting_user=marketer)
    generation.draft_submit(blocked, acting_user=marketer)
    claimed = submitted_draft(brand, prompt, segments["new"], marketer, channel="sms")
    review.draft_claim(claimed, acting_user=reviewer2)

    response = post_bulk(logged_in(reviewer), "approve", [fine, sensitive, blocked, claimed])

    assert response.status_code == 302 and response["Location"] == reverse("review_queue")
    for draft in (fine, sensitive, blocked, claimed):
        draft.refresh_from_db()
    assert fine.state == DraftState.APPROVED
    assert sensitive.state == DraftState.IN_REVIEW  # one approval of two: recorded, still waiting
    assert blocked.state == DraftState.IN_REVIEW and claimed.state == DraftState.IN_REVIEW
    # Each decision is its own audited event through the same action.
    assert ReviewDecision.objects.filter(reviewer=reviewer, decision=Decision.APPROVE).count() == 2
    assert AuditEvent.objects.filter(action=Action.REVIEW_APPROVE).count() == 2
    messages = texts(response)
    assert any(f"{fine.pk}, {sensitive.pk}" in m for m in messages)
    assert any(m.startswith(f"Draft {blocked.pk} was not decided") and "blocking finding" in m for m in messages)
    assert any(m.startswith(f"Draft {claimed.pk} was not decided") and "Sam has claimed" in m for m in messages)


def test_it_refuses_an_authors_own_draft_and_a_stale_version_in_a_bulk_rejection(logged_in, brand, prompt, segments, marketer, reviewer):
    stale = submitted_draft(brand, prompt, segments["new"], marketer)
    other = submitted_draft(brand, prompt, segments["loyal"], marketer)
    client = logged_in(reviewer)
    selection = [f"{stale.pk}:7", f"{other.pk}:1"]
    response = client.post(reverse("review_bulk"), {"decision": "reject", "draft": selection, "reason": "Off brand"})
    other.refresh_from_db()
    stale.refresh_from_db()
    assert other.state == DraftState.REJECTED and stale.state == DraftState.IN_REVIEW
    assert any(f"Draft {stale.pk} was not decided" in m and "version 1 is now current" in m for m in texts(response))


def test_a_bulk_rejection_needs_a_reason_and_a_selection(logged_in, brand, prompt, segments, marketer, reviewer):
    draft = submitted_draft(brand, prompt, segments["new"], marketer)
    client = logged_in(reviewer)
    response = post_bulk(client, "reject", [draft])
    assert any("Say why" in m for m in texts(response))
    assert any("Select at least one" in m for m in texts(post_bulk(client, "approve", [])))
    draft.refresh_from_db()
    assert draft.state == DraftState.IN_REVIEW


def test_marketers_cannot_decide_in_bulk(logged_in, brand, prompt, segments, marketer):
    draft = submitted_draft(brand, prompt, segments["new"], marketer)
    assert post_bulk(logged_in(marketer), "approve", [draft]).status_code == 403
    draft.refresh_from_db()
    assert draft.state == DraftState.IN_REVIEW


def test_the_queue_offers_selection_for_bulk_decisions(logged_in, brand, prompt, segments, marketer, reviewer):
    draft = submitted_draft(brand, prompt, segments["new"], marketer)
    page = logged_in(reviewer).get(reverse("review_queue")).content.decode()
    assert f'value="{draft.pk}:1" form="bulk-decide"' in page and "Approve selected" in page
