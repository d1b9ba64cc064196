from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Exists, OuterRef, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from workbench.access import acting_user, role_required
from workbench.errors import CopydeskError
from workbench.generation import actions
from workbench.generation.forms import CHANNEL_HELP, BriefForm
from workbench.generation.models import Brief, DraftState, GenerationJob, GenerationRun, RunStatus
from workbench.generation.query import id_param


def brief_list(request: HttpRequest) -> HttpResponse:
    generating = GenerationJob.objects.filter(run__brief=OuterRef("pk"), run__cancelled=False, status__in=[RunStatus.QUEUED, RunStatus.RUNNING])
    briefs = (
        Brief.objects.select_related("brand", "created_by")
        .annotate(
            draft_count=Count("drafts"),
            drafting=Count("drafts", filter=Q(drafts__state=DraftState.DRAFT)),
            in_review=Count("drafts", filter=Q(drafts__state=DraftState.IN_REVIEW)),
            approved=Count("drafts", filter=Q(drafts__state=DraftState.APPROVED)),
            rejected=Count("drafts", filter=Q(drafts__state=DraftState.REJECTED)),
            generating=Exists(generating),
        )
        .order_by("-created_at", "-id")
    )
    return render(request, "generation/brief_list.html", {"briefs": briefs})


@role_required("can_author")
def brief_create(request: HttpRequest) -> HttpResponse:
    source_id = id_param(request.GET.get("from"))
    source = Brief.objects.filter(pk=source_id).prefetch_related("segments").first() if source_id else None
    form = BriefForm(request.POST or None, initial=BriefForm.initial_from(source) if source else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            brief = actions.brief_create(
                brand=data["brand"], title=data["title"], goal=data["goal"], key_message=data["key_message"],
                offer=data["offer"], call_to_action=data["call_to_action"], segments=list(data["segments"]),
                channels=data["channels"], variants_per_segment=data["variants_per_segment"],
                tone_context=data["tone_context"], prompt_template=data["prompt_template"], llm_model=data["llm_model"],
                llm_parameters={} if data["temperature"] is None else {"temperature": data["temperature"]},
                acting_user=acting_user(request),
            )
        except CopydeskError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Brief saved. Click Generate to write the drafts.")
            return redirect("brief_detail", brief_id=brief.pk)
    return render(request, "generation/brief_form.html", {"form": form, "source": source, "channel_help": CHANNEL_HELP})


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
