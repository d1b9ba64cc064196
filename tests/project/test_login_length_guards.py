"""Every login form refuses an absurd username with a form error before authentication, so nothing stores it:
not the audit log, not django-axes' attempt tables."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.urls import reverse

from workbench.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

LOGIN_FORMS = ["login", "admin:login"]


def nothing_stored(username: str) -> bool:
    stored = [
        AuditEvent.objects.filter(action="user.login_failed").exists(),
        AccessAttempt.objects.filter(username__startswith=username[:50]).exists(),
        AccessFailureLog.objects.filter(username__startswith=username[:50]).exists(),
        AccessLog.objects.filter(username__startswith=username[:50]).exists(),
    ]
    return not any(stored)


@pytest.mark.parametrize("form", LOGIN_FORMS)
def test_a_400_character_username_is_refused_with_a_form_error_and_never_stored(client, form):
    username = "x" * 400
    response = client.post(reverse(form), {"username": username, "password": "whatever-it-is"})
    assert response.status_code == 200
    assert "at most 150 characters" in response.content.decode()
    assert nothing_stored(username)


@pytest.mark.parametrize("form", LOGIN_FORMS)
def test_an_absurd_password_is_refused_before_hashing(client, form, marketer):
    response = client.post(reverse(form), {"username": marketer.username, "password": "p" * 100_000})
    assert response.status_code == 200
    assert "at most 4096 characters" in response.content.decode()


@pytest.mark.parametrize("form", LOGIN_FORMS)
def test_a_plausible_failed_login_is_still_audited_and_counted(client, form):
    client.post(reverse(form), {"username": "y" * 150, "password": "nope"})
    assert AuditEvent.objects.filter(action="user.login_failed").count() == 1
    assert AccessAttempt.objects.filter(username="y" * 150).exists()
