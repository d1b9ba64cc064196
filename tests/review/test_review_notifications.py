"""Notifications that leave Copydesk: email (real SMTP server), a brand webhook, preferences, reminders and digests, the outbox."""

from __future__ import annotations

import urllib.error
from datetime import timedelta
from unittest import mock

import django
import pytest
from django.urls import reverse
from django.utils import timezone

from tests.pipeline import generate_now, make_brief
from tests.smtp_and_webhook import smtp_server, webhook_server
from workbench.audit.models import Action, AuditEvent
from workbench.mailer import email_settings
from workbench.generation.models import Draft
from workbench.review import actions as review
from workbench.review import notify, reminders
from workbench.review.models import DigestSent, EmailKind, Notification, NotificationKind, ReminderSent, ReviewDeadline


pytestmark = pytest.mark.django_db


def submitted(brand, prompt, segment, author) -> Draft:  # type: ignore[no-untyped-def]
    brief = make_brief(brand, prompt, [segment], author, channels=["email"], variants=1)
    (draft,) = generate_now(brief, author)
    return review.submit_for_review(draft, acting_user=author)


def use_mailer(settings, backend: str, **options) -> None:  # type: ignore[no-untyped-def]
    """Send through ``backend``: the default MAILERS entry on Django 6.1+, the EMAIL_* settings on 5.2."""
    mailer = {"BACKEND": backend, "OPTIONS": options}
    if django.VERSION >= (6, 1):
        settings.MAILERS = {"default": mailer}
    else:
        for name, value in email_settings(mailer).items():
            setattr(settings, name, value)


def with_email(*users) -> None:  # type: ignore[no-untyped-def]
    for user in users:
        user.email = f"{user.username}@example.test"
        user.save(update_fields=["email"])


def test_it_emails_only_those_who_chose_that_kind_and_have_an_address(reviewer, reviewer2, admin_user):
    with_email(reviewer, reviewer2)
    review.preferences_save(kinds=[EmailKind.DECISION], acting_user=reviewer2)
    assert notify.email_recipients([reviewer.pk, reviewer2.pk, admin_user.pk], EmailKind.SUBMITTED) == [reviewer.pk]
    assert notify.email_recipients([reviewer.pk, reviewer2.pk], EmailKind.DECISION) == [reviewer.pk, reviewer2.pk]


def test_sending_is_enqueued_on_commit_never_inside_the_transaction(brand, prompt, segments, marketer, reviewer, django_capture_on_commit_callbacks):
    with_email(reviewer)
    brand.review_webhook_url = "http://127.0.0.1:9/hook"
    brand.save()
    with mock.patch.object(notify.send_email, "delay") as send, mock.patch.object(notify.post_webhook, "delay") as post:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            submitted(brand, prompt, segments["new"], marketer)
        assert not send.called and not post.called  # nothing left during the transaction
        for callback in callbacks:
            callback()
    assert send.call_args.args[0] == [reviewer.pk] and "submitted" in send.call_args.args[1]
    assert post.call_args.args[0] == brand.pk


def test_an_email_goes_out_through_a_real_smtp_server(settings, reviewer):
    with_email(reviewer)
    with smtp_server() as (inbox, port):
        use_mailer(settings, "django.core.mail.backends.smtp.EmailBackend", host="127.0.0.1", port=port, use_tls=False, use_ssl=False)
        assert notify.deliver_email([reviewer.pk], "Due soon: Spring boots", "It is due at 14:00.") == 1
    (message,) = inbox.messages
    assert message["X-Envelope-To"] == "riley@example.test"
    assert message["Subject"] == "[Copydesk] Due soon: Spring boots"


def test_a_refused_smtp_connection_raises_so_the_task_retries(settings, reviewer):
    with_email(reviewer)
    use_mailer(settings, "django.core.mail.backends.smtp.EmailBackend", host="127.0.0.1", port=9, timeout=2)
    with pytest.raises(OSError):
        notify.deliver_email([reviewer.pk], "x", "y")
    assert OSError in notify.RETRY["autoretry_for"] and notify.RETRY["retry_backoff"]  # type: ignore[operator]


def test_the_brand_webhook_gets_slack_compatible_json(brand, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = True  # the test's server listens on 127.0.0.1
    with webhook_server() as (received, url):
        brand.review_webhook_url = url
        brand.save()
        notify.deliver_webhook(brand.pk, "Overdue: Spring boots")
    assert received == [{"content_type": "application/json", "body": {"text": "Overdue: Spring boots"}}]
    with webhook_server(status=500) as (_, url), pytest.raises(urllib.error.HTTPError):
        brand.review_webhook_url = url
        brand.save()
        notify.deliver_webhook(brand.pk, "again")


def test_reminders_and_escalations_are_sent_once_per_draft_and_kind(brand, prompt, segments, marketer, reviewer, admin_user):
    soon = submitted(brand, prompt, segments["new"], marketer)
    late = submitted(brand, prompt, segments["loyal"], marketer)
    ReviewDeadline.objects.filter(draft=soon).update(due_at=timezone.now() + timedelta(hours=1))
    ReviewDeadline.objects.filter(draft=late).update(due_at=timezone.now() - timedelta(hours=1))
    assert reminders.send_review_reminders() == {"due_soon": 1, "overdue": 1}
    assert reminders.send_review_reminders() == {"due_soon": 0, "overdue": 0}
    assert ReminderSent.objects.count() == 2
    assert Notification.objects.filter(kind=NotificationKind.DUE_SOON, draft=soon, recipient=reviewer).count() == 1
    assert not Notification.objects.filter(kind=NotificationKind.DUE_SOON, recipient=marketer).exists()  # the author is no reviewer
    assert Notification.objects.filter(kind=NotificationKind.OVERDUE, draft=late, recipient=admin_user).count() == 1


def test_a_daily_digest_goes_once_a_day_to_those_with_something_waiting(brand, prompt, segments, marketer, reviewer, reviewer2, django_capture_on_commit_callbacks):
    with_email(reviewer, reviewer2, marketer)
    review.preferences_save(kinds=[], acting_user=reviewer2)
    submitted(brand, prompt, segments["new"], marketer)
    with mock.patch.object(notify.send_email, "delay") as send:
        with django_capture_on_commit_callbacks(execute=True):
            assert reminders.send_daily_digests() == 1  # the reviewer; the marketer has nothing unread, reviewer2 opted out
            assert reminders.send_daily_digests() == 0
    assert DigestSent.objects.get().recipient == reviewer
    assert send.call_args.args[0] == [reviewer.pk] and "submitted" in send.call_args.args[2]


def test_admins_read_the_file_backend_outbox(settings, tmp_path, logged_in, reviewer, admin_user):
    with_email(reviewer)
    use_mailer(settings, "django.core.mail.backends.filebased.EmailBackend", file_path=str(tmp_path))
    settings.OUTBOX_DIR = tmp_path
    notify.deliver_email([reviewer.pk], "Overdue review: Spring boots", "Still waiting <b>since Monday</b>.")
    page = logged_in(admin_user).get(reverse("email_outbox"))
    assert "Overdue review: Spring boots" in page.content.decode() and "&lt;b&gt;since Monday" in page.content.decode()
    assert logged_in(reviewer).get(reverse("email_outbox")).status_code == 403


def test_a_person_chooses_their_emails_on_the_preferences_page(logged_in, reviewer):
    client = logged_in(reviewer)
    client.post(reverse("notification_preferences"), {"email": [EmailKind.DIGEST, "bogus"]})
    assert notify.wanted_email_kinds(reviewer) == {EmailKind.DIGEST}
    page = client.get(reverse("notification_preferences")).content.decode()
    assert 'value="digest" checked' in page and 'value="submitted" >' in page


@pytest.mark.parametrize("sent", [["x" * 1_000_000], ["digest\x00"], ["DIGEST", "-1", "1" + "0" * 30], [], ["digest", "digest"]], ids=["huge", "nul", "odd", "none", "twice"])
def test_odd_preference_values_keep_only_the_kinds_there_are(logged_in, reviewer, sent):
    client = logged_in(reviewer)
    response = client.post(reverse("notification_preferences"), {"email": sent})
    assert response.status_code == 302
    assert notify.wanted_email_kinds(reviewer) == ({EmailKind.DIGEST} if sent == ["digest", "digest"] else set())
    assert client.post(reverse("notification_preferences"), {"email": sent}).status_code == 302  # sent twice: the same
    assert client.get(reverse("notification_preferences")).status_code == 200


def test_admins_set_a_brands_webhook_on_the_guide_page_and_bad_addresses_are_refused(logged_in, brand, admin_user, marketer):
    url = reverse("brand_review_webhook", args=[brand.slug])
    assert logged_in(marketer).post(url, {"review_webhook_url": "https://hooks.example.test/a"}).status_code == 403
    client = logged_in(admin_user)
    client.post(url, {"review_webhook_url": "javascript:alert(1)"})
    brand.refresh_from_db()
    assert brand.review_webhook_url == ""
    client.post(url, {"review_webhook_url": "https://hooks.example.test/services/T1/B2"})
    brand.refresh_from_db()
    assert brand.review_webhook_url == "https://hooks.example.test/services/T1/B2"
    assert "hooks.example.test/services/T1/B2" not in str(AuditEvent.objects.filter(action=Action.BRAND_UPDATE).values_list("changes", flat=True))


@pytest.mark.django_db(transaction=True)
def test_a_broker_that_is_down_costs_the_email_never_the_submission(brand, prompt, segments, marketer, reviewer):
    """Seen in the chaos run: while Redis restarted, enqueueing the notification email answered 500 after the
    decision had committed. Enqueueing is robust: the failure is logged, the user's action stands."""
    from kombu.exceptions import OperationalError

    with_email(reviewer)
    with mock.patch.object(notify.send_email, "delay", side_effect=OperationalError("broker down")) as send:
        draft = submitted(brand, prompt, segments["new"], marketer)
    assert send.called
    draft.refresh_from_db()
    assert draft.state == "in_review"
