from __future__ import annotations

from django.conf import settings
from django.db import models

from workbench.generation.models import DraftVersion


class Decision(models.TextChoices):
    APPROVE = "approve", "Approved"
    REJECT = "reject", "Rejected"
    REQUEST_CHANGES = "request_changes", "Changes requested"


class ReviewDecision(models.Model):
    """A reviewer's decision on one exact version. Approvals never carry over to a new version."""

    version = models.ForeignKey(DraftVersion, on_delete=models.PROTECT, related_name="decisions")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="review_decisions")
    decision = models.CharField(max_length=16, choices=Decision.choices)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            # Two approvals must come from two different reviewers.
            models.UniqueConstraint(
                fields=["version", "reviewer"],
                condition=models.Q(decision="approve"),
                name="one_approval_per_reviewer_per_version",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} {self.version} by {self.reviewer}"


class FindingOverride(models.Model):
    """A reviewer's written justification for letting one blocking finding ship."""

    version = models.ForeignKey(DraftVersion, on_delete=models.PROTECT, related_name="overrides")
    finding_key = models.CharField(max_length=300)
    justification = models.TextField()
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["version", "finding_key"], name="unique_override")]

    def __str__(self) -> str:
        return f"override {self.finding_key} on {self.version}"
