"""Review decisions on one exact draft version (invariants 1–3)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from workbench.accounts.models import Role, User
from workbench.audit.log import record
from workbench.audit.models import Action
from workbench.checks.actions import current_guide_check
from workbench.checks.models import finding_key, finding_rule_key
from workbench.checks.services import latest_check
from workbench.errors import CopydeskError
from workbench.generation import actions as generation_actions
from workbench.generation.limits import COMMENT_MAX_CHARS, require_text_size
from workbench.generation.models import Draft, DraftState, DraftVersion
from workbench.review import deadlines, notify
from workbench.review.policy import approval_status
from workbench.review.models import (
    Comment,
    Decision,
    DraftPresence,
    FindingOverride,
    Notification,
    NotificationKind,
    ReviewDecision,
    WaiverScope,
)

# How long an open draft page counts as "someone has it open"; the page re-announces itself well within it.
PRESENCE_TTL = timedelta(seconds=45)


def _locked_for_review(draft: Draft, version_number: int, acting_user: User) -> tuple[Draft, DraftVersion]:
    """Lock the draft, and refuse a decision on anything but the version the reviewer was looking at."""
    if not acting_user.can_review:
        raise CopydeskError("Only reviewers can decide on drafts.", code="forbidden")
    draft = Draft.objects.select_for_update(of=("self",)).select_related("segment").get(pk=draft.pk)
    version = draft.latest_version()
    if version.number != version_number:
        raise CopydeskError(
            f"This draft changed while you were reading it: version {version.number} is now current. Nothing was recorded; review the new version.",
            code="conflict",
        )
    if draft.state != DraftState.IN_REVIEW:
        raise CopydeskError(f"Your decision was not recorded: {current_state_sentence(draft, version)}", code="conflict")
    if claimed := deadlines.refusal_for_claim(draft, acting_user):
        raise CopydeskError(f"Your decision was not recorded: {claimed}", code="conflict")
    return draft, version


def current_state_sentence(draft: Draft, version: DraftVersion) -> str:
    """Say who moved the draft out of review, so a reviewer who lost a race knows where it stands."""
    last = version.decisions.select_related("reviewer").order_by("-created_at", "-id").first()
    state = draft.get_state_display().lower()
    if last is None:
        return f"this draft is {state}, not waiting for review."
    return f"{last.reviewer.display_name} already decided ({last.get_decision_display().lower()}); the draft is now {state}."


def _notify(recipient_ids: Iterable[int], draft: Draft, kind: NotificationKind, message: str) -> None:
    recipients = sorted(set(recipient_ids))
    Notification.objects.bulk_create(Notification(recipient_id=pk, draft=draft, kind=kind, message=message[:300]) for pk in recipients)
    notify.email_later(recipients, kind, subject=message[:120], body=message)  # enqueued on commit, for those who want it


def _reviewers_except_authors(draft: Draft) -> list[int]:
    authors = {draft.created_by_id, *draft.versions.values_list("author_id", flat=True)}
    reviewers = User.objects.filter(Q(role__in=[Role.REVIEWER, Role.ADMIN]) | Q(is_superuser=True), is_active=True)
    return [pk for pk in reviewers.values_list("pk", flat=True) if pk not in authors]


def is_author(draft: Draft, user: User) -> bool:
    return draft.created_by_id == user.pk or draft.versions.filter(author=user).exists()


def unresolved_blocks(version: DraftVersion) -> list[dict[str, object]]:
    """Blocking findings without an override, judged against the brand's current guide (call current_guide_check first)."""
    guide = version.draft.brief.brand.current_guide()
    check = version.check_results.filter(guide_version=guide).first()
    if check is None:
        return [{"kind": "check", "rule": "not_checked", "message": f"This version has not been checked against the current guide ({guide}); try again."}]
    overridden = set(version.overrides.values_list("finding_key", flat=True))
    return check.unresolved_blocking(overridden)


def review_approve(draft: Draft, *, version_number: int, acting_user: User) -> ReviewDecision:
    current_guide_check(draft.latest_version())  # the rules in force now, checked before the write lock
    with transaction.atomic():
        draft, version = _locked_for_review(draft, version_number, acting_user)
        status = approval_status(version)
        if refusal := status.refusal_for(acting_user):
            raise CopydeskError(refusal, code="forbidden" if acting_user.pk in status.authors else "conflict")
        blocks = unresolved_blocks(version)
        if blocks:
            raise CopydeskError(
                f"{len(blocks)} blocking finding(s) under the current brand guide have no override; fix the text or override each with a justification.",
                code="conflict",
            )
        decision = ReviewDecision.objects.create(version=version, reviewer=acting_user, decision=Decision.APPROVE)
        deadlines.draft_release(draft, acting_user=acting_user)  # the holder's work on it is done
        after = approval_status(version)
        before = draft.state
        if after.met:
            draft.state = DraftState.APPROVED
            draft.save(update_fields=["state", "updated_at"])
        requirement = after.requirement
        record(
            Action.REVIEW_APPROVE,
            draft,
            actor=acting_user,
            changes={
                "state": [before, draft.state], "version": version.number, "approvals": [status.approvals, after.approvals],
                "required": requirement.approvals, "roles": list(requirement.roles), "languages": list(requirement.languages),
                "because": list(requirement.reasons),
            },
        )
        who = acting_user.display_name
        if draft.state == DraftState.APPROVED:
            _notify([draft.created_by_id], draft, NotificationKind.DECISION, f"{who} approved {draft} (v{version.number}); it is ready to publish.")
        else:
            missing = ", ".join(after.missing)
            _notify([draft.created_by_id], draft, NotificationKind.DECISION, f"{who} approved {draft} (v{version.number}); it waits for a second reviewer ({missing}).")
            # Tell the reviewers whose approval would count (a legal reviewer when legal is missing), else everyone.
            candidates = User.objects.filter(pk__in=_reviewers_except_authors(draft)).exclude(pk=acting_user.pk)
            second = [u.pk for u in candidates if not after.refusal_for(u)] or [u.pk for u in candidates]
            _notify(second, draft, NotificationKind.SUBMITTED, f"{draft} needs a second approval: {missing}.")
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
        deadlines.draft_release(draft, acting_user=acting_user)
        before = draft.state
        draft.state = DraftState.REJECTED if decision == Decision.REJECT else DraftState.DRAFT
        draft.save(update_fields=["state", "updated_at"])
        action = Action.REVIEW_REJECT if decision == Decision.REJECT else Action.REVIEW_REQUEST_CHANGES
        record(action, draft, actor=acting_user, changes={"state": [before, draft.state], "version": version.number, "reason": made.reason})
        what = "rejected" if decision == Decision.REJECT else "asked for changes to"
        _notify([draft.created_by_id], draft, NotificationKind.DECISION, f"{acting_user.display_name} {what} {draft}: “{made.reason}”")
    return made


def finding_override(
    version: DraftVersion,
    *,
    key: str,
    justification: str,
    acting_user: User,
    scope: WaiverScope = WaiverScope.VERSION,
    expires_at: datetime | None = None,
) -> FindingOverride:
    """Waive one blocking finding with a written justification, for this version or, by scope, for the same rule again."""
    if scope not in WaiverScope.values:
        raise CopydeskError(f"Unknown waiver scope {scope!r}; use one of {', '.join(WaiverScope.values)}.")
    if scope == WaiverScope.BRAND_RULE and expires_at is None:
        raise CopydeskError("A waiver for the whole brand needs an end date.")
    if expires_at is not None and expires_at <= timezone.now():
        raise CopydeskError("The waiver's end date must be in the future.")
    if scope == WaiverScope.VERSION:
        expires_at = None  # a waiver for one version lives and dies with it
    with transaction.atomic():
        finding = _waivable_finding(version, key, justification, acting_user)
        draft = version.draft
        override = _override_create(
            version, finding, acting_user,
            justification=justification.strip(), scope=WaiverScope(scope), expires_at=expires_at,
            brief=draft.brief if scope != WaiverScope.VERSION else None,
            brand=draft.brief.brand if scope == WaiverScope.BRAND_RULE else None,
        )
    return override


def waiver_apply(version: DraftVersion, *, key: str, waiver_id: int, acting_user: User) -> FindingOverride:
    """Apply an earlier waiver to the same finding on this version: only one in scope and unexpired; the new row points back to it."""
    with transaction.atomic():
        finding = _waivable_finding(version, key, "(applied waiver)", acting_user)
        waiver = FindingOverride.objects.select_related("version__draft__brief").filter(pk=waiver_id).first()
        if waiver is None or not waiver.covers(version, finding_rule_key(finding), timezone.now()):
            raise CopydeskError("That waiver does not cover this finding here (another rule, out of its scope, or expired).", code="conflict")
        override = _override_create(
            version, finding, acting_user, justification=waiver.justification, scope=WaiverScope.VERSION, applied_from=waiver
        )
    return override


def _waivable_finding(version: DraftVersion, key: str, justification: str, acting_user: User) -> dict[str, Any]:
    if not acting_user.can_review:
        raise CopydeskError("Only reviewers can override findings.", code="forbidden")
    if len(justification.strip()) < 10:
        raise CopydeskError("Write a justification (at least 10 characters) for letting this finding ship.")
    Draft.objects.select_for_update().get(pk=version.draft_id)
    check = latest_check(version)
    finding = next((f for f in (check.blocking if check else []) if finding_key(f) == key), None)
    if finding is None:
        raise CopydeskError("That finding is not a blocking finding of this version.", code="not_found")
    if is_author(version.draft, acting_user):
        raise CopydeskError("You cannot override findings on your own draft.", code="forbidden")
    if version.overrides.filter(finding_key=key).exists():
        raise CopydeskError("This finding is already overridden.", code="conflict")
    return finding


def _override_create(version: DraftVersion, finding: dict[str, Any], acting_user: User, **fields: Any) -> FindingOverride:
    key = finding_key(finding)
    override = FindingOverride.objects.create(version=version, finding_key=key, rule_key=finding_rule_key(finding), reviewer=acting_user, **fields)
    changes: dict[str, Any] = {"finding": key, "justification": override.justification, "scope": override.scope}
    if override.expires_at is not None:
        changes["expires_at"] = override.expires_at.isoformat()
    if override.applied_from_id is not None:
        changes["applied_from"] = override.applied_from_id
    record(Action.REVIEW_OVERRIDE, version, actor=acting_user, changes=changes)
    return override


def earlier_waivers(version: DraftVersion, findings: list[dict[str, Any]]) -> dict[str, list[tuple[FindingOverride, bool]]]:
    """For each blocking finding (by key), the brand's earlier waivers of the same rule, newest first, each with
    whether it may be applied here. Reviewers see the reasons even when a waiver is out of scope or expired."""
    rule_keys = {finding_rule_key(f): finding_key(f) for f in findings if f.get("severity") == "block"}
    if not rule_keys:
        return {}
    now = timezone.now()
    waivers = (
        FindingOverride.objects.filter(rule_key__in=rule_keys, applied_from__isnull=True, version__draft__brief__brand_id=version.draft.brief.brand_id)
        .exclude(version=version)
        .select_related("reviewer", "version__draft__brief")
        .order_by("-created_at", "-id")[:200]
    )
    out: dict[str, list[tuple[FindingOverride, bool]]] = {}
    for waiver in waivers:
        for f in findings:
            if f.get("severity") == "block" and finding_rule_key(f) == waiver.rule_key:
                out.setdefault(finding_key(f), []).append((waiver, waiver.covers(version, waiver.rule_key, now)))
    return out


def submit_for_review(draft: Draft, *, acting_user: User) -> Draft:
    """Submit a draft and tell every reviewer who may decide on it, in one transaction."""
    with transaction.atomic():
        draft = generation_actions.draft_submit(draft, acting_user=acting_user)
        deadlines.deadline_set(draft)
        _notify(_reviewers_except_authors(draft), draft, NotificationKind.SUBMITTED, f"{acting_user.display_name} submitted {draft} for review.")
        notify.webhook_later(draft.brief.brand, f"{acting_user.display_name} submitted {draft} for review.")
    return draft


def edited_in_review(draft: Draft, version: DraftVersion, editor: User) -> None:
    """A reviewer's edit kept the draft in review (generation/edit_rule.py): tell its author, and any reviewer whose
    approval stayed with the version before, and end the editor's claim, since their approval no longer counts.
    Runs inside the transaction that stored the version."""
    deadlines.draft_release(draft, acting_user=editor)
    earlier = ReviewDecision.objects.filter(version__draft=draft, version__number=version.number - 1, decision=Decision.APPROVE)
    recipients = {draft.created_by_id, *earlier.values_list("reviewer_id", flat=True)} - {editor.pk}
    _notify(
        recipients, draft, NotificationKind.DECISION,
        f"{editor.display_name} edited {draft} while reviewing it (now version {version.number}). "
        "It stays in review, and a reviewer other than the editors must approve it.",
    )


def comment_add(draft: Draft, *, body: str, acting_user: User) -> Comment:
    if not (acting_user.can_author or acting_user.can_review):
        raise CopydeskError("Only marketers and reviewers can comment on drafts.", code="forbidden")
    text = body.strip()
    if not text:
        raise CopydeskError("Write something before posting a comment.")
    require_text_size(text, COMMENT_MAX_CHARS, "comment")
    with transaction.atomic():
        version = draft.latest_version()
        comment = Comment.objects.create(version=version, author=acting_user, body=text)
        deadlines.claim_touch(draft, acting_user=acting_user)
        record(Action.REVIEW_COMMENT, draft, actor=acting_user, changes={"version": version.number, "comment": text})
        people = {draft.created_by_id, *version.decisions.values_list("reviewer_id", flat=True), *Comment.objects.filter(version__draft=draft).values_list("author_id", flat=True)}
        people.discard(acting_user.pk)
        _notify(sorted(people), draft, NotificationKind.COMMENT, f"{acting_user.display_name} commented on {draft}: “{text[:120]}”")
    return comment


# Presence and read marks are screen state, not content state: they are not audited.


def presence_touch(draft: Draft, *, acting_user: User) -> list[User]:
    """Record that the user has the draft open; return the others who have it open now."""
    now = timezone.now()
    DraftPresence.objects.update_or_create(draft=draft, user=acting_user, defaults={"seen_at": now})
    deadlines.claim_touch(draft, acting_user=acting_user)
    recent = DraftPresence.objects.filter(draft=draft, seen_at__gte=now - PRESENCE_TTL).exclude(user=acting_user).select_related("user")
    return [p.user for p in recent.order_by("user__username")]


def notifications_mark_read(*, acting_user: User, draft: Draft | None = None) -> int:
    """Mark the user's unread notifications read: all of them, or those about one draft they just opened."""
    unread = Notification.objects.unread().filter(recipient=acting_user)
    if draft is not None:
        unread = unread.filter(draft=draft)
    return unread.update(read_at=timezone.now())

