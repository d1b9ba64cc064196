"""{% channel_preview version [segment] %}: the one channel preview every page includes (see generation/previews.py)."""

from __future__ import annotations

from django import template

from workbench.brand.models import Segment
from workbench.generation.models import DraftVersion
from workbench.generation.previews import ChannelPreview
from workbench.generation.previews import channel_preview as build_preview

register = template.Library()


@register.inclusion_tag("generation/_channel_preview.html")
def channel_preview(version: DraftVersion, segment: Segment | None = None) -> dict[str, ChannelPreview]:
    return {"preview": build_preview(version, segment)}
