"""Review deadlines and claims.

Submission sets a due time from the brand's approval policy (`due_hours`). A reviewer can claim a
draft so two people do not work on it at once. Decision: while a claim is active, the others are
REFUSED (approve, reject, request changes) with a sentence naming the holder and when the claim
lapses; the holder's own decision ends the claim. A claim lapses after CLAIM_IDLE without activity
from its holder (opening or polling the draft page, commenting, renewing the claim), so a reviewer
who walks away never locks a draft for long. Claims are screen state like presence: not audited.

This module reads; the writes (setting the due time, claiming, releasing, keeping a claim alive) are review's
actions (review/actions.py).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from workbench.accounts.models import User
from workbench.generation.models import Draft, DraftVersion
from workbench.review.models import ReviewDeadline
from workbench.review.policy import requirement_for

CLAIM_IDLE = timedelta(minutes=30)
# "Due soon" for the queue filter and the reminders: within this much of the due time.
DUE_SOON = timedelta(hours=4)


# The guide takes any positive number of hours; a due time further out than this is past the last date a datetime
# holds (timedelta(hours=1e8) already is), and to a reviewer it means the same: no deadline worth counting.
MAX_DUE_HOURS = 100 * 366 * 24.0


def due_hours_for(version: DraftVersion) -> float:
    """Hours a reviewer has for this version: the brand's approval policy (`due_hours`) decides, up to a century
    (a guide caps it at a year; one stored before that cap may hold more)."""
    return min(requirement_for(version).due_hours, MAX_DUE_HOURS)


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
