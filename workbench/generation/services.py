"""Running generation jobs: claim, prompt, provider, sanitised drafts, checks; and recovering lost ones."""

from __future__ import annotations

import datetime as dt
import logging
import random
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from workbench.audit.log import record
from workbench.audit.models import Action
from workbench.checks.engine import CHANNEL_FIELDS
from workbench.errors import CopydeskError
from workbench.generation.actions import drafts_create_from_job
from workbench.generation.budget import check_token_budget
from workbench.generation.context import fenced, prompt_context
from workbench.generation.models import GenerationJob, JobMode, RunStatus
from workbench.generation.prompting import TEMPLATE_FAILURE_PREFIX, render_prompt
from workbench.generation.providers import GenerationRequest, column_safe, get_provider, provider_spec
from workbench.review.models import Decision, ReviewDecision

log = logging.getLogger(__name__)


def past_rejection_reasons(job: GenerationJob, limit: int = 5) -> list[str]:
    reasons = (
        ReviewDecision.objects.filter(
            decision=Decision.REJECT,
            version__draft__brief__brand_id=job.run.brief.brand_id,
            version__draft__segment_id=job.segment_id,
        )
        .exclude(reason="")
        .order_by("-created_at")
        .values_list("reason", flat=True)[:limit]
    )
    return list(reasons)


def claim(job_id: int) -> GenerationJob | None:
    """Take a job for this worker, or None when it is finished, cancelled, or leased to a live worker."""
    with transaction.atomic():
        job = GenerationJob.objects.select_for_update(of=("self",)).select_related(
            "run__brief__brand", "run__guide_version", "run__prompt_version", "run__created_by", "segment", "source_draft"
        ).get(pk=job_id)
        now = timezone.now()
        if job.status in (RunStatus.DONE, RunStatus.CANCELLED, RunStatus.FAILED) or job.run.cancelled:
            return None
        if job.status == RunStatus.RUNNING and job.lease_expires_at and job.lease_expires_at > now:
            return None
        before = job.status
        job.status = RunStatus.RUNNING
        job.attempts += 1
        job.started_at = job.started_at or now
        job.lease_expires_at = now + dt.timedelta(seconds=settings.GENERATION_LEASE_SECONDS)
        job.save(update_fields=["status", "attempts", "started_at", "lease_expires_at"])
        # A claim takes the job from whoever held it (an expired lease): who ran what, and when, is in the log.
        record(
            Action.GENERATION_JOB_CLAIM, job, actor=None,
            changes={"status": [before, job.status], "attempt": job.attempts, "lease_expires_at": job.lease_expires_at.isoformat()},
        )
    return job


def job_context(job: GenerationJob) -> dict[str, object]:
    run = job.run
    context = prompt_context(
        brief=run.brief, segment=job.segment, channel=job.channel, guide=run.guide_version, past_rejections=past_rejection_reasons(job),
        locale=job.locale or None,
    )
    context["variants"] = job.variants
    current = None
    if job.source_draft is not None and job.source_version is not None:
        version = job.source_draft.versions.filter(number=job.source_version).first()
        current = {name: fenced(text) for name, text in (version.fields if version else {}).items()}
    context["task"] = {"mode": job.mode, "instruction": fenced(job.instruction), "current": current, "seed": job.pk}
    return context


def run_job(job_id: int) -> None:
    """Generate, sanitise, store and check one job. Safe to run twice, or in two workers at once."""
    job = claim(job_id)
    if job is None:
        return
    run = job.run
    check_token_budget(run.created_by)
    context = job_context(job)
    try:
        prompt = render_prompt(run.prompt_version.system_source, run.prompt_version.user_source, context)
    except CopydeskError as exc:
        raise CopydeskError(f"{TEMPLATE_FAILURE_PREFIX}{run.prompt_version} could not render: {exc.message}") from None
    result = column_safe(get_provider(run.provider).generate(
        GenerationRequest(
            prompt=prompt, channel=job.channel, fields=CHANNEL_FIELDS[job.channel], variants=job.variants,
            context=context, model="" if provider_spec(run.provider).stand_in else run.model, parameters=dict(run.parameters or {}),
        )
    ))
    drafts_create_from_job(
        job,
        result.variants,
        provenance={
            "provider": result.provider,
            "model": result.model,
            "parameters": result.parameters,
            "input_tokens": result.input_tokens,
            "output_tokens": result.output_tokens,
            "latency_ms": result.latency_ms,
        },
    )


def job_retry_pending(job_id: int, message: str) -> None:
    """Put a running job back in the queue after a retryable provider error, with its audit event."""
    with transaction.atomic():
        job = GenerationJob.objects.select_for_update().filter(pk=job_id, status=RunStatus.RUNNING).first()
        if job is None:
            return
        job.status, job.error, job.lease_expires_at, job.queued_at = RunStatus.QUEUED, f"Retrying: {message}", None, timezone.now()
        job.save(update_fields=["status", "error", "lease_expires_at", "queued_at"])
        record(
            Action.GENERATION_JOB_RETRY, job, actor=None,
            changes={"status": [RunStatus.RUNNING, job.status], "attempts": job.attempts, "error": message},
        )


def attempts_of(job_id: int) -> int:
    return GenerationJob.objects.filter(pk=job_id).values_list("attempts", flat=True).first() or 0


def job_fail(job_id: int, message: str) -> None:
    with transaction.atomic():
        job = GenerationJob.objects.select_for_update().get(pk=job_id)
        if job.status in (RunStatus.DONE, RunStatus.CANCELLED):
            return
        job.status = RunStatus.FAILED
        job.error = message
        job.finished_at = timezone.now()
        job.lease_expires_at = None
        job.save(update_fields=["status", "error", "finished_at", "lease_expires_at"])
        record(Action.GENERATION_JOB_FAILED, job, actor=None, changes={"error": message, "attempts": job.attempts})
    log.warning("generation job %s failed: %s", job_id, message)


def recover_orphaned_jobs(*, include_queued: bool) -> list[int]:
    """Hand out again the jobs whose message or worker was lost.

    That is: running jobs whose lease expired (the worker died), queued jobs that
    have waited longer than a lease (the broker lost the message, e.g. a Redis
    restart without persistence), and at worker start every queued job (the
    file-system broker forgets what a killed worker had taken). A queued job may
    still sit in the broker, so sending it again can deliver it twice; claim()
    makes the second delivery a no-op, and drafts are unique per job.
    """
    from workbench.generation.tasks import generate_cell

    now = timezone.now()
    with transaction.atomic():
        live = GenerationJob.objects.select_for_update(skip_locked=True).filter(run__cancelled=False)
        job_ids = list(live.filter(status=RunStatus.RUNNING, lease_expires_at__lt=now).values_list("pk", flat=True))
        waiting = live.filter(status=RunStatus.QUEUED)
        if not include_queued:
            waiting = waiting.filter(queued_at__lt=now - dt.timedelta(seconds=settings.GENERATION_LEASE_SECONDS))
        job_ids += list(waiting.values_list("pk", flat=True))
        if not job_ids:
            return []
        GenerationJob.objects.filter(pk__in=job_ids).update(status=RunStatus.QUEUED, lease_expires_at=None, queued_at=now)
        record(Action.GENERATION_RECOVER, ("generation.generationjob", ",".join(map(str, job_ids))[:64]), actor=None, changes={"jobs": job_ids})
        for job_id in job_ids:
            transaction.on_commit(partial(generate_cell.delay, job_id), robust=True)
    log.info("recovered generation jobs %s", job_ids)
    return job_ids


def backoff_seconds(retries: int, *, base: float = 2.0, cap: float = 60.0) -> float:
    """Exponential backoff with full jitter."""
    return random.uniform(0, min(cap, base * (2**retries)))


def describe_failure(exc: BaseException) -> str:
    if isinstance(exc, CopydeskError):
        return exc.message
    return f"an unexpected error ({type(exc).__name__}); the team has been told in the worker log"


__all__ = ["JobMode", "run_job", "job_fail", "job_retry_pending", "recover_orphaned_jobs"]
