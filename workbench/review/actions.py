"""Review decisions on one exact draft version (invariants 1–3)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from workbench.accounts.models import Role, User
from workbench.audit.log import record
from workbench.audit.models import Action
from workbench.checks.models import finding_key
from workbench.checks.services import current_guide_check, latest_check
from workbench.errors import CopydeskError
from workbench.generation import actions as generation_actions
from workbench.generation.limits import COMMENT_MAX_CHARS
from workbench.generation.models import Draft, DraftState, DraftVersion
from workbench.review import deadlines
from workbench.review.models import (
    Comment,
    Decision,
    DraftPresence,
    FindingOverride,
    Notification,
    NotificationKind,
    ReviewDecision,
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
    Notification.objects.bulk_create(Notification(recipient_id=pk, draft=draft, kind=kind, message=message[:300]) for pk in sorted(set(recipient_ids)))


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
    return [f for f in check.blocking if finding_key(f) not in overridden]


def approvals_of(version: DraftVersion) -> int:
    return version.decisions.filter(decision=Decision.APPROVE).values("reviewer").distinct().count()


def review_approve(draft: Draft, *, version_number: int, acting_user: User) -> ReviewDecision:
    current_guide_check(draft.latest_version())  # the rules in force now, checked before the write lock
    with transaction.atomic():
        draft, version = _locked_for_review(draft, version_number, acting_user)
        if is_author(draft, acting_user):
            raise CopydeskError("You wrote or edited this draft, so someone else must approve it (four-eyes).", code="forbidden")
        if version.decisions.filter(reviewer=acting_user, decision=Decision.APPROVE).exists():
            raise CopydeskError("You already approved this version; a second reviewer must approve it too.", code="conflict")
        blocks = unresolved_blocks(version)
        if blocks:
            raise CopydeskError(
                f"{len(blocks)} blocking finding(s) under the current brand guide have no override; fix the text or override each with a justification.",
                code="conflict",
            )
        decision = ReviewDecision.objects.create(version=version, reviewer=acting_user, decision=Decision.APPROVE)
        deadlines.draft_release(draft, acting_user=acting_user)  # the holder's work on it is done
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
        who = acting_user.display_name
        if draft.state == DraftState.APPROVED:
            _notify([draft.created_by_id], draft, NotificationKind.DECISION, f"{who} approved {draft} (v{version.number}); it is ready to publish.")
        else:
            _notify([draft.created_by_id], draft, NotificationKind.DECISION, f"{who} approved {draft} (v{version.number}); it waits for a second reviewer.")
            second = [pk for pk in _reviewers_except_authors(draft) if pk != acting_user.pk]
            _notify(second, draft, NotificationKind.SUBMITTED, f"{draft} needs a second approval (sensitive segment).")
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


def submit_for_review(draft: Draft, *, acting_user: User) -> Draft:
    """Submit a draft and tell every reviewer who may decide on it, in one transaction."""
    with transaction.atomic():
        draft = generation_actions.draft_submit(draft, acting_user=acting_user)
        deadlines.deadline_set(draft)
        _notify(_reviewers_except_authors(draft), draft, NotificationKind.SUBMITTED, f"{acting_user.display_name} submitted {draft} for review.")
    return draft


def comment_add(draft: Draft, *, body: str, acting_user: User) -> Comment:
    if not (acting_user.can_author or acting_user.can_review):
        raise CopydeskError("Only marketers and reviewers can comment on drafts.", code="forbidden")
    text = body.strip()
    if not text:
        raise CopydeskError("Write something before posting a comment.")
    if len(text) > COMMENT_MAX_CHARS:
        raise CopydeskError(f"Keep comments under {COMMENT_MAX_CHARS:,} characters.")
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

