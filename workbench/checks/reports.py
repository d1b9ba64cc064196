"""Read-only views over stored checks: per-rule precision and what a new guide would block. Fixed query counts."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model, OuterRef, Prefetch, Subquery

from workbench.brand.models import Brand, BrandGuideVersion
from workbench.checks.models import CheckResult, FalsePositive, finding_key
from workbench.checks.services import live_publications, recertification_candidates
from workbench.generation.models import DraftVersion


@dataclass
class RulePrecision:
    kind: str
    rule: str
    severity: str
    raised: int = 0
    false_positives: int = 0
    reasons: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float | None:
        """Share of raised findings nobody marked as wrong; None until the rule has fired."""
        return 1 - self.false_positives / self.raised if self.raised else None


def rule_precision(brand: Brand, guide_version: BrandGuideVersion | None = None) -> list[RulePrecision]:
    """Findings raised and marked false positive per kind and rule, least precise first.

    A finding counts once per draft version even when re-certification checked
    that version against several guide versions.
    """
    results = CheckResult.objects.filter(guide_version__brand=brand)
    marks = FalsePositive.objects.filter(guide_version__brand=brand)
    if guide_version is not None:
        results, marks = results.filter(guide_version=guide_version), marks.filter(guide_version=guide_version)
    rows: dict[tuple[str, str], RulePrecision] = {}
    seen: dict[tuple[str, str], set[tuple[int, str]]] = defaultdict(set)
    for version_id, findings in results.values_list("version_id", "findings").iterator(chunk_size=2000):
        for finding in findings:
            rule = (finding["kind"], finding["rule"])
            rows.setdefault(rule, RulePrecision(finding["kind"], finding["rule"], finding["severity"]))
            seen[rule].add((version_id, finding_key(finding)))
    for kind, rule_name, version_id, key, reason in marks.values_list("kind", "rule", "version_id", "finding_key", "reason"):
        rule = (kind, rule_name)
        row = rows.setdefault(rule, RulePrecision(kind, rule_name, ""))
        seen[rule].add((version_id, key))  # marked on a check outside the filter: still raised once
        row.false_positives += 1
        row.reasons.append(reason)
    for rule, row in rows.items():
        row.raised = len(seen[rule])
    return sorted(rows.values(), key=lambda r: (r.precision if r.precision is not None else 1.0, -r.raised, r.kind, r.rule))


@dataclass
class Flag:
    """Approved or live content that the brand's current guide blocks."""

    version: DraftVersion
    check: CheckResult
    blocking: list[dict[str, Any]]

    @property
    def live(self) -> list[Model]:  # journeys' publications (it sits above checks)
        return list(self.version.publications.all())  # prefetched: current publications only


def current_guides() -> list[BrandGuideVersion]:
    newest = BrandGuideVersion.objects.filter(brand=OuterRef("brand")).order_by("-number").values("number")[:1]
    return list(BrandGuideVersion.objects.filter(number=Subquery(newest)).select_related("brand").order_by("brand__name"))


def recertification_flags(guides: list[BrandGuideVersion]) -> list[Flag]:
    """Content each brand's current guide blocks, with unresolved blocking findings; overrides still count."""
    results = (
        CheckResult.objects.filter(guide_version__in=guides, passed=False, version__in=recertification_candidates())
        .select_related("guide_version__brand", "version__draft__brief", "version__draft__segment")
        .prefetch_related(
            "version__overrides",
            Prefetch("version__publications", queryset=live_publications()().select_related("step__journey", "segment")),
        )
        .order_by("guide_version__brand__name", "version__draft_id")
    )
    flags = []
    for result in results:
        blocking = result.unresolved_blocking({o.finding_key for o in result.version.overrides.all()})
        if blocking:
            flags.append(Flag(result.version, result, blocking))
    return flags
