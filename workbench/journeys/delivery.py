"""Choosing the live content a journey step serves to a segment (its merge fields are filled by workbench.brand.merge).

The API reads a StepSnapshot: everything one step can serve, loaded with three
queries and kept in the process's memory until the live stamp moves (see
livecache). Windows are checked on every request against the clock, so
content starts and stops on time without anything being invalidated.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Case, Count, IntegerField, Q, Value, When

from workbench.brand.locales import effective_locale, guide_locales
from workbench.brand.merge import known_merge_fields, merge_fields_in
from workbench.brand.models import Segment
from workbench.journeys.models import Journey, JourneyStep, Publication
from workbench.review.models import Decision

@dataclass(frozen=True)
class Variant:
    """One publication as the API serves it, its JSON body already encoded."""

    publication_id: int
    version_id: int
    weight: int
    starts_at: datetime | None
    ends_at: datetime | None
    body: dict[str, object]
    encoded: bytes

    @property
    def etag(self) -> str:
        return f'"p{self.publication_id}-v{self.version_id}"'

    def in_window(self, at: datetime) -> bool:
        return (self.starts_at is None or self.starts_at <= at) and (self.ends_at is None or at < self.ends_at)


@dataclass(frozen=True)
class StepSnapshot:
    journey_id: int
    step_id: int | None  # None: the journey exists but has no such step
    suppress_signals: frozenset[str] = frozenset()
    default_segment: str | None = None
    known_merge_fields: frozenset[str] = frozenset()
    variants: Mapping[tuple[str, str], tuple[Variant, ...]] = field(default_factory=dict)  # by (segment slug, locale), empty while paused
    paused: bool = False
    segments: Mapping[str, bool] = field(default_factory=dict)  # every segment slug of the journey's brand: is it sensitive?
    locales: tuple[str, ...] = ("en",)  # the brand's declared locales, the default first


def servable(step: JourneyStep) -> list[Publication]:
    """The step's unpublished-or-not-yet-ended publications whose version has the approvals its segments need.

    The approval check repeats, at serving time, what publication_create enforced, so a row that
    reached the table some other way (a shell, a restore) is still never served.
    """
    approvals = Count("version__decisions__reviewer", filter=Q(version__decisions__decision=Decision.APPROVE), distinct=True)
    needed = Case(
        When(Q(segment__sensitive=True) | Q(version__draft__segment__sensitive=True), then=Value(2)), default=Value(1), output_field=IntegerField()
    )
    return list(
        Publication.objects.current()
        .filter(step=step)
        .annotate(approvals=approvals, needed=needed)
        .filter(approvals__gte=needed)
        .select_related("version__draft", "segment")
        .order_by("pk")
    )


def load_snapshot(journey_slug: str, step_slug: str) -> StepSnapshot | None:
    journey = Journey.objects.select_related("brand").filter(slug=journey_slug).first()
    if journey is None:
        return None
    step = JourneyStep.objects.select_related("default_segment").filter(journey=journey, slug=step_slug).first()
    if step is None:
        return StepSnapshot(journey_id=journey.pk, step_id=None)
    guide = journey.brand.guide_versions.order_by("-number").values_list("data", flat=True).first() or {}
    locales = tuple(guide_locales(guide))
    variants: dict[tuple[str, str], list[Variant]] = {}
    if not journey.paused:
        for p in servable(step):
            version = p.version
            audience = (p.segment.slug, effective_locale(p.locale, locales))
            arm = len(variants.get(audience, ())) + 1  # publications come in publishing order
            body: dict[str, object] = {
                "content_id": version.draft_id,
                "publication": p.pk,
                "version": version.number,
                "variant": version.draft.variant,
                "variant_label": arm_label(arm),
                "variant_index": arm,
                "channel": version.draft.channel,
                "journey": journey.slug,
                "step": step.slug,
                "segment": p.segment.slug,
                "requested_segment": p.segment.slug,
                "locale": audience[1],
                "requested_locale": audience[1],
                "fields": version.fields,
                "merge_fields": merge_fields_in(version.fields),
            }
            encoded = json.dumps(body, separators=(",", ":")).encode()
            variants.setdefault(audience, []).append(Variant(p.pk, version.pk, p.weight, p.starts_at, p.ends_at, body, encoded))
    return StepSnapshot(
        journey_id=journey.pk,
        step_id=step.pk,
        suppress_signals=frozenset(step.suppress_signals or []),
        default_segment=step.default_segment.slug if step.default_segment else None,
        known_merge_fields=known_merge_fields(guide),
        variants={audience: tuple(vs) for audience, vs in variants.items()},
        paused=journey.paused,
        segments=dict(Segment.objects.filter(brand_id=journey.brand_id).values_list("slug", "sensitive")),
        locales=locales,
    )


def arm_label(index: int) -> str:
    """1 -> A, 26 -> Z, 27 -> AA: the A/B arm's name, as spreadsheets name columns."""
    label = ""
    while index > 0:
        index, rest = divmod(index - 1, 26)
        label = chr(ord("A") + rest) + label
    return label


def pick_weighted(variants: list[Variant], subject_id: str | None, step_id: int) -> Variant:
    """Pick by weight; the same subject always gets the same variant of a step (a stable hash)."""
    total = sum(v.weight for v in variants)
    if subject_id:
        digest = hashlib.sha256(f"{step_id}:{subject_id}".encode()).digest()
        point = int.from_bytes(digest[:8], "big") % total
    else:
        point = random.randrange(total)
    for variant in variants:
        if point < variant.weight:
            return variant
        point -= variant.weight
    return variants[-1]


def choose(
    snapshot: StepSnapshot, segment_slug: str, subject_id: str | None, at: datetime, locales: tuple[str, ...] | None = None
) -> Variant | None:
    """The variant to serve, from the segment's live content or else the step's default segment's, trying each locale in turn.

    `locales` is the fallback chain (the one asked for, its language's others, the brand default); without it, the brand
    default. Language comes first: a reader gets their language for the default segment before another language for
    their own segment. A sensitive segment never falls back: content approved for another audience is not served to it.
    """
    assert snapshot.step_id is not None
    fallback = None if snapshot.segments.get(segment_slug, True) else snapshot.default_segment
    for locale in locales or snapshot.locales[:1]:
        for slug in (segment_slug, fallback):
            live = [v for v in snapshot.variants.get((slug or "", locale), ()) if v.in_window(at)]
            if live:
                return pick_weighted(live, subject_id, snapshot.step_id)
    return None


def suppressed_by(snapshot: StepSnapshot, signals: list[str]) -> list[str]:
    return sorted(snapshot.suppress_signals & set(signals))
