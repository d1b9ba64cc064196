"""The plain data a prompt template sees. Only dicts, lists and strings: never a model instance."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from workbench.brand.locales import default_locale, guide_locales, language_name, language_of, locale_settings
from workbench.brand.models import Brand, BrandGuideVersion, Segment
from workbench.checks.engine import CHANNEL_FIELDS, CHANNELS
from workbench.generation.models import Brief

# The prompt fences marketer-written text in <brief>, <segment>, ... blocks; text that opens or
# closes such a fence itself could smuggle instructions outside it. A model reads `</brief`,
# `< / BRIEF >`, a full-width `＜/brief＞` or one with a Cyrillic `е` as a closing tag too, so the
# text is first folded the way a reader sees it (NFKC, invisible characters dropped, look-alike
# brackets, slashes and letters mapped), and any fence-like run is then rewritten with plain
# parentheses, which no fence uses.
FENCE_WORDS = ("brief", "segment", "instruction", "current", "example")
_LOOKALIKES = {
    "<": "<‹〈⟨❮❬⦑⧼˂ᐸ＜﹤«≺",
    ">": ">›〉⟩❯❭⦒⧽˃ᐳ＞﹥»≻",
    "/": "/∕⁄⧸╱⟋／\\⧵＼",
    "a": "aаɑαᴀ", "b": "bЬьƅʙвβ", "c": "cсϲᴄ", "e": "eеєεᴇҽ", "f": "fƒſꞙꜰғϝ", "g": "gɡɢ", "i": "iіıɩιӏ1ɪl|",
    "l": "lӏɩ1|ɪI", "m": "mмᴍ", "n": "nпոɴ", "o": "oоοσᴏ0", "p": "pрρᴘ", "r": "rгᴦʀ", "s": "sѕꜱ", "t": "tтτᴛ",
    "u": "uυսᴜ", "x": "xхχ",
}


# Accented forms of each letter (ï, ë, ḃ ...), which NFKC composes: a model still reads `</brïef>` as the fence.
_ACCENTED: dict[str, str] = {}
for _code in [*range(0xC0, 0x250), *range(0x1E00, 0x1F00)]:
    _base = unicodedata.normalize("NFD", chr(_code))[0].lower()
    if _base.isascii() and _base.isalpha():
        _ACCENTED[_base] = _ACCENTED.get(_base, "") + chr(_code)


def _class(char: str) -> str:
    return "[" + re.escape(_LOOKALIKES.get(char, char) + _ACCENTED.get(char, "")) + "]"


def _word(word: str) -> str:
    # Each letter may carry combining marks (`brïef`) and be spaced out (`b r i e f`).
    return r"\s*".join(_class(c) + "[\u0300-\u036f]*" for c in word)


_FENCE = re.compile(
    rf"(?:{_class('<')}\s*{_class('/')}?|{_class('/')})\s*(?:{'|'.join(_word(w) for w in FENCE_WORDS)})(?![^\W\d_])[^<>\n]{{0,80}}{_class('>')}?"
    rf"|(?:{'|'.join(_word(w) for w in FENCE_WORDS)})\s*{_class('>')}",
    re.IGNORECASE,
)
_NEUTRAL = str.maketrans({**dict.fromkeys(_LOOKALIKES["<"], "("), **dict.fromkeys(_LOOKALIKES[">"], ")")})


def _visible(char: str) -> bool:
    # Format characters (zero-width, bidi controls), variation selectors, combining grapheme joiner, Hangul fillers.
    category = unicodedata.category(char)
    if category in ("Cf", "Cc") and char not in "\n\t":
        return False
    return not ("\ufe00" <= char <= "\ufe0f" or char in "\u034f\u115f\u1160\u3164\uffa0\u2800\u180b\u180c\u180d\u180e\u180f")


def fold_for_fence(text: str) -> tuple[str, list[int]]:
    """The text as a reader (or a model) sees it, compatibility forms folded and invisible characters gone,
    with the index in the original text of each folded character."""
    folded: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        for piece in unicodedata.normalize("NFKC", char):
            if _visible(piece):
                folded.append(piece)
                origin.append(index)
    return "".join(folded), origin


def fenced(text: str) -> str:
    """Marketer text safe to place inside a prompt fence: nothing in it can open or close one.

    Only the fence-like runs change (rewritten from their folded form with parentheses); the rest
    of the text stays exactly as written, so a ™ or an accent reaches the prompt as the marketer typed it.
    """
    folded, origin = fold_for_fence(text)
    out: list[str] = []
    kept_until = 0
    for match in _FENCE.finditer(folded):
        start, end = origin[match.start()], origin[match.end() - 1] + 1
        if start < kept_until:
            continue
        out.append(text[kept_until:start])
        out.append(match.group(0).translate(_NEUTRAL).replace("/", "∕ ").replace("\\", "∕ "))
        kept_until = end
    out.append(text[kept_until:])
    return "".join(out)


def channel_context(channel: str, guide_data: dict[str, Any]) -> dict[str, Any]:
    """What a prompt knows of the channel, from the registry; the limits are the ones the checks apply."""
    spec = CHANNELS[channel]
    return {
        "name": spec.name,
        "label": spec.label,
        "fields": list(spec.field_names),
        "html_fields": [f.name for f in spec.fields if f.kind == "html"],
        "limits": spec.limits(guide_data),
        "guidance": spec.prompt_guidance,
    }


def locale_context(data: dict[str, Any], brief: Brief, locale: str | None) -> dict[str, Any]:
    """What a prompt knows about the locale it writes in (`locale.*` in prompts/README.md)."""
    tag = locale or default_locale(data)
    base_language = str(data.get("language") or "en")
    entry = locale_settings(data, tag)
    key_message = (brief.locale_key_messages or {}).get(tag, "")
    return {
        "tag": tag,
        "language": language_of(tag),
        "language_name": language_name(tag),
        "name": str(entry.get("name") or f"{language_name(tag)} ({tag})"),
        "is_default": tag == guide_locales(data)[0],
        # The guide's own rules and the brief are written in its base language; copy in another language must be written anew.
        "translates": language_of(tag) != language_of(base_language),
        "base_language_name": language_name(base_language),
        "key_message": fenced(key_message),
    }


def prompt_context(
    *, brief: Brief, segment: Segment, channel: str, guide: BrandGuideVersion, past_rejections: list[str], locale: str | None = None
) -> dict[str, Any]:
    data = guide.data
    localised = locale_context(data, brief, locale)
    overlay = locale_settings(data, localised["tag"])
    # The locale's voice speaks for it key by key (its summary, do/don't and examples are in its language).
    voice = {**(data.get("voice") or {}), **(overlay.get("voice") or {})}
    examples = [e for e in voice.get("examples", []) if e.get("channel") in (channel, None)]
    required = {**(data.get("required") or {}), **(overlay.get("required") or {})}
    disallowed = [*data.get("disallowed", []), *overlay.get("disallowed", [])]
    taboo = [*data.get("taboo_topics", []), *overlay.get("taboo_topics", [])]
    return {
        "locale": localised,
        "brand": {"name": data.get("name", brief.brand.name), "slug": brief.brand.slug},
        "voice": {
            "summary": voice.get("summary", ""),
            "traits": list(voice.get("traits", [])),
            "do": list(voice.get("do", [])),
            "dont": list(voice.get("dont", [])),
            "good_examples": [e["text"] for e in examples if e.get("good", True)],
            "bad_examples": [{"text": e["text"], "note": e.get("note", "")} for e in examples if not e.get("good", True)],
        },
        "segment": {
            "name": fenced(segment.name),
            "slug": segment.slug,
            "description": fenced(segment.description),
            "attributes": dict(segment.attributes or {}),
            "tone_context": brief.tone_context or segment.tone_context or "default",
        },
        "brief": {
            "title": fenced(brief.title),
            "goal": fenced(brief.goal),
            # The locale's own key message when the marketer wrote one; the brief's otherwise.
            "key_message": localised["key_message"] or fenced(brief.key_message),
            "offer": fenced(brief.offer),
            "call_to_action": fenced(brief.call_to_action),
        },
        "channel": channel_context(channel, data),
        "avoid": {
            "disallowed": [d["term"] for d in disallowed][:200],
            "taboo_topics": [t["name"] for t in taboo],
        },
        "required": list(required.get(channel, [])),
        "merge_fields": list(data.get("merge_fields", [])),
        "variants": brief.variants_per_segment,
        "past_rejections": [fenced(reason) for reason in past_rejections],
        "task": {"mode": "generate", "instruction": "", "current": None, "seed": 0},
    }


# A guide with every section filled in, so a template that reads any part of it is exercised at save time.
SAMPLE_GUIDE: dict[str, Any] = {
    "slug": "sample", "name": "Sample Brand",
    "voice": {
        "summary": "Warm and plain.", "traits": ["warm", "plain"], "do": ["Use second person"], "dont": ["Hype"],
        "examples": [{"channel": c, "good": good, "text": "Your order is on its way.", "note": "" if good else "flat"} for c in CHANNEL_FIELDS for good in (True, False)],
    },
    "disallowed": [{"term": "cheap", "severity": "block"}],
    "taboo_topics": [{"name": "politics", "severity": "block", "terms": ["election"]}],
    "required": {"sms": ["Reply STOP to opt out"], "email": ["{{ unsubscribe_url }}"]},
    "channels": {}, "merge_fields": ["first_name", "unsubscribe_url"],
    "language": "en",
    "locales": {
        "en-US": {},
        "es-US": {
            "name": "Español (EE. UU.)",
            "voice": {"summary": "Cercana y clara.", "examples": [{"channel": c, "good": True, "text": "Tu pedido va en camino."} for c in CHANNEL_FIELDS]},
            "required": {"sms": ["Responde STOP para cancelar"]},
        },
    },
}


def sample_prompt_contexts(guide_data: list[dict[str, Any]] | None = None) -> list[tuple[str, dict[str, Any]]]:
    """(label, context) pairs a prompt template must render: every channel and task mode, for each guide given."""
    brand = Brand(slug="sample", name="Sample Brand")
    brief = Brief(
        brand=brand, title="Sample brief", goal="Welcome new customers", key_message="We are here to help", offer="10% off",
        call_to_action="Shop now", tone_context="", variants_per_segment=2,
    )
    segment = Segment(brand=brand, slug="sample", name="Sample segment", description="People who bought once", tone_context="promotional", attributes={"lifecycle": "new"})
    contexts = []
    for data in [SAMPLE_GUIDE, *(guide_data or [])]:
        guide = BrandGuideVersion(brand=brand, number=1, data=data)
        for channel, fields in CHANNEL_FIELDS.items():
            context = prompt_context(brief=brief, segment=segment, channel=channel, guide=guide, past_rejections=["Too long"])
            contexts.append((f"{channel}, guide {data.get('slug', '?')}", context))
            for locale in guide_locales(data)[1:]:
                localised = prompt_context(brief=brief, segment=segment, channel=channel, guide=guide, past_rejections=[], locale=locale)
                contexts.append((f"{channel} in {locale}, guide {data.get('slug', '?')}", localised))
            current = {name: "Sample text" for name in fields}
            for mode in ("rewrite", "more_like_this", "regenerate"):
                contexts.append((f"{channel} {mode}", {**context, "task": {"mode": mode, "instruction": "Shorter", "current": current, "seed": 1}}))
    return contexts
