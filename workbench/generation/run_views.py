"""Buttons that start generation work: retry a run's failed parts; regenerate, rewrite or extend one draft."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from workbench.access import acting_user, role_required
from workbench.action_errors import errors_as_messages
from workbench.errors import CopydeskError
from workbench.generation import actions
from workbench.generation.models import Draft, GenerationRun, JobMode

WHAT_HAPPENS = {
    JobMode.REGENERATE: "A fresh alternative is being written; it becomes version {next} when it is ready.",
    JobMode.REWRITE: "The rewrite is being written; it becomes version {next} when it is ready.",
    JobMode.MORE_LIKE_THIS: "More drafts like this one are being written; they appear in the brief's grid when ready.",
}


@require_POST
@role_required("can_author")
def run_retry(request: HttpRequest, run_id: int) -> HttpResponse:
    run = get_object_or_404(GenerationRun, pk=run_id)
    with errors_as_messages(request):
        count = actions.generation_retry_failed(run, acting_user=acting_user(request))
        messages.success(request, f"Retrying {count} failed part(s); the drafts already written are kept.")
    return redirect("brief_detail", brief_id=run.brief_id)


@require_POST
@role_required("can_author")
def draft_variation(request: HttpRequest, draft_id: int) -> HttpResponse:
    draft = get_object_or_404(Draft, pk=draft_id)
    mode = request.POST.get("mode", "")
    with errors_as_messages(request):
        if mode not in (JobMode.REGENERATE, JobMode.REWRITE, JobMode.MORE_LIKE_THIS):
            raise CopydeskError("Choose regenerate, rewrite or more like this.")
        try:
            base = int(request.POST.get("base_version") or 0)
            count = int(request.POST.get("count") or 1)
        except ValueError:
            raise CopydeskError("The version and count must be whole numbers.") from None
        actions.draft_request_variation(
            draft, mode=JobMode(mode), base_version=base, count=count,
            instruction=request.POST.get("instruction", ""), acting_user=acting_user(request),
        )
        messages.success(request, WHAT_HAPPENS[JobMode(mode)].format(next=base + 1))
    return redirect("draft_detail", draft_id=draft.pk)
