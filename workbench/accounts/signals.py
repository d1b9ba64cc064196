"""Logins, failed logins and lockouts go to the audit log. Passwords never do."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db import transaction
from django.dispatch import receiver

from workbench.audit.log import record
from workbench.audit.models import Action


@receiver(user_logged_in)
def on_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    with transaction.atomic():
        record(Action.USER_LOGIN, user, actor=user)


@receiver(user_login_failed)
def on_login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    username = str(credentials.get("username", ""))[:150]
    with transaction.atomic():
        record(Action.USER_LOGIN_FAILED, ("accounts.user", username or "?"), actor=None, changes={"username": username})


@receiver(user_locked_out)
def on_locked_out(sender: Any, request: Any = None, username: str | None = None, ip_address: str | None = None, **kwargs: Any) -> None:
    with transaction.atomic():
        record(Action.USER_LOCKED_OUT, ("accounts.user", username or "?"), actor=None, changes={"username": username, "ip": ip_address})
