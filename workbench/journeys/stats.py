"""How live content performs: rates per variant, a significance test between variants, totals per segment and prompt version."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import FloatField, Q, Sum
from django.db.models.functions import Cast

from workbench.journeys.delivery import arm_label
from workbench.journeys.models import OutcomeCount, OutcomeEvent, Publication

SIGNIFICANCE_METHOD = (
    "two-sided two-proportion z-test on conversion rate (conversions ÷ deliveries) against the leading variant, significant at p < 0.05; "
    "variants whose reported counts are impossible (more of an event than deliveries) are left out of the test"
)
ALPHA = 0.05
RATE_EVENTS = (OutcomeEvent.OPENED, OutcomeEvent.CLICKED, OutcomeEvent.CONVERTED, OutcomeEvent.UNSUBSCRIBED)
IMPOSSIBLE_NOUN: dict[str, str] = {OutcomeEvent.OPENED: "opens", OutcomeEvent.CLICKED: "clicks", OutcomeEvent.CONVERTED: "conversions", OutcomeEvent.UNSUBSCRIBED: "unsubscribes"}


@dataclass
class Performance:
    label: str
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def delivered(self) -> int:
        return self.counts.get(OutcomeEvent.DELIVERED, 0)

    def impossible(self, event: str) -> bool:
        """More of an event than deliveries: counts that cannot all be true, whatever stored them."""
        return self.counts.get(event, 0) > self.delivered

    @property
    def plausible(self) -> bool:
        return not any(self.impossible(event) for event in RATE_EVENTS)

    def rate(self, event: str) -> float | None:
        """The event's share of deliveries; None when there is no such share (nothing delivered, or impossible counts)."""
        if not self.delivered or self.impossible(event):
            return None
        return self.counts.get(event, 0) / self.delivered

    @property
    def percentages(self) -> list[tuple[str, float | None]]:
        return [(str(event), None if (rate := self.rate(event)) is None else rate * 100) for event in RATE_EVENTS]

    @property
    def cells(self) -> list[tuple[str, str]]:
        """Each rate as shown: a percentage, a dash when nothing was delivered, or why it cannot be a rate."""
        return [(str(event), self._cell(event)) for event in RATE_EVENTS]

    def _cell(self, event: str) -> str:
        count = self.counts.get(event, 0)
        if self.impossible(event):
            return f"— (more {IMPOSSIBLE_NOUN[event]} than deliveries)"
        if not self.delivered:
            return "—"
        return f"{count / self.delivered * 100:.1f} %"


@dataclass
class VariantResult:
    publication: Publication
    performance: Performance
    leader: bool = False
    p_value: float | None = None
    label: str = ""  # the A/B arm, as the API names it (variant_label)

    @property
    def significant(self) -> bool:
        return self.p_value is not None and self.p_value < ALPHA


def two_proportion_p_value(x1: int, n1: int, x2: int, n2: int) -> float | None:
    """Two-sided p-value that two conversion rates differ; None when the test has nothing to go on.

    Counts outside 0 <= x <= n are not proportions: the test is not defined for them (the variance would be negative).
    """
    if n1 <= 0 or n2 <= 0 or not (0 <= x1 <= n1 and 0 <= x2 <= n2):
        return None
    pooled = (x1 + x2) / (n1 + n2)
    variance = pooled * (1 - pooled) * (1 / n1 + 1 / n2)
    if variance <= 0:
        return None
    z = (x1 / n1 - x2 / n2) / math.sqrt(variance)
    return math.erfc(abs(z) / math.sqrt(2))


def compare_variants(publications: Iterable[Publication]) -> list[VariantResult]:
    """One group of variants serving the same step and segment; each is tested against the one converting best."""
    # Publications come in publishing order, which is how the API letters the arms.
    results = [
        VariantResult(p, Performance(str(p), {o.event: o.count for o in p.outcomes.all()}), label=arm_label(i))
        for i, p in enumerate(publications, start=1)
    ]
    # Only variants whose counts can all be true take part; the others are shown with their impossible rates.
    tested = [r for r in results if r.performance.plausible]
    if len(tested) < 2:
        return results
    leader = max(tested, key=lambda r: (r.performance.rate(OutcomeEvent.CONVERTED) or 0, r.performance.delivered))
    leader.leader = True
    for result in tested:
        if result is not leader:
            result.p_value = two_proportion_p_value(
                leader.performance.counts.get(OutcomeEvent.CONVERTED, 0), leader.performance.delivered,
                result.performance.counts.get(OutcomeEvent.CONVERTED, 0), result.performance.delivered,
            )
    return results


def performance_by(paths: tuple[str, ...], label: str) -> list[Performance]:
    """Outcome totals over every publication, ever, grouped by paths from OutcomeCount; label formats their values."""
    # Summed as floats: an integer SUM overflows on SQLite for counts near the column's limit, and these are only shown.
    sums = {event: Sum(Cast("count", FloatField()), filter=Q(event=event)) for event in OutcomeEvent.values}
    rows = OutcomeCount.objects.values(*paths).annotate(**sums).order_by(*paths)
    return [Performance(label.format(*(row[p] for p in paths)), {e: int(row[e] or 0) for e in OutcomeEvent.values}) for row in rows]
