"""Running the pure check engine on stored draft versions."""

from __future__ import annotations

from functools import lru_cache

from django.db import transaction

from workbench.audit.log import record
from workbench.audit.models import Action
from workbench.brand.models import BrandGuideVersion
from workbench.checks.engine import CheckResult as EngineResult
from workbench.checks.engine import CompiledGuide, compile_guide
from workbench.checks.models import CheckResult
from workbench.generation.models import DraftVersion


@lru_cache(maxsize=64)
def _compiled(guide_version_id: int) -> CompiledGuide:
    # Guide versions are immutable, so a compiled guide never goes stale.
    return compile_guide(BrandGuideVersion.objects.get(pk=guide_version_id).data)


def compiled_guide(guide_version: BrandGuideVersion) -> CompiledGuide:
    return _compiled(guide_version.pk)


def tone_context_for(version: DraftVersion, guide: CompiledGuide) -> str | None:
    """The brief's context wins over the segment's; one the guide doesn't know falls back to default."""
    draft = version.draft
    context = draft.brief.tone_context or draft.segment.tone_context
    return context if context and context in guide.contexts else None


def run_engine(version: DraftVersion, guide_version: BrandGuideVersion) -> tuple[EngineResult, str | None]:
    from workbench.checks.engine import check_fields

    guide = compiled_guide(guide_version)
    context = tone_context_for(version, guide)
    fields = {name: text for name, text in version.fields.items() if text}
    return check_fields(guide, version.draft.channel, fields, context), context


def check_version(version: DraftVersion, *, guide_version: BrandGuideVersion | None = None) -> CheckResult:
    """Check one version against a guide version (its own by default) and store the findings."""
    guide_version = guide_version or version.guide_version
    existing = CheckResult.objects.filter(version=version, guide_version=guide_version).first()
    if existing is not None:
        return existing
    result, context = run_engine(version, guide_version)
    with transaction.atomic():
        stored = CheckResult.objects.create(
            version=version,
            guide_version=guide_version,
            context=context or "",
            passed=result.passed,
            findings=[f.to_dict() for f in result.findings],
        )
        record(
            Action.CHECK_RUN,
            version,
            actor=None,
            changes={"passed": stored.passed, "blocking": len(stored.blocking), "warnings": len(stored.warnings)},
        )
    return stored


def latest_check(version: DraftVersion) -> CheckResult | None:
    return version.check_results.order_by("-created_at", "-id").first()
