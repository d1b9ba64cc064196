"""End to end: a real Celery worker with embedded beat (as ./copydesk run starts it) finds an overdue draft,
escalates it, and the email arrives at a real SMTP server; a second beat tick sends nothing again."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.pipeline import generate_now, make_brief
from tests.smtp_and_webhook import smtp_server, webhook_server
from tests.worker import WorkerProcess, purge_broker, wait_for
from workbench.review import actions as review
from workbench.review.models import EmailKind, ReminderSent, ReviewDeadline

pytestmark = [pytest.mark.worker, pytest.mark.serial, pytest.mark.django_db(transaction=True)]


def test_beat_in_the_worker_escalates_an_overdue_draft_by_email_and_webhook_once(brand, prompt, segments, marketer, reviewer, admin_user, tmp_path):
    admin_user.email = "ada@example.test"
    admin_user.save(update_fields=["email"])
    brief = make_brief(brand, prompt, [segments["new"]], marketer, channels=["email"], variants=1)
    (draft,) = generate_now(brief, marketer)
    review.submit_for_review(draft, acting_user=marketer)
    ReviewDeadline.objects.filter(draft=draft).update(due_at=timezone.now() - timedelta(minutes=5))
    purge_broker()
    with smtp_server() as (inbox, port), webhook_server() as (posts, url):
        brand.review_webhook_url = url
        brand.save(update_fields=["review_webhook_url"])
        worker = WorkerProcess(
            extra_args=["-B", "--schedule", str(tmp_path / "celerybeat-schedule")],
            extra_env={"COPYDESK_SMTP_HOST": "127.0.0.1", "COPYDESK_SMTP_PORT": str(port), "COPYDESK_REMINDER_INTERVAL_SECONDS": "1",
                       "COPYDESK_WEBHOOK_ALLOW_PRIVATE": "1"},
        )
        worker.start()
        try:
            def escalated() -> bool:
                return any("Overdue" in str(m["Subject"]) for m in inbox.messages) and bool(posts)

            wait_for(escalated, timeout=90)
            time.sleep(3)  # several more beat ticks
        finally:
            worker.stop()
    overdue = [m for m in inbox.messages if "Overdue" in str(m["Subject"])]
    assert len(overdue) == 1 and overdue[0]["X-Envelope-To"] == "ada@example.test"
    assert ReminderSent.objects.filter(draft=draft, kind=EmailKind.OVERDUE).count() == 1
    assert len(posts) == 1 and "Overdue" in posts[0]["body"]["text"]
