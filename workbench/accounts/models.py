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


class ReviewRole(models.TextChoices):
    """What a reviewer may sign off for beyond ordinary review; a guide's approval rules name these (`roles: [legal]`).
    Held in addition to the main role, so a reviewer can also be legal."""

    LEGAL = "legal", "Legal"


class User(AbstractUser):
    """A Copydesk user. The role decides what they may do; admins may do everything."""

    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MARKETER)
    # Values of ReviewRole, e.g. ["legal"]: counted by the approval policy's `roles`.
    review_roles = models.JSONField(default=list, blank=True)
    # Languages the user reads, as BCP 47 language codes (["en", "es"]): counted by the policy's `languages`.
    languages = models.JSONField(default=list, blank=True)

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

    def holds_review_role(self, role: str) -> bool:
        return role in (self.review_roles or [])

    def reads(self, language: str) -> bool:
        """Whether the user reads a language; `es` in the user's list covers `es-US` asked for and the reverse."""
        wanted = language.lower().split("-")[0]
        return any(str(code).lower().split("-")[0] == wanted for code in (self.languages or []))
