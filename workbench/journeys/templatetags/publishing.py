"""The publishing dialog where another app's page shows it (a draft's page), without that app importing journeys."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from workbench.accounts.models import User
from workbench.generation.models import Draft, DraftState, DraftVersion
from workbench.journeys.forms import PublishForm

register = template.Library()


@register.simple_tag(takes_context=True)
def publish_dialog(context: template.Context, draft: Draft, version: DraftVersion) -> SafeString | str:
    """On an approved draft's page: the publishing dialog for a publisher, a line saying who publishes for anyone else."""
    request: Any = context.get("request")
    user = getattr(request, "user", None)
    if draft.state != DraftState.APPROVED or not isinstance(user, User):
        return ""
    if not user.can_publish:
        return format_html('<p class="help">{}</p>', "A publisher or admin puts it live.")
    form = PublishForm(version=version)
    if not form.fields["step"].queryset.exists():  # type: ignore[attr-defined]
        return format_html('<p class="help">{}</p>', f"No journey step of this brand sends {draft.get_channel_display()} yet; a publisher adds one under Journeys.")
    return render_to_string(
        "journeys/_publish_dialog.html", {"form": form, "plan": None, "action": reverse("publish", args=[version.pk]), "heading": "Publish"}, request=request
    )
