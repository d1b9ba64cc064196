"""Celery tasks of review that beat runs: the reminders and the digests.

Tasks take ids and plain text and call a service. The tasks that send email and post to a webhook are in
review/notify.py, beside the code that enqueues them (the reminders enqueue them too, through the actions).
"""

from __future__ import annotations

from celery import shared_task

from workbench.review import reminders


@shared_task
def send_review_reminders() -> dict[str, int]:
    return reminders.send_review_reminders()


@shared_task
def send_daily_digests() -> int:
    return reminders.send_daily_digests()
