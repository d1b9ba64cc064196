from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.db.models import Count, Model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from workbench.access import acting_user, role_required
from workbench.action_errors import errors_as_messages
from workbench.brand import actions
from workbench.brand.files import guide_file_drift, guide_load_file
from workbench.brand.files import unified_diff as yaml_diff
from workbench.brand.forms import BrandModelForm, GuideForm, SegmentForm
from workbench.brand.models import Brand, BrandGuideVersion, PromptTemplate, Segment
from workbench.brand.recheck import recheck_progress
from workbench.errors import CopydeskError


def guide_list(request: HttpRequest) -> HttpResponse:
    brands = Brand.objects.annotate(version_count=Count("guide_versions", distinct=True), segment_count=Count("segments", distinct=True))
    prompts = PromptTemplate.objects.annotate(version_count=Count("versions"))
    return render(request, "brand/guide_list.html", {"brands": brands, "prompts": prompts})


def guide_detail(request: HttpRequest, slug: str) -> HttpResponse:
    brand = get_object_or_404(Brand, slug=slug)
    versions = list(brand.guide_versions.select_related("created_by").order_by("-number"))
    number = request.GET.get("version", "")
    shown = next((v for v in versions if str(v.number) == number), None) if number else (versions[0] if versions else None)
    if shown is None:
        raise Http404(f"{brand.name} has no guide version {number}.")
    previous = next((v for v in versions if v.number < shown.number), None)
    diff = yaml_diff(previous.source_yaml, shown.source_yaml, before_name=str(previous), after_name=str(shown)) if previous else None
    context = {
        "brand": brand, "versions": versions, "shown": shown, "previous": previous, "diff": diff, "segments": brand.segments.all(),
        "drift": guide_file_drift(brand), "recheck": recheck_progress(versions[0]),
    }
    return render(request, "brand/guide_detail.html", context)


def load_file_with_message(request: HttpRequest, load: Callable[[], Model], before: Model | None, what: str) -> None:
    """Run a load-from-file action and tell the admin what it did (a new version, or nothing to change)."""
    with errors_as_messages(request):
        version = load()
        if before is not None and version.pk == before.pk:
            messages.info(request, f"{what} says what the current version says, so no new version was made.")
        else:
            messages.success(request, f"Loaded {what} as version {getattr(version, 'number', '?')}.")


@require_POST
@role_required("is_copydesk_admin")
def guide_load_file_view(request: HttpRequest, slug: str) -> HttpResponse:
    """Load brandguide/<slug>.yaml as a new version; the guide page showed its diff against the current one first."""
    brand = get_object_or_404(Brand, slug=slug)
    before = brand.guide_versions.order_by("-number").first()
    load_file_with_message(request, lambda: guide_load_file(brand, acting_user=acting_user(request)), before, f"brandguide/{brand.slug}.yaml")
    return redirect("guide_detail", slug=brand.slug)


def guide_export(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    version = get_object_or_404(BrandGuideVersion.objects.select_related("brand"), brand__slug=slug, number=number)
    response = HttpResponse(version.source_yaml, content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{version.brand.slug}-v{version.number}.yaml"'
    return response


@role_required("is_copydesk_admin")
def guide_edit(request: HttpRequest, slug: str) -> HttpResponse:
    brand = get_object_or_404(Brand, slug=slug)
    current = brand.guide_versions.order_by("-number").first()
    if current is None:
        raise Http404(f"{brand.name} has no guide version to edit; load one with load_brandguide.")
    form = GuideForm(request.POST or None, initial={"source_yaml": current.source_yaml, "base_version": current.number})
    preview = None
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["source_yaml"]
        if "preview" in request.POST:
            preview = yaml_diff(current.source_yaml, text, before_name=str(current), after_name="your edit")
        else:
            try:
                version = actions.guide_version_create(
                    source_yaml=text, acting_user=acting_user(request), expected_slug=brand.slug, base_number=form.cleaned_data["base_version"]
                )
            except CopydeskError as exc:
                form.add_error(None, exc.message)
            else:
                if version.pk == current.pk:
                    messages.info(request, "The guide's rules did not change, so no new version was made.")
                else:
                    messages.success(request, f"Saved as version {version.number}. Approved and live content is being re-checked against it.")
                return redirect("guide_detail", slug=brand.slug)
    status = 400 if form.errors else 200
    context = {"brand": brand, "current": current, "base": current, "form": form, "preview": preview, "section": "yaml"}
    return render(request, "brand/guide_edit.html", context, status=status)


@role_required("is_copydesk_admin")
def segment_edit(request: HttpRequest, slug: str, segment_slug: str | None = None) -> HttpResponse:
    brand = get_object_or_404(Brand, slug=slug)
    segment = get_object_or_404(Segment, brand=brand, slug=segment_slug) if segment_slug else None
    contexts = sorted(((brand.current_guide().data.get("tone") or {}).get("contexts") or {}).keys())
    initial = {k: getattr(segment, k) for k in ("slug", "name", "description", "tone_context", "sensitive")} if segment else None
    form = SegmentForm(request.POST or None, initial=initial, contexts=contexts, segment=segment)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if segment is None and Segment.objects.filter(brand=brand, slug=data["slug"]).exists():
            form.add_error("slug", f"{brand.name} already has a segment {data['slug']!r}; edit that one instead.")
        else:
            try:
                saved = actions.segment_save(
                    brand=brand, slug=segment.slug if segment else data["slug"], name=data["name"], description=data["description"],
                    tone_context=data["tone_context"], sensitive=data["sensitive"],
                    attributes=segment.attributes if segment else None, acting_user=acting_user(request),
                )
            except CopydeskError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"Segment “{saved.name}” saved.")
                return redirect("guide_detail", slug=brand.slug)
    status = 400 if form.errors else 200
    return render(request, "brand/segment_form.html", {"brand": brand, "segment": segment, "form": form}, status=status)


@require_POST
@role_required("is_copydesk_admin")
def brand_model_settings(request: HttpRequest, slug: str) -> HttpResponse:
    brand = get_object_or_404(Brand, slug=slug)
    form = BrandModelForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(f"{name}: {' '.join(str(e) for e in errors)}" for name, errors in form.errors.items()))
    else:
        temperature = form.cleaned_data["temperature"]
        parameters = {**brand.llm_parameters}
        parameters.pop("temperature", None)
        if temperature is not None:
            parameters["temperature"] = temperature
        actions.brand_model_settings_update(brand, llm_model=form.cleaned_data["llm_model"], llm_parameters=parameters, acting_user=acting_user(request))
        messages.success(request, "Saved. New generation runs for this brand use these settings unless a brief names its own.")
    return redirect("guide_detail", slug=brand.slug)


@require_POST
@role_required("is_copydesk_admin")
def brand_review_webhook(request: HttpRequest, slug: str) -> HttpResponse:
    brand = get_object_or_404(Brand, slug=slug)
    try:
        actions.brand_review_webhook_update(brand, url=request.POST.get("review_webhook_url", "")[:2000], acting_user=acting_user(request))
    except CopydeskError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Saved. Review submissions, overdue escalations and reminders for this brand are posted there." if request.POST.get("review_webhook_url", "").strip() else "Saved: no webhook for this brand.")
    return redirect("guide_detail", slug=brand.slug)
