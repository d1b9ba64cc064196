"""Running a generation job: prompt, provider, then the actions that store its drafts.

A job's state changes (claim, retry, failure, recovery) are actions in workbench/generation/actions.py."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import replace

from workbench.checks.engine import CHANNEL_FIELDS
from workbench.errors import CopydeskError
from workbench.generation.actions import drafts_create_from_job, job_claim
from workbench.generation.budget import check_token_budget
from workbench.generation.context import fenced, prompt_context
from workbench.generation.models import DraftVersion, GenerationJob, JobMode
from workbench.generation.prompting import TEMPLATE_FAILURE_PREFIX, render_prompt
from workbench.generation.providers import GenerationRequest, GenerationResult, get_provider, provider_spec
from workbench.plug_points import PlugPoint

# The largest count a PositiveIntegerField holds on every supported database.
_MAX_COUNT = 2**31 - 1
CLIPPED = "…"


def clip(text: object, limit: int) -> str:
    """Text that fits a column of `limit` characters; a cut one ends in CLIPPED so nobody mistakes it for the whole."""
    value = str(text)
    return value if len(value) <= limit else value[: limit - len(CLIPPED)] + CLIPPED


def _count(value: object) -> int:
    try:
        return min(max(int(value), 0), _MAX_COUNT)  # type: ignore[call-overload]
    except (TypeError, ValueError, OverflowError):
        return 0


def column_safe(result: GenerationResult) -> GenerationResult:
    """A provider's provenance clipped to the columns that store it: SQLite would keep a 5,000-character model name,
    PostgreSQL would refuse the whole result. Applied to every result as it comes back, whatever the provider."""

    def limit(name: str) -> int:
        return int(DraftVersion._meta.get_field(name).max_length)  # type: ignore[union-attr, arg-type]

    return replace(
        result,
        provider=clip(result.provider, limit("provider")),
        model=clip(result.model, limit("model")),
        input_tokens=_count(result.input_tokens),
        output_tokens=_count(result.output_tokens),
        latency_ms=_count(result.latency_ms),
    )


# Reviewers' reasons for rejecting a brand's copy for a segment teach the next prompt. Review sits above generation in
# the pipeline, so it provides them through this point, from ReviewConfig.ready().
RejectionReasons = Callable[[int, int, int], list[str]]  # (brand id, segment id, at most) -> the newest first
past_rejections: PlugPoint[RejectionReasons] = PlugPoint("reviewers' past rejection reasons", provided_by="workbench.review")


def past_rejection_reasons(job: GenerationJob, limit: int = 5) -> list[str]:
    return past_rejections()(job.run.brief.brand_id, job.segment_id, limit)


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
    job = job_claim(job_id)
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


def attempts_of(job_id: int) -> int:
    return GenerationJob.objects.filter(pk=job_id).values_list("attempts", flat=True).first() or 0


def backoff_seconds(retries: int, *, base: float = 2.0, cap: float = 60.0) -> float:
    """Exponential backoff with full jitter."""
    return random.uniform(0, min(cap, base * (2**retries)))


def describe_failure(exc: BaseException) -> str:
    if isinstance(exc, CopydeskError):
        return exc.message
    return f"an unexpected error ({type(exc).__name__}); the team has been told in the worker log"


__all__ = ["JobMode", "run_job"]
