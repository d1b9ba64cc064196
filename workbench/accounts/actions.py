from __future__ import annotations

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from workbench.access import Actor, require
from workbench.accounts.models import Role, User
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
        raise CopydeskError(f"Unknown role {role!r}; use one of {', '.join(Role.values)}.")
    if user.pk == acting_user.pk:
        raise CopydeskError("You cannot change your own role; ask another admin.", code="forbidden")
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
    if user.pk == acting_user.pk:
        raise CopydeskError("You cannot deactivate yourself; ask another admin.", code="forbidden")
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.is_active != active:
            user.is_active = active
            user.save(update_fields=["is_active"])
            record(Action.USER_REACTIVATE if active else Action.USER_DEACTIVATE, user, actor=acting_user, changes={"is_active": [not active, active]})
    return user
