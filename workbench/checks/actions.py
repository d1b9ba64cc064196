"""Storing checks (of a new version, against the current guide, a re-certification) and what people do with
findings: mark one a false positive, apply its suggestion. Each is audited."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from workbench.access import require
from workbench.accounts.models import User
from workbench.audit.log import record
from workbench.audit.models import Action
from workbench.brand.models import BrandGuideVersion
from workbench.checks import services
from workbench.checks.models import CheckResult, FalsePositive, Recertification
from workbench.errors import CopydeskError
from workbench.generation import actions as generation_actions
from workbench.generation.models import Draft, DraftVersion
from workbench.generation.version_checks import PreparedCheck

# Kinds whose suggestion is a word for a word, so it takes the replaced word's capital letter.
_WORD_KINDS = frozenset({"disallowed_word", "taboo_topic", "claim", "tone"})


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
    prepared = services.prepare_check(version.draft, version.fields, guide_version)
    try:
        return store_check(version, prepared)
    except IntegrityError:
        # A re-certification and a redelivered task can check the same pair at once; the first one stands.
        return CheckResult.objects.get(version=version, guide_version=guide_version)




def current_guide_check(version: DraftVersion) -> CheckResult:
    """The check of this exact version against its brand's current guide, run now if missing.

    Approving and publishing judge the rules in force, not the ones the draft was written under.
    Call it before the write transaction: the engine runs outside any lock, and only the short insert is locked.
    """
    guide_version = BrandGuideVersion.objects.filter(brand_id=version.draft.brief.brand_id).order_by("-number").first()
    if guide_version is None:  # pragma: no cover - a draft always has its brand's guide
        raise BrandGuideVersion.DoesNotExist(f"brand {version.draft.brief.brand_id} has no guide version")
    return check_version(version, guide_version=guide_version)




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
        services.recertification_candidates(guide_version.brand_id).select_related("draft__brief", "draft__segment").prefetch_related("overrides").order_by("pk")
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


def _finding_of(version: DraftVersion, key: str) -> tuple[CheckResult, dict[str, Any]]:
    """The finding with this key on the version, from its most recent check that raised it."""
    for check in version.check_results.select_related("guide_version").order_by("-created_at", "-id"):
        finding = check.finding(key)
        if finding is not None:
            return check, finding
    raise CopydeskError("That finding is not on this version; reload the draft to see its current findings.", code="not_found")


def false_positive_mark(version: DraftVersion, *, key: str, reason: str, acting_user: User) -> FalsePositive:
    """Record that a finding flagged good copy. It feeds per-rule precision; it does not override the finding."""
    require(acting_user.can_review, "Only reviewers can mark findings as false positives.")
    reason = reason.strip()
    if len(reason) < 5:
        raise CopydeskError("Say why this finding is wrong (at least 5 characters), so admins can tune the guide.")
    check, finding = _finding_of(version, key)
    try:
        with transaction.atomic():
            marked = FalsePositive.objects.create(
                version=version, guide_version=check.guide_version, finding_key=key,
                kind=finding["kind"], rule=finding["rule"], reason=reason, marked_by=acting_user,
            )
            record(
                Action.CHECK_FALSE_POSITIVE, version, actor=acting_user,
                changes={"finding": key, "guide_version": str(check.guide_version), "reason": [None, reason]},
            )
    except IntegrityError:
        # The unique constraint on (version, finding_key) decides who was first, however close two marks come.
        first = FalsePositive.objects.select_related("marked_by").get(version=version, finding_key=key)
        raise CopydeskError(f"{first.marked_by.display_name} already marked this finding as a false positive.", code="conflict") from None
    return marked


def with_suggestion(text: str, finding: dict[str, Any]) -> str:
    """The text with the finding's span replaced by its suggestion; an empty span (missing text) gets it appended."""
    start, end, suggestion = finding["start"], finding["end"], str(finding["suggestion"])
    if start == end:
        separator = "" if not text[:start] or text[:start][-1].isspace() else " "
        return text[:start] + separator + suggestion + text[end:]
    match = text[start:end]
    if finding["kind"] in _WORD_KINDS and suggestion[:1].islower():
        sentence_start = not text[:start].strip() or text[:start].rstrip()[-1] in ".!?"
        if sentence_start or (match[:1].isupper() and not match.isupper()):
            suggestion = suggestion[:1].upper() + suggestion[1:]
    return text[:start] + suggestion + text[end:]


def suggestion_apply(version: DraftVersion, *, key: str, acting_user: User) -> DraftVersion:
    """Replace one finding's span with its suggestion as a new version (conflict-safe through draft_edit)."""
    draft = version.draft
    _, finding = _finding_of(version, key)
    if not finding.get("suggestion"):
        raise CopydeskError("That finding has no suggestion to apply; edit the text instead.")
    text = version.fields.get(finding["field"], "")
    if finding["end"] > len(text) or text[finding["start"]:finding["end"]] != finding["match"]:
        raise CopydeskError("The text no longer matches this finding; reload the draft.", code="conflict")
    fields = {**version.fields, finding["field"]: with_suggestion(text, finding)}

    def record_suggestion(new: DraftVersion) -> None:
        record(
            Action.CHECK_SUGGESTION_APPLY, new, actor=acting_user,
            changes={"finding": key, "from_version": version.number, finding["field"]: [finding["match"], finding["suggestion"]]},
        )

    # draft_edit checks the new text before its transaction and records this event inside it.
    return generation_actions.draft_edit(draft, fields=fields, base_version=version.number, acting_user=acting_user, also=record_suggestion)
