"""What Celery beat runs: due-soon reminders, overdue escalation to admins, and a daily digest per person.

Each is idempotent: a reminder is recorded (ReminderSent, unique per draft, kind and deadline) in the
same transaction as its in-app notifications, and its email and webhook post are enqueued on commit, so
a second beat tick, a second beat process or a redelivered task finds the row and sends nothing again.
"""

from __future__ import annotations

from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from workbench.accounts.models import Role, User
from workbench.generation.models import DraftState
from workbench.review import notify
from workbench.review.actions import _notify, _reviewers_except_authors
from workbench.review.deadlines import DUE_SOON
from workbench.review.models import DigestSent, EmailKind, Notification, NotificationKind, ReminderSent, ReviewDeadline


def _first_time(deadline: ReviewDeadline, kind: str) -> bool:
    """Record the reminder; False when it was already sent (the unique constraint decides, also across processes)."""
    try:
        with transaction.atomic():
            ReminderSent.objects.create(draft_id=deadline.draft_id, kind=kind, due_at=deadline.due_at)
    except IntegrityError:
        return False
    return True


# _notify writes the in-app notification and enqueues its email (kind due_soon / overdue) for those who chose it.
def send_review_reminders(now: datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    waiting = ReviewDeadline.objects.filter(draft__state=DraftState.IN_REVIEW).select_related("draft__brief__brand", "draft__segment")
    counts = {"due_soon": 0, "overdue": 0}
    for deadline in waiting.filter(due_at__gte=now, due_at__lt=now + DUE_SOON):
        with transaction.atomic():
            if not _first_time(deadline, EmailKind.DUE_SOON):
                continue
            draft = deadline.draft
            text = f"{draft} is due for review at {timezone.localtime(deadline.due_at):%d %b %H:%M}."
            reviewers = _reviewers_except_authors(draft)
            _notify(reviewers, draft, NotificationKind.DUE_SOON, text)
            counts["due_soon"] += 1
    admins = list(User.objects.filter(Q(role=Role.ADMIN) | Q(is_superuser=True), is_active=True).values_list("pk", flat=True))
    for deadline in waiting.filter(due_at__lt=now):
        with transaction.atomic():
            if not _first_time(deadline, EmailKind.OVERDUE):
                continue
            draft = deadline.draft
            text = f"Overdue: {draft} was due for review at {timezone.localtime(deadline.due_at):%d %b %H:%M} and is still waiting."
            _notify(admins, draft, NotificationKind.OVERDUE, text)
            notify.webhook_later(draft.brief.brand, text)
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
        if not lines:
            continue
        with transaction.atomic():
            if DigestSent.objects.filter(recipient=user, day=today).exists():
                continue
            try:
                with transaction.atomic():
                    DigestSent.objects.create(recipient=user, day=today)
            except IntegrityError:
                continue
            body = f"Good morning {user.display_name}, here is what waits for you in Copydesk:\n\n" + "\n".join(lines) + "\n"
            notify.email_later([user.pk], EmailKind.DIGEST, subject=f"Your Copydesk digest for {today:%d %b %Y}", body=body)
            sent += 1
    return sent
