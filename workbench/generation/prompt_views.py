"""Prompt templates in the browser: versions with diffs, editing as a new version, and a preview of the exact prompt."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from workbench.access import acting_user, role_required
from workbench.brand.actions import prompt_version_create
from workbench.brand.models import PromptTemplate, Segment
from workbench.brand.views import yaml_diff
from workbench.errors import CopydeskError
from workbench.generation.context import prompt_context
from workbench.generation.models import Brief
from workbench.generation.prompting import render_prompt


class PromptForm(forms.Form):
    system_source = forms.CharField(label="System part", widget=forms.Textarea(attrs={"rows": 18, "spellcheck": "false"}), strip=False)
    user_source = forms.CharField(label="User part", widget=forms.Textarea(attrs={"rows": 14, "spellcheck": "false"}), strip=False)


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
    context = {"template": template, "versions": versions, "shown": shown, "previous": previous, "diffs": diffs}
    return render(request, "prompts/detail.html", context)


@role_required("is_copydesk_admin")
def prompt_edit(request: HttpRequest, slug: str) -> HttpResponse:
    template = get_object_or_404(PromptTemplate, slug=slug)
    current = template.current_version()
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
    return render(request, "prompts/edit.html", {"template": template, "current": current, "form": form})


def prompt_preview(request: HttpRequest, slug: str) -> HttpResponse:
    """Render the exact prompt a brief × segment × channel would send, before anything is sent."""
    template = get_object_or_404(PromptTemplate, slug=slug)
    versions = template.versions.order_by("-number")
    version = versions.filter(number=request.GET.get("version") or 0).first() or versions.first()
    briefs = Brief.objects.select_related("brand").order_by("-created_at")[:50]
    brief = Brief.objects.select_related("brand").filter(pk=request.GET.get("brief") or 0).first() or (briefs[0] if briefs else None)
    context: dict[str, object] = {"template": template, "version": version, "briefs": briefs, "brief": brief}
    if brief is not None and version is not None:
        segments = list(brief.segments.order_by("name"))
        segment = next((s for s in segments if str(s.pk) == request.GET.get("segment")), segments[0] if segments else None)
        wanted = request.GET.get("channel", "")
        channel: str = wanted if wanted in brief.channels else brief.channels[0]
        context.update({"segments": segments, "segment": segment, "channels": brief.channels, "channel": channel})
        if isinstance(segment, Segment):
            data = prompt_context(brief=brief, segment=segment, channel=channel, guide=brief.brand.current_guide(), past_rejections=[])
            try:
                context["rendered"] = render_prompt(version.system_source, version.user_source, data)
            except CopydeskError as exc:
                context["render_error"] = exc.message
    return render(request, "prompts/preview.html", context)
