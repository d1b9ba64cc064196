from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from workbench.access import acting_user, role_required
from workbench.checks.engine import CHANNEL_FIELDS
from workbench.errors import CopydeskError
from workbench.generation import actions
from workbench.generation.forms import BriefForm, DraftEditForm
from workbench.generation.models import Brief, Draft, DraftState, GenerationRun
from workbench.generation.presenters import brief_grid, draft_page_context


def brief_list(request: HttpRequest) -> HttpResponse:
    briefs = (
        Brief.objects.select_related("brand", "created_by")
        .annotate(
            draft_count=Count("drafts", distinct=True),
            in_review=Count("drafts", filter=Q(drafts__state=DraftState.IN_REVIEW), distinct=True),
            approved=Count("drafts", filter=Q(drafts__state=DraftState.APPROVED), distinct=True),
        )
        .order_by("-created_at")
    )
    return render(request, "generation/brief_list.html", {"briefs": briefs})


@role_required("can_author")
def brief_create(request: HttpRequest) -> HttpResponse:
    form = BriefForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            brief = actions.brief_create(
                brand=data["brand"], title=data["title"], goal=data["goal"], key_message=data["key_message"],
                offer=data["offer"], call_to_action=data["call_to_action"], segments=list(data["segments"]),
                channels=data["channels"], variants_per_segment=data["variants_per_segment"],
                tone_context=data["tone_context"], prompt_template=data["prompt_template"], acting_user=acting_user(request),
            )
        except CopydeskError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Brief saved. Click Generate to write the drafts.")
            return redirect("brief_detail", brief_id=brief.pk)
    return render(request, "generation/brief_form.html", {"form": form})


def brief_detail(request: HttpRequest, brief_id: int) -> HttpResponse:
    brief = get_object_or_404(Brief.objects.select_related("brand", "created_by", "prompt_template"), pk=brief_id)
    run = GenerationRun.objects.filter(brief=brief).prefetch_related("jobs__segment").first()
    context = {"brief": brief, "run": run, "grid": brief_grid(brief), "state_filter": request.GET.get("state", "")}
    template = "generation/brief_detail.html#progress" if request.htmx and request.GET.get("part") == "progress" else "generation/brief_detail.html"
    return render(request, template, context)


@require_POST
@role_required("can_author")
def brief_generate(request: HttpRequest, brief_id: int) -> HttpResponse:
    brief = get_object_or_404(Brief, pk=brief_id)
    try:
        run = actions.generation_start(brief, acting_user=acting_user(request))
    except CopydeskError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Generating {run.jobs.count()} segment × channel combinations. This page updates as they finish.")
    return redirect("brief_detail", brief_id=brief.pk)


@require_POST
@role_required("can_author")
def run_cancel(request: HttpRequest, run_id: int) -> HttpResponse:
    run = get_object_or_404(GenerationRun, pk=run_id)
    actions.generation_cancel(run, acting_user=acting_user(request))
    messages.info(request, "Generation cancelled; drafts already written are kept.")
    return redirect("brief_detail", brief_id=run.brief_id)


def draft_detail(request: HttpRequest, draft_id: int) -> HttpResponse:
    draft = get_object_or_404(Draft.objects.select_related("brief__brand", "segment", "created_by"), pk=draft_id)
    return render(request, "generation/draft_detail.html", draft_page_context(draft, acting_user(request)))


@require_POST
def draft_edit(request: HttpRequest, draft_id: int) -> HttpResponse:
    draft = get_object_or_404(Draft.objects.select_related("brief__brand", "segment"), pk=draft_id)
    form = DraftEditForm(request.POST, channel_fields=CHANNEL_FIELDS[draft.channel])
    if form.is_valid():
        data = dict(form.cleaned_data)
        base = data.pop("base_version")
        try:
            version = actions.draft_edit(draft, fields=data, base_version=base, acting_user=acting_user(request))
        except CopydeskError as exc:
            context = draft_page_context(draft, acting_user(request), edit_form=form)
            context["edit_error"] = exc.message
            return render(request, "generation/draft_detail.html", context, status=exc.http_status)
        messages.success(request, f"Saved as version {version.number}; it was checked again and needs a fresh review.")
    return redirect("draft_detail", draft_id=draft.pk)


@require_POST
def draft_submit(request: HttpRequest, draft_id: int) -> HttpResponse:
    draft = get_object_or_404(Draft, pk=draft_id)
    try:
        actions.draft_submit(draft, acting_user=acting_user(request))
    except CopydeskError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Submitted for review. A reviewer other than you will decide on it.")
    return redirect("draft_detail", draft_id=draft.pk)
