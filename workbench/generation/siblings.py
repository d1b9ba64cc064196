"""A localised draft's counterpart in the brand's default locale, shown beside it on the draft page."""

from __future__ import annotations

from dataclasses import dataclass

from workbench.brand.locales import default_locale
from workbench.generation.models import Draft, DraftVersion


@dataclass(frozen=True)
class LocaleSibling:
    locale: str  # the brand's default locale
    draft: Draft | None  # None: the brief has no such draft in the default locale (say so rather than hide it)
    version: DraftVersion | None


def default_locale_sibling(draft: Draft) -> LocaleSibling | None:
    """The draft with the same brief, segment, channel and variant in the brand's default locale; None for a default-locale draft."""
    default = default_locale(draft.brief.brand.current_guide().data)
    if not draft.locale or draft.locale == default:
        return None
    sibling = (
        Draft.objects.filter(brief_id=draft.brief_id, segment_id=draft.segment_id, channel=draft.channel, variant=draft.variant, locale=default)
        .order_by("pk")
        .first()
    )
    return LocaleSibling(default, sibling, sibling.latest_version() if sibling else None)
