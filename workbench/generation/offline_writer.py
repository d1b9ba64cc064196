"""The offline stand-in's writing: drafts composed from the brief's own words, within the channel's limits.

Nothing here cuts text at a character count. Every field is composed from
whole sentences; when the sentences do not fit, from a sentence's leading
clauses; when they do not either, from its leading words, stopping only where
a phrase can end (checked with the engine's own cut-off rules, so what the
stand-in writes never carries a `length`/`truncated` finding). SMS bodies are
composed with the required texts (opt-out) included and measured in segments
as the carrier counts them. Deterministic: the same brief, segment and seed
give the same drafts.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from typing import Any

from workbench.checks.engine import sms_segments
from workbench.checks.engine.channels import CHANNELS, HTML, SEGMENTS_KEY
from workbench.checks.engine.truncation import ends_mid_phrase

OPENERS = [
    "{key_message}",
    "Here's something for you: {key_message_lower}",
    "Good to see you again. {key_message}",
    "A quick note from {brand}: {key_message_lower}",
    "We thought of you. {key_message}",
]
SUBJECTS = ["{key_message_short}", "{brand}: {key_message_short}", "For you: {key_message_short}", "{cta} today",
            "News from {brand}"]
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+")
_CLAUSE_SPLIT = re.compile(r"(?<=[,;:])\s+|\s+[-–—]\s+")
_TRAILING_PUNCT = " ,;:-–—"

Fits = Callable[[str], bool]


def within(limit: int | None) -> Fits:
    return lambda text: limit is None or len(text) <= limit


def _sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_SPLIT.split(text.strip()) if s]


def _complete(text: str, language: str = "en") -> bool:
    return bool(text.strip()) and not ends_mid_phrase(text, language)


def shorten(text: str, fits: Fits, *, full_stop: bool = False, language: str = "en") -> str:
    """The longest leading run of whole sentences, else clauses, else words, that fits and ends a phrase.

    ``full_stop`` ends a shortened sentence with a full stop (bodies); titles
    and subjects go without. Returns "" when not even one word fits. Where a
    phrase can end is read in ``language``, as the checks read the draft.
    """
    text = " ".join(text.split())
    if fits(text) and _complete(text, language):
        return text
    sentences = _sentences(text)
    for k in range(len(sentences) - 1, 0, -1):
        candidate = " ".join(sentences[:k])
        if fits(candidate) and _complete(candidate, language):
            return candidate
    first = sentences[0] if sentences else text
    for candidate in _leading_runs(first):
        if full_stop:
            candidate += "."
        if fits(candidate) and _complete(candidate, language):
            return candidate
    return ""


def _leading_runs(sentence: str) -> Iterable[str]:
    """Shorter and shorter leading pieces of a sentence: clauses first, then words."""
    clauses = _CLAUSE_SPLIT.split(sentence)
    for k in range(len(clauses) - 1, 0, -1):
        yield " ".join(clauses[:k]).rstrip(_TRAILING_PUNCT + ".!?")
    words = sentence.rstrip(".!?").split()
    for k in range(len(words) - 1, 0, -1):
        yield " ".join(words[:k]).rstrip(_TRAILING_PUNCT)


def first_that_fits(candidates: Iterable[str], fits: Fits, *, full_stop: bool = False, language: str = "en") -> str:
    """The first candidate that fits as written, else the first that can be shortened to fit."""
    pool = [c for c in candidates if c.strip()]
    for candidate in pool:
        if fits(candidate) and _complete(candidate, language):
            return candidate
    for candidate in pool:
        short = shorten(candidate, fits, full_stop=full_stop, language=language)
        if short:
            return short
    return ""


def sms_body(parts: list[str], required: str, max_segments: int, language: str = "en") -> str:
    """Whole parts (sentences) that fit with the required text in ``max_segments`` parts."""
    def fits(text: str) -> bool:
        return sms_segments(f"{text} {required}".strip())[1] <= max_segments

    # drop trailing parts first (offer, then the call to action go before the message itself)
    for k in range(len(parts), 0, -1):
        candidate = " ".join(parts[:k])
        if fits(candidate) and _complete(candidate, language):
            return f"{candidate} {required}".strip()
    short = shorten(parts[0], fits, full_stop=True, language=language) if parts else ""
    return f"{short} {required}".strip()


def cannot_translate_note(ctx: dict[str, Any]) -> str:
    """What the stand-in says when asked for another language than the brief's: it cannot translate."""
    locale = ctx.get("locale") or {}
    if not locale.get("translates"):
        return ""
    source = "the brief's key message for this locale" if locale.get("key_message") else f"the brief as written in {locale['base_language_name']}"
    return (
        f"The offline stand-in cannot translate: asked for {locale['language_name']} ({locale['tag']}), it wrote from {source}, "
        "without its English phrasing; the language check judges what it wrote."
    )


def write_variants(channel: str, ctx: dict[str, Any], count: int, seed_offset: int) -> list[dict[str, str]]:
    brief, limits = ctx["brief"], ctx["channel"]["limits"]
    if cannot_translate_note(ctx):
        return _write_untranslated(channel, ctx, count)
    brand = ctx["brand"]["name"]
    key_message = brief["key_message"].strip().rstrip(".") + "."
    cta = brief["call_to_action"].strip().rstrip(".")
    short_message = shorten(_sentences(key_message)[0].rstrip(".!?") if key_message.strip(".") else brand, within(45))
    words = {
        "brand": brand,
        "key_message": key_message,
        "key_message_lower": key_message[:1].lower() + key_message[1:],
        "key_message_short": short_message or brand,
        "cta": cta,
    }
    required = " ".join(ctx.get("required", []))
    offer = f"{brief['offer'].strip().rstrip('.')}." if brief.get("offer") else ""
    # Seeded by the brief and segment so the same brief gives the same drafts.
    seed = int(hashlib.sha256(f"{ctx['segment']['slug']}|{brief['key_message']}".encode()).hexdigest(), 16) + seed_offset
    variants = []
    for index in range(count):
        opener = OPENERS[(seed + index) % len(OPENERS)].format(**words)
        title_pick = (seed + index) % len(SUBJECTS)
        titles = [SUBJECTS[(title_pick + k) % len(SUBJECTS)].format(**words) for k in range(len(SUBJECTS))] + [brand]
        body = " ".join(p for p in (opener, offer, f"{cta}.") if p)
        fields: dict[str, str] = {}
        # one text per field of the channel (registry), chosen by what the field is
        for spec in CHANNELS[channel].fields:
            limit = limits.get(spec.limit_key)
            if spec.name in ("subject", "title"):
                fields[spec.name] = first_that_fits(titles, within(limit))
            elif spec.name == "preheader":
                fields[spec.name] = first_that_fits([" ".join(p for p in (f"{cta}.", offer) if p), f"{cta}."], within(limit))
            elif spec.name == "cta":
                fields[spec.name] = first_that_fits([cta, "Learn more", "Open"], within(limit))
            elif spec.sms_segments:
                fields[spec.name] = sms_body([f"{brand}: {opener}", offer, f"{cta}."], required,
                                             int(limits.get(SEGMENTS_KEY, 1)))
            elif spec.kind == HTML:
                greeting = "Hi {{ first_name }},\n\n"
                closing = f"\n\n{required}" if required else ""
                fields[spec.name] = greeting + first_that_fits(
                    [body], within(None if limit is None else limit - len(greeting) - len(closing)), full_stop=True) + closing
            else:
                fields[spec.name] = first_that_fits([body, opener, f"{cta}."], within(limit), full_stop=True)
        variants.append(fields)
    return variants


def _write_untranslated(channel: str, ctx: dict[str, Any], count: int) -> list[dict[str, str]]:
    """Copy for a locale the stand-in cannot write in: the brief's words only (the locale's own key message when there is one),
    none of the stand-in's English openers, greetings or subjects. The variants differ only in whether the brand is named."""
    brief, limits, brand = ctx["brief"], ctx["channel"]["limits"], ctx["brand"]["name"]
    language = str(ctx["locale"].get("language") or "en")  # the checks read the draft in its locale's language
    own_words = bool(ctx["locale"].get("key_message"))
    key_message = brief["key_message"].strip().rstrip(".") + "."
    # With the locale's own key message the base-language offer and call to action would mix two languages; without one, all is as written.
    extras = [] if own_words else [p for p in (f"{brief['offer'].strip().rstrip('.')}." if brief.get("offer") else "", f"{brief['call_to_action'].strip().rstrip('.')}.") if p]
    required = " ".join(ctx.get("required", []))
    headline = shorten(_sentences(key_message)[0].rstrip(".!?"), within(45), language=language) or brand
    variants = []
    for index in range(count):
        title = first_that_fits([f"{brand}: {headline}", headline, brand] if index % 2 else [headline, brand], within(limits.get("title_max_chars") or limits.get("subject_max_chars")), language=language)
        body = " ".join([key_message, *extras])
        fields: dict[str, str] = {}
        if channel == "email":
            closing = f"\n\n{required}" if required else ""
            room = limits.get("body_max_chars")
            fields["subject"] = title
            fields["preheader"] = first_that_fits([key_message], within(limits.get("preheader_max_chars")), full_stop=True, language=language)
            fields["body"] = first_that_fits([body], within(None if room is None else room - len(closing)), full_stop=True, language=language) + closing
        elif channel == "sms":
            fields["body"] = sms_body([f"{brand}: {key_message}" if index % 2 else key_message, *extras], required, int(limits.get("max_segments", 1)), language)
        else:
            fields["title"] = title
            fields["body"] = first_that_fits([body, key_message], within(limits.get("body_max_chars")), full_stop=True, language=language)
            if channel == "in_app":
                fields["cta"] = first_that_fits([brief["call_to_action"].strip().rstrip("."), brand], within(limits.get("cta_max_chars")), language=language)
        variants.append(fields)
    return variants
