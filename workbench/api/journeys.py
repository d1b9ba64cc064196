from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Body, Header, Path, Query, Router, Schema
from pydantic import Discriminator, Field, StrictInt, Tag

from workbench.api.core import PATTERN_HINTS, UNION_BRANCH_TAGS, ApiRefusal, client_of
from workbench.checks.engine.channels import describe_channels
from workbench.brand.locales import LOCALE_PATTERN, declared, effective_locale, fallback_chain, guide_locales
from workbench.brand.merge import render_merge_fields
from workbench.errors import CopydeskError
from workbench.journeys import actions
from workbench.journeys.delivery import StepSnapshot, Variant, choose, load_snapshot, suppressed_by
from workbench.journeys.livecache import remembered
from workbench.journeys.models import Journey, JourneyStep, Publication

router: Router = Router(tags=["journeys"])

SLUG = r"^[-a-zA-Z0-9_]{1,64}$"
BATCH_ID = r"^[!-~]{1,100}$"
PATTERN_HINTS[SLUG] = "use 1 to 64 letters, digits, hyphens or underscores, like new-customers"
PATTERN_HINTS[BATCH_ID] = "use 1 to 100 visible ASCII characters without spaces"
PATTERN_HINTS[LOCALE_PATTERN] = "use a BCP 47 language tag like es-US"


class Message(Schema):
    error: str = Field(description="What went wrong, for programs: e.g. unknown_segment, journey_paused, nothing_live, invalid, forbidden.")
    detail: str = Field(description="What went wrong, in one sentence for the engineer reading the log.")


ERRORS: dict[int, type[Schema]] = {
    400: Message, 401: Message, 403: Message, 404: Message, 409: Message, 413: Message, 422: Message, 429: Message, 500: Message, 503: Message,
}


class StepOut(Schema):
    slug: str
    channel: str
    live_segments: list[str]
    live_locales: dict[str, list[str]] = Field(
        default_factory=dict, description="For each live segment, the locales it has live content in (BCP 47 tags, sorted)."
    )


class JourneyOut(Schema):
    slug: str
    name: str
    paused: bool = Field(description="The kill switch is on: nothing is served (content answers 404 journey_paused) and live_segments is empty.")
    steps: list[StepOut]


class JourneyListOut(Schema):
    journeys: list[JourneyOut]


class ContentOut(Schema):
    content_id: int = Field(description="The draft this content comes from.")
    publication: int = Field(description="Report outcomes against this id.")
    version: int
    variant: int = Field(description="The draft's number among the drafts generated for its brief (as shown in Copydesk).")
    variant_label: str = Field(description="The A/B arm: A, B, … in publishing order among what is live on this step for this segment.")
    variant_index: int = Field(description="The A/B arm as a number: 1 for A, 2 for B, …")
    channel: str
    journey: str
    step: str
    segment: str = Field(description="The segment this content was published for: the one asked for, or the step's default segment when it fell back.")
    requested_segment: str = Field(description="The segment asked for; differs from `segment` when the answer is the default segment's content.")
    locale: str = Field(description="The locale of the content served (BCP 47): the one asked for, or where the fallback chain found content.")
    requested_locale: str = Field(description="The locale asked for (the brand's default locale when none was given).")
    fields: dict[str, str] = Field(description=f"The approved copy, by channel: {describe_channels()}.")
    merge_fields: list[str] = Field(description="Placeholders ({{ name }}) the fields expect to be filled.")
    rendered: bool = Field(False, description="True when render=true filled the merge fields from `attributes`.")
    unfilled_merge_fields: list[str] = Field(default_factory=list, description="With render=true: placeholders left as written (no value, or not a merge field the brand guide knows).")


class OutcomeIn(Schema):
    # Strict: true, "5" and 5.0 are refused rather than read as numbers.
    publication: StrictInt = Field(ge=1, le=2**53)
    event: Literal["delivered", "opened", "clicked", "converted", "unsubscribed"]
    count: StrictInt = Field(ge=1, le=actions.MAX_OUTCOME_COUNT, description=f"A whole number from 1 to {actions.MAX_OUTCOME_COUNT:,}.")


class OutcomeBatchIn(Schema):
    batch_id: str = Field(pattern=BATCH_ID, description="Your id for this batch (1-100 visible ASCII characters): a retried batch is counted once.")
    outcomes: list[OutcomeIn] = Field(min_length=1, max_length=1000)


class OutcomesOut(Schema):
    recorded: int
    replayed: bool = Field(False, description="True when this batch id was already recorded; nothing was counted again.")


def _list_or_batch(value: Any) -> str:
    return "list" if isinstance(value, list) else "batch"


UNION_BRANCH_TAGS.update({"list", "batch"})
OutcomesBody = Annotated[
    Annotated[Annotated[list[OutcomeIn], Field(min_length=1, max_length=1000)], Tag("list")] | Annotated[OutcomeBatchIn, Tag("batch")],
    Discriminator(_list_or_batch),
]


def _snapshot_in_scope(request: HttpRequest, journey: str, step: str) -> StepSnapshot:
    snapshot = remembered(("step", journey, step), lambda: load_snapshot(journey, step), stamp=getattr(request, "live_stamp", None))
    if snapshot is None:
        raise ApiRefusal(f"There is no journey {journey!r}.", error="unknown_journey")
    if not client_of(request).may_access(snapshot.journey_id):
        raise CopydeskError(f"This API client may not access journey {journey!r}.", code="forbidden")
    if snapshot.step_id is None:
        raise ApiRefusal(f"Journey {journey!r} has no step {step!r}.", error="unknown_step")
    return snapshot


@router.get("", response={200: JourneyListOut, **ERRORS}, summary="Journeys in this client's scope and what is live on them")
def list_journeys(request: HttpRequest) -> dict[str, object]:
    client = client_of(request)
    journeys = Journey.objects.all() if client.all_journeys else client.journeys.all()
    live = Publication.objects.live().select_related("segment")
    journeys = journeys.prefetch_related(Prefetch("steps", queryset=JourneyStep.objects.prefetch_related(Prefetch("publications", queryset=live, to_attr="live"))))
    default_locales: dict[int, list[str]] = {}
    listed = []
    for j in journeys:
        if j.brand_id not in default_locales:
            guide = j.brand.guide_versions.order_by("-number").values_list("data", flat=True).first() or {}
            default_locales[j.brand_id] = guide_locales(guide)
        locales = default_locales[j.brand_id]
        steps = []
        for s in j.steps.all():
            publications = [] if j.paused else s.live  # type: ignore[attr-defined]
            live_locales: dict[str, set[str]] = {}
            for p in publications:
                live_locales.setdefault(p.segment.slug, set()).add(effective_locale(p.locale, locales))
            steps.append({
                "slug": s.slug, "channel": s.channel, "live_segments": sorted(live_locales),
                "live_locales": {slug: sorted(tags) for slug, tags in sorted(live_locales.items())},
            })
        listed.append({"slug": j.slug, "name": j.name, "paused": j.paused, "steps": steps})
    return {"journeys": listed}


def _parse_attributes(raw: str | None) -> dict[str, object]:
    if raw is None:
        return {}
    try:
        attributes = json.loads(raw)
    except ValueError:
        raise CopydeskError('attributes must be a JSON object, e.g. {"first_name": "Ann"}.') from None
    if not isinstance(attributes, dict) or not all(isinstance(v, (str, int, float)) or v is None for v in attributes.values()):
        raise CopydeskError('attributes must be a JSON object of names to strings or numbers, e.g. {"first_name": "Ann"}.')
    return attributes


def _etag_matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    tags = {t.strip().removeprefix("W/") for t in header.split(",")}
    return "*" in tags or etag in tags


def _representation(
    variant: Variant, requested_segment: str, snapshot: StepSnapshot, attributes: dict[str, object] | None, requested_locale: str
) -> tuple[bytes, str]:
    """The body and ETag to send: the encoded body as published unless it fell back or is rendered, which change the body and so its ETag."""
    if attributes is None and requested_segment == variant.body["segment"] and requested_locale == variant.body["locale"]:
        return variant.encoded, variant.etag
    body = dict(variant.body, requested_segment=requested_segment, requested_locale=requested_locale)
    etag = variant.etag[:-1]
    if requested_segment != variant.body["segment"]:
        etag += f"-f{requested_segment}"
    if requested_locale != variant.body["locale"]:
        etag += f"-l{requested_locale}"
    if attributes is not None:
        fields, unfilled = render_merge_fields(variant.body["fields"], attributes, snapshot.known_merge_fields)  # type: ignore[arg-type]
        body.update(fields=fields, rendered=True, unfilled_merge_fields=unfilled)
        etag += f"-r{actions.hash_token(json.dumps(attributes, sort_keys=True))[:16]}"
    return json.dumps(body, separators=(",", ":")).encode(), etag + '"'


@router.get(
    "/{journey}/steps/{step}/content",
    response={200: ContentOut, 204: None, 304: None, **ERRORS},
    summary="The live, approved content for a step and segment",
    description=(
        "A/B variants are picked by weight: deterministically per `subject_id`, at random without one; "
        "`variant_label` (A, B, …) and `publication` tell the arms apart. "
        "When the segment has nothing live the step's default segment's content is served, with `segment` saying so beside "
        "`requested_segment`, except for a segment marked sensitive, which never falls back. "
        "`locale` (none means the brand's default) serves the content published for that locale, "
        "else for another locale of the same language, else for the brand's default locale, unless `fallback=false`; `locale` in the body "
        "says what was served beside `requested_locale`. A locale the guide does not declare (a customer's `es-MX` where the brand "
        "writes `es-US`) is served the same way from its language's locales, then the default; with `fallback=false` it is a 400 "
        "(`unknown_locale`). "
        "204 when one of `signals` suppresses the step. 404 bodies carry an `error` code: `unknown_journey`, `unknown_step`, "
        "`unknown_segment` (no such segment for the journey's brand), `journey_paused` (the kill switch is on) or `nothing_live`. "
        "Send the `ETag` back in `If-None-Match` to get 304 while nothing changed."
    ),
)
def get_content(
    request: HttpRequest,
    journey: Annotated[str, Path(pattern=SLUG)],
    step: Annotated[str, Path(pattern=SLUG)],
    segment: Annotated[str, Query(pattern=SLUG, description="The customer's segment; the step's default segment is used when it has nothing live.")],
    subject_id: Annotated[str | None, Query(max_length=200, description="A stable id of the customer: the same subject always gets the same A/B variant.")] = None,
    signals: Annotated[str, Query(max_length=1000, description="Comma-separated signals about the customer, e.g. open_support_case,billing_issue.")] = "",
    render: Annotated[bool, Query(description="Fill the merge fields from `attributes` (values are HTML-escaped).")] = False,
    attributes: Annotated[str | None, Query(max_length=10_000, description='With render=true: a JSON object, e.g. {"first_name": "Ann"}.')] = None,
    locale: Annotated[str | None, Query(pattern=LOCALE_PATTERN, max_length=35, description="A BCP 47 locale, e.g. es-US (the customer's; one the brand does not write in falls back by language); none means the brand's default locale.")] = None,
    fallback: Annotated[bool, Query(description="false: serve only the locale asked for (no same-language or default-locale fallback).")] = True,
) -> HttpResponse:
    snapshot = _snapshot_in_scope(request, journey, step)
    if snapshot.paused:
        raise ApiRefusal(f"Journey {journey!r} is paused (its kill switch is on): nothing is served until a publisher resumes it.", error="journey_paused")
    if segment not in snapshot.segments:
        raise ApiRefusal(f"There is no segment {segment!r} in this journey's brand; check the slug (GET /api/v1/journeys lists the live ones).", error="unknown_segment")
    if suppressed_by(snapshot, [s.strip() for s in signals.split(",")]):
        return HttpResponse(status=204)
    attribute_values = _parse_attributes(attributes) if render else None
    requested_locale = _requested_locale(snapshot, locale, fallback=fallback)
    chain = tuple(fallback_chain(requested_locale, snapshot.locales, fallback=fallback))
    variant = choose(snapshot, segment, subject_id, timezone.now(), chain)
    if variant is None:
        raise ApiRefusal(_nothing_live(snapshot, journey, step, segment) + _locales_tried(chain), error="nothing_live")
    encoded, etag = _representation(variant, segment, snapshot, attribute_values, requested_locale)
    if _etag_matches(request.META.get("HTTP_IF_NONE_MATCH"), etag):
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(encoded, content_type="application/json")
    response["ETag"] = etag
    # Engines may keep a copy but must revalidate it every time, so unpublishing and the kill switch apply at once.
    response["Cache-Control"] = "private, no-cache"
    response["Vary"] = "Authorization"
    return response


def _requested_locale(snapshot: StepSnapshot, locale: str | None, *, fallback: bool) -> str:
    """The locale asked for, as the guide spells it; a locale the brand does not write in is kept
    as sent (its language's locales and the default are served) unless ``fallback`` is off."""
    if locale is None:
        return snapshot.locales[0]
    known = declared(locale, snapshot.locales)
    if known is not None:
        return known
    if not fallback:
        raise ApiRefusal(
            f"The brand does not write in locale {locale!r} and fallback=false serves no other; "
            f"use one of {', '.join(snapshot.locales)}.", error="unknown_locale", code="invalid"
        )
    return locale


def _locales_tried(chain: tuple[str, ...]) -> str:
    return "" if len(chain) == 1 else f" (locales tried: {', '.join(chain)})"


def _nothing_live(snapshot: StepSnapshot, journey: str, step: str, segment: str) -> str:
    if snapshot.segments[segment]:
        return f"Nothing is live on {journey}/{step} for segment {segment!r}, which is sensitive and so never falls back to another segment's content."
    if snapshot.default_segment and snapshot.default_segment != segment:
        return f"Nothing is live on {journey}/{step} for segment {segment!r} or the step's default segment {snapshot.default_segment!r}."
    return f"Nothing is live on {journey}/{step} for segment {segment!r}."


@router.post(
    "/{journey}/steps/{step}/outcomes",
    response={200: OutcomesOut, **ERRORS},
    summary="Report delivered, opened, clicked, converted and unsubscribed counts",
    description=(
        "The body is a list of reports, or `{\"batch_id\": ..., \"outcomes\": [...]}`. A batch id (in the body or the "
        "`Idempotency-Key` header) makes retries safe: a batch already recorded answers `replayed: true` and counts nothing again. "
        f"Counts are JSON whole numbers from 1 to {actions.MAX_OUTCOME_COUNT:,} (not strings, booleans or decimals). A report for a "
        "publication of another step is refused (404), and so is one for a publication not yet live or that stopped being served "
        f"more than {actions.OUTCOME_GRACE.days} days ago (409); a refused batch counts nothing."
    ),
)
def post_outcomes(
    request: HttpRequest,
    journey: Annotated[str, Path(pattern=SLUG)],
    step: Annotated[str, Path(pattern=SLUG)],
    outcomes: Annotated[OutcomesBody, Body()],
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", pattern=BATCH_ID)] = None,
) -> dict[str, object]:
    snapshot = _snapshot_in_scope(request, journey, step)
    step_obj = JourneyStep.objects.get(journey_id=snapshot.journey_id, slug=step)
    reports = outcomes.outcomes if isinstance(outcomes, OutcomeBatchIn) else outcomes
    batch_id = outcomes.batch_id if isinstance(outcomes, OutcomeBatchIn) else idempotency_key
    if isinstance(outcomes, OutcomeBatchIn) and idempotency_key and idempotency_key != outcomes.batch_id:
        raise CopydeskError("The Idempotency-Key header and batch_id disagree; send one of them.", code="conflict")
    recorded, replayed = actions.outcomes_record(
        step_obj, [(o.publication, o.event, o.count) for o in reports], batch_id=batch_id, acting_client=client_of(request)
    )
    return {"recorded": recorded, "replayed": replayed}
