"""Review deadlines and claims: due times from the policy, the queue sorted and filtered by due, claims that refuse others and lapse."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.pipeline import generate_now, make_brief
from workbench.access import SYSTEM
from workbench.brand.actions import guide_version_create
from workbench.errors import CopydeskError
from workbench.generation.models import Draft, DraftState
from workbench.review import actions as review
from workbench.review import deadlines
from workbench.review.models import ReviewDeadline

pytestmark = pytest.mark.django_db


def submitted(brand, prompt, segment, author, channel: str = "email") -> Draft:  # type: ignore[no-untyped-def]
    brief = make_brief(brand, prompt, [segment], author, channels=[channel], variants=1)
    (draft,) = generate_now(brief, author)
    return review.submit_for_review(draft, acting_user=author)


def set_due(draft: Draft, hours_from_now: float) -> None:
    ReviewDeadline.objects.filter(draft=draft).update(due_at=timezone.now() + timedelta(hours=hours_from_now))


def test_it_sets_the_due_time_from_the_policy_at_submission(brand, prompt, segments, marketer):
    source = (settings.BASE_DIR / "brandguide" / "northwind.yaml").read_text()
    guide_version_create(source_yaml=source + "\napproval:\n  due_hours: {default: 30, sensitive_segment: 5}\n", acting_user=SYSTEM)
    before = timezone.now()
    ordinary = submitted(brand, prompt, segments["new"], marketer)
    sensitive = submitted(brand, prompt, segments["complaint"], marketer, channel="sms")
    for draft in (ordinary, sensitive):
        deadline = ReviewDeadline.objects.get(draft=draft)
        hours = 5 if draft.segment.sensitive else 30
        assert before + timedelta(hours=hours) <= deadline.due_at <= timezone.now() + timedelta(hours=hours)


def test_it_sorts_by_due_filters_overdue_and_marks_it(logged_in, brand, prompt, segments, marketer, reviewer):
    late = submitted(brand, prompt, segments["new"], marketer)
    soon = submitted(brand, prompt, segments["loyal"], marketer)
    later = submitted(brand, prompt, segments["new"], marketer, channel="sms")
    set_due(late, -1)
    set_due(soon, 1)
    set_due(later, 30)
    client = logged_in(reviewer)
    by_due = client.get(reverse("review_queue") + "?sort=due")
    assert [card.draft.pk for card, _ in by_due.context["rows"]] == [late.pk, soon.pk, later.pk]
    page = by_due.content.decode()
    assert "1 overdue" in page and page.count('class="badge overdue">overdue') == 1 and "due soon" in page
    assert [c.draft.pk for c, _ in client.get(reverse("review_queue") + "?due=overdue").context["rows"]] == [late.pk]
    assert [c.draft.pk for c, _ in client.get(reverse("review_queue") + "?due=soon").context["rows"]] == [soon.pk]
    assert [c.draft.pk for c, _ in client.get(reverse("review_queue") + "?due=later").context["rows"]] == [later.pk]


def test_a_claim_refuses_other_reviewers_and_the_holders_decision_ends_it(brand, prompt, segments, marketer, reviewer, reviewer2):
    draft = submitted(brand, prompt, segments["complaint"], marketer, channel="sms")
    review.draft_claim(draft, acting_user=reviewer)
    with pytest.raises(CopydeskError, match="Riley has claimed this draft"):
        review.review_approve(draft, version_number=1, acting_user=reviewer2)
    with pytest.raises(CopydeskError, match="Riley has claimed"):
        review.draft_claim(draft, acting_user=reviewer2)
    review.review_approve(draft, version_number=1, acting_user=reviewer)  # the holder decides; the claim ends
    assert ReviewDeadline.objects.get(draft=draft).claimed_by is None
    review.review_approve(draft, version_number=1, acting_user=reviewer2)
    draft.refresh_from_db()
    assert draft.state == DraftState.APPROVED


def test_a_claim_lapses_after_inactivity_and_activity_keeps_it(brand, prompt, segments, marketer, reviewer, reviewer2):
    draft = submitted(brand, prompt, segments["new"], marketer)
    review.draft_claim(draft, acting_user=reviewer)
    idle = timezone.now() - deadlines.CLAIM_IDLE + timedelta(minutes=1)
    ReviewDeadline.objects.filter(draft=draft).update(claim_active_at=idle)
    review.presence_touch(draft, acting_user=reviewer)  # the holder still has the page open
    with pytest.raises(CopydeskError, match="claimed"):
        review.review_reject(draft, version_number=1, reason="Off brand", acting_user=reviewer2)
    ReviewDeadline.objects.filter(draft=draft).update(claim_active_at=timezone.now() - deadlines.CLAIM_IDLE - timedelta(seconds=1))
    review.review_reject(draft, version_number=1, reason="Off brand", acting_user=reviewer2)
    draft.refresh_from_db()
    assert draft.state == DraftState.REJECTED


def test_the_queue_shows_who_holds_a_claim_and_lets_the_holder_release_it(logged_in, brand, prompt, segments, marketer, reviewer, reviewer2):
    draft = submitted(brand, prompt, segments["new"], marketer)
    client = logged_in(reviewer)
    client.post(reverse("draft_claim", args=[draft.pk]), {"next": reverse("review_queue")})
    assert "claimed by you" in client.get(reverse("review_queue")).content.decode()
    assert "claimed by Riley" in logged_in(reviewer2).get(reverse("review_queue")).content.decode()
    client = logged_in(reviewer)
    client.post(reverse("draft_release", args=[draft.pk]), {"next": reverse("review_queue")})
    assert ReviewDeadline.objects.get(draft=draft).claimed_by is None


def test_the_queue_query_count_does_not_grow_with_deadlines_and_claims(logged_in, brand, prompt, segments, marketer, reviewer, reviewer2):
    def count() -> int:
        client = logged_in(reviewer)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("review_queue") + "?sort=due").status_code == 200
        return len(captured)

    first = submitted(brand, prompt, segments["new"], marketer)
    review.draft_claim(first, acting_user=reviewer2)
    small = count()
    for segment in ("loyal", "complaint", "new"):
        draft = submitted(brand, prompt, segments[segment], marketer, channel="sms")
        review.draft_claim(draft, acting_user=reviewer2)
    assert count() == small


def test_a_guide_refuses_a_due_time_beyond_a_year():
    source = (settings.BASE_DIR / "brandguide" / "northwind.yaml").read_text()
    with pytest.raises(CopydeskError, match="must be at most 8,784"):
        guide_version_create(source_yaml=source + "\napproval:\n  due_hours: {default: 100000000}\n", acting_user=SYSTEM)


@pytest.mark.parametrize("hours", [100_000_000, 1.0e30])
def test_a_due_time_past_any_date_stored_before_that_limit_is_held_to_a_century(
    logged_in, brand, prompt, segments, marketer, hours
):
    """A guide stored before the limit may hold 10**8 hours, which ran past the last datetime (a 500 on submit)."""
    source = (settings.BASE_DIR / "brandguide" / "northwind.yaml").read_text()
    version = guide_version_create(source_yaml=source + "\napproval:\n  due_hours: {default: 48}\n", acting_user=SYSTEM)
    data = {**version.data, "approval": {**version.data["approval"], "due_hours": {"default": hours}}}
    type(version).objects.filter(pk=version.pk).update(data=data)
    brief = make_brief(brand, prompt, [segments["new"]], marketer, channels=["email"], variants=1)
    (draft,) = generate_now(brief, marketer)
    client = logged_in(marketer)
    response = client.post(reverse("draft_submit", args=[draft.pk]), {"version": "1"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.state == DraftState.IN_REVIEW
    due = ReviewDeadline.objects.get(draft=draft).due_at
    assert timedelta(days=365 * 99) < due - timezone.now() <= timedelta(hours=deadlines.MAX_DUE_HOURS)
    assert client.get(reverse("draft_detail", args=[draft.pk])).status_code == 200
    assert client.get(reverse("review_queue")).status_code == 200
