"""Prompt templates in the browser: versions with diffs, editing as a new version, and a preview of the exact prompt."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from workbench.access import acting_user, role_required
from workbench.brand.actions import MAX_PROMPT_SOURCE_CHARS, prompt_version_create
from workbench.brand.files import prompt_file_drift, prompt_load_file
from workbench.brand.files import unified_diff as yaml_diff
from workbench.brand.models import PromptTemplate, Segment
from workbench.brand.views import load_file_with_message
from workbench.errors import CopydeskError
from workbench.generation.context import prompt_context
from workbench.generation.models import Brief
from workbench.generation.prompting import render_prompt


class PromptForm(forms.Form):
    system_source = forms.CharField(
        label="System part", max_length=MAX_PROMPT_SOURCE_CHARS, widget=forms.Textarea(attrs={"rows": 18, "spellcheck": "false"}), strip=False
    )
    user_source = forms.CharField(
        label="User part", max_length=MAX_PROMPT_SOURCE_CHARS, widget=forms.Textarea(attrs={"rows": 14, "spellcheck": "false"}), strip=False
    )


def prompt_list(request: HttpRequest) -> HttpResponse:
    prompts = PromptTemplate.objects.prefetch_related("versions")
    return render(request, "prompts/list.html", {"prompts": prompts})


def prompt_detail(request: HttpRequest, slug: str) -> HttpResponse:
    template = get_object_or_404(PromptTemplate, slug=slug)
    versions = list(template.versions.select_related("created_by").order_by("-number"))
    number = request.GET.get("version", "")
    shown = next((v for v in versions if str(v.number) == number), versions[0] if versions else None)
    previous = next((v for v in versions if shown and v.number == shown.number - 1), None)
    diffs = []
    if shown and previous:
        for part, attr in (("system", "system_source"), ("user", "user_source")):
            diffs.append((part, yaml_diff(getattr(previous, attr), getattr(shown, attr), before_name=f"{previous} {part}", after_name=f"{shown} {part}")))
    context = {"template": template, "versions": versions, "shown": shown, "previous": previous, "diffs": diffs, "drift": prompt_file_drift(template)}
    return render(request, "prompts/detail.html", context)


@require_POST
@role_required("is_copydesk_admin")
def prompt_load_file_view(request: HttpRequest, slug: str) -> HttpResponse:
    """Load prompts/<slug>.*.j2 as a new version; the prompt page showed the diff against the current one first."""
    template = get_object_or_404(PromptTemplate, slug=slug)
    before = template.versions.order_by("-number").first()
    load_file_with_message(request, lambda: prompt_load_file(template, acting_user=acting_user(request)), before, f"prompts/{template.slug}.*.j2")
    return redirect("prompt_detail", slug=template.slug)


@role_required("is_copydesk_admin")
def prompt_edit(request: HttpRequest, slug: str) -> HttpResponse:
    template = get_object_or_404(PromptTemplate, slug=slug)
    current = template.versions.order_by("-number").first()
    if current is None:
        raise Http404(f"{template.name} has no version to edit; load it with load_prompts.")
    form = PromptForm(request.POST or None, initial={"system_source": current.system_source, "user_source": current.user_source})
    if request.method == "POST" and form.is_valid():
        try:
            version = prompt_version_create(
                slug=template.slug, name=template.name, system_source=form.cleaned_data["system_source"],
                user_source=form.cleaned_data["user_source"], acting_user=acting_user(request),
            )
        except CopydeskError as exc:
            form.add_error(None, exc.message)
        else:
            if version.pk == current.pk:
                messages.info(request, "Nothing changed, so no new version was made.")
            else:
                messages.success(request, f"Saved as version {version.number}. New generation runs use it; drafts keep the version they were written with.")
            return redirect("prompt_detail", slug=template.slug)
    return render(request, "prompts/edit.html", {"template": template, "current": current, "form": form}, status=400 if form.errors else 200)


def _id_params(request: HttpRequest, *names: str) -> tuple[dict[str, int | None], list[str]]:
    """Whole numbers from the query string; anything else is named in an error instead of reaching the database."""
    values: dict[str, int | None] = {}
    errors = []
    for name in names:
        raw = request.GET.get(name, "")
        values[name] = None
        if raw == "":
            continue
        if raw.isascii() and raw.isdigit() and len(raw) <= 9:
            values[name] = int(raw)
        else:
            errors.append(f"“{name}” must be a whole number from the lists on this page; the defaults are shown instead.")
    return values, errors


def prompt_preview(request: HttpRequest, slug: str) -> HttpResponse:
    """Render the exact prompt a brief × segment × channel would send, before anything is sent."""
    template = get_object_or_404(PromptTemplate, slug=slug)
    ids, errors = _id_params(request, "version", "brief", "segment")
    versions = template.versions.order_by("-number")
    version = versions.filter(number=ids["version"] or 0).first() or versions.first()
    briefs = Brief.objects.select_related("brand").order_by("-created_at")[:50]
    brief = Brief.objects.select_related("brand").filter(pk=ids["brief"] or 0).first() or (briefs[0] if briefs else None)
    context: dict[str, object] = {"template": template, "version": version, "briefs": briefs, "brief": brief, "query_errors": errors}
    if brief is not None and version is not None:
        segments = list(brief.segments.order_by("name"))
        segment = next((s for s in segments if s.pk == ids["segment"]), segments[0] if segments else None)
        wanted = request.GET.get("channel", "")
        channel: str = wanted if wanted in brief.channels else brief.channels[0]
        context.update({"segments": segments, "segment": segment, "channels": brief.channels, "channel": channel})
        if isinstance(segment, Segment):
            data = prompt_context(brief=brief, segment=segment, channel=channel, guide=brief.brand.current_guide(), past_rejections=[])
            try:
                context["rendered"] = render_prompt(version.system_source, version.user_source, data)
            except CopydeskError as exc:
                context["render_error"] = exc.message
    return render(request, "prompts/preview.html", context, status=400 if errors else 200)
