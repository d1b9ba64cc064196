from __future__ import annotations

from django import template

from workbench.accounts.models import User
from workbench.review.models import Notification

register = template.Library()


@register.simple_tag
def unread_notifications(user: User) -> int:
    """The nav badge: one COUNT query per page."""
    return Notification.objects.unread().filter(recipient=user).count() if user.is_authenticated else 0
