from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from workbench.access import acting_user, role_required
from workbench.action_errors import errors_as_messages
from workbench.errors import CopydeskError
from workbench.generation import actions
from workbench.generation.forms import CHANNEL_HELP, BriefForm
from workbench.generation.estimate import brief_plan, form_plan
from workbench.generation.models import Brief, BriefRevision, Draft, DraftState, GenerationJob, GenerationRun, RunStatus
from workbench.generation.query import id_param
from workbench.htmx import HtmxHttpRequest


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


def _brief_args(form: BriefForm) -> dict[str, Any]:
    """The form's answers as the brief actions take them."""
    data = form.cleaned_data
    return {
        "title": data["title"], "goal": data["goal"], "key_message": data["key_message"], "offer": data["offer"],
        "call_to_action": data["call_to_action"], "segments": list(data["segments"]), "channels": data["channels"],
        "variants_per_segment": data["variants_per_segment"], "tone_context": data["tone_context"],
        "prompt_template": data["prompt_template"], "llm_model": data["llm_model"],
        "llm_parameters": {} if data["temperature"] is None else {"temperature": data["temperature"]},
        "locales": data.get("locales") or [], "locale_key_messages": form.locale_key_messages(),
    }


def _form_page(request: HttpRequest, form: BriefForm, brief: Brief | None = None, **context: Any) -> HttpResponse:
    data = request.POST if form.is_bound else {**form.initial, "brand": str(form.initial.get("brand") or "")}
    plan = form_plan(data, brief.brand if brief else None)
    context = {"form": form, "channel_help": CHANNEL_HELP, "plan": plan, "brief": brief, **context}
    # A form sent back with its errors (and what was typed) answers 400, as the guide and publishing forms do.
    return render(request, "generation/brief_form.html", context, status=400 if form.is_bound and form.errors else 200)


@role_required("can_author")
def brief_create(request: HttpRequest) -> HttpResponse:
    source_id = id_param(request.GET.get("from"))
    source = Brief.objects.filter(pk=source_id).prefetch_related("segments").first() if source_id else None
    form = BriefForm(request.POST or None, initial=BriefForm.initial_from(source) if source else None)
    if request.method == "POST" and form.is_valid():
        try:
            brief = actions.brief_create(brand=form.cleaned_data["brand"], **_brief_args(form), acting_user=acting_user(request))
        except CopydeskError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Brief saved. Click Generate to write the drafts.")
            return redirect("brief_detail", brief_id=brief.pk)
    return _form_page(request, form, source=source)


@role_required("can_author")
def brief_edit(request: HttpRequest, brief_id: int) -> HttpResponse:
    brief = get_object_or_404(Brief.objects.select_related("brand").prefetch_related("segments"), pk=brief_id)
    if not actions.can_manage_brief(acting_user(request), brief):
        raise PermissionDenied("Only the brief's author or an admin can edit it.")
    form = BriefForm(request.POST or None, initial=BriefForm.initial_from(brief, copy=False))
    form.fix_brand(brief.brand)
    if request.method == "POST" and form.is_valid():
        before = brief.revision
        try:
            brief = actions.brief_update(brief, **_brief_args(form), acting_user=acting_user(request))
        except CopydeskError as exc:
            form.add_error(None, exc.message)
        else:
            if brief.revision != before:
                messages.success(request, f"Saved as revision {brief.revision}. Drafts already written stay with revision {before}; Generate writes from this one.")
            else:
                messages.success(request, "Brief saved.")
            return redirect("brief_detail", brief_id=brief.pk)
    return _form_page(request, form, brief=brief, generated=brief.runs.exists())


@require_POST
@role_required("can_author")
def brief_estimate(request: HtmxHttpRequest) -> HttpResponse:
    """The brief form's draft count and cost for what is filled in so far; stores nothing."""
    brief_id = id_param(request.POST.get("brief"))
    brief = Brief.objects.select_related("brand").filter(pk=brief_id).first() if brief_id else None
    plan = form_plan(request.POST, brief.brand if brief else None)
    return render(request, "generation/brief_form.html#estimate", {"plan": plan})


def brief_revision(request: HttpRequest, brief_id: int, number: int) -> HttpResponse:
    """An earlier revision of a brief as it read, with the drafts generated from it."""
    brief = get_object_or_404(Brief.objects.select_related("brand"), pk=brief_id)
    revision = get_object_or_404(BriefRevision.objects.select_related("created_by", "replaced_by"), brief=brief, number=number)
    drafts = brief.drafts.filter(brief_revision=number).select_related("segment").order_by("number")
    return render(request, "generation/brief_revision.html", {"brief": brief, "revision": revision, "drafts": drafts})


def _generating_message(run_jobs: int, drafts: int) -> str:
    return f"Generating {run_jobs} segment × channel combinations ({drafts} drafts). This page updates as they finish."


@role_required("can_author")
def brief_generate_confirm(request: HttpRequest, brief_id: int) -> HttpResponse:
    """Generate again, asked first: how many drafts it adds to those the brief already has. Works without JavaScript."""
    brief = get_object_or_404(Brief.objects.select_related("brand"), pk=brief_id)
    existing = brief.drafts.count()
    return render(request, "generation/brief_generate_confirm.html", {"brief": brief, "plan": brief_plan(brief), "existing": existing})


@require_POST
@role_required("can_author")
def brief_generate(request: HtmxHttpRequest, brief_id: int) -> HttpResponse:
    brief = get_object_or_404(Brief, pk=brief_id)
    if brief.drafts.exists() and request.POST.get("confirm") != "yes":
        # Generate again adds drafts beside those already there: the confirmation page says how many and asks.
        return _go(request, reverse("brief_generate_confirm", args=[brief.pk]))
    with errors_as_messages(request):
        run = actions.generation_start(brief, acting_user=acting_user(request))
        messages.success(request, _generating_message(run.jobs.count(), sum(run.jobs.values_list("variants", flat=True))))
    return _go(request, reverse("brief_detail", args=[brief.pk]))


def _go(request: HtmxHttpRequest, url: str) -> HttpResponse:
    """A redirect, or for htmx (which would swap the next page into the button) a client-side one."""
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _back_to_grid(request: HttpRequest, draft: Draft) -> HttpResponse:
    """Back where the button was: the draft's page, or the brief's grid with its filter."""
    if request.POST.get("back") == "draft":
        return redirect("draft_detail", draft_id=draft.pk)
    state = request.POST.get("state", "")
    query = f"?state={state}" if state in (*DraftState.values, "discarded") else ""
    return redirect(reverse("brief_detail", args=[draft.brief_id]) + query)


@require_POST
@role_required("can_author")
def draft_discard(request: HttpRequest, draft_id: int) -> HttpResponse:
    draft = get_object_or_404(Draft.objects.select_related("brief"), pk=draft_id)
    with errors_as_messages(request):
        actions.draft_discard(draft, acting_user=acting_user(request))
        messages.success(request, f"Draft #{draft.number} discarded. It is under Discarded, where it can be restored.")
    return _back_to_grid(request, draft)


@require_POST
@role_required("can_author")
def draft_restore(request: HttpRequest, draft_id: int) -> HttpResponse:
    draft = get_object_or_404(Draft.objects.select_related("brief"), pk=draft_id)
    with errors_as_messages(request):
        actions.draft_restore(draft, acting_user=acting_user(request))
        messages.success(request, f"Draft #{draft.number} restored to the grid.")
    return _back_to_grid(request, draft)
@require_POST
@role_required("can_author")
def run_cancel(request: HttpRequest, run_id: int) -> HttpResponse:
    run = get_object_or_404(GenerationRun, pk=run_id)
    actions.generation_cancel(run, acting_user=acting_user(request))
    messages.info(request, "Generation cancelled; drafts already written are kept.")
    return redirect("brief_detail", brief_id=run.brief_id)
