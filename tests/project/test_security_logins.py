"""Production settings pass Django's deployment checks; passwords and tokens never reach a log or the audit log."""

from __future__ import annotations

import json
import logging
import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import reverse

from tests.conftest import PASSWORD
from workbench.audit.models import AuditEvent
from workbench.journeys.actions import api_client_create, journey_create

PRODUCTION_SETTINGS = """
import json, django
django.setup()
from django.conf import settings as s
print(json.dumps({
    "hasher": s.PASSWORD_HASHERS[0], "session_secure": s.SESSION_COOKIE_SECURE, "csrf_secure": s.CSRF_COOKIE_SECURE,
    "session_httponly": s.SESSION_COOKIE_HTTPONLY, "hsts": s.SECURE_HSTS_SECONDS, "ssl_redirect": s.SECURE_SSL_REDIRECT,
    "debug": s.DEBUG, "axes_limit": s.AXES_FAILURE_LIMIT, "axes_cooloff": s.AXES_COOLOFF_TIME,
}))
"""


def production_env(tmp_path) -> dict[str, str]:  # type: ignore[no-untyped-def]
    # Browser tests set DJANGO_ALLOW_ASYNC_UNSAFE in this process; a deployment never would.
    env = {k: v for k, v in os.environ.items() if not k.startswith("COPYDESK_") and k not in ("DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL")}
    env.update(
        COPYDESK_PRODUCTION="true", COPYDESK_SECRET_KEY=secrets.token_urlsafe(60)[:60], COPYDESK_DATA_DIR=str(tmp_path),
        COPYDESK_ALLOWED_HOSTS="copydesk.example.com", DJANGO_SETTINGS_MODULE="workbench.settings",
    )
    return env


def run_python(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120)


def test_check_deploy_passes_with_production_settings(tmp_path):
    done = run_python(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_production_uses_strong_hashing_secure_cookies_and_lockouts(tmp_path):
    done = run_python(["-c", PRODUCTION_SETTINGS], production_env(tmp_path))
    assert done.returncode == 0, done.stderr
    values = json.loads(done.stdout)
    assert values["hasher"] in ("django.contrib.auth.hashers.PBKDF2PasswordHasher", "django.contrib.auth.hashers.Argon2PasswordHasher", "django.contrib.auth.hashers.ScryptPasswordHasher")
    assert values["session_secure"] and values["csrf_secure"] and values["session_httponly"] and values["ssl_redirect"]
    assert values["hsts"] >= 31536000 and values["debug"] is False
    assert values["axes_limit"] == 5 and values["axes_cooloff"] > 0


def test_production_refuses_a_short_secret_or_debug(tmp_path):
    short = dict(production_env(tmp_path), COPYDESK_SECRET_KEY="too-short")
    done = run_python(["manage.py", "check"], short)
    assert done.returncode != 0 and "COPYDESK_SECRET_KEY" in done.stderr
    debug = dict(production_env(tmp_path), COPYDESK_DEBUG="true")
    done = run_python(["manage.py", "check"], debug)
    assert done.returncode != 0 and "COPYDESK_DEBUG" in done.stderr


@pytest.mark.django_db
def test_passwords_and_tokens_appear_in_no_log_and_no_audit_event(client, brand, marketer, admin_user, caplog):
    caplog.set_level(logging.DEBUG)
    wrong_password = "Wr0ng-" + secrets.token_hex(12)
    new_password = "N3w-user-" + secrets.token_hex(12)
    journey = journey_create(brand=brand, slug="welcome", name="Welcome", acting_user=admin_user)
    _, token = api_client_create(name="engine", journeys=[journey], acting_user=admin_user)

    client.post(reverse("login"), {"username": marketer.username, "password": wrong_password})
    client.post(reverse("login"), {"username": marketer.username, "password": PASSWORD})
    client.force_login(admin_user)
    client.post(reverse("user_list"), {"username": "nora", "full_name": "Nora N", "role": "reviewer", "password": new_password})
    assert client.get(reverse("api:list_journeys"), HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    assert client.get(reverse("api:list_journeys"), HTTP_AUTHORIZATION=f"Bearer {token}x").status_code == 401

    assert AuditEvent.objects.filter(action__in=["user.login", "user.login_failed", "user.create", "api_client.create"]).count() >= 4
    secrets_used = [wrong_password, PASSWORD, new_password, token, token.split("_", 2)[2]]
    audit_rows = json.dumps(list(AuditEvent.objects.values()), default=str)
    logs = caplog.text + "".join(str(r.args) for r in caplog.records)
    for secret in secrets_used:
        assert secret not in audit_rows
        assert secret not in logs
