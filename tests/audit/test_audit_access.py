"""The audit log is private: admins and the compliance role read and export it; nobody else, and nobody's
client can choose the request id it is filed under."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.conftest import make_user
from workbench.accounts.models import Role
from workbench.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

AUDIT_URLS = [reverse("audit_log"), reverse("audit_export", args=["csv"]), reverse("audit_export", args=["jsonl"]),
              reverse("audit_object", args=["accounts.user", "1"])]


@pytest.mark.parametrize("role", [Role.MARKETER, Role.REVIEWER, Role.PUBLISHER])
def test_other_roles_can_neither_read_nor_export_the_audit_log(client, role):
    client.force_login(make_user(f"u-{role}", role))
    for url in AUDIT_URLS:
        assert client.get(url).status_code == 403, url
    assert reverse("audit_log") not in client.get(reverse("home")).content.decode(), "no menu entry for a page they cannot open"
    assert not AuditEvent.objects.filter(action="audit.export").exists()


@pytest.mark.parametrize("role", [Role.ADMIN, Role.COMPLIANCE])
def test_admins_and_compliance_read_and_export_it(client, role):
    client.force_login(make_user(f"u-{role}", role))
    for url in AUDIT_URLS:
        assert client.get(url).status_code == 200, url
    assert reverse("audit_log") in client.get(reverse("home")).content.decode()
    assert AuditEvent.objects.filter(action="audit.export").count() == 2


def test_compliance_changes_nothing(client, admin_user):
    compliance = make_user("cora", Role.COMPLIANCE)
    assert not (compliance.can_author or compliance.can_review or compliance.can_publish or compliance.is_copydesk_admin)
    client.force_login(compliance)
    assert client.get(reverse("user_list")).status_code == 403


def test_the_request_id_is_copydesks_own_and_the_clients_is_kept_beside_it(client, marketer):
    from tests.conftest import PASSWORD

    spoofed = "a" * 32
    response = client.post(reverse("login"), {"username": marketer.username, "password": PASSWORD},
                           HTTP_X_REQUEST_ID=f"{spoofed}\u202e\n evil" + "z" * 200)
    event = AuditEvent.objects.get(action="user.login")
    assert event.request_id == response["X-Request-ID"] != spoofed
    assert re.fullmatch(r"[0-9a-f]{32}", event.request_id)
    assert event.client_request_id == (spoofed + "evil" + "z" * 200)[:64], "visible ASCII only, cut to 64 characters"
    # Two requests sending the same id are still two ids of ours.
    again = client.get(reverse("login"), HTTP_X_REQUEST_ID=spoofed)
    assert again["X-Request-ID"] not in (spoofed, response["X-Request-ID"])
