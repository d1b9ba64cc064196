"""State changes of briefs, generation runs and drafts. Each writes its audit event in its transaction."""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from workbench.accounts.models import User
from workbench.audit.log import record
from workbench.audit.models import Action
from workbench.brand.models import CHANNELS, Brand, PromptTemplate, Segment
from workbench.checks.engine import CHANNEL_FIELDS
from workbench.errors import CopydeskError
from workbench.generation.models import (
    Brief,
    Draft,
    DraftState,
    DraftVersion,
    GenerationJob,
    GenerationRun,
    RunStatus,
    VersionOrigin,
)
from workbench.generation.sanitize import sanitize_fields


def _require(condition: bool, message: str, code: str = "invalid") -> None:
    if not condition:
        raise CopydeskError(message, code=code)  # type: ignore[arg-type]


def brief_create(
    *,
    brand: Brand,
    title: str,
    goal: str,
    key_message: str,
    call_to_action: str,
    segments: Sequence[Segment],
    channels: Sequence[str],
    prompt_template: PromptTemplate,
    offer: str = "",
    tone_context: str = "",
    variants_per_segment: int = 2,
    acting_user: User,
) -> Brief:
    _require(acting_user.can_author, "Only marketers can write briefs.", "forbidden")
    _require(bool(title.strip()), "Give the brief a title.")
    _require(bool(key_message.strip()), "Say the key message.")
    _require(bool(call_to_action.strip()), "Say what the reader should do next (call to action).")
    _require(len(segments) > 0, "Pick at least one audience segment.")
    _require(len(channels) > 0, "Pick at least one channel.")
    unknown = [c for c in channels if c not in CHANNELS]
    _require(not unknown, f"Unknown channel: {', '.join(unknown)}. Use {', '.join(CHANNELS)}.")
    foreign = [s.name for s in segments if s.brand_id != brand.pk]
    _require(not foreign, f"These segments belong to another brand: {', '.join(foreign)}.")
    limit = settings.MAX_VARIANTS_PER_SEGMENT
    _require(1 <= variants_per_segment <= limit, f"Variants per segment must be between 1 and {limit}.")
    with transaction.atomic():
        brief = Brief.objects.create(
            brand=brand,
            title=title.strip(),
            goal=goal.strip(),
            key_message=key_message.strip(),
            offer=offer.strip(),
            call_to_action=call_to_action.strip(),
            tone_context=tone_context.strip(),
            channels=list(dict.fromkeys(channels)),
            variants_per_segment=variants_per_segment,
            prompt_template=prompt_template,
            created_by=acting_user,
        )
        brief.segments.set(segments)
        record(
            Action.BRIEF_CREATE,
            brief,
            actor=acting_user,
            changes={"title": [None, brief.title], "segments": [None, [s.slug for s in segments]], "channels": [None, brief.channels]},
        )
    return brief


def generation_start(brief: Brief, *, acting_user: User, provider: str | None = None, enqueue: bool = True) -> GenerationRun:
    """Queue one job per segment × channel; the tasks are sent once the transaction commits.

    enqueue=False leaves the jobs for the caller to run in-process (seed_demo does, so demo data needs no worker).
    """
    from workbench.generation.tasks import generate_cell

    _require(acting_user.can_author, "Only marketers can generate drafts.", "forbidden")
    provider_name = provider or settings.LLM_PROVIDER
    with transaction.atomic():
        Brief.objects.select_for_update().get(pk=brief.pk)
        active = GenerationJob.objects.filter(run__brief=brief, run__cancelled=False, status__in=[RunStatus.QUEUED, RunStatus.RUNNING])
        _require(not active.exists(), "This brief is already generating; wait for it to finish or cancel it.", "conflict")
        run = GenerationRun.objects.create(
            brief=brief,
            provider=provider_name,
            model=settings.OPENAI_MODEL if provider_name == "openai" else "offline-template-v1",
            guide_version=brief.brand.current_guide(),
            prompt_version=brief.prompt_template.current_version(),
            created_by=acting_user,
        )
        jobs = [
            GenerationJob.objects.create(run=run, segment=segment, channel=channel)
            for segment in brief.segments.order_by("name")
            for channel in brief.channels
        ]
        record(Action.GENERATION_START, run, actor=acting_user, changes={"brief": brief.pk, "jobs": len(jobs), "provider": provider_name})
        for job in jobs if enqueue else []:
            transaction.on_commit(lambda job_id=job.pk: generate_cell.delay(job_id))
    return run


def generation_cancel(run: GenerationRun, *, acting_user: User) -> GenerationRun:
    with transaction.atomic():
        run = GenerationRun.objects.select_for_update().get(pk=run.pk)
        run.cancelled = True
        run.save(update_fields=["cancelled"])
        GenerationJob.objects.filter(run=run, status=RunStatus.QUEUED).update(status=RunStatus.CANCELLED, finished_at=timezone.now())
        record(Action.GENERATION_JOB_FAILED, run, actor=acting_user, changes={"cancelled": [False, True]})
    return run


def drafts_create_from_job(job: GenerationJob, variants: list[dict[str, str]], *, provenance: dict[str, object]) -> list[Draft]:
    """Store a job's variants as drafts, exactly once however often the task runs."""
    with transaction.atomic():
        job = GenerationJob.objects.select_for_update().select_related("run__brief", "segment").get(pk=job.pk)
        if job.status == RunStatus.DONE:
            return list(job.drafts.all())
        run = job.run
        drafts = []
        for index, fields in enumerate(variants, start=1):
            try:
                with transaction.atomic():
                    draft = Draft.objects.create(
                        brief=run.brief, segment=job.segment, channel=job.channel, variant=index, job=job, created_by=run.created_by
                    )
            except IntegrityError:
                draft = Draft.objects.get(job=job, variant=index)
                drafts.append(draft)
                continue
            record(Action.DRAFT_CREATE, draft, actor=None, changes={"job": job.pk, "variant": index})
            _version_create(
                draft,
                fields=sanitize_fields(job.channel, fields),
                origin=VersionOrigin.GENERATED,
                author=run.created_by,
                prompt_version_id=run.prompt_version_id,
                guide_version_id=run.guide_version_id,
                **provenance,  # type: ignore[arg-type]
            )
            drafts.append(draft)
        job.status = RunStatus.DONE
        job.error = ""
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "error", "finished_at"])
        record(Action.GENERATION_JOB_DONE, job, actor=None, changes={"drafts": len(drafts), "attempts": job.attempts})
    return drafts


def _version_create(draft: Draft, *, fields: dict[str, str], origin: str, author: User, **provenance: object) -> DraftVersion:
    from workbench.checks.services import check_version

    last = draft.versions.order_by("-number").values_list("number", flat=True).first() or 0
    version = DraftVersion.objects.create(draft=draft, number=last + 1, fields=fields, origin=origin, author=author, **provenance)
    record(Action.DRAFT_VERSION_CREATE, version, actor=author if origin == VersionOrigin.EDITED else None, changes={"draft": draft.pk, "number": version.number, "origin": origin})
    check_version(version)
    return version


def draft_edit(draft: Draft, *, fields: dict[str, str], base_version: int, acting_user: User) -> DraftVersion:
    """Save edited text as a new version. Any approval of the old version stays with the old version."""
    _require(acting_user.can_author or acting_user.can_review, "You cannot edit drafts.", "forbidden")
    allowed = CHANNEL_FIELDS[draft.channel]
    unknown = sorted(set(fields) - set(allowed))
    _require(not unknown, f"{draft.get_channel_display()} has no field {', '.join(unknown)}.")
    with transaction.atomic():
        draft = Draft.objects.select_for_update().get(pk=draft.pk)
        latest = draft.latest_version()
        _require(
            latest.number == base_version,
            f"Someone saved version {latest.number} while you were editing version {base_version}; reload to see it.",
            "conflict",
        )
        clean = sanitize_fields(draft.channel, {name: fields.get(name, "") for name in allowed})
        _require(any(clean.values()), "A draft cannot be empty.")
        if clean == latest.fields:
            return latest
        version = _version_create(
            draft, fields=clean, origin=VersionOrigin.EDITED, author=acting_user,
            guide_version_id=draft.brief.brand.current_guide().pk,
            prompt_version_id=latest.prompt_version_id, provider=latest.provider, model=latest.model,
        )
        before = draft.state
        draft.state = DraftState.DRAFT
        draft.save(update_fields=["state", "updated_at"])
        if before != draft.state:
            record(Action.DRAFT_VERSION_CREATE, draft, actor=acting_user, changes={"state": [before, draft.state]})
    return version


def draft_submit(draft: Draft, *, acting_user: User) -> Draft:
    with transaction.atomic():
        draft = Draft.objects.select_for_update().get(pk=draft.pk)
        _require(acting_user.can_author or acting_user.pk == draft.created_by_id, "Only marketers can submit drafts.", "forbidden")
        _require(
            draft.state in (DraftState.DRAFT, DraftState.REJECTED),
            f"This draft is {draft.get_state_display().lower()}; only drafts can be submitted.",
            "conflict",
        )
        before = draft.state
        draft.state = DraftState.IN_REVIEW
        draft.save(update_fields=["state", "updated_at"])
        record(Action.DRAFT_SUBMIT, draft, actor=acting_user, changes={"state": [before, draft.state], "version": draft.latest_version().number})
    return draft
