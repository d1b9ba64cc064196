"""Celery tasks of review: the beat schedule's reminders and digests, and outgoing email and webhook posts.

Tasks take ids and plain text and call a service; sending is retried with exponential backoff
(OSError covers smtplib's errors, refused connections and urllib's HTTP errors).
"""

from __future__ import annotations

from celery import shared_task

from workbench.review import notify, reminders

RETRY = {"autoretry_for": (OSError,), "retry_backoff": 5, "retry_backoff_max": 600, "retry_jitter": True, "max_retries": 8}


@shared_task(**RETRY)
def send_email(user_ids: list[int], subject: str, body: str) -> int:
    return notify.deliver_email(user_ids, subject, body)


@shared_task(**RETRY)
def post_webhook(brand_id: int, text: str) -> None:
    notify.deliver_webhook(brand_id, text)


@shared_task
def send_review_reminders() -> dict[str, int]:
    return reminders.send_review_reminders()


@shared_task
def send_daily_digests() -> int:
    return reminders.send_daily_digests()
