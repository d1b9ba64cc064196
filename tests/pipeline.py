"""Helpers that move content through the pipeline with the real transition functions."""

from __future__ import annotations

from django.conf import settings

from workbench.accounts.models import User
from workbench.brand.models import Brand, PromptTemplate, Segment
from workbench.generation import actions
from workbench.generation.models import Brief, Draft
from workbench.generation.services import run_job


def make_brief(brand: Brand, prompt: PromptTemplate, segments: list[Segment], author: User, *, channels: list[str] | None = None, variants: int = 2, **extra: str) -> Brief:
    values = {
        "title": "Spring boots",
        "goal": "Bring members back",
        "key_message": "The new trail boots are here, light and comfortable",
        "call_to_action": "See the boots",
    }
    values.update(extra)
    return actions.brief_create(
        brand=brand, segments=segments, channels=channels or ["email", "sms"], prompt_template=prompt,
        variants_per_segment=variants, acting_user=author, **values,  # type: ignore[arg-type]
    )


def edit_brief(brief: Brief, author: User, **changes: object) -> Brief:
    """Save a brief with some fields changed and the rest as they are, through brief_update."""
    values: dict[str, object] = {
        "title": brief.title, "goal": brief.goal, "key_message": brief.key_message, "offer": brief.offer,
        "call_to_action": brief.call_to_action, "tone_context": brief.tone_context, "segments": list(brief.segments.all()),
        "channels": list(brief.channels), "prompt_template": brief.prompt_template, "variants_per_segment": brief.variants_per_segment,
        "llm_model": brief.llm_model, "llm_parameters": dict(brief.llm_parameters or {}), "locales": list(brief.locales),
        "locale_key_messages": dict(brief.locale_key_messages or {}),
    }
    values.update(changes)
    return actions.brief_update(brief, acting_user=author, **values)  # type: ignore[arg-type]


def generate_now(brief: Brief, author: User) -> list[Draft]:
    """Run generation in-process (the worker tests cover the Celery path)."""
    run = actions.generation_start(brief, acting_user=author, enqueue=False)
    for job in run.jobs.all():
        run_job(job.pk)
    return list(Draft.objects.filter(brief=brief).order_by("segment__slug", "channel", "variant"))


def submitted_draft(brand: Brand, prompt: PromptTemplate, segment: Segment, author: User, channel: str = "email") -> Draft:
    brief = make_brief(brand, prompt, [segment], author, channels=[channel], variants=1)
    (draft,) = generate_now(brief, author)
    return actions.draft_submit(draft, acting_user=author)


def approved_draft(
    brand: Brand, prompt: PromptTemplate, segment: Segment, author: User, *reviewers: User,
    channel: str = "email", fields: dict[str, str] | None = None,
) -> Draft:
    """A draft approved by each reviewer in turn; with fields, that exact text is edited in (version 2) first."""
    from workbench.review.actions import review_approve

    draft = submitted_draft(brand, prompt, segment, author, channel=channel)
    if fields is not None:
        actions.draft_edit(draft, fields=fields, base_version=1, acting_user=author)
        actions.draft_submit(draft, acting_user=author)
    for reviewer in reviewers:
        review_approve(draft, version_number=draft.latest_version().number, acting_user=reviewer)
    draft.refresh_from_db()
    return draft


# PRODUCT.md's example approval policy (legal for claims, two for sensitive segments and waived blocks, a Spanish
# reader for es-US), added to the demo guide; the policy tests and browser walks use this one text.
APPROVAL_POLICY = """
approval:
  default: {approvals: 1}
  rules:
    - {when: {sensitive_segment: true}, approvals: 2}
    - {when: {finding_kind: claim}, roles: [legal]}
    - {when: {overridden_block: true}, approvals: 2}
    - {when: {locale: es-US}, languages: [es]}
  due_hours: {default: 48, sensitive_segment: 8}
"""


def northwind_guide_with_approval_policy() -> str:
    """The demo Northwind guide's YAML with APPROVAL_POLICY appended."""
    return (settings.BASE_DIR / "brandguide" / "northwind.yaml").read_text(encoding="utf-8") + APPROVAL_POLICY


def brief_form_data(brief: Brief, **changes: object) -> dict[str, object]:
    """What the brief form posts for ``brief`` as it stands, with ``changes`` on top."""
    data: dict[str, object] = {
        "brand": brief.brand_id, "title": brief.title, "goal": brief.goal, "key_message": brief.key_message, "offer": brief.offer,
        "call_to_action": brief.call_to_action, "segments": [s.pk for s in brief.segments.all()], "channels": brief.channels,
        "variants_per_segment": brief.variants_per_segment, "tone_context": brief.tone_context, "prompt_template": brief.prompt_template_id,
    }
    return {**data, **changes}
