"""Generation runs: fan-out, budgets and caps, retries, cancellation, variations, idempotency, recovery."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.pipeline import generate_now, make_brief
from workbench.audit.log import verify_chain
from workbench.errors import CopydeskError
from workbench.generation import actions, services
from workbench.generation.budget import estimate_cost
from workbench.generation.models import Draft, DraftState, GenerationJob, JobMode, RunStatus
from workbench.generation.tasks import generate_cell

pytestmark = pytest.mark.django_db


@pytest.fixture
def brief(brand, prompt, segments, marketer):  # type: ignore[no-untyped-def]
    return make_brief(brand, prompt, [segments["new"], segments["loyal"]], marketer, channels=["email", "sms"], variants=2)


def run_all(run) -> None:  # type: ignore[no-untyped-def]
    for job in run.jobs.all():
        services.run_job(job.pk)


def test_it_sends_one_group_of_jobs_when_the_transaction_commits(brief, marketer, django_capture_on_commit_callbacks, monkeypatch):
    sent: list[list[int]] = []
    monkeypatch.setattr("celery.group.apply_async", lambda self, *a, **k: sent.append([sig.args[0] for sig in self.tasks]))
    with django_capture_on_commit_callbacks(execute=True):
        run = actions.generation_start(brief, acting_user=marketer)
    assert sent == [sorted(run.jobs.values_list("pk", flat=True))]
    assert run.jobs.count() == 4 and all(job.variants == 2 for job in run.jobs.all())


def test_it_refuses_a_second_run_while_one_is_going(brief, marketer):
    actions.generation_start(brief, acting_user=marketer, enqueue=False)
    with pytest.raises(CopydeskError, match="already generating"):
        actions.generation_start(brief, acting_user=marketer, enqueue=False)


def test_running_a_job_twice_makes_its_drafts_once(brief, marketer):
    run = actions.generation_start(brief, acting_user=marketer, enqueue=False)
    run_all(run)
    run_all(run)
    assert Draft.objects.filter(brief=brief).count() == 8
    assert set(run.jobs.values_list("status", flat=True)) == {RunStatus.DONE}


def test_a_job_leased_to_a_live_worker_is_not_taken_twice(brief, marketer):
    run = actions.generation_start(brief, acting_user=marketer, enqueue=False)
    job = run.jobs.first()
    assert actions.job_claim(job.pk) is not None
    assert actions.job_claim(job.pk) is None, "the lease is still running"
    GenerationJob.objects.filter(pk=job.pk).update(lease_expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert actions.job_claim(job.pk) is not None, "an expired lease means the worker died"


def test_a_message_for_a_job_that_does_not_exist_is_dropped(brief, marketer, caplog):
    # Redis hands a killed worker's unacknowledged messages out again an hour on, when their job may be gone.
    run = actions.generation_start(brief, acting_user=marketer, enqueue=False)
    missing = max(run.jobs.values_list("pk", flat=True)) + 1
    generate_cell(missing)
    assert "generation job %d does not exist" % missing in caplog.text
    assert "crashed" not in caplog.text
    actions.job_fail(missing, "a late failure")  # nothing to fail, and no error either
    assert set(run.jobs.values_list("status", flat=True)) == {RunStatus.QUEUED}


def test_recovery_hands_out_jobs_whose_worker_died(brief, marketer, django_capture_on_commit_callbacks, monkeypatch):
    sent: list[int] = []
    monkeypatch.setattr("workbench.generation.tasks.generate_cell.delay", lambda job_id: sent.append(job_id))
    run = actions.generation_start(brief, acting_user=marketer, enqueue=False)
    dead, waiting, *_ = run.jobs.order_by("pk")
    actions.job_claim(dead.pk)
    GenerationJob.objects.filter(pk=dead.pk).update(lease_expires_at=timezone.now() - dt.timedelta(seconds=5))
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.recover_orphaned_jobs(include_queued=False) == [dead.pk]
    assert sent == [dead.pk]
    dead.refresh_from_db()
    assert dead.status == RunStatus.QUEUED
    with django_capture_on_commit_callbacks(execute=True):
        assert waiting.pk in actions.recover_orphaned_jobs(include_queued=True)
    run_all(run)
    assert Draft.objects.filter(brief=brief).count() == 8
    assert verify_chain().ok


def test_it_stops_at_the_daily_token_budget(brief, marketer, settings):
    settings.DAILY_TOKEN_BUDGET = 100
    run = actions.generation_start(brief, acting_user=marketer, enqueue=False)
    job, second, *_ = run.jobs.order_by("pk")
    services.run_job(job.pk)  # the first call is allowed and spends more than the budget
    with pytest.raises(CopydeskError, match="tokens allowed per day"):
        services.run_job(second.pk)
    with pytest.raises(CopydeskError, match="tokens allowed per day"):
        actions.generation_start(brief, acting_user=marketer, enqueue=False)


def test_it_caps_the_drafts_of_one_brief(brief, marketer, settings):
    settings.MAX_DRAFTS_PER_BRIEF = 7
    with pytest.raises(CopydeskError, match="limit is 7"):
        actions.generation_start(brief, acting_user=marketer, enqueue=False)
    assert not brief.runs.exists()


def test_model_and_parameters_come_from_the_brief_then_the_brand(brief, marketer, settings):
    settings.LLM_PROVIDER = "openai"
    settings.OPENAI_MODEL = "site-model"
    brief.brand.llm_model, brief.brand.llm_parameters = "brand-model", {"temperature": 0.2, "top_p": 0.9}
    brief.brand.save()
    run = actions.generation_start(brief, acting_user=marketer, enqueue=False, provider="openai")
    assert (run.model, run.parameters) == ("brand-model", {"temperature": 0.2, "top_p": 0.9})
    actions.generation_cancel(run, acting_user=marketer)
    brief.llm_model, brief.llm_parameters = "brief-model", {"temperature": 0.9}
    brief.save()
    run = actions.generation_start(brief, acting_user=marketer, enqueue=False, provider="openai")
    assert (run.model, run.parameters) == ("brief-model", {"temperature": 0.9, "top_p": 0.9})


def test_failed_parts_can_be_retried_and_the_rest_is_kept(brief, marketer):
    run = actions.generation_start(brief, acting_user=marketer, enqueue=False)
    jobs = list(run.jobs.order_by("pk"))
    for job in jobs[1:]:
        services.run_job(job.pk)
    actions.job_fail(jobs[0].pk, "the provider had an error (500)")
    with pytest.raises(CopydeskError, match="Nothing failed"):
        actions.generation_retry_failed(brief.runs.create(provider="offline", guide_version=run.guide_version, prompt_version=run.prompt_version, created_by=marketer), acting_user=marketer)
    assert actions.generation_retry_failed(run, acting_user=marketer) == 1
    services.run_job(jobs[0].pk)
    assert Draft.objects.filter(brief=brief).count() == 8


def test_cancel_stops_queued_jobs(brief, marketer):
    run = actions.generation_start(brief, acting_user=marketer, enqueue=False)
    actions.generation_cancel(run, acting_user=marketer)
    run_all(run)
    assert not Draft.objects.filter(brief=brief).exists()
    run.refresh_from_db()
    assert run.status == RunStatus.CANCELLED


def test_regenerate_and_rewrite_make_new_versions_with_provenance(brief, marketer, reviewer):
    (draft, *_) = generate_now(brief, marketer)
    actions.draft_submit(draft, acting_user=marketer)
    from workbench.review.actions import review_approve

    review_approve(draft, version_number=1, acting_user=reviewer)
    job = actions.draft_request_variation(draft, mode=JobMode.REWRITE, instruction="shorter, please", base_version=1, acting_user=marketer)
    services.run_job(job.pk)
    draft.refresh_from_db()
    v2 = draft.latest_version()
    assert (v2.number, v2.origin, v2.instruction) == (2, "rewritten", "shorter, please")
    assert draft.state == DraftState.DRAFT, "a new version needs a fresh review"
    assert len(v2.fields["body"]) < len(draft.versions.get(number=1).fields["body"])
    assert "{{ unsubscribe_url }}" in v2.fields["body"], "rewrites keep the required text"
    job = actions.draft_request_variation(draft, mode=JobMode.REGENERATE, base_version=2, acting_user=marketer)
    services.run_job(job.pk)
    services.run_job(job.pk)
    assert draft.versions.count() == 3 and draft.latest_version().origin == "regenerated"


def test_an_instruction_the_offline_stand_in_cannot_follow_fails_plainly(brief, marketer):
    (draft, *_) = generate_now(brief, marketer)
    job = actions.draft_request_variation(draft, mode=JobMode.REWRITE, instruction="in the style of a sonnet", base_version=1, acting_user=marketer)
    from workbench.generation.tasks import generate_cell

    generate_cell.apply(args=[job.pk])
    job.refresh_from_db()
    assert job.status == RunStatus.FAILED and "cannot follow" in job.error
    assert draft.versions.count() == 1


def test_more_like_this_adds_drafts_to_the_same_cell(brief, marketer):
    drafts = generate_now(brief, marketer)
    source = drafts[0]
    job = actions.draft_request_variation(source, mode=JobMode.MORE_LIKE_THIS, count=2, base_version=1, acting_user=marketer)
    services.run_job(job.pk)
    cell = Draft.objects.filter(brief=brief, segment=source.segment, channel=source.channel).order_by("variant")
    assert [d.variant for d in cell] == [1, 2, 3, 4]


def test_a_variation_of_a_stale_version_is_a_conflict(brief, marketer):
    (draft, *_) = generate_now(brief, marketer)
    actions.draft_edit(draft, fields=dict(draft.latest_version().fields, subject="Newer"), base_version=1, acting_user=marketer)
    with pytest.raises(CopydeskError) as caught:
        actions.draft_request_variation(draft, mode=JobMode.REGENERATE, base_version=1, acting_user=marketer)
    assert caught.value.code == "conflict"


def test_cost_comes_from_the_price_table(settings):
    settings.PRICE_TABLE = {"gpt-4o-mini": (0.15, 0.60)}
    assert estimate_cost("gpt-4o-mini-2024-07-18", 1_000_000, 1_000_000) == Decimal("0.75")
    assert estimate_cost("unknown-model", 10_000, 10_000) == Decimal("0")
