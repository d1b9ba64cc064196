from __future__ import annotations

from typing import Literal

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from pydantic import Field

from workbench.api import client_of
from workbench.errors import CopydeskError
from workbench.journeys import actions
from workbench.journeys.delivery import choose, merge_fields_in, suppressed_by
from workbench.journeys.models import Journey, JourneyStep, Publication

router = Router(tags=["journeys"])


class StepOut(Schema):
    slug: str
    channel: str
    live_segments: list[str]


class JourneyOut(Schema):
    slug: str
    name: str
    steps: list[StepOut]


class JourneyListOut(Schema):
    journeys: list[JourneyOut]


class ContentOut(Schema):
    content_id: int = Field(description="The draft this content comes from.")
    publication: int = Field(description="Report outcomes against this id.")
    version: int
    variant: int
    channel: str
    journey: str
    step: str
    segment: str
    fields: dict[str, str]
    merge_fields: list[str] = Field(description="Placeholders ({{ name }}) the fields expect to be filled.")


class Message(Schema):
    detail: str


class OutcomeIn(Schema):
    publication: int
    event: Literal["delivered", "opened", "clicked", "converted", "unsubscribed"]
    count: int = Field(ge=1, le=10_000_000)


class OutcomesOut(Schema):
    recorded: int


def _journey_in_scope(request: HttpRequest, journey_slug: str) -> Journey:
    journey = get_object_or_404(Journey, slug=journey_slug)
    if not client_of(request).may_access(journey):
        raise CopydeskError(f"This API client may not access journey {journey_slug!r}.", code="forbidden")
    return journey


@router.get("", response=JourneyListOut, summary="Journeys in this client's scope and what is live on them")
def list_journeys(request: HttpRequest) -> dict[str, object]:
    client = client_of(request)
    journeys = Journey.objects.all() if client.all_journeys else client.journeys.all()
    live = Publication.objects.live().select_related("segment")
    journeys = journeys.prefetch_related(Prefetch("steps", queryset=JourneyStep.objects.prefetch_related(Prefetch("publications", queryset=live, to_attr="live"))))
    return {
        "journeys": [
            {
                "slug": j.slug,
                "name": j.name,
                "steps": [
                    {"slug": s.slug, "channel": s.channel, "live_segments": sorted({p.segment.slug for p in s.live}) if not j.paused else []}
                    for s in j.steps.all()
                ],
            }
            for j in journeys
        ]
    }


@router.get(
    "/{journey}/steps/{step}/content",
    response={200: ContentOut, 204: None, 304: None, 403: Message, 404: Message},
    summary="The live, approved content for a step and segment",
)
def get_content(
    request: HttpRequest, journey: str, step: str, segment: str, subject_id: str | None = None, signals: str = ""
) -> HttpResponse | tuple[int, object]:
    journey_obj = _journey_in_scope(request, journey)
    step_obj = get_object_or_404(JourneyStep.objects.select_related("default_segment"), journey=journey_obj, slug=step)
    step_obj.journey = journey_obj
    signal_list = [s.strip() for s in signals.split(",") if s.strip()]
    if suppressed_by(step_obj, signal_list):
        return 204, None
    delivery = choose(step_obj, segment, subject_id)
    if delivery is None:
        return 404, {"detail": f"Nothing is published on {journey}/{step} for segment {segment!r} or the step's default segment."}
    if request.headers.get("If-None-Match") == delivery.etag:
        response = HttpResponse(status=304)
    else:
        publication = delivery.publication
        version = publication.version
        body = {
            "content_id": version.draft_id,
            "publication": publication.pk,
            "version": version.number,
            "variant": version.draft.variant,
            "channel": version.draft.channel,
            "journey": journey,
            "step": step,
            "segment": delivery.segment_slug,
            "fields": version.fields,
            "merge_fields": merge_fields_in(version.fields),
        }
        response = JsonResponse(body)
    response["ETag"] = delivery.etag
    response["Cache-Control"] = "private, no-cache"
    return response


@router.post(
    "/{journey}/steps/{step}/outcomes",
    response={200: OutcomesOut, 403: Message, 404: Message},
    summary="Report delivered, opened, clicked, converted and unsubscribed counts",
)
def post_outcomes(request: HttpRequest, journey: str, step: str, outcomes: list[OutcomeIn]) -> dict[str, int]:
    journey_obj = _journey_in_scope(request, journey)
    step_obj = get_object_or_404(JourneyStep, journey=journey_obj, slug=step)
    if not outcomes:
        raise CopydeskError("Send at least one outcome.")
    recorded = actions.outcomes_record(step_obj, [(o.publication, o.event, o.count) for o in outcomes], acting_client=client_of(request))
    return {"recorded": recorded}
