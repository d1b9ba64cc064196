"""Drafts with exactly the text a checks test needs, moved along with the real transition functions."""

from __future__ import annotations

from workbench.accounts.models import User
from workbench.brand.models import Brand, PromptTemplate, Segment
from workbench.generation import actions
from workbench.generation.models import Draft
from tests.pipeline import submitted_draft

EMAIL = {"subject": "Your trail boots", "preheader": "Light and comfortable", "body": "Hello {{ first_name }}, the new boots are here. {{ unsubscribe_url }}"}


def draft_with_text(brand: Brand, prompt: PromptTemplate, segment: Segment, author: User, fields: dict[str, str], channel: str = "email") -> Draft:
    draft = submitted_draft(brand, prompt, segment, author, channel)
    actions.draft_edit(draft, fields=fields, base_version=draft.latest_version().number, acting_user=author)
    draft.refresh_from_db()
    return draft


