"""Review decisions on one exact draft version (invariants 1–3)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from workbench.access import Actor, require
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
    DigestSent,
    DraftPresence,
    EmailKind,
    FindingOverride,
    Notification,
    NotificationKind,
    NotificationPreference,
    ReminderSent,
    ReviewDeadline,
    ReviewDecision,
    WaiverScope,
)

# How long an open draft page counts as "someone has it open"; the page re-announces itself well within it.
PRESENCE_TTL = timedelta(seconds=45)


def _locked_for_review(draft: Draft, version_number: int, acting_user: User) -> tuple[Draft, DraftVersion]:
    """Lock the draft, and refuse a decision on anything but the version the reviewer was looking at."""
    require(acting_user.can_review, "Only reviewers can decide on drafts.")
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
            require(acting_user.pk not in status.authors, refusal)  # four-eyes: nobody approves their own draft
            raise CopydeskError(refusal, code="conflict")  # a policy not met yet (a second reviewer, a role, a language)
        blocks = unresolved_blocks(version)
        if blocks:
            raise CopydeskError(
                f"{len(blocks)} blocking finding(s) under the current brand guide have no override; fix the text or override each with a justification.",
                code="conflict",
            )
        decision = ReviewDecision.objects.create(version=version, reviewer=acting_user, decision=Decision.APPROVE)
        draft_release(draft, acting_user=acting_user)  # the holder's work on it is done
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
        draft_release(draft, acting_user=acting_user)
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
    require(acting_user.can_review, "Only reviewers can override findings.")
    if len(justification.strip()) < 10:
        raise CopydeskError("Write a justification (at least 10 characters) for letting this finding ship.")
    Draft.objects.select_for_update().get(pk=version.draft_id)
    check = latest_check(version)
    finding = next((f for f in (check.blocking if check else []) if finding_key(f) == key), None)
    if finding is None:
        raise CopydeskError("That finding is not a blocking finding of this version.", code="not_found")
    require(not is_author(version.draft, acting_user), "You cannot override findings on your own draft.")
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


def submit_for_review(draft: Draft, *, acting_user: User, submitted_at: datetime | None = None) -> Draft:
    """Submit a draft and tell every reviewer who may decide on it, in one transaction.

    ``submitted_at`` starts the review clock earlier than now (the demo data's drafts due soon and overdue)."""
    with transaction.atomic():
        draft = generation_actions.draft_submit(draft, acting_user=acting_user)
        _deadline_set(draft, now=submitted_at)
        _notify(_reviewers_except_authors(draft), draft, NotificationKind.SUBMITTED, f"{acting_user.display_name} submitted {draft} for review.")
        notify.webhook_later(draft.brief.brand, f"{acting_user.display_name} submitted {draft} for review.")
    return draft


def edited_in_review(draft: Draft, version: DraftVersion, editor: User) -> None:
    """A reviewer's edit kept the draft in review (generation/edit_rule.py): tell its author, and any reviewer whose
    approval stayed with the version before, and end the editor's claim, since their approval no longer counts.
    Runs inside the transaction that stored the version."""
    draft_release(draft, acting_user=editor)
    earlier = ReviewDecision.objects.filter(version__draft=draft, version__number=version.number - 1, decision=Decision.APPROVE)
    recipients = {draft.created_by_id, *earlier.values_list("reviewer_id", flat=True)} - {editor.pk}
    _notify(
        recipients, draft, NotificationKind.DECISION,
        f"{editor.display_name} edited {draft} while reviewing it (now version {version.number}). "
        "It stays in review, and a reviewer other than the editors must approve it.",
    )


def comment_add(draft: Draft, *, body: str, acting_user: User) -> Comment:
    require(acting_user.can_author or acting_user.can_review, "Only marketers and reviewers can comment on drafts.")
    text = body.strip()
    if not text:
        raise CopydeskError("Write something before posting a comment.")
    require_text_size(text, COMMENT_MAX_CHARS, "comment")
    with transaction.atomic():
        version = draft.latest_version()
        comment = Comment.objects.create(version=version, author=acting_user, body=text)
        claim_touch(draft, acting_user=acting_user)
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
    claim_touch(draft, acting_user=acting_user)
    recent = DraftPresence.objects.filter(draft=draft, seen_at__gte=now - PRESENCE_TTL).exclude(user=acting_user).select_related("user")
    return [p.user for p in recent.order_by("user__username")]


def notifications_mark_read(*, acting_user: User, draft: Draft | None = None) -> int:
    """Mark the user's unread notifications read: all of them, or those about one draft they just opened."""
    unread = Notification.objects.unread().filter(recipient=acting_user)
    if draft is not None:
        unread = unread.filter(draft=draft)
    return unread.update(read_at=timezone.now())


# Review deadlines and claims. A claim is screen state like presence (it lapses on its own after
# deadlines.CLAIM_IDLE): claiming, releasing and keeping a claim alive are not audited. The due time is written
# inside the submission's transaction and audited with it.


def _deadline_set(draft: Draft, *, now: datetime | None = None) -> ReviewDeadline:
    """Start the review clock for a draft just submitted (called inside the submission's transaction, which audits it)."""
    now = now or timezone.now()
    due = now + timedelta(hours=deadlines.due_hours_for(draft.latest_version()))
    deadline, _ = ReviewDeadline.objects.update_or_create(
        draft=draft, defaults={"submitted_at": now, "due_at": due, "claimed_by": None, "claim_active_at": None}
    )
    return deadline


def draft_claim(draft: Draft, *, acting_user: User) -> ReviewDeadline:
    require(acting_user.can_review, "Only reviewers can claim drafts.")
    with transaction.atomic():
        draft = Draft.objects.select_for_update().get(pk=draft.pk)
        if draft.state != DraftState.IN_REVIEW:
            raise CopydeskError(f"This draft is {draft.get_state_display().lower()}; only drafts in review can be claimed.", code="conflict")
        deadline = ReviewDeadline.objects.select_related("claimed_by").filter(draft=draft).first()
        if deadline is None:  # submitted before deadlines existed
            deadline = _deadline_set(draft)
        if (reason := deadlines.refusal_for_claim(draft, acting_user)):
            raise CopydeskError(reason, code="conflict")
        deadline.claimed_by, deadline.claim_active_at = acting_user, timezone.now()
        deadline.save(update_fields=["claimed_by", "claim_active_at"])
    return deadline


def draft_release(draft: Draft, *, acting_user: User) -> int:
    """Give up one's own claim; returns 1 when a claim was released."""
    return ReviewDeadline.objects.filter(draft=draft, claimed_by=acting_user).update(claimed_by=None, claim_active_at=None)


def claim_touch(draft: Draft, *, acting_user: User) -> None:
    """Activity by the holder keeps a claim alive; anyone else's activity changes nothing."""
    ReviewDeadline.objects.filter(draft=draft, claimed_by=acting_user).update(claim_active_at=timezone.now())


def preferences_save(*, kinds: list[str], acting_user: User) -> list[str]:
    """Save which kinds of email a person wants: their own setting, not audited (like read marks)."""
    chosen = [k for k in EmailKind.values if k in set(kinds)]  # unknown values are dropped
    with transaction.atomic():
        NotificationPreference.objects.update_or_create(user=acting_user, defaults={"email_kinds": chosen})
    return chosen


# Reminders and digests, sent by Celery beat (review/reminders.py picks what is due). Each is written once to a
# ledger (ReminderSent, DigestSent: unique constraints) in the same transaction as its notifications, and its
# email and webhook post are enqueued on commit, so a second beat tick or a redelivered task sends nothing again.
# The ledger is bookkeeping of messages sent, not a change to a draft or a decision: it is not audited.


def _reminder_first_time(deadline: ReviewDeadline, kind: str) -> bool:
    """Record the reminder; False when it was already sent (the unique constraint decides, also across processes)."""
    try:
        with transaction.atomic():
            ReminderSent.objects.create(draft_id=deadline.draft_id, kind=kind, due_at=deadline.due_at)
    except IntegrityError:
        return False
    return True


def reminder_send_due_soon(deadline: ReviewDeadline, *, acting_user: Actor) -> bool:
    """Tell the reviewers who may decide that a draft is due soon, once per deadline; False when already told."""
    require(acting_user.is_copydesk_admin, "Only Copydesk itself (or an admin) sends reminders.")
    with transaction.atomic():
        if not _reminder_first_time(deadline, EmailKind.DUE_SOON):
            return False
        draft = deadline.draft
        text = f"{draft} is due for review at {timezone.localtime(deadline.due_at):%d %b %H:%M}."
        _notify(_reviewers_except_authors(draft), draft, NotificationKind.DUE_SOON, text)
    return True


def reminder_send_overdue(deadline: ReviewDeadline, *, admin_ids: list[int], acting_user: Actor) -> bool:
    """Escalate an overdue draft to the admins and the brand's webhook, once per deadline; False when already done."""
    require(acting_user.is_copydesk_admin, "Only Copydesk itself (or an admin) sends reminders.")
    with transaction.atomic():
        if not _reminder_first_time(deadline, EmailKind.OVERDUE):
            return False
        draft = deadline.draft
        text = f"Overdue: {draft} was due for review at {timezone.localtime(deadline.due_at):%d %b %H:%M} and is still waiting."
        _notify(admin_ids, draft, NotificationKind.OVERDUE, text)
        notify.webhook_later(draft.brief.brand, text)
    return True


def digest_send(user: User, *, day: date, lines: list[str], acting_user: Actor) -> bool:
    """Email a person their digest for the day, once; False when it was already sent."""
    require(acting_user.is_copydesk_admin, "Only Copydesk itself (or an admin) sends digests.")
    with transaction.atomic():
        if DigestSent.objects.filter(recipient=user, day=day).exists():
            return False
        try:
            with transaction.atomic():
                DigestSent.objects.create(recipient=user, day=day)
        except IntegrityError:
            return False
        body = f"Good morning {user.display_name}, here is what waits for you in Copydesk:\n\n" + "\n".join(lines) + "\n"
        notify.email_later([user.pk], EmailKind.DIGEST, subject=f"Your Copydesk digest for {day:%d %b %Y}", body=body)
    return True
