"""The plain data a prompt template sees. Only dicts, lists and strings: never a model instance."""

from __future__ import annotations

import re
from typing import Any

from workbench.brand.models import BrandGuideVersion, Segment
from workbench.checks.engine import CHANNEL_FIELDS
from workbench.generation.models import Brief

# The prompt fences marketer-written text in <brief> and <segment> blocks; text that
# opens or closes such a fence itself could smuggle instructions outside it.
_FENCE = re.compile(r"<\s*/?\s*(brief|segment|instruction|current|example)\b[^>]*>", re.IGNORECASE)


def fenced(text: str) -> str:
    return _FENCE.sub(lambda m: m.group(0).replace("<", "‹").replace(">", "›"), text)


DEFAULT_LIMITS: dict[str, dict[str, int]] = {
    "email": {"subject_max_chars": 60, "preheader_max_chars": 100, "body_max_chars": 5000},
    "sms": {"max_segments": 1},
    "push": {"title_max_chars": 40, "body_max_chars": 120},
    "in_app": {"title_max_chars": 40, "body_max_chars": 200, "cta_max_chars": 20},
}


def prompt_context(
    *, brief: Brief, segment: Segment, channel: str, guide: BrandGuideVersion, past_rejections: list[str]
) -> dict[str, Any]:
    data = guide.data
    voice = data.get("voice") or {}
    examples = [e for e in voice.get("examples", []) if e.get("channel") in (channel, None)]
    return {
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
            "key_message": fenced(brief.key_message),
            "offer": fenced(brief.offer),
            "call_to_action": fenced(brief.call_to_action),
        },
        "channel": {
            "name": channel,
            "fields": list(CHANNEL_FIELDS[channel]),
            "limits": {**DEFAULT_LIMITS[channel], **((data.get("channels") or {}).get(channel) or {})},
        },
        "avoid": {
            "disallowed": [d["term"] for d in data.get("disallowed", [])][:200],
            "taboo_topics": [t["name"] for t in data.get("taboo_topics", [])],
        },
        "required": list((data.get("required") or {}).get(channel, [])),
        "merge_fields": list(data.get("merge_fields", [])),
        "variants": brief.variants_per_segment,
        "past_rejections": [fenced(reason) for reason in past_rejections],
        "task": {"mode": "generate", "instruction": "", "current": None, "seed": 0},
    }
