"""Review decisions on one exact draft version (invariants 1–3)."""

from __future__ import annotations

from django.db import transaction

from workbench.accounts.models import User
from workbench.audit.log import record
from workbench.audit.models import Action
from workbench.checks.models import finding_key
from workbench.checks.services import latest_check
from workbench.errors import CopydeskError
from workbench.generation.models import Draft, DraftState, DraftVersion
from workbench.review.models import Decision, FindingOverride, ReviewDecision


def _locked_for_review(draft: Draft, version_number: int, acting_user: User) -> tuple[Draft, DraftVersion]:
    """Lock the draft, and refuse a decision on anything but the version the reviewer was looking at."""
    if not acting_user.can_review:
        raise CopydeskError("Only reviewers can decide on drafts.", code="forbidden")
    draft = Draft.objects.select_for_update().select_related("segment").get(pk=draft.pk)
    version = draft.latest_version()
    if version.number != version_number:
        raise CopydeskError(
            f"This draft changed while you were reading it: version {version.number} is now current. Reload to review it.",
            code="conflict",
        )
    if draft.state != DraftState.IN_REVIEW:
        raise CopydeskError(f"This draft is {draft.get_state_display().lower()}, not waiting for review.", code="conflict")
    return draft, version


def is_author(draft: Draft, user: User) -> bool:
    return draft.created_by_id == user.pk or draft.versions.filter(author=user).exists()


def unresolved_blocks(version: DraftVersion) -> list[dict[str, object]]:
    check = latest_check(version)
    if check is None:
        return [{"kind": "check", "rule": "not_checked", "message": "This version has not been checked."}]
    overridden = set(version.overrides.values_list("finding_key", flat=True))
    return [f for f in check.blocking if finding_key(f) not in overridden]


def approvals_of(version: DraftVersion) -> int:
    return version.decisions.filter(decision=Decision.APPROVE).values("reviewer").distinct().count()


def review_approve(draft: Draft, *, version_number: int, acting_user: User) -> ReviewDecision:
    with transaction.atomic():
        draft, version = _locked_for_review(draft, version_number, acting_user)
        if is_author(draft, acting_user):
            raise CopydeskError("You wrote or edited this draft, so someone else must approve it (four-eyes).", code="forbidden")
        if version.decisions.filter(reviewer=acting_user, decision=Decision.APPROVE).exists():
            raise CopydeskError("You already approved this version; a second reviewer must approve it too.", code="conflict")
        blocks = unresolved_blocks(version)
        if blocks:
            raise CopydeskError(
                f"{len(blocks)} blocking finding(s) have no override; fix the text or override each with a justification.",
                code="conflict",
            )
        decision = ReviewDecision.objects.create(version=version, reviewer=acting_user, decision=Decision.APPROVE)
        count, required = approvals_of(version), draft.segment.approvals_required
        before = draft.state
        if count >= required:
            draft.state = DraftState.APPROVED
            draft.save(update_fields=["state", "updated_at"])
        record(
            Action.REVIEW_APPROVE,
            draft,
            actor=acting_user,
            changes={"state": [before, draft.state], "version": version.number, "approvals": [count - 1, count], "required": required},
        )
    return decision


def review_reject(draft: Draft, *, version_number: int, reason: str, acting_user: User) -> ReviewDecision:
    return _send_back(draft, version_number, reason, acting_user, Decision.REJECT)


def review_request_changes(draft: Draft, *, version_number: int, reason: str, acting_user: User) -> ReviewDecision:
    return _send_back(draft, version_number, reason, acting_user, Decision.REQUEST_CHANGES)


def _send_back(draft: Draft, version_number: int, reason: str, acting_user: User, decision: Decision) -> ReviewDecision:
    if not reason.strip():
        what = "rejecting" if decision == Decision.REJECT else "asking for changes"
        raise CopydeskError(f"Say why you are {what}, so the author knows what to fix.")
    with transaction.atomic():
        draft, version = _locked_for_review(draft, version_number, acting_user)
        made = ReviewDecision.objects.create(version=version, reviewer=acting_user, decision=decision, reason=reason.strip())
        before = draft.state
        draft.state = DraftState.REJECTED if decision == Decision.REJECT else DraftState.DRAFT
        draft.save(update_fields=["state", "updated_at"])
        action = Action.REVIEW_REJECT if decision == Decision.REJECT else Action.REVIEW_REQUEST_CHANGES
        record(action, draft, actor=acting_user, changes={"state": [before, draft.state], "version": version.number, "reason": made.reason})
    return made


def finding_override(version: DraftVersion, *, key: str, justification: str, acting_user: User) -> FindingOverride:
    if not acting_user.can_review:
        raise CopydeskError("Only reviewers can override findings.", code="forbidden")
    if len(justification.strip()) < 10:
        raise CopydeskError("Write a justification (at least 10 characters) for letting this finding ship.")
    with transaction.atomic():
        Draft.objects.select_for_update().get(pk=version.draft_id)
        check = latest_check(version)
        keys = {finding_key(f) for f in (check.blocking if check else [])}
        if key not in keys:
            raise CopydeskError("That finding is not a blocking finding of this version.", code="not_found")
        if is_author(version.draft, acting_user):
            raise CopydeskError("You cannot override findings on your own draft.", code="forbidden")
        override, created = FindingOverride.objects.get_or_create(
            version=version, finding_key=key, defaults={"justification": justification.strip(), "reviewer": acting_user}
        )
        if not created:
            raise CopydeskError("This finding is already overridden.", code="conflict")
        record(Action.REVIEW_OVERRIDE, version, actor=acting_user, changes={"finding": key, "justification": override.justification})
    return override
