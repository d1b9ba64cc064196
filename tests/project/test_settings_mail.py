"""The mail settings: one mailer, from COPYDESK_SMTP_* or the file outbox, as MAILERS (Django 6.1+) or EMAIL_* (5.2)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import django
import pytest

from workbench.mailer import email_settings

ROOT = Path(__file__).resolve().parent.parent.parent
READ_MAILER = (
    "import json; from workbench import settings as s; "
    "print(json.dumps({'mailer': s.MAILER, 'mailers': getattr(s, 'MAILERS', None), 'backend': getattr(s, 'EMAIL_BACKEND', None)}))"
)


def settings_with(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("COPYDESK_SMTP_")}
    return subprocess.run([sys.executable, "-c", READ_MAILER], cwd=ROOT, capture_output=True, text=True, timeout=60,
                          env={**clean, "COPYDESK_DATA_DIR": str(tmp_path), **env})


def test_without_an_smtp_host_mail_is_written_to_the_outbox(tmp_path: Path) -> None:
    run = settings_with(tmp_path)
    read = json.loads(run.stdout)
    assert read["mailer"] == {"BACKEND": "django.core.mail.backends.filebased.EmailBackend", "OPTIONS": {"file_path": str(tmp_path / "outbox")}}
    assert (tmp_path / "outbox").is_dir()
    if django.VERSION >= (6, 1):
        assert read["mailers"] == {"default": read["mailer"]} and read["backend"] is None
    else:
        assert read["backend"] == "django.core.mail.backends.filebased.EmailBackend"


def test_an_smtp_host_sends_through_it_with_starttls_on_port_587(tmp_path: Path) -> None:
    read = json.loads(settings_with(tmp_path, COPYDESK_SMTP_HOST="mail.example.test", COPYDESK_SMTP_USER="copydesk").stdout)
    assert read["mailer"]["OPTIONS"] == {"host": "mail.example.test", "port": 587, "username": "copydesk", "password": "",
                                         "use_tls": True, "use_ssl": False, "timeout": 20}


@pytest.mark.parametrize(("env", "message"), [
    ({"COPYDESK_SMTP_PORT": "70000"}, "COPYDESK_SMTP_PORT=70000: must be a port number up to 65535"),
    ({"COPYDESK_SMTP_STARTTLS": "true", "COPYDESK_SMTP_SSL": "true"}, "cannot both be true"),
])
def test_it_refuses_to_start_with_smtp_settings_that_cannot_work(tmp_path: Path, env: dict[str, str], message: str) -> None:
    run = settings_with(tmp_path, COPYDESK_SMTP_HOST="mail.example.test", **env)
    assert run.returncode != 0 and message in run.stderr


def test_a_mailer_reads_as_the_email_settings_django_5_2_knows() -> None:
    mailer = {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": {"host": "h", "port": 25, "username": "u", "password": "p",
                                                                                   "use_tls": False, "use_ssl": True, "timeout": 5}}
    assert email_settings(mailer) == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend", "EMAIL_HOST": "h", "EMAIL_PORT": 25, "EMAIL_HOST_USER": "u",
        "EMAIL_HOST_PASSWORD": "p", "EMAIL_USE_TLS": False, "EMAIL_USE_SSL": True, "EMAIL_TIMEOUT": 5}
