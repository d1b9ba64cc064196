from __future__ import annotations

from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from workbench.access import acting_user, role_required
from workbench.accounts import actions
from workbench.accounts.forms import UserCreateForm
from workbench.accounts.models import ReviewRole, Role, User
from workbench.errors import CopydeskError
from workbench.generation.models import Brief, Draft, DraftState
from workbench.journeys.models import Publication


def home(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    mine = Draft.objects.filter(Q(created_by=user)).exclude(state=DraftState.APPROVED)
    context = {
        "briefs": Brief.objects.select_related("brand").order_by("-created_at")[:5],
        "my_open_drafts": mine.count(),
        "my_rejected": mine.filter(state=DraftState.REJECTED).count(),
        "queue_count": Draft.objects.filter(state=DraftState.IN_REVIEW).exclude(created_by=user).count(),
        "approved_count": Draft.objects.filter(state=DraftState.APPROVED).count(),
        "live_count": Publication.objects.live().count(),
    }
    return render(request, "home.html", context)


@role_required("is_copydesk_admin")
def user_list(request: HttpRequest) -> HttpResponse:
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = actions.user_create(
                username=data["username"], password=data["password"], role=Role(data["role"]),
                full_name=data["full_name"], acting_user=acting_user(request),
            )
        except CopydeskError as exc:
            form.add_error("username" if exc.code == "conflict" else "password" if "password" in exc.message else None, exc.message)
        else:
            messages.success(request, f"Added {user.username} as {user.get_role_display().lower()}.")
            return redirect("user_list")
    users = User.objects.order_by("username")
    context = {"form": form, "users": users, "roles": Role.choices, "review_roles": ReviewRole.choices, "me": acting_user(request)}
    return render(request, "accounts/users.html", context)


@require_POST
@role_required("is_copydesk_admin")
def user_role(request: HttpRequest, user_id: int) -> HttpResponse:
    user = get_object_or_404(User, pk=user_id)
    try:
        actions.user_set_role(user, role=request.POST.get("role", ""), acting_user=acting_user(request))  # type: ignore[arg-type]
    except CopydeskError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{user.username} is now {Role(request.POST['role']).label.lower()}.")
    return redirect("user_list")


@require_POST
@role_required("is_copydesk_admin")
def user_active(request: HttpRequest, user_id: int) -> HttpResponse:
    user = get_object_or_404(User, pk=user_id)
    active = request.POST.get("active") == "1"
    try:
        actions.user_set_active(user, active=active, acting_user=acting_user(request))
    except CopydeskError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{user.username} {'can log in again' if active else 'can no longer log in'}.")
    return redirect("user_list")


@require_POST
@role_required("is_copydesk_admin")
def user_review_profile(request: HttpRequest, user_id: int) -> HttpResponse:
    """An admin sets the review roles (legal) a user holds besides their role, and the languages they read."""
    user = get_object_or_404(User, pk=user_id)
    languages = request.POST.get("languages", "").replace(";", ",").replace(" ", ",").split(",")
    try:
        actions.user_set_review_profile(
            user, review_roles=request.POST.getlist("review_roles"), languages=languages, acting_user=acting_user(request)
        )
    except CopydeskError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Saved {user.username}'s review roles and languages.")
    return redirect("user_list")
