"""Discarding and restoring drafts: who may, which drafts, what a discarded draft can no longer do, and the audit trail."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import make_user
from tests.pipeline import approved_draft, generate_now, make_brief
from workbench.accounts.models import Role
from workbench.audit.log import verify_chain
from workbench.audit.models import AuditEvent
from workbench.errors import CopydeskError
from workbench.generation import actions
from workbench.generation.models import DraftState
from workbench.journeys.actions import journey_create, journey_step_create, publication_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def drafts(brand, prompt, segments, marketer):  # type: ignore[no-untyped-def]
    brief = make_brief(brand, prompt, [segments["new"]], marketer, channels=["email"], variants=2)
    return generate_now(brief, marketer)


def grid_numbers(client, brief_id: int, state: str = "") -> list[int]:  # type: ignore[no-untyped-def]
    url = reverse("brief_detail", args=[brief_id]) + (f"?state={state}" if state else "")
    grid = client.get(url).context["grid"]
    return sorted(card.draft.number for row in grid["rows"] for cell in row.cells for card in cell)


def test_the_author_discards_a_draft_and_it_leaves_the_grid(logged_in, drafts, marketer):
    kept, gone = drafts
    client = logged_in(marketer)
    response = client.post(reverse("draft_discard", args=[gone.pk]))
    assert response.status_code == 302
    gone.refresh_from_db()
    assert gone.discarded and gone.discarded_by == marketer and gone.state == DraftState.DRAFT
    assert grid_numbers(client, gone.brief_id) == [kept.number]
    assert grid_numbers(client, gone.brief_id, "discarded") == [gone.number]
    states = {s["value"]: s["count"] for s in client.get(reverse("brief_detail", args=[gone.brief_id])).context["grid"]["states"]}
    assert states["discarded"] == 1 and states["draft"] == 1
    event = AuditEvent.objects.get(action="draft.discard")
    assert event.object_id == str(gone.pk) and event.actor_id == str(marketer.pk) and event.changes["discarded"] == [False, True]
    assert verify_chain().ok


def test_a_discarded_draft_cannot_be_submitted_edited_or_rewritten_until_restored(drafts, marketer):
    draft = actions.draft_discard(drafts[0], acting_user=marketer)
    with pytest.raises(CopydeskError, match="restore it"):
        actions.draft_submit(draft, acting_user=marketer)
    with pytest.raises(CopydeskError, match="restore it"):
        actions.draft_edit(draft, fields={"subject": "New", "preheader": "", "body": "Body"}, base_version=1, acting_user=marketer)
    with pytest.raises(CopydeskError, match="restore it"):
        actions.draft_request_variation(draft, mode="regenerate", base_version=1, acting_user=marketer)  # type: ignore[arg-type]
    actions.draft_restore(draft, acting_user=marketer)
    draft.refresh_from_db()
    assert not draft.discarded
    assert actions.draft_submit(draft, acting_user=marketer).state == DraftState.IN_REVIEW
    assert AuditEvent.objects.filter(action="draft.restore", object_id=str(draft.pk)).exists()


def test_restore_puts_it_back_on_the_grid(logged_in, drafts, marketer):
    draft = actions.draft_discard(drafts[0], acting_user=marketer)
    client = logged_in(marketer)
    response = client.post(reverse("draft_restore", args=[draft.pk]), {"state": "discarded"})
    assert response["Location"].endswith("?state=discarded")
    assert grid_numbers(client, draft.brief_id) == sorted(d.number for d in drafts)


def test_only_the_briefs_author_and_admins_may_discard(drafts, reviewer, admin_user):
    other_marketer = make_user("mo", Role.MARKETER)
    with pytest.raises(CopydeskError) as refused:
        actions.draft_discard(drafts[0], acting_user=other_marketer)
    assert refused.value.code == "forbidden"
    with pytest.raises(CopydeskError):
        actions.draft_discard(drafts[0], acting_user=reviewer)
    assert actions.draft_discard(drafts[0], acting_user=admin_user).discarded
    with pytest.raises(CopydeskError):
        actions.draft_restore(drafts[0], acting_user=other_marketer)


def test_the_discard_button_shows_only_to_who_may_use_it(logged_in, drafts, marketer):
    url = reverse("brief_detail", args=[drafts[0].brief_id])
    assert f"Discard draft #{drafts[0].number}" in logged_in(marketer).get(url).content.decode()
    assert "Discard draft" not in logged_in(make_user("mo", Role.MARKETER)).get(url).content.decode()


def test_drafts_in_review_or_approved_and_published_cannot_be_discarded(brand, prompt, segments, marketer, reviewer, publisher, drafts):
    in_review = actions.draft_submit(drafts[0], acting_user=marketer)
    with pytest.raises(CopydeskError, match="in review") as refused:
        actions.draft_discard(in_review, acting_user=marketer)
    assert refused.value.code == "conflict"
    approved = approved_draft(brand, prompt, segments["new"], marketer, reviewer)
    journey = journey_create(brand=brand, slug="welcome", name="Welcome", acting_user=publisher)
    step = journey_step_create(journey, slug="email", name="Email", channel="email", default_segment=segments["new"], acting_user=publisher)
    publication_create(step, version=approved.latest_version(), acting_user=publisher)
    with pytest.raises(CopydeskError, match="approved"):
        actions.draft_discard(approved, acting_user=marketer)
    assert not AuditEvent.objects.filter(action="draft.discard").exists()


def test_a_refused_discard_from_the_grid_says_why(logged_in, drafts, marketer):
    in_review = actions.draft_submit(drafts[0], acting_user=marketer)
    response = logged_in(marketer).post(reverse("draft_discard", args=[in_review.pk]), follow=True)
    assert "only drafts being written or rejected can be discarded" in response.content.decode()


def test_a_rejected_draft_can_be_discarded(drafts, marketer, reviewer):
    from workbench.review import actions as review

    draft = actions.draft_submit(drafts[0], acting_user=marketer)
    review.review_reject(draft, version_number=1, reason="Not our voice", acting_user=reviewer)
    assert actions.draft_discard(draft, acting_user=marketer).discarded


def test_the_draft_page_says_a_draft_is_discarded_and_restores_it_in_place(logged_in, drafts, marketer):
    draft = actions.draft_discard(drafts[0], acting_user=marketer)
    client = logged_in(marketer)
    page = client.get(reverse("draft_detail", args=[draft.pk])).content.decode()
    assert "cannot be submitted until it is restored" in page and f"Restore draft #{draft.number}" in page
    response = client.post(reverse("draft_restore", args=[draft.pk]), {"back": "draft"})
    assert response["Location"] == reverse("draft_detail", args=[draft.pk])
