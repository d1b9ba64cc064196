"""Choosing the live content a journey step serves to a segment."""

from __future__ import annotations

import hashlib
import random
import re
from dataclasses import dataclass

from workbench.journeys.models import JourneyStep, Publication

MERGE_FIELD = re.compile(r"\{\{\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}")


@dataclass(frozen=True)
class Delivery:
    publication: Publication
    segment_slug: str

    @property
    def etag(self) -> str:
        return f'"p{self.publication.pk}-v{self.publication.version_id}"'


def live_publications(step: JourneyStep, segment_slug: str) -> list[Publication]:
    return list(
        Publication.objects.live()
        .filter(step=step, segment__slug=segment_slug)
        .select_related("version__draft", "segment")
        .order_by("pk")
    )


def pick_weighted(publications: list[Publication], subject_id: str | None, step: JourneyStep) -> Publication:
    """Pick by weight; the same subject always gets the same variant of a step (a stable hash)."""
    total = sum(p.weight for p in publications)
    if subject_id:
        digest = hashlib.sha256(f"{step.pk}:{subject_id}".encode()).digest()
        point = int.from_bytes(digest[:8], "big") % total
    else:
        point = random.randrange(total)
    for publication in publications:
        if point < publication.weight:
            return publication
        point -= publication.weight
    return publications[-1]


def choose(step: JourneyStep, segment_slug: str, subject_id: str | None) -> Delivery | None:
    if step.journey.paused:
        return None
    publications = live_publications(step, segment_slug)
    if not publications and step.default_segment is not None and step.default_segment.slug != segment_slug:
        segment_slug = step.default_segment.slug
        publications = live_publications(step, segment_slug)
    if not publications:
        return None
    return Delivery(pick_weighted(publications, subject_id, step), segment_slug)


def merge_fields_in(fields: dict[str, str]) -> list[str]:
    return sorted({m.group(1) for text in fields.values() for m in MERGE_FIELD.finditer(text)})


def suppressed_by(step: JourneyStep, signals: list[str]) -> list[str]:
    return sorted(set(step.suppress_signals or []) & set(signals))
