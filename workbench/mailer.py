"""The one mailer Copydesk sends through, as Django 6.1's MAILERS entry or Django 5.2's EMAIL_* settings.

Settings build one ``MAILERS``-style entry (backend and options); Django 6.1+ takes it as
``MAILERS["default"]``, the 5.2 LTS (Python 3.11) as the EMAIL_* settings it replaced."""

from __future__ import annotations

from typing import Any

# A MAILERS option and the Django 5.2 setting that held it.
_EMAIL_SETTINGS = {
    "host": "EMAIL_HOST", "port": "EMAIL_PORT", "username": "EMAIL_HOST_USER", "password": "EMAIL_HOST_PASSWORD",
    "use_tls": "EMAIL_USE_TLS", "use_ssl": "EMAIL_USE_SSL", "timeout": "EMAIL_TIMEOUT", "file_path": "EMAIL_FILE_PATH",
}


def email_settings(mailer: dict[str, Any]) -> dict[str, Any]:
    """The EMAIL_* settings (Django before 6.1) of a MAILERS entry."""
    return {"EMAIL_BACKEND": mailer["BACKEND"], **{_EMAIL_SETTINGS[name]: value for name, value in mailer.get("OPTIONS", {}).items()}}
