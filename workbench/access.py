"""Fetch objects for a request, already checked against the user's role (404/403 otherwise)."""

from __future__ import annotations

from functools import wraps
from typing import Any, Callable, TypeVar

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from workbench.accounts.models import User

ViewFunc = TypeVar("ViewFunc", bound=Callable[..., HttpResponse])


def acting_user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User), "views using acting_user must be login_required"
    return user


def role_required(capability: str) -> Callable[[ViewFunc], ViewFunc]:
    """Refuse with 403 unless the user has the capability (can_author, can_review, can_publish, is_copydesk_admin)."""

    def decorator(view: ViewFunc) -> ViewFunc:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not getattr(acting_user(request), capability):
                raise PermissionDenied(f"Your role does not allow this ({capability.replace('_', ' ')}).")
            return view(request, *args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator
