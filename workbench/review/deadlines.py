"""Review deadlines and claims.

Submission sets a due time from the brand's approval policy (`due_hours`). A reviewer can claim a
draft so two people do not work on it at once. Decision: while a claim is active, the others are
REFUSED (approve, reject, request changes) with a sentence naming the holder and when the claim
lapses; the holder's own decision ends the claim. A claim lapses after CLAIM_IDLE without activity
from its holder (opening or polling the draft page, commenting, renewing the claim), so a reviewer
who walks away never locks a draft for long. Claims are screen state like presence: not audited.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from workbench.accounts.models import User
from workbench.errors import CopydeskError
from workbench.generation.models import Draft, DraftState, DraftVersion
from workbench.review.models import ReviewDeadline
from workbench.review.policy import requirement_for

CLAIM_IDLE = timedelta(minutes=30)
# "Due soon" for the queue filter and the reminders: within this much of the due time.
DUE_SOON = timedelta(hours=4)


def due_hours_for(version: DraftVersion) -> float:
    """Hours a reviewer has for this version: the brand's approval policy (`due_hours`) decides."""
    return requirement_for(version).due_hours


def deadline_set(draft: Draft, *, now: datetime | None = None) -> ReviewDeadline:
    """Start the review clock for a draft just submitted (called inside the submission's transaction)."""
    now = now or timezone.now()
    due = now + timedelta(hours=due_hours_for(draft.latest_version()))
    deadline, _ = ReviewDeadline.objects.update_or_create(
        draft=draft, defaults={"submitted_at": now, "due_at": due, "claimed_by": None, "claim_active_at": None}
    )
    return deadline


def active_claim_holder(deadline: ReviewDeadline | None, *, now: datetime | None = None) -> User | None:
    """Who holds the claim now, or None when nobody does or the claim lapsed."""
    if deadline is None or deadline.claimed_by_id is None or deadline.claim_active_at is None:
        return None
    if deadline.claim_active_at + CLAIM_IDLE <= (now or timezone.now()):
        return None
    return deadline.claimed_by


def claim_lapses_at(deadline: ReviewDeadline) -> datetime | None:
    return deadline.claim_active_at + CLAIM_IDLE if deadline.claim_active_at else None


def refusal_for_claim(draft: Draft, user: User) -> str:
    """Why this user may not decide now because someone else holds the claim ("" when they may)."""
    deadline = ReviewDeadline.objects.select_related("claimed_by").filter(draft=draft).first()
    holder = active_claim_holder(deadline)
    if holder is None or holder.pk == user.pk or deadline is None:
        return ""
    lapses = claim_lapses_at(deadline)
    return f"{holder.display_name} has claimed this draft and is working on it; the claim lapses at {timezone.localtime(lapses):%H:%M} unless they keep working."


def draft_claim(draft: Draft, *, acting_user: User) -> ReviewDeadline:
    if not acting_user.can_review:
        raise CopydeskError("Only reviewers can claim drafts.", code="forbidden")
    with transaction.atomic():
        draft = Draft.objects.select_for_update().get(pk=draft.pk)
        if draft.state != DraftState.IN_REVIEW:
            raise CopydeskError(f"This draft is {draft.get_state_display().lower()}; only drafts in review can be claimed.", code="conflict")
        deadline = ReviewDeadline.objects.select_related("claimed_by").filter(draft=draft).first()
        if deadline is None:  # submitted before deadlines existed
            deadline = deadline_set(draft)
        if (reason := refusal_for_claim(draft, acting_user)):
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
