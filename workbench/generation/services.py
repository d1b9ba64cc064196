"""Running one generation job: prompt, provider, sanitised drafts, checks."""

from __future__ import annotations

import logging
import random

from django.db import transaction
from django.utils import timezone

from workbench.audit.log import record
from workbench.audit.models import Action
from workbench.checks.engine import CHANNEL_FIELDS
from workbench.errors import CopydeskError
from workbench.generation.actions import drafts_create_from_job
from workbench.generation.context import prompt_context
from workbench.generation.models import GenerationJob, RunStatus
from workbench.generation.prompting import render_prompt
from workbench.generation.providers import GenerationRequest, get_provider
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


def run_job(job_id: int) -> None:
    """Generate, sanitise, store and check one segment × channel. Safe to run twice."""
    with transaction.atomic():
        job = GenerationJob.objects.select_for_update().select_related(
            "run__brief__brand", "run__guide_version", "run__prompt_version", "segment"
        ).get(pk=job_id)
        if job.status in (RunStatus.DONE, RunStatus.CANCELLED) or job.run.cancelled:
            return
        job.status = RunStatus.RUNNING
        job.attempts += 1
        job.started_at = job.started_at or timezone.now()
        job.save(update_fields=["status", "attempts", "started_at"])
    run = job.run
    context = prompt_context(
        brief=run.brief, segment=job.segment, channel=job.channel, guide=run.guide_version,
        past_rejections=past_rejection_reasons(job),
    )
    prompt = render_prompt(run.prompt_version.system_source, run.prompt_version.user_source, context)
    provider = get_provider(run.provider)
    result = provider.generate(
        GenerationRequest(
            prompt=prompt, channel=job.channel, fields=CHANNEL_FIELDS[job.channel],
            variants=run.brief.variants_per_segment, context=context, model=run.model if run.provider == "openai" else "",
        )
    )
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
    GenerationJob.objects.filter(pk=job_id).update(status=RunStatus.QUEUED, error=f"Retrying: {message}")


def job_fail(job_id: int, message: str) -> None:
    with transaction.atomic():
        job = GenerationJob.objects.select_for_update().get(pk=job_id)
        if job.status == RunStatus.DONE:
            return
        job.status = RunStatus.FAILED
        job.error = message
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "error", "finished_at"])
        record(Action.GENERATION_JOB_FAILED, job, actor=None, changes={"error": message, "attempts": job.attempts})
    log.warning("generation job %s failed: %s", job_id, message)


def backoff_seconds(retries: int, *, base: float = 2.0, cap: float = 60.0) -> float:
    """Exponential backoff with full jitter."""
    return random.uniform(0, min(cap, base * (2**retries)))


def describe_failure(exc: BaseException) -> str:
    if isinstance(exc, CopydeskError):
        return exc.message
    return f"an unexpected error ({type(exc).__name__}); the team has been told in the worker log"
