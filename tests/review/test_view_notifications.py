"""In-app notifications: reviewers hear of new items, authors of decisions; a badge in the nav."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.pipeline import generate_now, make_brief
from workbench.review.models import Notification

pytestmark = pytest.mark.django_db


def test_submitting_notifies_reviewers_but_not_the_author(logged_in, brand, prompt, segments, marketer, reviewer, reviewer2, admin_user):
    (draft,) = generate_now(make_brief(brand, prompt, [segments["new"]], marketer, channels=["email"], variants=1), marketer)
    logged_in(marketer).post(reverse("draft_submit", args=[draft.pk]))
    assert set(Notification.objects.filter(kind="submitted").values_list("recipient__username", flat=True)) == {"riley", "sam", "ada"}
    page = logged_in(reviewer).get(reverse("home")).content.decode()
    assert '<span class="count-badge">1<span class="visually-hidden"> unread</span>' in page


def test_opening_the_draft_or_marking_all_read_clears_the_badge(logged_in, brand, prompt, segments, marketer, reviewer):
    (draft,) = generate_now(make_brief(brand, prompt, [segments["new"]], marketer, channels=["email"], variants=1), marketer)
    logged_in(marketer).post(reverse("draft_submit", args=[draft.pk]))
    client = logged_in(reviewer)
    listing = client.get(reverse("notification_list")).content.decode()
    assert "submitted" in listing and reverse("draft_detail", args=[draft.pk]) in listing
    client.get(reverse("draft_detail", args=[draft.pk]))
    assert Notification.objects.unread().filter(recipient=reviewer).count() == 0
    client.post(reverse("review_approve", args=[draft.pk]), {"version": 1})
    author = logged_in(marketer)
    assert "approved" in author.get(reverse("notification_list")).content.decode()
    author.post(reverse("notifications_read"))
    assert Notification.objects.unread().filter(recipient=marketer).count() == 0
