"""Channel previews: a version as the customer would see it (an SMS on a phone, a push notification, an email
in an inbox, an in-app message), its merge fields filled with sample values by the delivery API's own substitution.

Model output is untrusted: the template escapes every plain field, and an email's HTML body is shown only as the
sanitised HTML the API serves, inside a sandboxed iframe (srcdoc, no scripts, no same origin).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from workbench.brand.merge import known_merge_fields, merge_fields_in, render_merge_fields
from workbench.brand.models import Brand, Segment
from workbench.checks.engine.channels import CHANNELS
from workbench.generation.models import DraftVersion
from workbench.generation.sanitize import email_html

# Sensible stand-ins for the merge fields guides declare most; links are made on the brand's own domain.
SAMPLE_VALUES: Mapping[str, str] = {
    "first_name": "Alex",
    "last_name": "Rivera",
    "full_name": "Alex Rivera",
    "name": "Alex Rivera",
    "email": "alex.rivera@example.com",
    "product_name": "Trail Boots",
    "order_id": "10482",
    "order_number": "10482",
    "city": "Portland",
    "company": "Example Co",
    "discount_code": "SAMPLE10",
    "points": "1,250",
}
SAMPLE_DOMAIN = "example.com"


@dataclass(frozen=True)
class SampleValue:
    name: str
    value: str
    source: str  # where it came from, as the page says it


@dataclass
class ChannelPreview:
    key: str  # unique on the page: several previews may share one
    channel: str
    channel_label: str
    brand_name: str
    segment_name: str
    fields: dict[str, str]
    labels: dict[str, str]
    samples: list[SampleValue] = field(default_factory=list)
    unfilled: list[str] = field(default_factory=list)

    @property
    def email_document(self) -> str:
        """The email body as a document for the sandboxed iframe: the API's sanitised HTML, sanitised again here."""
        return f'<!doctype html><html><head><meta charset="utf-8"></head><body>{email_html(self.fields.get("body", ""))}</body></html>'

    @property
    def plain_fields(self) -> list[tuple[str, str]]:
        return [(self.labels.get(name, name), text) for name, text in self.fields.items()]


def sample_value(name: str, segment: Segment | None, domain: str) -> SampleValue:
    """A sample for one merge field: the segment's own attribute of that name if it has one, else a stand-in."""
    if segment is not None:
        value = (segment.attributes or {}).get(name)
        if isinstance(value, (str, int, float)) and not isinstance(value, bool) and str(value).strip():
            return SampleValue(name, str(value), f"segment “{segment.name}”")
    if name in SAMPLE_VALUES:
        return SampleValue(name, SAMPLE_VALUES[name], "sample")
    if name.endswith("_url"):
        return SampleValue(name, f"https://{domain}/{name.removesuffix('_url').replace('_', '-')}", "sample link on the brand's domain")
    return SampleValue(name, f"sample {name.replace('_', ' ')}", "placeholder")


def current_guide_data(brand: Brand) -> Mapping[str, Any]:
    """The brand's current guide, whose merge fields the API fills (and so the preview)."""
    return brand.guide_versions.order_by("-number").values_list("data", flat=True).first() or {}


def channel_preview(
    version: DraftVersion, segment: Segment | None = None, *, brand: Brand | None = None, guide: Mapping[str, Any] | None = None
) -> ChannelPreview:
    """The version as `segment` would see it (the draft's own segment by default), filled as the API's render=true fills it.

    A page showing several previews of one brand passes `brand` and `guide` so each costs no query.
    """
    draft = version.draft
    segment = segment or draft.segment
    brand = brand or draft.brief.brand
    guide = current_guide_data(brand) if guide is None else guide
    known = known_merge_fields(guide)
    domains = (guide.get("links") or {}).get("allowed_domains") or [SAMPLE_DOMAIN]
    used = [name for name in merge_fields_in(version.fields) if name in known]
    samples = [sample_value(name, segment, str(domains[0])) for name in used]
    fields, unfilled = render_merge_fields(version.fields, {s.name: s.value for s in samples}, known)
    channel = CHANNELS.get(draft.channel)
    labels = {spec.name: spec.label for spec in channel.fields} if channel else {}
    return ChannelPreview(
        key=f"{version.pk}-{segment.pk}", channel=draft.channel, channel_label=channel.label if channel else draft.channel,
        brand_name=brand.name, segment_name=segment.name, fields=fields, labels=labels, samples=samples, unfilled=unfilled,
    )
