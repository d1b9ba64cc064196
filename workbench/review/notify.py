"""Notifications that leave Copydesk: email (Django's email framework) and a brand's Slack-compatible webhook.

Nothing is sent inside a request's (or any) transaction: the callers here run inside the action's
transaction and only enqueue a Celery task with transaction.on_commit, so a rolled-back decision sends
nothing and a slow mail server never holds a database lock. The tasks (send_email, post_webhook, defined
here beside what enqueues them) call deliver_email / deliver_webhook and are retried with backoff.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from email import message_from_string
from pathlib import Path
from typing import Any

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction

from workbench.accounts.models import User
from workbench.brand.models import Brand
from workbench.outbound import PrivateAddressError, post_json
from workbench.review.models import EmailKind, NotificationPreference

logger = logging.getLogger(__name__)


def wanted_email_kinds(user: User) -> set[str]:
    preference = NotificationPreference.objects.filter(user=user).first()
    return set(EmailKind.values) if preference is None else set(preference.email_kinds)


def email_recipients(user_ids: Iterable[int], kind: str) -> list[int]:
    """Those of user_ids who have an address and chose to receive this kind (one query each way)."""
    users = User.objects.filter(pk__in=set(user_ids), is_active=True).exclude(email="")
    preferences = dict(NotificationPreference.objects.filter(user__in=users).values_list("user_id", "email_kinds"))
    return sorted(pk for pk in users.values_list("pk", flat=True) if pk not in preferences or kind in preferences[pk])


def email_later(user_ids: Iterable[int], kind: str, *, subject: str, body: str) -> None:
    """Enqueue the email once the current transaction commits (at once when there is none)."""
    recipients = email_recipients(user_ids, kind)
    if recipients:
        # robust: a broker that is down for a moment costs this email (logged), never the decision the user just made
        transaction.on_commit(lambda: send_email.delay(recipients, subject[:150], body), robust=True)


def webhook_later(brand: Brand, text: str) -> None:
    if brand.review_webhook_url:
        brand_id = brand.pk
        transaction.on_commit(lambda: post_webhook.delay(brand_id, text), robust=True)


def deliver_email(user_ids: list[int], subject: str, body: str) -> int:
    """Send one message to each recipient still active with an address; raises on a mail server error (the task retries)."""
    sent = 0
    for user in User.objects.filter(pk__in=user_ids, is_active=True).exclude(email="").order_by("pk"):
        message = EmailMessage(settings.EMAIL_SUBJECT_PREFIX + subject, body, to=[user.email])
        sent += message.send(fail_silently=False)
    return sent


def deliver_webhook(brand_id: int, text: str) -> None:
    """POST {"text": ...} to the brand's incoming webhook; raises on a network error or a non-2xx answer."""
    url = Brand.objects.filter(pk=brand_id).values_list("review_webhook_url", flat=True).first()
    if not url:
        return
    try:
        post_json(url, json.dumps({"text": text}).encode(), timeout=settings.WEBHOOK_TIMEOUT_SECONDS)
    except PrivateAddressError as refused:
        # Not retried: the address will not become public by waiting. The admin sees why in the worker's log.
        logger.warning("review webhook of brand %s not posted: %s", brand_id, refused.message)


# Sending is retried with exponential backoff (OSError covers smtplib's errors, refused connections and urllib's
# HTTP errors). The tasks keep the names they had in review/tasks.py, so messages already queued under those
# names when Copydesk is upgraded are still delivered.
RETRY = {"autoretry_for": (OSError,), "retry_backoff": 5, "retry_backoff_max": 600, "retry_jitter": True, "max_retries": 8}


@shared_task(name="workbench.review.tasks.send_email", **RETRY)
def send_email(user_ids: list[int], subject: str, body: str) -> int:
    return deliver_email(user_ids, subject, body)


@shared_task(name="workbench.review.tasks.post_webhook", **RETRY)
def post_webhook(brand_id: int, text: str) -> None:
    deliver_webhook(brand_id, text)


MESSAGE_SEPARATOR = "-" * 79


def outbox_messages(limit: int = 100) -> list[dict[str, Any]]:
    """The newest mails the file backend wrote under the data directory, for the admins' outbox page."""
    folder = Path(settings.OUTBOX_DIR)
    files = sorted(folder.glob("*.log"), key=lambda p: p.stat().st_mtime, reverse=True) if folder.is_dir() else []
    messages: list[dict[str, Any]] = []
    for path in files:
        for raw in reversed(path.read_text(errors="replace").split("\n" + MESSAGE_SEPARATOR + "\n")):
            if not raw.strip():
                continue
            parsed = message_from_string(raw.strip())
            payload = parsed.get_payload(decode=True)
            body = payload.decode(parsed.get_content_charset() or "utf-8", errors="replace") if isinstance(payload, bytes) else str(parsed.get_payload())
            messages.append({"subject": parsed.get("Subject", ""), "to": parsed.get("To", ""), "date": parsed.get("Date", ""), "body": body})
            if len(messages) >= limit:
                return messages
    return messages
