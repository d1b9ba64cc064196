"""The demo's drafts in review have review deadlines as real submissions do: two due within hours, one overdue, so
the queue and the reviewers' home pages show what is due from the first start; one approved draft waits for a publisher."""

from __future__ import annotations

import os

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from workbench.accounts.models import User
from workbench.generation.models import Draft, DraftState
from workbench.review.deadlines import DUE_SOON
from workbench.review.models import ReviewDeadline

pytestmark = pytest.mark.django_db


def test_the_demo_submissions_have_deadlines_some_due_soon_and_one_overdue(client):
    call_command("seed_demo", "--quiet-passwords", stdout=open(os.devnull, "w"))
    now = timezone.now()
    in_review = Draft.objects.filter(state=DraftState.IN_REVIEW)
    deadlines = list(ReviewDeadline.objects.filter(draft__in=in_review))
    assert in_review.count() and len(deadlines) == in_review.count()
    assert sum(d.due_at < now for d in deadlines) == 1
    assert sum(now <= d.due_at < now + DUE_SOON for d in deadlines) == 2
    client.force_login(User.objects.get(username="reviewer"))
    section = client.get(reverse("home")).context["reviewer"]
    assert section.overdue == 1 and section.due_soon == 2
    client.force_login(User.objects.get(username="publisher"))
    assert client.get(reverse("home")).context["publisher"].count == 1
    client.force_login(User.objects.get(username="marketer"))
    assert client.get(reverse("home")).context["marketer"].in_review_count == in_review.count()
