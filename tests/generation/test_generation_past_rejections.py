"""Reviewers' reasons for rejecting a segment's copy reach the next prompt for that segment (review provides them)."""

from __future__ import annotations

import pytest

from tests.pipeline import make_brief, submitted_draft
from workbench.generation import actions as generation
from workbench.generation import services
from workbench.generation.models import GenerationJob
from workbench.review import actions as review

pytestmark = pytest.mark.django_db


def test_it_feeds_the_newest_rejection_reasons_of_the_brand_and_segment_into_the_prompt(brand, prompt, segments, marketer, reviewer):
    draft = submitted_draft(brand, prompt, segments["new"], marketer)
    review.review_reject(draft, version_number=1, reason="Too pushy for new customers", acting_user=reviewer)
    brief = make_brief(brand, prompt, [segments["new"]], marketer, channels=["email"], variants=1)
    run = generation.generation_start(brief, acting_user=marketer, enqueue=False)
    job = GenerationJob.objects.get(run=run)
    assert services.job_context(job)["past_rejections"] == ["Too pushy for new customers"]


def test_it_keeps_other_segments_rejections_out_of_the_prompt(brand, prompt, segments, marketer, reviewer):
    draft = submitted_draft(brand, prompt, segments["new"], marketer)
    review.review_reject(draft, version_number=1, reason="Too pushy for new customers", acting_user=reviewer)
    other = next(segment for key, segment in segments.items() if key != "new")
    brief = make_brief(brand, prompt, [other], marketer, channels=["email"], variants=1)
    run = generation.generation_start(brief, acting_user=marketer, enqueue=False)
    assert services.past_rejection_reasons(GenerationJob.objects.get(run=run)) == []
