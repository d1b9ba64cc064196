from __future__ import annotations

from typing import Any

from django import template

from workbench.checks.models import FalsePositive, finding_key
from workbench.generation.models import DraftVersion

register = template.Library()


@register.simple_tag
def false_positive_of(version: DraftVersion, finding: dict[str, Any]) -> FalsePositive | None:
    """The false-positive mark on this finding, if any. One query per version, however many findings the page shows."""
    marks: dict[str, FalsePositive] | None = getattr(version, "_false_positive_marks", None)
    if marks is None:
        marks = {m.finding_key: m for m in FalsePositive.objects.filter(version=version).select_related("marked_by")}
        version._false_positive_marks = marks  # type: ignore[attr-defined]
    return marks.get(finding_key_filter(finding))


@register.filter(name="finding_key")
def finding_key_filter(finding: dict[str, Any]) -> str:
    return str(finding.get("key") or finding_key(finding))


KIND_LABELS = {
    "disallowed_word": "Disallowed word",
    "taboo_topic": "Taboo topic",
    "claim": "Claim",
    "tone": "Tone",
    "length": "Length",
    "required_text": "Required text",
    "pii": "Personal data",
    "merge_field": "Merge field",
    "link": "Link",
}


@register.filter
def kind_label(kind: str) -> str:
    """A finding kind (Contract 2) as a reviewer reads it."""
    return KIND_LABELS.get(kind, kind.replace("_", " ").capitalize())
