"""Reading with the pure check engine: compiled guides, checks of unsaved text, what a guide change puts at risk.

Storing a check is an action (workbench/checks/actions.py)."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from django.db.models import OuterRef, Q, QuerySet, Subquery

from workbench.brand.models import BrandGuideVersion
from workbench.brand.recheck import RecheckProgress
from workbench.checks import engine
from workbench.checks.engine import CheckResult as EngineResult
from workbench.checks.engine import CompiledGuide, EngineInputError, compile_guide
from workbench.checks.models import CheckResult, Recertification
from workbench.errors import CopydeskError
from workbench.generation.models import Draft, DraftState, DraftVersion
from workbench.generation.version_checks import PreparedCheck
from workbench.plug_points import PlugPoint


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
    guide = compiled_guide(guide_version)
    context = tone_context_for(version, guide)
    fields = {name: text for name, text in version.fields.items() if text}
    # Looked up on the module at call time, so a test can slow the engine down to prove no lock waits on it.
    return engine.check_fields(guide, version.draft.channel, fields, context, locale=checked_locale(version.draft.locale, guide)), context


def checked_locale(locale: str, guide: CompiledGuide) -> str | None:
    """The locale a draft is checked in: its own; blank (written before locales) or no longer declared, the brand's default,
    which then judges honestly that the copy is not in the default locale's language."""
    return next((tag for tag in guide.locales if tag.lower() == locale.lower()), None) if locale else None


def prepare_check(draft: Draft, fields: dict[str, str], guide_version: BrandGuideVersion) -> PreparedCheck:
    """Check text that is about to become a version of this draft. Call it outside transaction.atomic:
    a long check must delay only its own request, never hold the database's write lock (SQLite has one for everyone)."""
    try:
        result, context = run_engine(DraftVersion(draft=draft, fields=fields), guide_version)
    except EngineInputError as exc:
        raise CopydeskError(f"This text cannot be checked: {exc}") from None
    return PreparedCheck(guide_version, context or "", result.passed, [f.to_dict() for f in result.findings])


def latest_check(version: DraftVersion) -> CheckResult | None:
    return version.check_results.order_by("-created_at", "-id").first()


# Journeys publishes versions and sits above checks in the pipeline, so it provides the publications live now here,
# from JourneysConfig.ready(): re-certification re-checks live content and its report says where each version is live.
live_publications: PlugPoint[Callable[[], QuerySet[Any]]] = PlugPoint("the publications live now", provided_by="workbench.journeys")


def recertification_candidates(brand_id: int | None = None) -> QuerySet[DraftVersion]:
    """The content a guide change can put at risk: the current versions of drafts in review and approved drafts, and live versions."""
    latest_number = DraftVersion.objects.filter(draft=OuterRef("draft")).order_by("-number").values("number")[:1]
    open_or_approved = Q(draft__state__in=[DraftState.IN_REVIEW, DraftState.APPROVED], number=Subquery(latest_number))
    live = Q(pk__in=live_publications()().values("version_id"))
    versions = DraftVersion.objects.filter(open_or_approved | live)
    return versions.filter(draft__brief__brand_id=brand_id) if brand_id is not None else versions


def recheck_progress(guide_version: BrandGuideVersion) -> RecheckProgress | None:
    """None for a brand's first guide version, which has nothing to re-check."""
    recertification = Recertification.objects.filter(guide_version=guide_version).first()
    if recertification is None and guide_version.number == 1:
        return None
    in_review_blocked = Draft.objects.filter(brief__brand_id=guide_version.brand_id, state=DraftState.IN_REVIEW, blocking=True).count()
    if recertification is None:
        return RecheckProgress(total=0, checked=0, blocked=0, finished=False, in_review_blocked=in_review_blocked, queued=True)
    return RecheckProgress(
        total=recertification.total, checked=recertification.checked, blocked=recertification.blocked,
        finished=recertification.finished_at is not None, in_review_blocked=in_review_blocked,
    )
