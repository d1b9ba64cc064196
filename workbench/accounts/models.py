from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models


class Role(models.TextChoices):
    MARKETER = "marketer", "Marketer"
    REVIEWER = "reviewer", "Reviewer"
    PUBLISHER = "publisher", "Publisher"
    ADMIN = "admin", "Admin"
    # Ops and compliance: reads, exports and verifies the audit log; changes nothing.
    COMPLIANCE = "compliance", "Compliance (audit)"


class User(AbstractUser):
    """A Copydesk user. The role decides what they may do; admins may do everything."""

    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MARKETER)

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    @property
    def is_copydesk_admin(self) -> bool:
        return self.role == Role.ADMIN or self.is_superuser

    @property
    def can_read_audit(self) -> bool:
        """The audit log holds every user's actions, failed-login names and addresses: admins and compliance only."""
        return self.role in (Role.ADMIN, Role.COMPLIANCE) or self.is_superuser

    @property
    def can_author(self) -> bool:
        return self.role in (Role.MARKETER, Role.ADMIN) or self.is_superuser

    @property
    def can_review(self) -> bool:
        return self.role in (Role.REVIEWER, Role.ADMIN) or self.is_superuser

    @property
    def can_publish(self) -> bool:
        return self.role in (Role.PUBLISHER, Role.ADMIN) or self.is_superuser
