"""The review queue page: filters with counts, oldest first, pagination, approving from a row."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.pipeline import generate_now, make_brief, submitted_draft
from workbench.generation import actions
from workbench.generation.models import Draft, DraftState
from workbench.review import actions as review
from workbench.review.views import QUEUE_PAGE_SIZE

pytestmark = pytest.mark.django_db


def submit_all(brief, author) -> list[Draft]:  # type: ignore[no-untyped-def]
    drafts = generate_now(brief, author)
    return [actions.draft_submit(d, acting_user=author) for d in drafts]


def queries_for(client, url: str) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_it_lists_waiting_drafts_oldest_first_with_their_check_status(logged_in, brand, prompt, segments, marketer, reviewer):
    first = submitted_draft(brand, prompt, segments["new"], marketer)
    second = submitted_draft(brand, prompt, segments["loyal"], marketer, channel="sms")
    page = logged_in(reviewer).get(reverse("review_queue")).content.decode()
    assert page.index(f"draft {first.pk} ·") < page.index(f"draft {second.pk} ·")
    newest = logged_in(reviewer).get(reverse("review_queue") + "?sort=newest").content.decode()
    assert newest.index(f"draft {second.pk} ·") < newest.index(f"draft {first.pk} ·")


def test_it_filters_by_channel_sensitivity_and_blocking_with_counts(logged_in, brand, prompt, segments, marketer, reviewer):
    submitted_draft(brand, prompt, segments["new"], marketer, channel="email")
    sensitive = submitted_draft(brand, prompt, segments["complaint"], marketer, channel="sms")
    blocked = submitted_draft(brand, prompt, segments["loyal"], marketer, channel="email")
    fields = dict(blocked.latest_version().fields, subject="Cheap boots for you")
    actions.draft_edit(blocked, fields=fields, base_version=1, acting_user=marketer)
    actions.draft_submit(blocked, acting_user=marketer)
    client = logged_in(reviewer)
    page = client.get(reverse("review_queue")).content.decode()
    assert "Email (2)" in page and "SMS (1)" in page
    sms = client.get(reverse("review_queue") + "?channel=sms")
    assert [card.draft.pk for card, _ in sms.context["rows"]] == [sensitive.pk]
    assert client.get(reverse("review_queue") + "?sensitive=yes").context["page"].paginator.count == 1
    blocking = client.get(reverse("review_queue") + "?blocking=yes")
    assert [card.draft.pk for card, _ in blocking.context["rows"]] == [blocked.pk]
    # The blocked row cannot be approved, and says why.
    assert "blocking finding" in blocking.content.decode()


def test_it_drops_filter_values_that_make_no_sense(logged_in, brand, prompt, segments, marketer, reviewer):
    submitted_draft(brand, prompt, segments["new"], marketer)
    response = logged_in(reviewer).get(reverse("review_queue") + "?brand=abc&channel=fax&blocking=maybe&page=zz&sort=x")
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 1


def test_it_paginates_and_keeps_the_filters(logged_in, brand, prompt, segments, marketer, reviewer, settings):
    brief = make_brief(brand, prompt, [segments["new"], segments["loyal"]], marketer, channels=["email", "sms", "push"], variants=5)
    submit_all(brief, marketer)
    client = logged_in(reviewer)
    response = client.get(reverse("review_queue") + "?channel=email")
    assert response.context["page"].paginator.count == 10
    response = client.get(reverse("review_queue"))
    assert response.context["page"].paginator.count == 30 and len(response.context["rows"]) == QUEUE_PAGE_SIZE
    assert "page=2" in response.content.decode()
    second = client.get(reverse("review_queue") + "?page=2")
    assert len(second.context["rows"]) == 30 - QUEUE_PAGE_SIZE


def test_its_query_count_stays_constant_as_drafts_grow(logged_in, brand, prompt, segments, marketer, reviewer):
    client = logged_in(reviewer)
    submit_all(make_brief(brand, prompt, [segments["new"]], marketer, channels=["email"], variants=1), marketer)
    few = queries_for(client, reverse("review_queue"))
    submit_all(make_brief(brand, prompt, [segments["loyal"], segments["complaint"]], marketer, channels=["email", "sms"], variants=3), marketer)
    many = queries_for(client, reverse("review_queue"))
    filtered = queries_for(client, reverse("review_queue") + "?blocking=no&sensitive=yes&channel=sms")
    assert Draft.objects.filter(state=DraftState.IN_REVIEW).count() == 13
    assert few == many
    assert filtered == many


def test_it_approves_from_a_row_and_returns_to_the_filtered_queue(logged_in, brand, prompt, segments, marketer, reviewer):
    draft = submitted_draft(brand, prompt, segments["new"], marketer)
    back = reverse("review_queue") + "?channel=email"
    response = logged_in(reviewer).post(reverse("review_approve", args=[draft.pk]), {"version": 1, "next": back}, follow=True)
    assert response.redirect_chain[-1][0] == back
    assert "approved and ready to publish" in response.content.decode()
    draft.refresh_from_db()
    assert draft.state == DraftState.APPROVED


def test_it_refuses_an_approval_from_the_queue_by_the_author(logged_in, brand, prompt, segments, admin_user):
    draft = submitted_draft(brand, prompt, segments["new"], admin_user)
    client = logged_in(admin_user)
    page = client.get(reverse("review_queue")).content.decode()
    assert "someone else must approve it" in page
    response = client.post(reverse("review_approve", args=[draft.pk]), {"version": 1, "next": reverse("review_queue")}, follow=True)
    assert "four-eyes" in response.content.decode()
    draft.refresh_from_db()
    assert draft.state == DraftState.IN_REVIEW


def test_a_marketer_sees_the_queue_but_no_approve_buttons(logged_in, brand, prompt, segments, marketer, reviewer):
    draft = submitted_draft(brand, prompt, segments["new"], marketer)
    review.comment_add(draft, body="Looks close", acting_user=reviewer)
    page = logged_in(marketer).get(reverse("review_queue")).content.decode()
    assert f"draft {draft.pk} ·" in page
    assert "queue-approve" not in page
