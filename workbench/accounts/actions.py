from __future__ import annotations

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

import re

from workbench.access import Actor, require
from workbench.accounts.models import ReviewRole, Role, User
from workbench.audit.log import record
from workbench.audit.models import Action
from workbench.errors import CopydeskError


def user_create(*, username: str, password: str, role: Role, full_name: str = "", acting_user: Actor) -> User:
    """Add a user. The password is checked against the password validators and never reaches the audit log."""
    require(acting_user.is_copydesk_admin, "Only admins can add users.")
    username = username.strip()
    if not username:
        raise CopydeskError("Give the user a username.")
    first, _, last = full_name.strip().partition(" ")
    try:
        password_validation.validate_password(password, User(username=username, first_name=first, last_name=last))
    except ValidationError as exc:
        raise CopydeskError("The password is too weak: " + " ".join(exc.messages)) from None
    with transaction.atomic():
        try:
            with transaction.atomic():
                user = User.objects.create_user(username=username, password=password, role=role, first_name=first, last_name=last)
        except IntegrityError:  # usernames are unique: the database, not a look-up first, refuses a duplicate
            raise CopydeskError(f"A user called {username!r} already exists.", code="conflict") from None
        record(Action.USER_CREATE, user, actor=acting_user, changes={"username": [None, username], "role": [None, role]})
    return user


def user_set_role(user: User, *, role: Role, acting_user: User) -> User:
    require(acting_user.is_copydesk_admin, "Only admins can change roles.")
    if role not in Role.values:
        raise CopydeskError(f"Unknown role {role[:40]!r}; use one of {', '.join(Role.values)}.")
    require(user.pk != acting_user.pk, "You cannot change your own role; ask another admin.")
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.role != role:
            before = user.role
            user.role = role
            user.save(update_fields=["role"])
            record(Action.USER_ROLE_CHANGE, user, actor=acting_user, changes={"role": [before, role]})
    return user


def user_set_active(user: User, *, active: bool, acting_user: User) -> User:
    """Deactivate a leaver (they can no longer log in; their history stays) or reactivate them."""
    require(acting_user.is_copydesk_admin, "Only admins can deactivate users.")
    require(user.pk != acting_user.pk, "You cannot deactivate yourself; ask another admin.")
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.is_active != active:
            user.is_active = active
            user.save(update_fields=["is_active"])
            record(Action.USER_REACTIVATE if active else Action.USER_DEACTIVATE, user, actor=acting_user, changes={"is_active": [not active, active]})
    return user


_LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]{2,8})*")


def user_set_review_profile(user: User, *, review_roles: list[str], languages: list[str], acting_user: User) -> User:
    """Set what a reviewer may sign off for (e.g. legal) and the languages they read: what approval rules count."""
    require(acting_user.is_copydesk_admin, "Only admins can change reviewers' roles and languages.")
    unknown = [r for r in review_roles if r not in ReviewRole.values]
    if unknown:
        raise CopydeskError(f"Unknown review role {unknown[0][:40]!r}; use one of {', '.join(ReviewRole.values)}.")
    codes = []
    for raw in languages:
        code = raw.strip().lower().replace("_", "-")
        if not code:
            continue
        if not _LANGUAGE_CODE.fullmatch(code):
            # Only the start of what was typed is repeated: the message rides in the session to the next page.
            raise CopydeskError(f"{raw.strip()[:40]!r} is not a language code; write codes like en, es or fr-CA.")
        language, _, rest = code.partition("-")
        code = f"{language}-{rest.upper() if len(rest) == 2 else rest}" if rest else language  # BCP 47's usual case: fr-CA
        if code not in codes:
            codes.append(code)
    roles = sorted(set(review_roles))
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.review_roles != roles or user.languages != codes:
            changes = {"review_roles": [user.review_roles, roles], "languages": [user.languages, codes]}
            user.review_roles, user.languages = roles, codes
            user.save(update_fields=["review_roles", "languages"])
            record(Action.USER_ROLE_CHANGE, user, actor=acting_user, changes=changes)
    return user
