"""How live content performs: rates per variant, a significance test between variants, totals per segment and prompt version, outcomes per variant per day."""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import FloatField, Q, Sum
from django.db.models.functions import Cast, TruncDate
from django.utils import timezone

from workbench.journeys.delivery import arm_label
from workbench.journeys.models import JourneyStep, OutcomeCount, OutcomeEvent, OutcomeReport, Publication

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

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


# Outcomes per variant per day ------------------------------------------------------------------------------------

SERIES_RATES = (
    (OutcomeEvent.OPENED, "open_rate", "Open rate"),
    (OutcomeEvent.CLICKED, "click_rate", "Click rate"),
    (OutcomeEvent.CONVERTED, "conversion_rate", "Conversion rate"),
    (OutcomeEvent.UNSUBSCRIBED, "unsubscribe_rate", "Unsubscribe rate"),
)


@dataclass(frozen=True)
class VariantKey:
    """One variant as the page names it: a publication, with the A/B arm it is on its step's segment and locale."""

    publication_id: int
    journey: str
    step: str
    segment: str
    locale: str
    arm: str  # "" when the publication is no longer live (its arm letter then belongs to others)
    draft_id: int
    version: int

    @property
    def label(self) -> str:
        arm = f"arm {self.arm} · " if self.arm else "ended · "
        locale = f" ({self.locale})" if self.locale else ""
        return f"{self.journey}/{self.step} · {self.segment}{locale} · {arm}publication {self.publication_id}, draft {self.draft_id} v{self.version}"


@dataclass(frozen=True)
class DayRow:
    """One variant's outcomes reported on one day, and their rates (percent of that day's deliveries, 2 decimals)."""

    day: date
    variant: VariantKey
    counts: dict[str, int]

    @property
    def delivered(self) -> int:
        return self.counts.get(OutcomeEvent.DELIVERED, 0)

    def rate(self, event: str) -> float | None:
        """None when there is no rate: nothing delivered that day, or more of the event than deliveries (it trails them)."""
        rate = Performance(self.variant.label, self.counts).rate(event)
        return None if rate is None else round(rate * 100, 2)

    @property
    def rates(self) -> list[tuple[str, float | None]]:
        return [(key, self.rate(event)) for event, key, _ in SERIES_RATES]


@dataclass
class OutcomeSeries:
    days: list[date]
    variants: list[VariantKey]
    rows: list[DayRow]  # by variant, then day; only days with reports

    def chart_data(self) -> dict[str, object]:
        """What the chart draws: per variant, one value per day of the range (None where nothing was reported)."""
        index = {d: i for i, d in enumerate(self.days)}
        keys = ("delivered", *(k for _, k, _ in SERIES_RATES))
        values: dict[int, dict[str, list[float | int | None]]] = {
            v.publication_id: {key: [None] * len(self.days) for key in keys} for v in self.variants
        }
        for row in self.rows:
            own, i = values[row.variant.publication_id], index[row.day]
            own["delivered"][i] = row.delivered
            for key, rate in row.rates:
                own[key][i] = rate
        series = [{"label": v.label, **values[v.publication_id]} for v in self.variants]
        metrics = [{"key": "delivered", "label": "Delivered (sends)", "unit": ""}] + [
            {"key": key, "label": label, "unit": "%"} for _, key, label in SERIES_RATES
        ]
        return {"days": [d.isoformat() for d in self.days], "metrics": metrics, "series": series}


def outcome_series(start: date, end: date, *, step: JourneyStep | None = None) -> OutcomeSeries:
    """Outcomes per publication per day from `start` to `end` (both included, in the site's time zone).

    One grouped query for the counts (TruncDate in the database, on SQLite and PostgreSQL alike), one
    for what names the variants, one for the arm letters of those still live.
    """
    zone = timezone.get_current_timezone()
    since = datetime.combine(start, time.min, tzinfo=zone)
    until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone)
    reports = OutcomeReport.objects.filter(reported_at__gte=since, reported_at__lt=until)
    if step is not None:
        reports = reports.filter(publication__step=step)
    # Summed as floats for the same reason as performance_by: SQLite's integer SUM overflows near the column's limit.
    sums = {event: Sum(Cast("count", FloatField()), filter=Q(event=event)) for event in OutcomeEvent.values}
    query = reports.annotate(day=TruncDate("reported_at", tzinfo=zone)).values("publication_id", "day").annotate(**sums)
    grouped: list[dict[str, Any]] = [dict(row) for row in query.order_by("publication_id", "day")]
    variants = _variant_keys({row["publication_id"] for row in grouped})
    rows = [
        DayRow(_as_date(row["day"]), variants[row["publication_id"]], {e: int(row[e] or 0) for e in OutcomeEvent.values})
        for row in grouped
    ]
    days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    return OutcomeSeries(days=days, variants=[variants[pk] for pk in sorted(variants)], rows=rows)


def _as_date(value: date | datetime | str) -> date:
    # SQLite hands TruncDate's result back as a date through Django's converters; be strict about anything else.
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(value)


def _variant_keys(publication_ids: set[int]) -> dict[int, VariantKey]:
    if not publication_ids:
        return {}
    publications = list(
        Publication.objects.filter(pk__in=publication_ids).select_related("step__journey", "segment", "version").order_by("pk")
    )
    # Arm letters as the step page and the API give them: live publications of a step, segment and locale, in publishing order.
    groups = {(p.step_id, p.segment_id, p.locale) for p in publications if p.ended_at is None}
    arms: dict[int, str] = {}
    if groups:
        siblings = Publication.objects.current().filter(step_id__in={g[0] for g in groups}).order_by("pk").values_list("pk", "step_id", "segment_id", "locale")
        seen: dict[tuple[int, int, str], int] = {}
        for pk, step_id, segment_id, locale in siblings:
            key = (step_id, segment_id, locale)
            seen[key] = seen.get(key, 0) + 1
            arms[pk] = arm_label(seen[key])
    return {
        p.pk: VariantKey(
            publication_id=p.pk, journey=p.step.journey.slug, step=p.step.slug, segment=p.segment.name, locale=p.locale,
            arm=arms.get(p.pk, "") if p.ended_at is None else "", draft_id=p.version.draft_id, version=p.version.number,
        )
        for p in publications
    }


CSV_HEADER = (
    "date", "variant", "journey", "step", "segment", "locale", "arm", "publication", "draft", "version",
    *OutcomeEvent.values, *(key for _, key, _ in SERIES_RATES),
)
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_text(value: str) -> str:
    """A text cell a spreadsheet will not run: one starting like a formula is prefixed with a quote."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def write_series_csv(series: OutcomeSeries, out: SupportsWrite[str]) -> None:
    """The chart's data as CSV: one row per variant and day with reports; rates in percent of deliveries, blank when none."""
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for row in series.rows:
        v = row.variant
        texts = [csv_text(t) for t in (v.label, v.journey, v.step, v.segment, v.locale, v.arm)]
        counts = [row.counts.get(event, 0) for event in OutcomeEvent.values]
        rates = ["" if rate is None else f"{rate:.2f}" for _, rate in row.rates]
        writer.writerow([row.day.isoformat(), *texts, v.publication_id, v.draft_id, v.version, *counts, *rates])
