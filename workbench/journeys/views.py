from __future__ import annotations

from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from workbench.access import acting_user, role_required
from workbench.errors import CopydeskError
from workbench.generation.models import DraftVersion
from workbench.journeys import actions
from workbench.journeys.forms import ApiClientForm
from workbench.journeys.models import ApiClient, Journey, JourneyStep, Publication


def journey_list(request: HttpRequest) -> HttpResponse:
    live = Publication.objects.live().select_related("segment", "version__draft")
    journeys = Journey.objects.select_related("brand").prefetch_related(
        Prefetch("steps", queryset=JourneyStep.objects.prefetch_related(Prefetch("publications", queryset=live, to_attr="live")))
    )
    return render(request, "journeys/journey_list.html", {"journeys": journeys})


def step_detail(request: HttpRequest, journey_slug: str, step_slug: str) -> HttpResponse:
    step = get_object_or_404(JourneyStep.objects.select_related("journey", "default_segment"), journey__slug=journey_slug, slug=step_slug)
    history = step.publications.select_related("segment", "version__draft", "created_by").prefetch_related("outcomes")
    return render(request, "journeys/step_detail.html", {"step": step, "journey": step.journey, "history": history})


@require_POST
@role_required("can_publish")
def publish(request: HttpRequest, version_id: int) -> HttpResponse:
    version = get_object_or_404(DraftVersion.objects.select_related("draft"), pk=version_id)
    step = get_object_or_404(JourneyStep, pk=request.POST.get("step") or 0)
    try:
        weight = int(request.POST.get("weight") or 100)
        publication = actions.publication_create(step, version=version, weight=weight, acting_user=acting_user(request))
    except ValueError:
        messages.error(request, "The weight must be a whole number.")
    except CopydeskError as exc:
        messages.error(request, exc.message)
    else:
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
        data = form.cleaned_data
        try:
            client, token = actions.api_client_create(
                name=data["name"], journeys=list(data["journeys"]), all_journeys=data["all_journeys"],
                can_check=data["can_check"], acting_user=acting_user(request),
            )
        except CopydeskError as exc:
            form.add_error("name" if exc.code == "conflict" else None, exc.message)
        else:
            form = ApiClientForm()
    clients = ApiClient.objects.prefetch_related("journeys")
    return render(request, "journeys/api_clients.html", {"form": form, "clients": clients, "token": token})


@require_POST
@role_required("is_copydesk_admin")
def api_client_revoke(request: HttpRequest, client_id: int) -> HttpResponse:
    client = get_object_or_404(ApiClient, pk=client_id)
    actions.api_client_revoke(client, acting_user=acting_user(request))
    messages.success(request, f"Revoked {client.name}; its token stops working now.")
    return redirect("api_client_list")
