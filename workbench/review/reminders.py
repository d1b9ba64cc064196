"""What Celery beat runs: due-soon reminders, overdue escalation to admins, and a daily digest per person.

This module picks what is due; sending each one is review's action (review/actions.py), which records it in a
ledger (ReminderSent, unique per draft, kind and deadline; DigestSent, unique per person and day) in the same
transaction as its in-app notifications and enqueues its email and webhook post on commit, so a second beat
tick, a second beat process or a redelivered task finds the row and sends nothing again.
"""

from __future__ import annotations

from datetime import date, datetime

from django.db.models import Q
from django.utils import timezone

from workbench.access import SYSTEM
from workbench.accounts.models import Role, User
from workbench.generation.models import DraftState
from workbench.review import actions, notify
from workbench.review.deadlines import DUE_SOON
from workbench.review.models import EmailKind, Notification, ReviewDeadline


def send_review_reminders(now: datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    waiting = ReviewDeadline.objects.filter(draft__state=DraftState.IN_REVIEW).select_related("draft__brief__brand", "draft__segment")
    counts = {"due_soon": 0, "overdue": 0}
    for deadline in waiting.filter(due_at__gte=now, due_at__lt=now + DUE_SOON):
        if actions.reminder_send_due_soon(deadline, acting_user=SYSTEM):
            counts["due_soon"] += 1
    admins = list(User.objects.filter(Q(role=Role.ADMIN) | Q(is_superuser=True), is_active=True).values_list("pk", flat=True))
    for deadline in waiting.filter(due_at__lt=now):
        if actions.reminder_send_overdue(deadline, admin_ids=admins, acting_user=SYSTEM):
            counts["overdue"] += 1
    return counts


def send_daily_digests(today: date | None = None) -> int:
    """One email per person per day with what waits for them; nobody gets an empty digest."""
    today = today or timezone.localdate()
    sent = 0
    in_review = ReviewDeadline.objects.filter(draft__state=DraftState.IN_REVIEW)
    waiting, overdue = in_review.count(), in_review.filter(due_at__lt=timezone.now()).count()
    for user in User.objects.filter(is_active=True).exclude(email="").order_by("pk"):
        if EmailKind.DIGEST not in notify.wanted_email_kinds(user):
            continue
        unread = list(Notification.objects.unread().filter(recipient=user)[:10])
        lines = [f"- {n.message}" for n in unread]
        if user.can_review and waiting:
            lines.append(f"- {waiting} draft(s) wait for review, {overdue} of them overdue.")
        if lines and actions.digest_send(user, day=today, lines=lines, acting_user=SYSTEM):
            sent += 1
    return sent
