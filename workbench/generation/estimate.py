"""How many drafts Generate makes and what they cost: one answer for the brief form, the brief page and the confirmation.

Generate queues one model call per segment × channel × locale, and each call writes the brief's variants per
segment and channel (see generation_start), so drafts = segments × channels × locales × variants.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal

from django.conf import settings

from workbench.brand.locales import declared, guide_locales
from workbench.brand.models import CHANNELS, Brand, Segment
from workbench.generation.budget import estimate_cost, model_prices
from workbench.generation.models import Brief, GenerationJob, JobMode, RunStatus
from workbench.generation.providers import provider_spec
from workbench.generation.query import id_param

# Until a model has answered here, a call is priced at a typical prompt (brief, guide, examples) and answer size.
TYPICAL_INPUT_TOKENS_PER_CALL = 1500
TYPICAL_OUTPUT_TOKENS_PER_VARIANT = 200
HISTORY_JOBS = 50


@dataclass(frozen=True)
class GenerationPlan:
    segments: int
    channels: int
    locales: int
    variants: int
    provider: str
    model: str
    stand_in: bool
    cost_usd: Decimal | None  # None: the price table lists no price for the model
    from_history: bool  # priced from this model's past calls here rather than typical sizes

    @property
    def calls(self) -> int:
        return self.segments * self.channels * self.locales

    @property
    def drafts(self) -> int:
        return self.calls * self.variants

    @property
    def ready(self) -> bool:
        return self.drafts > 0

    @property
    def fan_out(self) -> str:
        def n(count: int, word: str) -> str:
            return f"{count} {word}{'' if count == 1 else 's'}"

        return " × ".join((n(self.segments, "segment"), n(self.channels, "channel"), n(self.locales, "locale"), n(self.variants, "variant")))

    @property
    def cost_text(self) -> str:
        if self.stand_in:
            return f"The {self.provider} stand-in costs nothing."
        if self.cost_usd is None:
            return f"No price is listed for {self.model}, so the cost is unknown (COPYDESK_PRICE_TABLE can add it)."
        basis = "this model's past calls here" if self.from_history else "typical prompt and answer sizes"
        return f"About ${self.cost_usd:,.4f} with {self.provider} ({self.model}), estimated from {basis}."


def _token_sizes(model: str) -> tuple[int, int, bool]:
    """Input tokens per call and output tokens per variant: this model's recent generate calls, else typical sizes."""
    recent = GenerationJob.objects.filter(
        mode=JobMode.GENERATE, status=RunStatus.DONE, run__model=model, output_tokens__gt=0, variants__gt=0
    ).order_by("-finished_at")[:HISTORY_JOBS]
    jobs = list(recent.values_list("input_tokens", "output_tokens", "variants"))
    if not jobs:
        return TYPICAL_INPUT_TOKENS_PER_CALL, TYPICAL_OUTPUT_TOKENS_PER_VARIANT, False
    per_call = sum(i for i, _, _ in jobs) // len(jobs)
    per_variant = sum(o // v for _, o, v in jobs) // len(jobs)
    return per_call, per_variant, True


def plan_generation(
    brand: Brand | None, *, segments: int, channels: int, locales: int, variants: int, llm_model: str = "", provider: str | None = None
) -> GenerationPlan:
    spec = provider_spec(provider)
    model = spec.default_model() if spec.stand_in else (llm_model or (brand.llm_model if brand else "") or spec.default_model())
    plan = GenerationPlan(segments, channels, max(locales, 1), variants, spec.name, model, spec.stand_in, Decimal(0), False)
    if spec.stand_in:
        return plan
    if model_prices(model) is None:
        return replace(plan, cost_usd=None)
    per_call, per_variant, from_history = _token_sizes(model)
    cost = estimate_cost(model, per_call * plan.calls, per_variant * plan.drafts)
    return replace(plan, cost_usd=cost, from_history=from_history)


def brief_plan(brief: Brief, provider: str | None = None) -> GenerationPlan:
    """What Generate on this brief makes now."""
    declared_locales = guide_locales(brief.brand.current_guide().data)
    locales = len([tag for tag in brief.locales if declared(tag, declared_locales)]) or 1
    return plan_generation(
        brief.brand, segments=brief.segments.count(), channels=len(brief.channels), locales=locales,
        variants=brief.variants_per_segment, llm_model=brief.llm_model, provider=provider,
    )


def form_plan(data: Mapping[str, object], brand: Brand | None = None) -> GenerationPlan:
    """What Generate would make from a brief form as it stands, however incomplete: for the live estimate."""
    def values(name: str) -> list[str]:
        getlist = getattr(data, "getlist", None)
        raw = getlist(name) if getlist else data.get(name, [])
        return [str(v) for v in (raw if isinstance(raw, list | tuple) else [raw])]

    if brand is None and (brand_id := id_param(str(data.get("brand") or ""))):
        brand = Brand.objects.filter(pk=brand_id).first()
    ids = [i for i in map(id_param, values("segments")) if i]
    segments = Segment.objects.filter(brand=brand, pk__in=ids).count() if brand else 0
    channels = len({c for c in values("channels") if c in CHANNELS})
    declared_locales = guide_locales(brand.current_guide().data) if brand else []
    locales = len({tag for tag in values("locales") if tag in declared_locales}) or 1
    raw_variants = str(data.get("variants_per_segment") or "")
    variants = int(raw_variants) if raw_variants.isascii() and raw_variants.isdigit() else 0
    variants = min(variants, settings.MAX_VARIANTS_PER_SEGMENT)
    return plan_generation(brand, segments=segments, channels=channels, locales=locales, variants=variants, llm_model=str(data.get("llm_model") or "").strip()[:100])
