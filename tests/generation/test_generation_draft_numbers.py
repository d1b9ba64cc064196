"""Drafts are numbered by brief, across every run: Generate again continues the sequence instead of repeating #1, #2."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from tests.pipeline import generate_now, make_brief
from workbench.generation import actions
from workbench.generation.models import Draft, JobMode
from workbench.generation.services import run_job

pytestmark = pytest.mark.django_db


def test_it_continues_the_numbers_when_generating_again(brand, prompt, segments, marketer):
    brief = make_brief(brand, prompt, [segments["new"], segments["loyal"]], marketer, channels=["email", "sms"], variants=2)
    first = generate_now(brief, marketer)
    assert sorted(d.number for d in first) == list(range(1, 9))
    generate_now(brief, marketer)
    numbers = sorted(Draft.objects.filter(brief=brief).values_list("number", flat=True))
    assert numbers == list(range(1, 17))
    brief.refresh_from_db()
    assert brief.draft_sequence == 16


def test_more_like_this_takes_the_next_numbers_too(brand, prompt, segments, marketer):
    brief = make_brief(brand, prompt, [segments["new"]], marketer, channels=["email"], variants=2)
    draft, _ = generate_now(brief, marketer)
    job = actions.draft_request_variation(draft, mode=JobMode.MORE_LIKE_THIS, base_version=1, count=2, acting_user=marketer)
    run_job(job.pk)
    assert sorted(Draft.objects.filter(brief=brief).values_list("number", flat=True)) == [1, 2, 3, 4]


def test_parts_finishing_in_any_order_share_no_number(brand, prompt, segments, marketer):
    brief = make_brief(brand, prompt, list(segments.values()), marketer, channels=["email", "push"], variants=1)
    run = actions.generation_start(brief, acting_user=marketer, enqueue=False)
    for job in reversed(list(run.jobs.all())):
        run_job(job.pk)
    numbers = list(Draft.objects.filter(brief=brief).values_list("number", flat=True))
    assert sorted(numbers) == list(range(1, 7))


def test_the_database_refuses_a_second_draft_with_the_same_number(brand, prompt, segments, marketer):
    brief = make_brief(brand, prompt, [segments["new"]], marketer, channels=["email"], variants=2)
    first, second = generate_now(brief, marketer)
    with pytest.raises(IntegrityError), transaction.atomic():
        Draft.objects.filter(pk=second.pk).update(number=first.number)


def test_the_grid_labels_cards_with_their_number(logged_in, brand, prompt, segments, marketer):
    brief = make_brief(brand, prompt, [segments["new"]], marketer, channels=["email"], variants=2)
    generate_now(brief, marketer)
    generate_now(brief, marketer)
    page = logged_in(marketer).get(reverse("brief_detail", args=[brief.pk])).content.decode()
    for number in (1, 2, 3, 4):
        assert page.count(f"<strong>#{number}</strong>") == 1
