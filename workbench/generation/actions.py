"""State changes of briefs, generation runs and drafts. Each writes its audit event in its transaction."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, NotRequired, Protocol, TypedDict, Unpack

from celery import group
from django.conf import settings
from django.db import transaction
from django.db.models import F, Max, Sum
from django.utils import timezone

from workbench.access import require
from workbench.accounts.models import User
from workbench.audit.log import record
from workbench.audit.models import Action
from workbench.brand.locales import declared, guide_locales
from workbench.brand.models import CHANNELS, Brand, BrandGuideVersion, PromptTemplate, Segment
from workbench.checks.engine import CHANNEL_FIELDS
from workbench.errors import CopydeskError
from workbench.generation import edit_rule
from workbench.generation.budget import check_brief_cap, check_token_budget, estimate_cost
from workbench.generation.limits import BRIEF_TEXT_MAX_CHARS, INSTRUCTION_MAX_CHARS, require_field_sizes, require_text_size
from workbench.generation.models import (
    Brief,
    BriefRevision,
    Draft,
    DraftState,
    DraftVersion,
    GenerationJob,
    GenerationRun,
    JobMode,
    RunStatus,
    VersionOrigin,
)
from workbench.generation.prompting import TEMPLATE_FAILURE_PREFIX
from workbench.generation.providers import provider_spec
from workbench.generation.sanitize import sanitize_fields
from workbench.generation.version_checks import PreparedCheck, version_checks
from workbench.plug_points import PlugPoint

log = logging.getLogger(__name__)


def _require(condition: bool, message: str, code: str = "invalid") -> None:
    if not condition:
        raise CopydeskError(message, code=code)  # type: ignore[arg-type]


@dataclass(frozen=True)
class BriefValues:
    """A brief's fields, checked against its brand: what brief_create stores and brief_update compares and stores."""

    title: str
    goal: str
    key_message: str
    offer: str
    call_to_action: str
    tone_context: str
    segments: list[Segment]
    channels: list[str]
    locales: list[str]
    locale_key_messages: dict[str, str]
    variants_per_segment: int
    prompt_template: PromptTemplate
    llm_model: str
    llm_parameters: dict[str, object]

    def stored(self) -> dict[str, Any]:
        """The fields as Brief stores them (segments aside: a many-to-many)."""
        return {name: getattr(self, name) for name in self.__dataclass_fields__ if name != "segments"}


def brief_tone_contexts(brand: Brand) -> list[str]:
    """The tone contexts a brief of this brand may name: those of the brand's current guide, in the guide's order."""
    return list(((brand.current_guide().data.get("tone") or {}).get("contexts") or {}).keys())


# What a marketer writes in a brief: brief_create and brief_update take these as keywords.
# The call form, not a class: this module's annotations are strings, so a class body's
# NotRequired would not be seen at run time (and _brief_values reads the required keys).
BriefFields = TypedDict("BriefFields", {
    "title": str,
    "goal": str,
    "key_message": str,
    "call_to_action": str,
    "segments": Sequence[Segment],
    "channels": Sequence[str],
    "prompt_template": PromptTemplate,
    "offer": NotRequired[str],
    "tone_context": NotRequired[str],
    "variants_per_segment": NotRequired[int],
    "llm_model": NotRequired[str],
    "llm_parameters": NotRequired["dict[str, object] | None"],
    "locales": NotRequired[Sequence[str]],
    "locale_key_messages": NotRequired["dict[str, str] | None"],
})


def _brief_values(brand: Brand, fields: BriefFields) -> BriefValues:
    # keywords are not checked at run time by the TypedDict: a caller's typo must not pass silently
    missing = BriefFields.__required_keys__ - fields.keys()
    unexpected = fields.keys() - BriefFields.__annotations__.keys()
    if missing or unexpected:
        raise TypeError(f"brief fields: missing {sorted(missing)}, unexpected {sorted(unexpected)}")
    title, goal, key_message = fields["title"], fields["goal"], fields["key_message"]
    call_to_action, segments, channels = fields["call_to_action"], fields["segments"], fields["channels"]
    prompt_template, offer, tone_context = fields["prompt_template"], fields.get("offer", ""), fields.get("tone_context", "")
    variants_per_segment, llm_model = fields.get("variants_per_segment", 2), fields.get("llm_model", "")
    llm_parameters, locales, locale_key_messages = fields.get("llm_parameters"), fields.get("locales", ()), fields.get("locale_key_messages")
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
    tone_context = tone_context.strip()
    if tone_context:
        contexts = brief_tone_contexts(brand)
        _require(
            tone_context in contexts,
            f"{brand.name}'s guide has no tone context {tone_context!r}; use one of {', '.join(contexts) or 'none: it declares none'}.",
        )
    chosen_locales, key_messages = _brief_locales(brand, locales, locale_key_messages or {})
    return BriefValues(
        title=title.strip(), goal=goal.strip(), key_message=key_message.strip(), offer=offer.strip(),
        call_to_action=call_to_action.strip(), tone_context=tone_context, segments=sorted(set(segments), key=lambda s: s.pk),
        channels=list(dict.fromkeys(channels)), locales=chosen_locales, locale_key_messages=key_messages,
        variants_per_segment=variants_per_segment, prompt_template=prompt_template, llm_model=llm_model.strip(),
        llm_parameters=dict(llm_parameters or {}),
    )


def brief_create(*, brand: Brand, acting_user: User, **fields: Unpack[BriefFields]) -> Brief:
    require(acting_user.can_author, "Only marketers can write briefs.")
    values = _brief_values(brand, fields)
    with transaction.atomic():
        brief = Brief.objects.create(brand=brand, created_by=acting_user, **values.stored())
        brief.segments.set(values.segments)
        record(
            Action.BRIEF_CREATE,
            brief,
            actor=acting_user,
            changes={
                "title": [None, brief.title], "segments": [None, [s.slug for s in values.segments]], "channels": [None, brief.channels],
                **({"locales": [None, values.locales]} if values.locales else {}),
            },
        )
    return brief


def can_manage_brief(user: User, brief: Brief) -> bool:
    """Who may edit a brief and discard or restore its drafts: its author and admins. The buttons ask this too."""
    return user.can_author and (user.pk == brief.created_by_id or user.is_copydesk_admin)


def brief_snapshot(brief: Brief) -> dict[str, Any]:
    """A brief's fields as plain data, readable after segments or templates change: what a BriefRevision keeps."""
    return {
        "title": brief.title, "goal": brief.goal, "key_message": brief.key_message, "offer": brief.offer,
        "call_to_action": brief.call_to_action, "tone_context": brief.tone_context,
        "segments": [{"slug": s.slug, "name": s.name} for s in brief.segments.order_by("name")],
        "channels": list(brief.channels), "locales": list(brief.locales), "locale_key_messages": dict(brief.locale_key_messages or {}),
        "variants_per_segment": brief.variants_per_segment,
        "prompt_template": {"slug": brief.prompt_template.slug, "name": brief.prompt_template.name},
        "llm_model": brief.llm_model, "llm_parameters": dict(brief.llm_parameters or {}),
    }


def _snapshot_changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    return {name: [before[name], after[name]] for name in after if before.get(name) != after[name]}


def brief_update(brief: Brief, *, acting_user: User, **fields: Unpack[BriefFields]) -> Brief:
    """Change a brief. Until it is first generated the change is made in place; after that the brief as it read is
    kept as a revision, so the drafts written from it can be read beside the text they were written from.

    Refused while a run is going: its remaining parts would be written from a different brief than its first ones.
    """
    require(can_manage_brief(acting_user, brief), "Only the brief's author or an admin can edit it.")
    values = _brief_values(brief.brand, fields)
    with transaction.atomic():
        brief = Brief.objects.select_for_update().select_related("brand", "prompt_template", "created_by").get(pk=brief.pk)
        active = GenerationJob.objects.filter(run__brief=brief, run__cancelled=False, status__in=[RunStatus.QUEUED, RunStatus.RUNNING])
        _require(not active.exists(), "This brief is generating; wait for it to finish or cancel it, then edit it.", "conflict")
        before = brief_snapshot(brief)
        generated = brief.runs.exists()
        for name, value in values.stored().items():
            setattr(brief, name, value)
        brief.prompt_template = values.prompt_template
        brief.segments.set(values.segments)
        after = brief_snapshot(brief)
        changes = _snapshot_changes(before, after)
        if not changes:
            return brief
        if generated:
            previous = brief.revisions.order_by("-number").first()
            BriefRevision.objects.create(
                brief=brief, number=brief.revision, data=before,
                created_by=previous.replaced_by if previous else brief.created_by,
                created_at=previous.replaced_at if previous else brief.created_at,
                replaced_by=acting_user,
            )
            changes["revision"] = [brief.revision, brief.revision + 1]
            brief.revision += 1
        brief.save()
        record(Action.BRIEF_REVISE if generated else Action.BRIEF_UPDATE, brief, actor=acting_user, changes=changes)
    return brief


def _brief_locales(brand: Brand, locales: Sequence[str], key_messages: dict[str, str]) -> tuple[list[str], dict[str, str]]:
    """The brief's locales as the guide spells them (none chosen: the brand's default) and its per-locale key messages."""
    declared_locales = guide_locales(brand.current_guide().data)
    chosen: list[str] = []
    for tag in locales:
        known = declared(tag, declared_locales)
        _require(known is not None, f"{brand.name}'s guide declares no locale {tag!r}; use one of {', '.join(declared_locales)}.")
        chosen.append(str(known))
    chosen = list(dict.fromkeys(chosen))
    messages: dict[str, str] = {}
    for tag, text in key_messages.items():
        known = declared(tag, declared_locales)
        _require(known is not None, f"{brand.name}'s guide declares no locale {tag!r} for a key message.")
        if text.strip():
            require_text_size(text, BRIEF_TEXT_MAX_CHARS, f"key message for {known}")
            messages[str(known)] = text.strip()
    return chosen, messages


def brief_locales(brief: Brief) -> list[str]:
    """The locales Generate writes the brief in: its chosen ones, else the brand's default locale."""
    declared_locales = guide_locales(brief.brand.current_guide().data)
    dropped = [tag for tag in brief.locales if declared(tag, declared_locales) is None]
    _require(
        not dropped,
        f"The brand guide no longer declares {', '.join(dropped)}; duplicate the brief and pick from {', '.join(declared_locales)}.",
        "conflict",
    )
    return list(brief.locales) or declared_locales[:1]


def _run_settings(brief: Brief, provider: str) -> tuple[str, dict[str, object]]:
    """The model and parameters for a run: the brief's override the brand's, which override the site's."""
    spec = provider_spec(provider)
    if spec.stand_in:
        return spec.default_model(), {}
    model = brief.llm_model or brief.brand.llm_model or spec.default_model()
    return model, {**(brief.brand.llm_parameters or {}), **(brief.llm_parameters or {})}


class JobTask(Protocol):
    """The Celery task that runs one generation job (generate_cell in generation/tasks.py)."""

    def s(self, job_id: int) -> Any: ...

    def delay(self, job_id: int) -> Any: ...


# The task runs these actions (claim, retry, fail, recover), so these actions do not import it: generation/tasks.py
# plugs it in from GenerationConfig.ready(), and the actions send jobs to whatever is plugged in.
job_task: PlugPoint[JobTask] = PlugPoint("the Celery task that runs generation jobs", provided_by="workbench.generation")


def _enqueue(job_ids: list[int]) -> None:
    """Send the jobs as one Celery group once the transaction that made them commits."""
    task = job_task()
    if job_ids:
        # robust: with the broker down the jobs stay queued, and a worker's start-up sweep sends them.
        transaction.on_commit(lambda: group(task.s(job_id) for job_id in job_ids).apply_async(), robust=True)


def generation_start(brief: Brief, *, acting_user: User, provider: str | None = None, enqueue: bool = True) -> GenerationRun:
    """Queue one job per segment × channel; the tasks are sent once the transaction commits.

    enqueue=False leaves the jobs for the caller to run in-process (seed_demo does, so demo data needs no worker).
    """
    require(acting_user.can_author, "Only marketers can generate drafts.")
    check_token_budget(acting_user)
    provider_name = provider_spec(provider).name
    with transaction.atomic():
        Brief.objects.select_for_update().get(pk=brief.pk)
        active = GenerationJob.objects.filter(run__brief=brief, run__cancelled=False, status__in=[RunStatus.QUEUED, RunStatus.RUNNING])
        _require(not active.exists(), "This brief is already generating; wait for it to finish or cancel it.", "conflict")
        segments = list(brief.segments.order_by("name"))
        locales = brief_locales(brief)
        check_brief_cap(brief, len(segments) * len(brief.channels) * len(locales) * brief.variants_per_segment)
        model, parameters = _run_settings(brief, provider_name)
        run = GenerationRun.objects.create(
            brief=brief,
            provider=provider_name,
            model=model,
            parameters=parameters,
            guide_version=brief.brand.current_guide(),
            prompt_version=brief.prompt_template.current_version(),
            brief_revision=brief.revision,
            created_by=acting_user,
        )
        jobs = [
            GenerationJob.objects.create(run=run, segment=segment, channel=channel, locale=locale, variants=brief.variants_per_segment)
            for segment in segments
            for channel in brief.channels
            for locale in locales
        ]
        record(Action.GENERATION_START, run, actor=acting_user, changes={"brief": brief.pk, "jobs": len(jobs), "provider": provider_name, "model": model})
        if enqueue:
            _enqueue([job.pk for job in jobs])
    return run


def generation_retry_failed(run: GenerationRun, *, acting_user: User) -> int:
    """Queue the failed parts of a run again; the parts that succeeded keep their drafts."""
    require(acting_user.can_author, "Only marketers can generate drafts.")
    check_token_budget(acting_user)
    with transaction.atomic():
        run = GenerationRun.objects.select_for_update().get(pk=run.pk)
        _require(not run.cancelled, "This run was cancelled; start a new one with Generate.", "conflict")
        failed_jobs = run.jobs.filter(status=RunStatus.FAILED)
        failed = list(failed_jobs.values_list("pk", flat=True))
        _require(bool(failed), "Nothing failed in this run.", "conflict")
        # A retry re-runs the run's own template version; if that is what failed and it has been fixed since, say what works.
        current_prompt = run.brief.prompt_template.current_version()
        template_failed = run.jobs.filter(status=RunStatus.FAILED, error__startswith=TEMPLATE_FAILURE_PREFIX).exists()
        _require(
            not template_failed or current_prompt.pk == run.prompt_version_id,
            f"These parts failed because prompt template {run.prompt_version} could not render, and a retry would use it again; "
            f"{current_prompt} is current now, so use Generate to write them with it.",
            "conflict",
        )
        adding = failed_jobs.filter(mode__in=[JobMode.GENERATE, JobMode.MORE_LIKE_THIS]).aggregate(n=Sum("variants"))["n"] or 0
        check_brief_cap(Brief.objects.select_for_update().get(pk=run.brief_id), adding)
        GenerationJob.objects.filter(pk__in=failed).update(
            status=RunStatus.QUEUED, error="", finished_at=None, lease_expires_at=None, queued_at=timezone.now(), attempts=0
        )
        record(Action.GENERATION_RETRY, run, actor=acting_user, changes={"jobs": failed})
        _enqueue(failed)
    return len(failed)


def generation_cancel(run: GenerationRun, *, acting_user: User) -> GenerationRun:
    with transaction.atomic():
        run = GenerationRun.objects.select_for_update().get(pk=run.pk)
        if not run.cancelled:
            run.cancelled = True
            run.save(update_fields=["cancelled"])
            GenerationJob.objects.filter(run=run, status=RunStatus.QUEUED).update(status=RunStatus.CANCELLED, finished_at=timezone.now())
            record(Action.GENERATION_CANCEL, run, actor=acting_user, changes={"cancelled": [False, True]})
    return run


def draft_request_variation(
    draft: Draft, *, mode: JobMode, base_version: int, acting_user: User, instruction: str = "", count: int = 1
) -> GenerationJob:
    """Regenerate a draft, rewrite it with an instruction (both make a new version), or ask for more like it (new drafts)."""
    require(acting_user.can_author, "Only marketers can ask for new drafts.")
    _require(mode != JobMode.GENERATE, "Use Generate on the brief for a full run.")
    instruction = instruction.strip()
    _require(mode != JobMode.REWRITE or bool(instruction), "Say how to rewrite it, e.g. “shorter” or “remove the discount”.")
    require_text_size(instruction, INSTRUCTION_MAX_CHARS, "instruction")
    check_token_budget(acting_user)
    with transaction.atomic():
        draft = Draft.objects.select_for_update(of=("self",)).select_related("brief__brand", "segment").get(pk=draft.pk)
        _require(not draft.discarded, _DISCARDED_EDIT, "conflict")
        latest = draft.latest_version()
        _require(latest.number == base_version, f"Version {latest.number} is now current; reload before asking again.", "conflict")
        if mode == JobMode.MORE_LIKE_THIS:
            _require(1 <= count <= settings.MAX_VARIANTS_PER_SEGMENT, f"Ask for 1 to {settings.MAX_VARIANTS_PER_SEGMENT} more.")
            # The brief's row is the cap's lock: every request that adds drafts to it queues here.
            check_brief_cap(Brief.objects.select_for_update().get(pk=draft.brief_id), count)
        provider_name = provider_spec().name
        model, parameters = _run_settings(draft.brief, provider_name)
        run = GenerationRun.objects.create(
            brief=draft.brief, provider=provider_name, model=model, parameters=parameters,
            guide_version=draft.brief.brand.current_guide(), prompt_version=draft.brief.prompt_template.current_version(),
            brief_revision=draft.brief.revision, created_by=acting_user,
        )
        job = GenerationJob.objects.create(
            run=run, segment=draft.segment, channel=draft.channel, locale=draft.locale, mode=mode, source_draft=draft,
            source_version=latest.number, instruction=instruction, variants=count if mode == JobMode.MORE_LIKE_THIS else 1,
        )
        record(Action.GENERATION_START, run, actor=acting_user, changes={"draft": draft.pk, "mode": mode, "instruction": instruction or None})
        _enqueue([job.pk])
    return job


def _job_provenance(job: GenerationJob, share: int, provenance: dict[str, object]) -> dict[str, Any]:
    """Per-version provenance: the call's figures split over the versions it produced."""
    share = max(share, 1)
    return {
        **provenance,
        "input_tokens": int(provenance["input_tokens"]) // share,  # type: ignore[call-overload]
        "output_tokens": int(provenance["output_tokens"]) // share,  # type: ignore[call-overload]
        "cost_usd": job.cost_usd / share,
        "prompt_version_id": job.run.prompt_version_id,
        "job": job,
    }


def _finish_job(job: GenerationJob, provenance: dict[str, object], made: int) -> None:
    job.status = RunStatus.DONE
    job.error = ""
    job.finished_at = timezone.now()
    job.lease_expires_at = None
    job.save(update_fields=["status", "error", "finished_at", "lease_expires_at", "input_tokens", "output_tokens", "cost_usd"])
    record(
        Action.GENERATION_JOB_DONE, job, actor=None,
        changes={"made": made, "attempts": job.attempts, "tokens": [job.input_tokens, job.output_tokens], "cost_usd": str(job.cost_usd)},
    )


@dataclass(frozen=True)
class PreparedText:
    """Text on its way to becoming a version: sized, sanitised and checked before any transaction opens."""

    fields: dict[str, str]
    check: PreparedCheck


def _prepare_text(draft: Draft, fields: dict[str, str], guide_version: BrandGuideVersion, *, source: str = "") -> PreparedText:
    """The slow part of storing text (sanitiser, check engine), run with no write lock held."""
    require_field_sizes(fields, source=source)
    clean = sanitize_fields(draft.channel, fields)
    require_field_sizes(clean, source=source)
    return PreparedText(clean, version_checks().prepare_check(draft, clean, guide_version))


def _existing_results(job: GenerationJob) -> list[Draft]:
    return list(job.drafts.all()) or ([job.source_draft] if job.source_draft else [])


def drafts_create_from_job(job: GenerationJob, variants: list[dict[str, str]], *, provenance: dict[str, object]) -> list[Draft]:
    """Store a job's variants as new drafts, or as a new version of its draft, exactly once however often the task runs.

    The variants are sized, sanitised and checked first; the transaction only stores them.
    """
    job = GenerationJob.objects.select_related("run__brief__brand", "run__guide_version", "segment", "source_draft").get(pk=job.pk)
    if job.status == RunStatus.DONE:
        return _existing_results(job)
    target = job.source_draft or Draft(brief=job.run.brief, segment=job.segment, channel=job.channel, locale=job.locale)
    rewrite = job.mode in (JobMode.REGENERATE, JobMode.REWRITE)
    prepared = [
        _prepare_text(target, fields, job.run.guide_version, source="The model's answer is too long to store. ")
        for fields in (variants[:1] if rewrite else variants)
    ]
    with transaction.atomic():
        job = GenerationJob.objects.select_for_update(of=("self",)).select_related("run__brief", "segment", "source_draft").get(pk=job.pk)
        if job.status == RunStatus.DONE:
            return _existing_results(job)
        run = job.run
        job.input_tokens = int(provenance["input_tokens"])  # type: ignore[call-overload]
        job.output_tokens = int(provenance["output_tokens"])  # type: ignore[call-overload]
        job.cost_usd = estimate_cost(str(provenance["model"]), job.input_tokens, job.output_tokens)
        if rewrite:
            draft = _version_from_job(job, prepared[0], provenance)
            _finish_job(job, provenance, 1)
            return [draft]
        first_variant = 1
        if job.mode == JobMode.MORE_LIKE_THIS:
            siblings = Draft.objects.filter(brief=run.brief, segment=job.segment, channel=job.channel, locale=job.locale)
            first_variant = (siblings.aggregate(m=Max("variant"))["m"] or 0) + 1
        numbers = _next_draft_numbers(run.brief_id, len(prepared))
        drafts = []
        for (index, text), number in zip(enumerate(prepared, start=first_variant), numbers, strict=True):
            draft = Draft.objects.create(
                brief=run.brief, segment=job.segment, channel=job.channel, locale=job.locale, variant=index, number=number,
                brief_revision=run.brief_revision, job=job, created_by=run.created_by,
            )
            record(
                Action.DRAFT_CREATE, draft, actor=None,
                changes={"job": job.pk, "variant": index, "number": number, "mode": job.mode, "locale": job.locale or None, "brief_revision": run.brief_revision},
            )
            _version_create(
                draft, text=text, origin=VersionOrigin.GENERATED, author=run.created_by, first=True,
                **_job_provenance(job, len(prepared), provenance),
            )
            drafts.append(draft)
        _finish_job(job, provenance, len(drafts))
    return drafts


def _next_draft_numbers(brief_id: int, count: int) -> range:
    """Take the brief's next `count` draft numbers. The UPDATE locks the brief's row until the transaction ends, so
    jobs finishing at once (a run's parts, a "more like this" beside them) queue here and never share a number."""
    Brief.objects.filter(pk=brief_id).update(draft_sequence=F("draft_sequence") + count)
    last = Brief.objects.filter(pk=brief_id).values_list("draft_sequence", flat=True).get()
    return range(last - count + 1, last + 1)


def _require_current(latest: DraftVersion, base_version: int, message: str) -> None:
    _require(latest.number == base_version, message.format(current=latest.number, base=base_version), "conflict")


def _version_from_job(job: GenerationJob, text: PreparedText, provenance: dict[str, object]) -> Draft:
    assert job.source_draft_id is not None, "regenerate and rewrite jobs always name their draft"
    draft = Draft.objects.select_for_update().get(pk=job.source_draft_id)
    _require_current(
        draft.latest_version(), job.source_version or 0,
        "The draft changed (now version {current}) while it was being rewritten; nothing was stored.",
    )
    origin = VersionOrigin.REWRITTEN if job.mode == JobMode.REWRITE else VersionOrigin.REGENERATED
    version = _version_create(
        draft, text=text, origin=origin, author=job.run.created_by,
        instruction=job.instruction, **_job_provenance(job, 1, provenance),
    )
    _after_new_version(draft, version, job.run.created_by)
    return draft


def _after_new_version(draft: Draft, version: DraftVersion, actor: User) -> None:
    """A new version needs a fresh review. Where it gets it is one rule (edit_rule.py): a reviewer's edit of a draft
    in review stays in review (and review tells the author); any other goes back to the draft state."""
    if edit_rule.keeps_review(draft, actor):
        edit_rule.on_kept_in_review()(draft, version, actor)
        return
    before = draft.state
    if before != DraftState.DRAFT:
        draft.state = DraftState.DRAFT
        draft.save(update_fields=["state", "updated_at"])
        record(Action.DRAFT_STATE_RESET, draft, actor=actor, changes={"state": [before, draft.state]})


def _version_create(
    draft: Draft, *, text: PreparedText, origin: str, author: User, first: bool = False, **provenance: Any
) -> DraftVersion:
    """Store a prepared text as the draft's next version with its check; call inside the transaction that locks the draft."""
    last = 0 if first else (draft.versions.order_by("-number").values_list("number", flat=True).first() or 0)
    version = DraftVersion.objects.create(
        draft=draft, number=last + 1, fields=text.fields, origin=origin, author=author, guide_version=text.check.guide_version, **provenance
    )
    record(Action.DRAFT_VERSION_CREATE, version, actor=author if origin == VersionOrigin.EDITED else None, changes={"draft": draft.pk, "number": version.number, "origin": origin})
    version_checks().store_check(version, text.check)
    return version


_DISCARDED_EDIT = "This draft was discarded; restore it before changing it."
_EDIT_CONFLICT = "Someone saved version {current} while you were editing version {base}; reload to see it."


def draft_edit(
    draft: Draft, *, fields: dict[str, str], base_version: int, acting_user: User,
    also: Callable[[DraftVersion], None] | None = None,
) -> DraftVersion:
    """Save edited text as a new version. Any approval of the old version stays with the old version.

    The text is sanitised and checked before the transaction; inside it, the version it was based on must still be
    current (someone may have saved meanwhile). `also` runs in the same transaction, e.g. to write a further audit event.
    """
    require(acting_user.can_author or acting_user.can_review, "You cannot edit drafts.")
    allowed = CHANNEL_FIELDS[draft.channel]
    unknown = sorted(set(fields) - set(allowed))
    _require(not unknown, f"{draft.get_channel_display()} has no field {', '.join(unknown)}.")
    draft = Draft.objects.select_related("brief__brand", "segment").get(pk=draft.pk)
    _require(not draft.discarded, _DISCARDED_EDIT, "conflict")
    latest = draft.latest_version()
    _require_current(latest, base_version, _EDIT_CONFLICT)
    raw = {name: fields.get(name, "") for name in allowed}
    require_field_sizes(raw)
    clean = sanitize_fields(draft.channel, raw)
    _require(any(clean.values()), "A draft cannot be empty.")
    if clean == latest.fields:
        return latest
    require_field_sizes(clean)
    text = PreparedText(clean, version_checks().prepare_check(draft, clean, draft.brief.brand.current_guide()))
    with transaction.atomic():
        draft = Draft.objects.select_for_update().select_related("brief__brand", "segment").get(pk=draft.pk)
        _require(not draft.discarded, _DISCARDED_EDIT, "conflict")
        _require_current(draft.latest_version(), base_version, _EDIT_CONFLICT)
        version = _version_create(
            draft, text=text, origin=VersionOrigin.EDITED, author=acting_user,
            prompt_version_id=latest.prompt_version_id, provider=latest.provider, model=latest.model,
        )
        _after_new_version(draft, version, acting_user)
        if also is not None:
            also(version)
    return version


def draft_submit(draft: Draft, *, acting_user: User) -> Draft:
    with transaction.atomic():
        draft = Draft.objects.select_for_update().get(pk=draft.pk)
        require(acting_user.can_author or acting_user.pk == draft.created_by_id, "Only marketers can submit drafts.")
        _require(not draft.discarded, "This draft was discarded; restore it before submitting it.", "conflict")
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


# Only drafts nobody has signed off can be set aside: an approved draft may be live on a journey (and its approval is
# history to keep), and one in review is in a reviewer's hands; those are rejected or edited, never discarded.
DISCARDABLE_STATES = (DraftState.DRAFT, DraftState.REJECTED)


def discard_refusal(draft: Draft, user: User) -> str:
    """Why this user cannot discard this draft now ("" when they can): the button and the action ask the same."""
    if not can_manage_brief(user, draft.brief):
        return "Only the brief's author or an admin can discard its drafts."
    if draft.discarded:
        return "This draft is already discarded."
    if draft.state not in DISCARDABLE_STATES:
        return f"This draft is {draft.get_state_display().lower()}; only drafts being written or rejected can be discarded."
    return ""


def draft_discard(draft: Draft, *, acting_user: User) -> Draft:
    """Set a draft aside: it leaves the brief's grid (shown under Discarded) and cannot be submitted until restored."""
    with transaction.atomic():
        draft = Draft.objects.select_for_update(of=("self",)).select_related("brief").get(pk=draft.pk)
        require(can_manage_brief(acting_user, draft.brief), "Only the brief's author or an admin can discard its drafts.")
        refusal = discard_refusal(draft, acting_user)
        _require(not refusal, refusal, "conflict")
        draft.discarded_at, draft.discarded_by = timezone.now(), acting_user
        draft.save(update_fields=["discarded_at", "discarded_by", "updated_at"])
        record(Action.DRAFT_DISCARD, draft, actor=acting_user, changes={"discarded": [False, True], "state": draft.state, "number": draft.number})
    return draft


def draft_restore(draft: Draft, *, acting_user: User) -> Draft:
    """Bring a discarded draft back to the grid, in the state it was discarded in."""
    with transaction.atomic():
        draft = Draft.objects.select_for_update(of=("self",)).select_related("brief").get(pk=draft.pk)
        require(can_manage_brief(acting_user, draft.brief), "Only the brief's author or an admin can restore its drafts.")
        _require(draft.discarded, "This draft is not discarded.", "conflict")
        draft.discarded_at, draft.discarded_by = None, None
        draft.save(update_fields=["discarded_at", "discarded_by", "updated_at"])
        record(Action.DRAFT_RESTORE, draft, actor=acting_user, changes={"discarded": [True, False], "state": draft.state, "number": draft.number})
    return draft


# A generation job's life in the worker: taken, handed back, failed, recovered. System actions (actor None).


def job_claim(job_id: int) -> GenerationJob | None:
    """Take a job for this worker, or None when it is finished, cancelled, gone, or leased to a live worker."""
    with transaction.atomic():
        job = GenerationJob.objects.select_for_update(of=("self",)).select_related(
            "run__brief__brand", "run__guide_version", "run__prompt_version", "run__created_by", "segment", "source_draft"
        ).filter(pk=job_id).first()
        if job is None:
            # A message can outlive its job: Redis hands a dead worker's unacknowledged messages out again an hour on.
            log.warning("generation job %s does not exist; its message is dropped", job_id)
            return None
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


def job_fail(job_id: int, message: str) -> None:
    with transaction.atomic():
        job = GenerationJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status in (RunStatus.DONE, RunStatus.CANCELLED):
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
    task = job_task()
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
            transaction.on_commit(partial(task.delay, job_id), robust=True)
    log.info("recovered generation jobs %s", job_ids)
    return job_ids
