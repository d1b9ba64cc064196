"""Reminders and digests are review actions that Copydesk runs on its own: a person without an admin role cannot send them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.pipeline import generate_now, make_brief
from workbench.access import SYSTEM
from workbench.errors import CopydeskError
from workbench.generation.models import Draft
from workbench.review import actions as review
from workbench.review.models import DigestSent, ReminderSent, ReviewDeadline

pytestmark = pytest.mark.django_db


def in_review(brand, prompt, segment, author) -> Draft:  # type: ignore[no-untyped-def]
    brief = make_brief(brand, prompt, [segment], author, channels=["email"], variants=1)
    (draft,) = generate_now(brief, author)
    return review.submit_for_review(draft, acting_user=author)  # sets the review deadline


def test_a_reviewer_cannot_send_reminders_or_digests_and_nothing_is_recorded(brand, prompt, segments, marketer, reviewer):
    draft = in_review(brand, prompt, segments["new"], marketer)
    deadline = ReviewDeadline.objects.get(draft=draft)
    with pytest.raises(CopydeskError) as refused:
        review.reminder_send_due_soon(deadline, acting_user=reviewer)
    assert refused.value.code == "forbidden"
    with pytest.raises(CopydeskError):
        review.reminder_send_overdue(deadline, admin_ids=[], acting_user=reviewer)
    with pytest.raises(CopydeskError):
        review.digest_send(reviewer, day=timezone.localdate(), lines=["- something"], acting_user=reviewer)
    assert not ReminderSent.objects.exists() and not DigestSent.objects.exists()


def test_the_system_sends_a_reminder_once_per_deadline(brand, prompt, segments, marketer):
    draft = in_review(brand, prompt, segments["new"], marketer)
    deadline = ReviewDeadline.objects.get(draft=draft)
    assert review.reminder_send_overdue(deadline, admin_ids=[], acting_user=SYSTEM)
    assert not review.reminder_send_overdue(deadline, admin_ids=[], acting_user=SYSTEM)
    deadline.due_at += timedelta(hours=1)  # a resubmission's new deadline gets its own reminder
    deadline.save()
    assert review.reminder_send_overdue(deadline, admin_ids=[], acting_user=SYSTEM)
    assert ReminderSent.objects.filter(draft=draft).count() == 2
