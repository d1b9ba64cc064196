"""Who may do what: the acting user of a request, the system actor, and the one precondition check of actions."""

from __future__ import annotations

from dataclasses import dataclass
from functools import wraps
from typing import Any, Callable, ClassVar, TypeVar

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from workbench.accounts.models import User
from workbench.errors import CopydeskError

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


@dataclass(frozen=True)
class SystemActor:
    """Copydesk itself acting (a management command, the demo seed, a worker), named in the audit log.

    Actions that a person needs a role for take it in place of a user, so that no caller skips authorisation by
    passing no user: the system actor may do what an admin may, and the log says which part of the system it was.
    """

    name: str = "copydesk-system"
    is_system_actor: ClassVar[bool] = True
    is_copydesk_admin: ClassVar[bool] = True
    pk: ClassVar[None] = None


SYSTEM = SystemActor()
# Who may be passed as acting_user to an action that the system may also run.
Actor = User | SystemActor


def as_user(actor: Actor) -> User | None:
    """The user to store in a created_by column: none when the system acted."""
    return actor if isinstance(actor, User) else None


def require(allowed: bool, message: str) -> None:
    """The one permission check inside actions: refuse with a forbidden CopydeskError (403 in the UI and API)."""
    if not allowed:
        raise CopydeskError(message, code="forbidden")
