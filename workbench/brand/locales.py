"""The locales a brand writes in, read from its guide's data (Contract 1, "Locales").

A guide without `locales` has one locale: its `language` (default `en`). With `locales`, the first
key is the brand's default locale. Tags are BCP 47 (`es-US`); they are matched case-insensitively
and always handed back as the guide spells them. Stored rows whose locale is blank were written
before locales existed: they are in the brand's default locale (`effective_locale`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

# language[-script][-region]: enough of BCP 47 for copy (no extensions or private use).
LOCALE_TAG = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z]{4})?(?:-(?:[A-Za-z]{2}|[0-9]{3}))?$")
LOCALE_PATTERN = r"^[A-Za-z]{2,3}(-[A-Za-z]{4})?(-([A-Za-z]{2}|[0-9]{3}))?$"

# English and native names of the languages Copydesk checks; another language shows its code.
LANGUAGE_NAMES: dict[str, tuple[str, str]] = {
    "en": ("English", "English"),
    "es": ("Spanish", "español"),
    "fr": ("French", "français"),
    "de": ("German", "Deutsch"),
    "it": ("Italian", "italiano"),
    "pt": ("Portuguese", "português"),
    "nl": ("Dutch", "Nederlands"),
}


def guide_locales(data: Mapping[str, Any]) -> list[str]:
    """The guide's locales, the default first."""
    locales = data.get("locales")
    if isinstance(locales, Mapping) and locales:
        return [str(tag) for tag in locales]
    return [str(data.get("language") or "en")]


def default_locale(data: Mapping[str, Any]) -> str:
    return guide_locales(data)[0]


def language_of(tag: str) -> str:
    """`es-US` -> `es`."""
    return tag.split("-", 1)[0].lower()


def language_name(tag: str) -> str:
    return LANGUAGE_NAMES.get(language_of(tag), (tag, tag))[0]


def locale_label(data: Mapping[str, Any], tag: str) -> str:
    """How the UI names a locale: the guide's display name, else `Spanish (es-US)`."""
    entry = (data.get("locales") or {}).get(tag)
    if isinstance(entry, Mapping) and entry.get("name"):
        return f"{entry['name']} ({tag})"
    return f"{language_name(tag)} ({tag})"


def locale_settings(data: Mapping[str, Any], tag: str) -> Mapping[str, Any]:
    """The guide's entry for one locale ({} for the top-level language or a locale that adds nothing)."""
    entry = (data.get("locales") or {}).get(tag)
    return entry if isinstance(entry, Mapping) else {}


def declared(tag: str, locales: Sequence[str]) -> str | None:
    """The declared locale a tag names, as the guide spells it, or None."""
    wanted = tag.strip().lower()
    return next((known for known in locales if known.lower() == wanted), None)


def effective_locale(stored: str, locales: Sequence[str]) -> str:
    """A stored locale, blank meaning the brand's default."""
    return stored or locales[0]


def fallback_chain(requested: str, locales: Sequence[str], *, fallback: bool = True) -> list[str]:
    """The locales to try for a request, in order: the one asked for, the others of its language
    in the guide's order, then the brand's default locale. Only declared locales: a customer's
    ``es-MX`` where the brand writes ``es-US`` starts at ``es-US``, and a locale the brand stopped
    writing in has no live content."""
    chain = [requested] if requested in locales else []
    if fallback:
        chain += [tag for tag in locales if language_of(tag) == language_of(requested)]
        chain.append(locales[0])
    return list(dict.fromkeys(chain))
