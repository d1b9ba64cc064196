"""The draft cap counts what queued jobs will still write, atomically: many quick "More like this" requests at once
never leave a brief over COPYDESK_MAX_DRAFTS_PER_BRIEF. Real threads with their own connections."""

from __future__ import annotations

import pytest

from tests.pipeline import generate_now, make_brief
from tests.audit.test_audit_chain import run_in_threads
from workbench.audit.log import verify_chain
from workbench.errors import CopydeskError
from workbench.generation import actions
from workbench.generation.models import Draft, GenerationJob, JobMode, RunStatus
from workbench.generation.services import run_job

pytestmark = pytest.mark.django_db(transaction=True)

CAP = 11


@pytest.fixture
def queued_later(monkeypatch, settings):  # type: ignore[no-untyped-def]
    """Jobs stay queued (no worker): the cap must hold while they wait, not only once they have run."""
    settings.MAX_DRAFTS_PER_BRIEF = CAP
    monkeypatch.setattr(actions, "_enqueue", lambda job_ids: None)


def test_it_keeps_a_brief_within_the_cap_under_45_quick_more_like_this_requests(queued_later, brand, prompt, segments, marketer):
    brief = make_brief(brand, prompt, [segments["new"]], marketer, channels=["email"], variants=2)
    drafts = generate_now(brief, marketer)
    source = drafts[0]
    work = [
        lambda: actions.draft_request_variation(source, mode=JobMode.MORE_LIKE_THIS, base_version=1, count=2, acting_user=marketer)
        for _ in range(45)
    ]
    results, errors = run_in_threads(work)
    assert all(isinstance(e, CopydeskError) and e.code == "conflict" and "limit is 11" in e.message for e in errors), errors
    # 2 drafts exist; room for 9 more means 4 requests of 2 fit, and a 5th would not.
    assert len(results) == 4 and len(errors) == 41
    for job in GenerationJob.objects.filter(run__brief=brief, status=RunStatus.QUEUED):
        run_job(job.pk)
    assert Draft.objects.filter(brief=brief).count() == 10 <= CAP
    assert verify_chain().ok


def test_it_counts_queued_jobs_when_a_retry_would_pass_the_cap(queued_later, brand, prompt, segments, marketer):
    brief = make_brief(brand, prompt, [segments["new"]], marketer, channels=["email"], variants=2)
    source = generate_now(brief, marketer)[0]
    # 2 drafts + 5 queued + the failed job's 5 again = 12 > 11
    first = actions.draft_request_variation(source, mode=JobMode.MORE_LIKE_THIS, base_version=1, count=5, acting_user=marketer)
    GenerationJob.objects.filter(pk=first.pk).update(status=RunStatus.FAILED)
    actions.draft_request_variation(source, mode=JobMode.MORE_LIKE_THIS, base_version=1, count=5, acting_user=marketer)
    with pytest.raises(CopydeskError, match="still being written"):
        actions.generation_retry_failed(first.run, acting_user=marketer)
