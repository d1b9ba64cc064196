from __future__ import annotations

from itertools import groupby
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.views.decorators.http import require_POST

from workbench.access import acting_user, role_required
from workbench.accounts.models import User
from workbench.action_errors import errors_as_messages
from workbench.brand.models import Segment
from workbench.errors import CopydeskError
from workbench.generation.models import DraftVersion
from workbench.generation.previews import channel_preview, current_guide_data
from workbench.htmx import HtmxHttpRequest
from workbench.journeys import actions
from workbench.journeys.forms import ApiClientForm, JourneyForm, JourneyNameForm, OutcomeRangeForm, PublishForm, StepCreateForm, StepSettingsForm
from workbench.journeys.models import ApiClient, Journey, JourneyStep, Publication
from workbench.journeys.stats import SIGNIFICANCE_METHOD, compare_variants, outcome_series, performance_by, write_series_csv


def _holding(journeys: QuerySet[Journey]) -> QuerySet[Journey]:
    """Journeys with their steps, each step with what it serves now (`held`) or, while the journey is paused, what Resume restores."""
    held = Publication.objects.in_window().select_related("segment", "version__draft").order_by("segment__name", "locale", "pk")
    return journeys.prefetch_related(Prefetch("steps", queryset=JourneyStep.objects.prefetch_related(Prefetch("publications", queryset=held, to_attr="held"))))


def journey_list(request: HttpRequest) -> HttpResponse:
    return render(request, "journeys/journey_list.html", {"journeys": _holding(Journey.objects.select_related("brand"))})


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
    return render(request, "journeys/journey_form.html", {"form": form}, status=400 if form.errors else 200)


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
    return render(request, "journeys/journey_form.html", {"form": form, "journey": journey, "step_form": step_form},
                  status=400 if form.errors else 200)


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
    return render(request, "journeys/step_form.html", {"form": form, "step": step, "journey": step.journey},
                  status=400 if form.errors else 200)


def step_detail(request: HttpRequest, journey_slug: str, step_slug: str) -> HttpResponse:
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
        "publish_form": PublishForm(step=step) if acting_user(request).can_publish else None,
    }
    return render(request, "journeys/step_detail.html", context)


@require_POST
@role_required("can_publish")
def step_publish(request: HtmxHttpRequest, journey_slug: str, step_slug: str) -> HttpResponse:
    step = _step(journey_slug, step_slug)
    done = reverse("step_detail", args=[journey_slug, step_slug])
    return _publish_dialog(request, PublishForm(request.POST, step=step), action=request.path, done=done)


@require_POST
@role_required("can_publish")
def publish(request: HtmxHttpRequest, version_id: int) -> HttpResponse:
    """Publish from a draft's page: the same dialog as the step page's, with the step to choose."""
    version = get_object_or_404(DraftVersion.objects.select_related("draft__brief", "draft__segment"), pk=version_id)
    done = reverse("draft_detail", args=[version.draft_id])
    return _publish_dialog(request, PublishForm(request.POST, version=version), action=request.path, done=done)


STALE_PREVIEW = "The choices, or what is live there, changed after the preview was made; check what will be live now, then confirm."


def _publish_dialog(request: HtmxHttpRequest, form: PublishForm, *, action: str, done: str) -> HttpResponse:
    """Choose, preview, confirm: the publishing dialog's server side, the same from a draft's page and a step's page.

    An htmx change asks for the preview alone; a submit without a confirmed, current preview shows the confirm page
    (which is how it works without JavaScript); a confirm whose preview still holds publishes.
    """
    user = acting_user(request)
    plan = _plan(form, user)
    context: dict[str, Any] = {"form": form, "plan": plan, "action": action, "cancel": done}
    if request.htmx and request.POST.get("preview") == "1":
        return render(request, "journeys/_publish_dialog.html#preview", {**context, "live_preview": True})
    if plan is not None and request.POST.get("confirm") == "1":
        if form.cleaned_data["plan"] != plan.token:
            context["notice"] = STALE_PREVIEW
        else:
            arguments = form.plan_arguments()
            try:
                publication = actions.publication_create(arguments.pop("step"), expected_plan=plan.token, acting_user=user, **arguments)
            except CopydeskError as exc:
                form.add_error(None, exc.message)
                context["plan"] = _plan(form, user)  # a fresh preview, when there is still one to confirm
            else:
                messages.success(request, _published(plan, publication))
                return redirect(done)
    return render(request, "journeys/publish_confirm.html", context, status=400 if form.errors else 200)


def _plan(form: PublishForm, user: User) -> actions.PublishPlan | None:
    """The preview for the form's choices, or None with the reason on the form."""
    if not form.is_valid():
        return None
    arguments = form.plan_arguments()
    try:
        return actions.publication_plan(arguments.pop("step"), acting_user=user, **arguments)
    except CopydeskError as exc:
        if exc.message not in form.non_field_errors():
            form.add_error(None, exc.message)
        return None


def _published(plan: actions.PublishPlan, publication: Publication) -> str:
    where = f"{plan.step.journey.name} › {plan.step.name} for {publication.segment.name}"
    if plan.replace:
        what = f"replacing {len(plan.ending)} variant{pluralize(len(plan.ending))}" if plan.ending else "where nothing was live"
    else:
        what = f"as variant {plan.variants[-1].label} beside {len(plan.staying)} other{pluralize(len(plan.staying))}" if plan.staying else "as the only variant"
    when = "the API serves it once the journey is resumed" if plan.step.journey.paused else "the API serves it now"
    return f"Published on {where}, {what}; {when}."


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
def publication_end(request: HttpRequest, publication_id: int) -> HttpResponse:
    publication = get_object_or_404(Publication.objects.select_related("step__journey"), pk=publication_id)
    actions.publication_end(publication, acting_user=acting_user(request))
    messages.success(request, "Unpublished. The API no longer serves this version.")
    return redirect("step_detail", journey_slug=publication.step.journey.slug, step_slug=publication.step.slug)


@role_required("can_publish")
def journey_pause(request: HtmxHttpRequest, journey_slug: str) -> HttpResponse:
    """The kill switch, asked first: the page (or an htmx fragment) shows what pausing stops or resuming restores; its confirmed POST acts.

    `paused` says which way, so a page left open while someone else flipped the switch cannot flip it back by accident.
    """
    journey = get_object_or_404(_holding(Journey.objects.select_related("brand")), slug=journey_slug)
    wanted = request.POST.get("paused", request.GET.get("paused"))
    pause = wanted == "1" if wanted in ("0", "1") else not journey.paused
    if request.method == "POST" and request.POST.get("confirm") == "1" and wanted in ("0", "1"):
        if pause == journey.paused:
            messages.info(request, f"{journey.name} was already {'paused' if pause else 'live'}; nothing changed.")
        else:
            actions.journey_set_paused(journey, paused=pause, acting_user=acting_user(request))
            messages.warning(request, f"{journey.name} is paused: the API serves none of its content until it is resumed." if pause else f"{journey.name} is live again: the API serves what it held.")
        return redirect("journey_list")
    template = "journeys/pause_confirm.html#confirm" if request.htmx else "journeys/pause_confirm.html"
    return render(request, template, {"journey": journey, "pause": pause, "inline": bool(request.htmx)})


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
