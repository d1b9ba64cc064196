"""Saving a person's email choices (their own screen state: not audited, like read marks)."""

from __future__ import annotations

from django.db import transaction

from workbench.accounts.models import User
from workbench.review.models import EmailKind, NotificationPreference


def preferences_save(*, kinds: list[str], acting_user: User) -> list[str]:
    chosen = [k for k in EmailKind.values if k in set(kinds)]  # unknown values are dropped
    with transaction.atomic():
        NotificationPreference.objects.update_or_create(user=acting_user, defaults={"email_kinds": chosen})
    return chosen
