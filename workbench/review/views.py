from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from workbench.access import acting_user, role_required
from workbench.errors import CopydeskError
from workbench.generation.models import Draft, DraftState, DraftVersion
from workbench.generation.presenters import prefetched_drafts, with_latest
from workbench.review import actions
from workbench.review.models import Decision

QUEUE_PAGE_SIZE = 25


def review_queue(request: HttpRequest) -> HttpResponse:
    drafts = prefetched_drafts().filter(state=DraftState.IN_REVIEW).order_by("updated_at", "id")
    if request.GET.get("sensitive") == "1":
        drafts = drafts.filter(segment__sensitive=True)
    channel = request.GET.get("channel", "")
    if channel:
        drafts = drafts.filter(channel=channel)
    page = Paginator(drafts, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "review/queue.html", {"page": page, "cards": with_latest(page.object_list), "channel": channel})


def _decide(request: HttpRequest, draft_id: int) -> tuple[Draft, int]:
    draft = get_object_or_404(Draft, pk=draft_id)
    try:
        version_number = int(request.POST.get("version", ""))
    except ValueError:
        version_number = -1
    return draft, version_number


def _after_decision(request: HttpRequest, draft: Draft) -> HttpResponse:
    return redirect("draft_detail", draft_id=draft.pk)


@require_POST
@role_required("can_review")
def review_approve(request: HttpRequest, draft_id: int) -> HttpResponse:
    draft, version_number = _decide(request, draft_id)
    try:
        decision = actions.review_approve(draft, version_number=version_number, acting_user=acting_user(request))
    except CopydeskError as exc:
        messages.error(request, exc.message)
        return _after_decision(request, draft)
    draft.refresh_from_db()
    if draft.state == DraftState.APPROVED:
        messages.success(request, f"Approved version {decision.version.number}. It is ready to publish to a journey step.")
    else:
        messages.success(request, "Your approval is recorded. This sensitive segment needs a second reviewer's approval before it can be published.")
    return _after_decision(request, draft)


@require_POST
@role_required("can_review")
def review_reject(request: HttpRequest, draft_id: int) -> HttpResponse:
    draft, version_number = _decide(request, draft_id)
    decision = request.POST.get("decision", Decision.REJECT)
    send_back = actions.review_request_changes if decision == Decision.REQUEST_CHANGES else actions.review_reject
    try:
        send_back(draft, version_number=version_number, reason=request.POST.get("reason", ""), acting_user=acting_user(request))
    except CopydeskError as exc:
        messages.error(request, exc.message)
    else:
        what = "Changes requested" if decision == Decision.REQUEST_CHANGES else "Rejected"
        messages.success(request, f"{what}. The draft went back to its author with your reason.")
    return _after_decision(request, draft)


@require_POST
@role_required("can_review")
def finding_override(request: HttpRequest, version_id: int) -> HttpResponse:
    version = get_object_or_404(DraftVersion.objects.select_related("draft"), pk=version_id)
    try:
        actions.finding_override(
            version, key=request.POST.get("finding", ""), justification=request.POST.get("justification", ""), acting_user=acting_user(request)
        )
    except CopydeskError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Override recorded with your justification; it will be shown on the approval.")
    return redirect("draft_detail", draft_id=version.draft_id)
