"""How much text each field may hold, wherever it comes from: a browser form, the API or a provider.

These guard the server (a check, a sanitiser and a page render all grow with the text); the brand guide's own
length limits judge the copy and are far smaller. One place, so forms, actions and the provider boundary agree.
"""

from __future__ import annotations

from collections.abc import Mapping

from workbench.checks.engine.channels import CHANNELS, all_field_names
from workbench.errors import CopydeskError
# Brief texts (title, offer and call to action have their model column's max_length).
BRIEF_TEXT_MAX_CHARS = 5_000
# What a person writes about a draft.
INSTRUCTION_MAX_CHARS = 300
COMMENT_MAX_CHARS = 5_000
REASON_MAX_CHARS = 2_000


def draft_field_limit(name: str) -> int:
    """The most a draft field of this name may hold: its FieldSpec.stored_max_chars in the channel registry."""
    sizes = [spec.stored_max_chars for channel in CHANNELS.values() for spec in channel.fields]
    named = [spec.stored_max_chars for channel in CHANNELS.values() for spec in channel.fields if spec.name == name]
    return max(named) if named else min(sizes)


# Draft fields, per field name (every channel's fields are among these).
DRAFT_FIELD_MAX_CHARS: dict[str, int] = {name: draft_field_limit(name) for name in all_field_names()}


def oversized_fields(fields: Mapping[str, str]) -> list[str]:
    """One sentence per field longer than its limit, naming the field, its length and the limit."""
    return [
        f"The {name} is {len(text):,} characters; the most a {name} can hold is {draft_field_limit(name):,}."
        for name, text in fields.items()
        if len(text) > draft_field_limit(name)
    ]


def require_field_sizes(fields: Mapping[str, str], *, source: str = "") -> None:
    problems = oversized_fields(fields)
    if problems:
        raise CopydeskError(f"{source}{' '.join(problems)} Nothing was stored.")


def require_text_size(text: str, limit: int, what: str) -> None:
    # PostgreSQL text cannot hold NUL; no person types one, so say so rather than fail at the database.
    if "\x00" in text:
        raise CopydeskError(f"The {what} contains a NUL character, which cannot be stored; remove it and try again.")
    if len(text) > limit:
        raise CopydeskError(f"Keep the {what} under {limit:,} characters (it is {len(text):,}).")
