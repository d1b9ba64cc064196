"""Running the pure check engine on stored draft versions."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from workbench.audit.log import record
from workbench.audit.models import Action
from workbench.brand.models import BrandGuideVersion
from workbench.checks.engine import CheckResult as EngineResult
from workbench.checks.engine import CompiledGuide, EngineInputError, compile_guide
from workbench.checks.models import CheckResult, Recertification
from workbench.errors import CopydeskError
from workbench.generation.models import Draft, DraftState, DraftVersion
from workbench.journeys.models import Publication


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
    return check_fields(guide, version.draft.channel, fields, context, locale=checked_locale(version.draft.locale, guide)), context


def checked_locale(locale: str, guide: CompiledGuide) -> str | None:
    """The locale a draft is checked in: its own; blank (written before locales) or no longer declared, the brand's default,
    which then judges honestly that the copy is not in the default locale's language."""
    return next((tag for tag in guide.locales if tag.lower() == locale.lower()), None) if locale else None


@dataclass(frozen=True)
class PreparedCheck:
    """A check computed before any write: the slow part, run with no transaction open."""

    guide_version: BrandGuideVersion
    context: str
    passed: bool
    findings: list[dict[str, Any]]


def prepare_check(draft: Draft, fields: dict[str, str], guide_version: BrandGuideVersion) -> PreparedCheck:
    """Check text that is about to become a version of this draft. Call it outside transaction.atomic:
    a long check must delay only its own request, never hold the database's write lock (SQLite has one for everyone)."""
    try:
        result, context = run_engine(DraftVersion(draft=draft, fields=fields), guide_version)
    except EngineInputError as exc:
        raise CopydeskError(f"This text cannot be checked: {exc}") from None
    return PreparedCheck(guide_version, context or "", result.passed, [f.to_dict() for f in result.findings])


def store_check(version: DraftVersion, prepared: PreparedCheck) -> CheckResult:
    """Store a prepared check of this version with its audit event, in the caller's transaction; quick."""
    with transaction.atomic():
        stored = CheckResult.objects.create(
            version=version, guide_version=prepared.guide_version, context=prepared.context,
            passed=prepared.passed, findings=prepared.findings,
        )
        record(
            Action.CHECK_RUN,
            version,
            actor=None,
            changes={"guide_version": str(prepared.guide_version), "passed": stored.passed, "blocking": len(stored.blocking), "warnings": len(stored.warnings)},
        )
        # The draft's flag follows its latest version's latest check, whoever ran it (a new version, a re-certification).
        if not DraftVersion.objects.filter(draft_id=version.draft_id, number__gt=version.number).exists():
            Draft.objects.filter(pk=version.draft_id).update(blocking=not stored.passed)
    return stored


def check_version(version: DraftVersion, *, guide_version: BrandGuideVersion | None = None) -> CheckResult:
    """Check one stored version against a guide version (its own by default) and store the findings.

    The engine runs before the short transaction that stores its result; call this outside transaction.atomic.
    """
    guide_version = guide_version or version.guide_version
    existing = CheckResult.objects.filter(version=version, guide_version=guide_version).first()
    if existing is not None:
        return existing
    prepared = prepare_check(version.draft, version.fields, guide_version)
    try:
        return store_check(version, prepared)
    except IntegrityError:
        # A re-certification and a redelivered task can check the same pair at once; the first one stands.
        return CheckResult.objects.get(version=version, guide_version=guide_version)


def latest_check(version: DraftVersion) -> CheckResult | None:
    return version.check_results.order_by("-created_at", "-id").first()


def current_guide_check(version: DraftVersion) -> CheckResult:
    """The check of this exact version against its brand's current guide, run now if missing.

    Approving and publishing judge the rules in force, not the ones the draft was written under.
    Call it before the write transaction: the engine runs outside any lock, and only the short insert is locked.
    """
    guide_version = BrandGuideVersion.objects.filter(brand_id=version.draft.brief.brand_id).order_by("-number").first()
    if guide_version is None:  # pragma: no cover - a draft always has its brand's guide
        raise BrandGuideVersion.DoesNotExist(f"brand {version.draft.brief.brand_id} has no guide version")
    return check_version(version, guide_version=guide_version)


def recertification_candidates(brand_id: int | None = None) -> QuerySet[DraftVersion]:
    """The content a guide change can put at risk: the current versions of drafts in review and approved drafts, and live versions."""
    latest_number = DraftVersion.objects.filter(draft=OuterRef("draft")).order_by("-number").values("number")[:1]
    open_or_approved = Q(draft__state__in=[DraftState.IN_REVIEW, DraftState.APPROVED], number=Subquery(latest_number))
    live = Q(pk__in=Publication.objects.current().values("version_id"))
    versions = DraftVersion.objects.filter(open_or_approved | live)
    return versions.filter(draft__brief__brand_id=brand_id) if brand_id is not None else versions


# How often a running re-certification writes its progress for the guide page.
PROGRESS_EVERY = 5


def recertify(guide_version: BrandGuideVersion) -> Recertification | None:
    """Check drafts in review, approved and live content against a new guide version and record what it would block.

    Flags only: nothing is unpublished or un-approved, live content keeps being served; each draft's
    blocking flag follows its latest version's new check, so the review queue shows what the guide now blocks.
    Progress is stored as it goes so the guide page can show it. Safe to run twice (a redelivered task): stored results are reused.
    """
    if guide_version.brand.current_guide().pk != guide_version.pk:
        return None  # superseded: the newer version's re-certification covers the same content
    blocked: list[int] = []
    versions = list(
        recertification_candidates(guide_version.brand_id).select_related("draft__brief", "draft__segment").prefetch_related("overrides").order_by("pk")
    )
    recertification, _ = Recertification.objects.get_or_create(guide_version=guide_version)
    Recertification.objects.filter(pk=recertification.pk, finished_at__isnull=True).update(total=len(versions), checked=0)
    checked = 0
    for version in versions:
        result = check_version(version, guide_version=guide_version)
        checked += 1
        if result.unresolved_blocking({o.finding_key for o in version.overrides.all()}):
            blocked.append(version.pk)
        if checked % PROGRESS_EVERY == 0:
            Recertification.objects.filter(pk=recertification.pk, finished_at__isnull=True).update(checked=checked, blocked=len(blocked))
    with transaction.atomic():
        recertification = Recertification.objects.select_for_update().get(pk=recertification.pk)
        before = [recertification.checked, recertification.blocked] if recertification.finished_at else [None, None]
        recertification.total, recertification.checked, recertification.blocked, recertification.finished_at = len(versions), checked, len(blocked), timezone.now()
        recertification.save()
        record(
            Action.CHECK_RECERTIFY,
            guide_version,
            actor=None,
            changes={"checked": [before[0], checked], "blocked": [before[1], len(blocked)], "blocked_versions": blocked},
        )
    return recertification


@dataclass(frozen=True)
class RecheckProgress:
    """What the guide page says about re-checking content against its current version."""

    total: int
    checked: int
    blocked: int
    finished: bool
    in_review_blocked: int
    queued: bool = False  # no worker has started it yet


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
