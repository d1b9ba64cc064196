"""LLM providers, registered by name: the offline stand-in and any OpenAI-compatible server.

A provider takes a rendered prompt and returns exactly the requested number
of variants, each with the channel's fields, or raises ProviderError. It
never retries by itself: Celery's retry layer is the only one.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Protocol

from django.conf import settings
from pydantic import BaseModel, ConfigDict, ValidationError, create_model

from workbench.checks.engine.channels import CHANNELS, HTML, is_html_field
from workbench.env import ConfigError
from workbench.errors import CopydeskError
from workbench.generation import offline_writer
from workbench.generation.prompting import RenderedPrompt


class ProviderError(CopydeskError):
    """A failed model call. `retryable` says whether trying again may help."""

    def __init__(self, message: str, *, retryable: bool, retry_after: float | None = None) -> None:
        super().__init__(message, code="invalid")
        self.retryable = retryable
        self.retry_after = retry_after


@dataclass(frozen=True)
class GenerationRequest:
    prompt: RenderedPrompt
    channel: str
    fields: tuple[str, ...]
    variants: int
    context: dict[str, Any]
    model: str = ""
    parameters: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class GenerationResult:
    variants: list[dict[str, str]]
    provider: str
    model: str
    parameters: dict[str, Any]
    input_tokens: int
    output_tokens: int
    latency_ms: int


class Provider(Protocol):
    name: str

    def generate(self, request: GenerationRequest) -> GenerationResult: ...


# --- the registry ----------------------------------------------------------------
# Every provider is registered once, by name, at the bottom of this module. Settings validation,
# provenance, pricing and the UI read these entries; nothing else in Copydesk names a provider.


@dataclass(frozen=True)
class ProviderSpec:
    """One LLM provider as the rest of Copydesk sees it."""

    name: str  # COPYDESK_LLM_PROVIDER's value, and the provider recorded in every version's provenance
    build: Callable[[], Provider]  # a provider for the current settings
    default_model: Callable[[], str]  # the model a run uses when neither its brief nor its brand names one
    # A stand-in writes without a model: brief and brand model settings do not apply, and it costs nothing.
    stand_in: bool = False
    description: str = ""  # shown beside the provider's name in the page footer
    rewrite_help: str = ""  # what the draft page says about the rewrite instructions it follows
    # USD per million input and output tokens, by model (a listed name also prices its dated versions).
    prices: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    # Settings that must be set when this provider is chosen, with the environment variable that sets each.
    required_settings: Mapping[str, str] = field(default_factory=dict)


PROVIDERS: dict[str, ProviderSpec] = {}


def register(spec: ProviderSpec) -> ProviderSpec:
    PROVIDERS[spec.name] = spec
    return spec


def default_provider_name() -> str:
    """The first registered provider: the embedded default when COPYDESK_LLM_PROVIDER is not set."""
    return next(iter(PROVIDERS))


def provider_spec(name: str | None = None) -> ProviderSpec:
    """The registered provider called `name` (the configured one when None)."""
    name = name or settings.LLM_PROVIDER or default_provider_name()
    try:
        return PROVIDERS[name]
    except KeyError:
        raise CopydeskError(f"unknown LLM provider {name!r}: use one of {', '.join(PROVIDERS)}") from None


def get_provider(name: str | None = None) -> Provider:
    return provider_spec(name).build()


def check_settings() -> None:
    """Refuse to start with a provider that is not registered, or without the settings it needs."""
    name = settings.LLM_PROVIDER or default_provider_name()
    if name not in PROVIDERS:
        raise ConfigError(f"COPYDESK_LLM_PROVIDER={name!r}: expected one of {', '.join(PROVIDERS)}")
    for setting, variable in PROVIDERS[name].required_settings.items():
        if not getattr(settings, setting, ""):
            raise ConfigError(f"COPYDESK_LLM_PROVIDER={name} needs {variable}")


def price_table() -> dict[str, tuple[float, float]]:
    """Every registered provider's prices, overridden and extended by COPYDESK_PRICE_TABLE."""
    table: dict[str, tuple[float, float]] = {}
    for spec in PROVIDERS.values():
        table.update(spec.prices)
    return {**table, **settings.PRICE_TABLE}


@lru_cache(maxsize=4)
def _openai_provider(api_key: str, base_url: str, timeout: float) -> OpenAIProvider:
    # One client per process and configuration: it keeps its HTTP connections open between jobs.
    return OpenAIProvider(api_key=api_key, base_url=base_url, timeout=timeout)


# --- offline -------------------------------------------------------------------

class OfflineProvider:
    """A deterministic, template-based stand-in for an LLM. It writes from the brief's own words, makes no network call, and is the embedded default."""

    name = "offline"

    def generate(self, request: GenerationRequest) -> GenerationResult:
        started = time.monotonic()
        task = request.context.get("task") or {}
        if task.get("mode") == "rewrite":
            variants = [rewrite_offline(task["current"] or {}, task["instruction"], request.context)]
        else:
            variants = self._write(request, int(task.get("seed") or 0))
        prompt_tokens = (len(request.prompt.system) + len(request.prompt.user)) // 4
        output_tokens = sum(len(v) for f in variants for v in f.values()) // 4
        return GenerationResult(
            variants=variants,
            provider=self.name,
            model="offline-template-v1",
            # Provenance says plainly when the stand-in was asked for a language it cannot write.
            parameters={"note": note} if (note := offline_writer.cannot_translate_note(request.context)) else {},
            input_tokens=prompt_tokens,
            output_tokens=output_tokens,
            latency_ms=int((time.monotonic() - started) * 1000),
        )

    def _write(self, request: GenerationRequest, seed_offset: int) -> list[dict[str, str]]:
        return offline_writer.write_variants(request.channel, request.context, request.variants, seed_offset)


OFFLINE_INSTRUCTIONS = ("shorter", "warmer", "plainer", "remove the offer / discount")


def rewrite_offline(current: dict[str, str], instruction: str, ctx: dict[str, Any]) -> dict[str, str]:
    """The offline stand-in follows a few plain instructions; anything else needs a real model."""
    wanted = instruction.lower()
    fields = dict(current)
    # Required texts (opt-out, unsubscribe link) are set aside so no instruction can cut them.
    required = [text for text in ctx.get("required", []) if text in fields.get("body", "")]
    for text in required:
        fields["body"] = fields["body"].replace(text, "").strip()
    understood = False
    if "offer" in wanted or "discount" in wanted:
        offer = (ctx["brief"].get("offer") or "").strip().rstrip(".")
        for name, text in fields.items():
            sentences = re.split(r"(?<=[.!?])\s+", text)
            kept = [x for x in sentences if not (offer and offer.lower() in x.lower()) and not re.search(r"\d+\s*%|\boff\b|discount", x, re.I)]
            fields[name] = " ".join(kept)
        understood = True
    if "short" in wanted or "concise" in wanted:
        for name, text in fields.items():
            if name != "cta":
                # whole sentences, clauses or words, never a cut mid-phrase
                fields[name] = offline_writer.shorten(
                    text, offline_writer.within(max(20, int(len(text) * 0.7))), full_stop=name == "body") or text
        understood = True
    if "warm" in wanted or "friendl" in wanted:
        if fields.get("body"):
            fields["body"] = "Thanks for being with us. " + fields["body"]
        understood = True
    if "plain" in wanted or "calm" in wanted or "exclam" in wanted:
        fields = {name: text.replace("!", ".") for name, text in fields.items()}
        understood = True
    if not understood:
        raise ProviderError(
            f"The offline stand-in cannot follow “{instruction}”; it understands: {', '.join(OFFLINE_INSTRUCTIONS)}. "
            "Configure an LLM provider (COPYDESK_LLM_PROVIDER=openai) for free-form rewrites.",
            retryable=False,
        )
    if required:
        # an HTML body takes the required text as its own paragraph; plain text as the next sentence
        separator = "\n\n" if is_html_field(ctx["channel"]["name"], "body") else " "
        fields["body"] = f"{fields['body'].strip()}{separator}{' '.join(required)}".strip()
    return fields


# --- OpenAI-compatible ----------------------------------------------------------

class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


@lru_cache(maxsize=8)
def variants_model(fields: tuple[str, ...]) -> type[BaseModel]:
    variant = create_model("Variant", __base__=_Strict, **{name: (str, ...) for name in fields})  # type: ignore[call-overload]
    return create_model("Variants", __base__=_Strict, variants=(list[variant], ...))  # type: ignore[valid-type]


def response_schema(channel: str) -> dict[str, Any]:
    """The JSON schema of an answer: {"variants": [{field: text}]} with exactly the channel's fields (registry)."""
    fields = CHANNELS[channel].fields
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["variants"],
        "properties": {
            "variants": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": [spec.name for spec in fields],
                    "properties": {
                        spec.name: {"type": "string", "description": f"{spec.label}, {'HTML' if spec.kind == HTML else 'plain text'}"}
                        for spec in fields
                    },
                },
            }
        },
    }


def parse_variants(raw: str, fields: tuple[str, ...], wanted: int) -> list[dict[str, str]]:
    """Validate the model's JSON; raises ValueError with what was wrong."""
    try:
        parsed = variants_model(fields).model_validate_json(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ValueError(f"the answer did not match the schema ({where}: {first['msg']})") from None
    variants = [v.model_dump() for v in parsed.variants]  # type: ignore[attr-defined]
    if len(variants) < wanted:
        raise ValueError(f"the model returned {len(variants)} variants, {wanted} were asked for")
    return variants[:wanted]


class OpenAIProvider:
    """Any server speaking OpenAI's chat-completions protocol, through the official client."""

    name = "openai"

    def __init__(self, *, api_key: str | None = None, base_url: str | None = None, timeout: float | None = None) -> None:
        """Connect with the given configuration; whatever is not given comes from the settings."""
        import openai  # heavy, and needed only when this provider is configured

        self._openai = openai
        self.client = openai.OpenAI(
            api_key=(settings.OPENAI_API_KEY if api_key is None else api_key) or "unset",
            base_url=(settings.OPENAI_BASE_URL if base_url is None else base_url) or None,
            timeout=settings.OPENAI_TIMEOUT_SECONDS if timeout is None else timeout,
            max_retries=0,  # Celery owns retries: one layer only.
        )

    def generate(self, request: GenerationRequest) -> GenerationResult:
        model = request.model or settings.OPENAI_MODEL
        parameters = {"temperature": 0.7, **request.parameters}
        messages: list[dict[str, str]] = [
            {"role": "system", "content": request.prompt.system},
            {"role": "user", "content": request.prompt.user},
        ]
        started = time.monotonic()
        input_tokens = output_tokens = 0
        for attempt in (1, 2):
            completion = self._call(model, messages, request.channel, parameters)
            usage = completion.usage
            input_tokens += usage.prompt_tokens if usage else 0
            output_tokens += usage.completion_tokens if usage else 0
            choice = completion.choices[0]
            refusal = getattr(choice.message, "refusal", None)
            if refusal:
                raise ProviderError(f"the model refused: {refusal}", retryable=False)
            if choice.finish_reason == "length":
                raise ProviderError("the model's answer was cut off (token limit reached); nothing was stored", retryable=False)
            if choice.finish_reason == "content_filter":
                raise ProviderError("the provider's content filter stopped the answer", retryable=False)
            raw = choice.message.content or ""
            try:
                variants = parse_variants(raw, request.fields, request.variants)
            except ValueError as exc:
                if attempt == 2:
                    raise ProviderError(f"the model's answer was unusable after one repair attempt: {exc}", retryable=False) from None
                # One repair attempt: show the model its answer and what was wrong.
                messages += [
                    {"role": "assistant", "content": raw[:4000]},
                    {"role": "user", "content": f"That answer was invalid: {exc}. Reply with JSON only, matching the schema, with exactly {request.variants} variants."},
                ]
                continue
            return GenerationResult(
                variants=variants,
                provider=self.name,
                model=completion.model or model,
                parameters=parameters,
                input_tokens=input_tokens,
                output_tokens=output_tokens,
                latency_ms=int((time.monotonic() - started) * 1000),
            )
        raise AssertionError("unreachable")

    def _call(self, model: str, messages: list[dict[str, str]], channel: str, parameters: dict[str, Any]) -> Any:
        openai = self._openai
        create: Any = self.client.chat.completions.create  # parameters come from configuration, so typed loosely
        try:
            return create(
                model=model,
                messages=messages,
                response_format={"type": "json_schema", "json_schema": {"name": "copy_variants", "strict": True, "schema": response_schema(channel)}},
                **parameters,
            )
        except openai.RateLimitError as exc:
            raise ProviderError("the provider is rate limiting us (429)", retryable=True, retry_after=_retry_after(exc.response)) from None
        except openai.APITimeoutError:
            raise ProviderError("the provider did not answer in time", retryable=True) from None
        except openai.APIConnectionError:
            raise ProviderError("could not connect to the provider", retryable=True) from None
        except openai.APIStatusError as exc:
            if exc.status_code >= 500:
                raise ProviderError(f"the provider had an error ({exc.status_code})", retryable=True, retry_after=_retry_after(exc.response)) from None
            raise ProviderError(f"the provider refused the request ({exc.status_code}): {_error_text(exc)}", retryable=False) from None


def _retry_after(response: Any) -> float | None:
    value = response.headers.get("retry-after") if response is not None else None
    try:
        return min(float(value), 600.0) if value else None
    except ValueError:
        return None


def _error_text(exc: Any) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        return str(body.get("message") or json.dumps(body))[:300]
    return str(exc)[:300]


# --- registrations ------------------------------------------------------------------
# The first one registered is the default.

register(
    ProviderSpec(
        name="offline",
        build=OfflineProvider,
        default_model=lambda: "offline-template-v1",
        stand_in=True,
        description="a deterministic, template-based stand-in for an LLM",
        rewrite_help="the offline stand-in understands shorter, warmer, plainer and remove the offer",
        prices={"offline-template-v1": (0.0, 0.0)},
    )
)
register(
    ProviderSpec(
        name="openai",
        build=lambda: _openai_provider(settings.OPENAI_API_KEY, settings.OPENAI_BASE_URL, settings.OPENAI_TIMEOUT_SECONDS),
        default_model=lambda: str(settings.OPENAI_MODEL),
        prices={
            "gpt-4o-mini": (0.15, 0.60),
            "gpt-4o": (2.50, 10.00),
            "gpt-4.1-mini": (0.40, 1.60),
            "gpt-4.1": (2.00, 8.00),
        },
        required_settings={"OPENAI_API_KEY": "OPENAI_API_KEY"},
    )
)
