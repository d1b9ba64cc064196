from __future__ import annotations

from itertools import groupby

from django.conf import settings
from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from workbench.access import acting_user, role_required
from workbench.action_errors import errors_as_messages
from workbench.brand.models import Segment
from workbench.errors import CopydeskError
from workbench.generation.models import DraftVersion
from workbench.generation.previews import channel_preview, current_guide_data
from workbench.journeys import actions
from workbench.journeys.forms import ApiClientForm, JourneyForm, JourneyNameForm, OutcomeRangeForm, PublishForm, StepCreateForm, StepSettingsForm
from workbench.journeys.models import ApiClient, Journey, JourneyStep, Publication
from workbench.journeys.stats import SIGNIFICANCE_METHOD, compare_variants, outcome_series, performance_by, write_series_csv


def journey_list(request: HttpRequest) -> HttpResponse:
    live = Publication.objects.live().select_related("segment", "version__draft")
    journeys = Journey.objects.select_related("brand").prefetch_related(
        Prefetch("steps", queryset=JourneyStep.objects.prefetch_related(Prefetch("publications", queryset=live, to_attr="live")))
    )
    return render(request, "journeys/journey_list.html", {"journeys": journeys})


@role_required("can_publish")
def journey_create(request: HttpRequest) -> HttpResponse:
    form = JourneyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            journey = actions.journey_create(acting_user=acting_user(request), **form.cleaned_data)
        except CopydeskError as exc:
            form.add_error("slug" if exc.code == "conflict" else None, exc.message)
        else:
            messages.success(request, f"Created {journey.name}. Add its steps next.")
            return redirect("journey_edit", journey_slug=journey.slug)
    return render(request, "journeys/journey_form.html", {"form": form})


@role_required("can_publish")
def journey_edit(request: HttpRequest, journey_slug: str) -> HttpResponse:
    journey = get_object_or_404(Journey, slug=journey_slug)
    form = JourneyNameForm(request.POST or None, initial={"name": journey.name})
    step_form = StepCreateForm(journey=journey)
    if request.method == "POST" and form.is_valid():
        try:
            actions.journey_update(journey, name=form.cleaned_data["name"], acting_user=acting_user(request))
        except CopydeskError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Saved.")
            return redirect("journey_edit", journey_slug=journey.slug)
    return render(request, "journeys/journey_form.html", {"form": form, "journey": journey, "step_form": step_form})


@require_POST
@role_required("can_publish")
def step_create(request: HttpRequest, journey_slug: str) -> HttpResponse:
    journey = get_object_or_404(Journey, slug=journey_slug)
    step_form = StepCreateForm(request.POST, journey=journey)
    if step_form.is_valid():
        try:
            step = actions.journey_step_create(journey, acting_user=acting_user(request), **step_form.cleaned_data)
        except CopydeskError as exc:
            step_form.add_error("slug" if exc.code == "conflict" else None, exc.message)
        else:
            messages.success(request, f"Added step {step.name}.")
            return redirect("step_detail", journey_slug=journey.slug, step_slug=step.slug)
    form = JourneyNameForm(initial={"name": journey.name})
    return render(request, "journeys/journey_form.html", {"form": form, "journey": journey, "step_form": step_form}, status=400)


MAX_ID = 2**63 - 1  # the largest primary key any supported database stores


def _as_id(text: str) -> int | None:
    """An object id as a number the database can look up; None for anything else (words, negatives, huge numbers)."""
    text = text.strip()
    if not text.isascii() or not text.isdigit() or len(text) > 19:
        return None
    value = int(text)
    return value if 1 <= value <= MAX_ID else None


def _posted_id(request: HttpRequest, name: str) -> int | None:
    return _as_id(request.POST.get(name, ""))


def _step(journey_slug: str, step_slug: str) -> JourneyStep:
    return get_object_or_404(JourneyStep.objects.select_related("journey__brand", "default_segment"), journey__slug=journey_slug, slug=step_slug)


@role_required("can_publish")
def step_edit(request: HttpRequest, journey_slug: str, step_slug: str) -> HttpResponse:
    step = _step(journey_slug, step_slug)
    initial = {f: getattr(step, f) for f in ("name", "tone_context", "promotional", "suppress_signals", "default_segment")}
    form = StepSettingsForm(request.POST or None, initial=initial, journey=step.journey)
    if request.method == "POST" and form.is_valid():
        try:
            actions.journey_step_update(step, acting_user=acting_user(request), **form.cleaned_data)
        except CopydeskError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Step saved. The API follows at once.")
            return redirect("step_detail", journey_slug=journey_slug, step_slug=step_slug)
    return render(request, "journeys/step_form.html", {"form": form, "step": step, "journey": step.journey})


def step_detail(request: HttpRequest, journey_slug: str, step_slug: str, publish_form: PublishForm | None = None) -> HttpResponse:
    step = _step(journey_slug, step_slug)
    history = list(step.publications.select_related("segment", "version__draft", "created_by", "ended_by").prefetch_related("outcomes"))
    # Variants compete within a segment and locale, as the API letters its A/B arms.
    current = sorted((p for p in history if p.ended_at is None), key=lambda p: (p.segment.name, p.locale, p.pk))
    groups = [(segment, locale, compare_variants(pubs)) for (segment, locale), pubs in groupby(current, key=lambda p: (p.segment, p.locale))]
    ended_segments = {(p.segment, p.locale) for p in history if p.ended_at is not None}
    guide = current_guide_data(step.journey.brand)
    previews = [
        (segment, locale, r, channel_preview(r.publication.version, segment, brand=step.journey.brand, guide=guide))
        for segment, locale, results in groups for r in results
    ]
    context = {
        "step": step, "journey": step.journey, "history": history, "groups": groups, "method": SIGNIFICANCE_METHOD, "previews": previews,
        "rollback_segments": sorted(ended_segments, key=lambda s: (s[0].name, s[1])),
        "publish_form": publish_form or (PublishForm(step=step) if acting_user(request).can_publish else None),
    }
    return render(request, "journeys/step_detail.html", context, status=400 if publish_form else 200)


@require_POST
@role_required("can_publish")
def step_publish(request: HttpRequest, journey_slug: str, step_slug: str) -> HttpResponse:
    step = _step(journey_slug, step_slug)
    form = PublishForm(request.POST, step=step)
    if form.is_valid():
        try:
            publication = actions.publication_create(step, acting_user=acting_user(request), **form.cleaned_data)
        except CopydeskError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Live on {step} for {publication.segment.name}; the API serves it now.")
            return redirect("step_detail", journey_slug=journey_slug, step_slug=step_slug)
    return step_detail(request, journey_slug, step_slug, publish_form=form)


@require_POST
@role_required("can_publish")
def step_rollback(request: HttpRequest, journey_slug: str, step_slug: str) -> HttpResponse:
    step = _step(journey_slug, step_slug)
    segment = get_object_or_404(Segment, pk=_posted_id(request, "segment") or 0, brand_id=step.journey.brand_id)
    with errors_as_messages(request):
        restored = actions.publication_rollback(step, segment=segment, locale=request.POST.get("locale"), acting_user=acting_user(request))
        messages.success(request, f"Rolled back {segment.name}: publication(s) {', '.join(str(p.pk) for p in restored)} live again.")
    return redirect("step_detail", journey_slug=journey_slug, step_slug=step_slug)


@require_POST
@role_required("can_publish")
def step_weights(request: HttpRequest, journey_slug: str, step_slug: str) -> HttpResponse:
    step = _step(journey_slug, step_slug)
    with errors_as_messages(request):
        weights = _posted_weights(request)
        actions.publication_set_weights(step, weights=weights, acting_user=acting_user(request))
        messages.success(request, "Weights saved; variants at 0 are retired.")
    return redirect("step_detail", journey_slug=journey_slug, step_slug=step_slug)


def _posted_weights(request: HttpRequest) -> dict[int, int]:
    weights = {}
    for key in request.POST:
        if not key.startswith("weight-"):
            continue
        publication_id = _as_id(key.removeprefix("weight-"))
        value = request.POST[key].strip()
        if publication_id is None:
            raise CopydeskError("That weight belongs to no publication on this step; reload the page and try again.")
        if not (value.isascii() and value.isdigit() and len(value) <= 5 and int(value) <= 10000):
            raise CopydeskError("Weights are whole numbers from 0 (retire) to 10000.")
        weights[publication_id] = int(value)
    return weights


def performance(request: HttpRequest) -> HttpResponse:
    form = OutcomeRangeForm(request.GET, today=timezone.localdate())
    valid = not form.is_bound or form.is_valid()
    series = None
    if valid:
        start, end, step = form.range()
        series = outcome_series(start, end, step=step)
    tables = [
        ("Segment", performance_by(("publication__segment__name",), "{}")),
        ("Locale", performance_by(("publication__locale",), "{}")),
        ("Segment and locale", performance_by(("publication__segment__name", "publication__locale"), "{} · {}")),
        ("Prompt template version", performance_by(("publication__version__prompt_version__template__name", "publication__version__prompt_version__number"), "{} v{}")),
        ("Journey step", performance_by(("publication__step__journey__slug", "publication__step__slug"), "{}/{}")),
    ]
    context = {
        "tables": tables, "form": form, "series": series, "chart": series.chart_data() if series else None,
        "chartjs_available": settings.CHARTJS_DIST_DIR.is_dir(), "csv_query": request.GET.urlencode(),
    }
    return render(request, "journeys/performance.html", context, status=200 if valid else 400)


def performance_csv(request: HttpRequest) -> HttpResponse:
    """The data the performance page's chart draws, one row per variant and day, for a spreadsheet."""
    form = OutcomeRangeForm(request.GET, today=timezone.localdate())
    if form.is_bound and not form.is_valid():
        problems = " ".join(str(error) for errors in form.errors.values() for error in errors)
        return HttpResponse(f"Not a date range this download can use: {problems}\n", status=400, content_type="text/plain; charset=utf-8")
    start, end, step = form.range()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="outcomes-{start.isoformat()}-to-{end.isoformat()}.csv"'
    write_series_csv(outcome_series(start, end, step=step), response)
    return response


@require_POST
@role_required("can_publish")
def publish(request: HttpRequest, version_id: int) -> HttpResponse:
    """Publish from a draft's page: beside what is live, as another A/B variant (the step page can replace instead)."""
    version = get_object_or_404(DraftVersion.objects.select_related("draft"), pk=version_id)
    step = get_object_or_404(JourneyStep, pk=_posted_id(request, "step") or 0)
    weight_text = (request.POST.get("weight") or "100").strip()
    with errors_as_messages(request):
        if not (weight_text.isascii() and weight_text.isdigit() and len(weight_text) <= 5):
            raise CopydeskError("The A/B weight must be a whole number from 1 to 10000.")
        publication = actions.publication_create(step, version=version, weight=int(weight_text), acting_user=acting_user(request))
        messages.success(request, f"Live on {publication.step} for {publication.segment.name}; journeys pulling this step now get it.")
    return redirect("draft_detail", draft_id=version.draft_id)


@require_POST
@role_required("can_publish")
def publication_end(request: HttpRequest, publication_id: int) -> HttpResponse:
    publication = get_object_or_404(Publication.objects.select_related("step__journey"), pk=publication_id)
    actions.publication_end(publication, acting_user=acting_user(request))
    messages.success(request, "Unpublished. The API no longer serves this version.")
    return redirect("step_detail", journey_slug=publication.step.journey.slug, step_slug=publication.step.slug)


@require_POST
@role_required("can_publish")
def journey_pause(request: HttpRequest, journey_slug: str) -> HttpResponse:
    journey = get_object_or_404(Journey, slug=journey_slug)
    paused = request.POST.get("paused") == "1"
    actions.journey_set_paused(journey, paused=paused, acting_user=acting_user(request))
    messages.warning(request, f"{journey.name} is paused: the API serves none of its content." if paused else f"{journey.name} is live again.")
    return redirect("journey_list")


@role_required("is_copydesk_admin")
def api_client_list(request: HttpRequest) -> HttpResponse:
    form = ApiClientForm(request.POST or None)
    token = None
    if request.method == "POST" and form.is_valid():
        try:
            client, token = actions.api_client_create(acting_user=acting_user(request), **{**form.cleaned_data, "journeys": list(form.cleaned_data["journeys"])})
        except CopydeskError as exc:
            form.add_error("name" if exc.code == "conflict" else None, exc.message)
        else:
            form = ApiClientForm()
    clients = ApiClient.objects.prefetch_related("journeys")
    response = render(request, "journeys/api_clients.html", {"form": form, "clients": clients, "token": token})
    # The page may show a new token (once): no browser or proxy may keep a copy of it.
    response["Cache-Control"] = "no-store, no-cache, must-revalidate, private"
    response["Pragma"] = "no-cache"
    return response


@require_POST
@role_required("is_copydesk_admin")
def api_client_revoke(request: HttpRequest, client_id: int) -> HttpResponse:
    client = get_object_or_404(ApiClient, pk=client_id)
    actions.api_client_revoke(client, acting_user=acting_user(request))
    messages.success(request, f"Revoked {client.name}; its token stops working now.")
    return redirect("api_client_list")
