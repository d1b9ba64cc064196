"""CSRF: every unsafe endpoint refuses a request without a token. And no GET changes anything."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.test import Client

from tests.project.test_security_matrix import MATRIX, ROLES, build_world, client_for, concrete_path, matrix_key, url_patterns
from workbench.audit.models import AuditEvent

# Rows a GET may legitimately add: who has a draft open (polled presence), and Django's own bookkeeping.
GET_MAY_WRITE = {"review.draftpresence", "sessions.session", "axes.accesslog", "axes.accessattempt"}
# Reads that are themselves audited: exporting the audit log writes one audit.export event and nothing else.
AUDITED_READS = {r"^audit/export\.(?P<fmt>csv|jsonl)$": "audit.export"}


def row_counts() -> dict[str, int]:
    return {m._meta.label_lower: m._default_manager.count() for m in apps.get_models() if m._meta.label_lower not in GET_MAY_WRITE}


def live_keys() -> list[str]:
    return sorted({k for k in (matrix_key(p) for p in url_patterns()) if k and k in MATRIX})


@pytest.mark.django_db
def test_every_unsafe_endpoint_rejects_a_request_without_a_csrf_token(brand, prompt, segments):
    world = build_world(brand, prompt, segments)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.users["superuser"])
    anonymous = Client(enforce_csrf_checks=True)
    before, seq = row_counts(), AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    accepted = []
    for key in live_keys():
        if MATRIX[key][0] != "POST":
            continue
        path = concrete_path(key, world)
        response = browser.post(path, {})
        if key.startswith("api/"):
            # The API authenticates by bearer header only, which a cross-site form cannot send: a session is not enough.
            ok = response.status_code == 401
        else:
            ok = response.status_code == 403 and b"CSRF" in response.content
        if not ok:
            accepted.append(f"POST {path}: {response.status_code}")
    assert anonymous.post("/login/", {"username": "x", "password": "y"}).status_code == 403
    assert not accepted, "unsafe endpoints that did not refuse a missing CSRF token:\n" + "\n".join(accepted)
    assert row_counts() == before
    assert AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() == seq


@pytest.mark.django_db
def test_the_same_requests_with_a_token_get_through(brand, prompt, segments):
    """The refusals above are about the token, not about the endpoints being unreachable."""
    world = build_world(brand, prompt, segments)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.users["superuser"])
    browser.get("/")
    token = browser.cookies["csrftoken"].value
    response = browser.post(concrete_path("notifications/read/", world), {"csrfmiddlewaretoken": token})
    assert response.status_code == 302


@pytest.mark.django_db
def test_no_get_request_changes_anything_for_any_role(brand, prompt, segments):
    world = build_world(brand, prompt, segments)
    clients = {role: client_for(role, world) for role in ROLES}
    before, seq = row_counts(), AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    for key in live_keys():
        if "logout" in key:
            continue  # logging out by GET is refused (405) by Django itself; no need to end the sessions here
        path = concrete_path(key, world)
        for role, client in clients.items():
            for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
                client.get(path, **headers)
                # An export is audited when it happens: for the roles the matrix lets through.
                if key in AUDITED_READS and MATRIX[key][1][ROLES.index(role)] == 200:
                    written = AuditEvent.objects.filter(seq__gt=seq or 0)
                    assert list(written.values_list("action", flat=True)) == [AUDITED_READS[key]], f"GET {path} as {role}"
                    seq = written.get().seq
                    before["audit.auditevent"] += 1
                after = row_counts()
                changed = {name: (before[name], after[name]) for name in before if before[name] != after[name]}
                assert not changed, f"GET {path} as {role} changed row counts: {changed}"
                newest = AuditEvent.objects.order_by("-seq").first()
                assert (newest.seq if newest else None) == seq, f"GET {path} as {role} wrote an audit event: {newest}"
