"""Logins, failed logins and lockouts are audited, with the request's id and address, never the password."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.conftest import PASSWORD
from workbench.audit.log import verify_chain
from workbench.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def login(client, username: str, password: str):  # type: ignore[no-untyped-def]
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR="203.0.113.7", HTTP_X_REQUEST_ID="req-login-1")


def test_a_login_is_audited_with_request_id_and_address(client, marketer):
    response = login(client, marketer.username, PASSWORD)
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="user.login")
    assert (event.actor_type, event.actor_label, event.object_id) == ("user", marketer.username, str(marketer.pk))
    # The request id is Copydesk's own (and answered as X-Request-ID); the client's is kept beside it.
    assert event.request_id == response["X-Request-ID"] and re.fullmatch(r"[0-9a-f]{32}", event.request_id)
    assert (event.client_request_id, event.ip) == ("req-login-1", "203.0.113.7")


def test_a_failed_login_is_audited_without_the_password(client, marketer):
    response = login(client, marketer.username, "wrong-password-Xyzzy-42")
    assert response.status_code == 200
    assert "correct username and password" in response.content.decode()
    event = AuditEvent.objects.get(action="user.login_failed")
    assert event.changes == {"username": marketer.username}
    assert event.ip == "203.0.113.7"
    assert not AuditEvent.objects.filter(action="user.login").exists()


def test_repeated_failures_lock_the_account_out_and_are_audited(client, marketer, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        login(client, marketer.username, "not-it")
    locked = login(client, marketer.username, PASSWORD)
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="user.locked_out", changes__username=marketer.username).exists()
    assert not AuditEvent.objects.filter(action="user.login").exists()
    # Someone else from another address is not affected.
    other = client.__class__().post(reverse("login"), {"username": marketer.username, "password": PASSWORD}, REMOTE_ADDR="198.51.100.9")
    assert other.status_code == 302
    assert verify_chain().ok


def test_a_deactivated_user_cannot_log_in(client, marketer, admin_user):
    from workbench.accounts.actions import user_set_active

    user_set_active(marketer, active=False, acting_user=admin_user)
    assert login(client, marketer.username, PASSWORD).status_code == 200
    assert "_auth_user_id" not in client.session


def test_a_failed_login_with_a_long_username_is_audited_and_an_absurd_one_refused(client):
    long_name = "x" * 120  # longer than the audit log's object id column
    assert client.post(reverse("login"), {"username": long_name, "password": "nope"}).status_code == 200
    event = AuditEvent.objects.get(action="user.login_failed")
    assert event.changes["username"] == long_name and event.object_id == long_name[:64]
    absurd = client.post(reverse("login"), {"username": "x" * 400, "password": "nope"})
    assert absurd.status_code == 200
    assert "at most 150 characters" in absurd.content.decode()
    assert verify_chain().ok
