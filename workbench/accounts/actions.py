from __future__ import annotations

from django.db import transaction

from workbench.accounts.models import Role, User
from workbench.audit.log import record
from workbench.audit.models import Action
from workbench.errors import CopydeskError


def user_create(*, username: str, password: str, role: Role, full_name: str = "", acting_user: User | None) -> User:
    if acting_user is not None and not acting_user.is_copydesk_admin:
        raise CopydeskError("Only admins can add users.", code="forbidden")
    if User.objects.filter(username=username).exists():
        raise CopydeskError(f"A user called {username!r} already exists.", code="conflict")
    first, _, last = full_name.partition(" ")
    with transaction.atomic():
        user = User.objects.create_user(username=username, password=password, role=role, first_name=first, last_name=last)
        record(Action.USER_CREATE, user, actor=acting_user, changes={"username": [None, username], "role": [None, role]})
    return user


def user_set_role(user: User, *, role: Role, acting_user: User) -> User:
    if not acting_user.is_copydesk_admin:
        raise CopydeskError("Only admins can change roles.", code="forbidden")
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.role != role:
            before = user.role
            user.role = role
            user.save(update_fields=["role"])
            record(Action.USER_ROLE_CHANGE, user, actor=acting_user, changes={"role": [before, role]})
    return user
