from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from workbench.brand.models import BrandGuideVersion
from workbench.generation.models import DraftVersion


class CheckResult(models.Model):
    """The engine's findings for one draft version against one guide version."""

    version = models.ForeignKey(DraftVersion, on_delete=models.PROTECT, related_name="check_results")
    guide_version = models.ForeignKey(BrandGuideVersion, on_delete=models.PROTECT, related_name="+")
    context = models.CharField(max_length=64, blank=True)
    passed = models.BooleanField()
    findings = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["version", "guide_version"], name="unique_check_per_guide")]

    def __str__(self) -> str:
        return f"check of {self.version} against {self.guide_version}"

    @property
    def blocking(self) -> list[dict[str, Any]]:
        return [f for f in self.findings if f["severity"] == "block"]

    @property
    def warnings(self) -> list[dict[str, Any]]:
        return [f for f in self.findings if f["severity"] == "warn"]

    def unresolved_blocking(self, overridden: set[str]) -> list[dict[str, Any]]:
        """Blocking findings no reviewer has overridden: what stops approval and publication."""
        return [f for f in self.blocking if finding_key(f) not in overridden]

    def finding(self, key: str) -> dict[str, Any] | None:
        return next((f for f in self.findings if finding_key(f) == key), None)


def finding_key(finding: dict[str, Any]) -> str:
    """A stable name for one finding of one version, used to override it."""
    return f"{finding['kind']}:{finding['rule']}:{finding['field']}:{finding['start']}-{finding['end']}"


def finding_rule_key(finding: dict[str, Any]) -> str:
    """The finding without where it is ("claim:clinically proven"): the same rule tripped on another version or brief."""
    return f"{finding['kind']}:{finding['rule']}"[:250]


class FalsePositive(models.Model):
    """A reviewer's judgement that a finding flagged good copy. Counted per rule so admins can tune the guide."""

    version = models.ForeignKey(DraftVersion, on_delete=models.PROTECT, related_name="false_positives")
    # The guide version whose check raised the finding: precision is read per guide version.
    guide_version = models.ForeignKey(BrandGuideVersion, on_delete=models.PROTECT, related_name="+")
    finding_key = models.CharField(max_length=300)
    kind = models.CharField(max_length=32)
    rule = models.CharField(max_length=200)
    reason = models.TextField()
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["version", "finding_key"], name="unique_false_positive")]

    def __str__(self) -> str:
        return f"false positive {self.finding_key} on {self.version}"


class Recertification(models.Model):
    """One re-check of drafts in review, approved and live content against a new guide version. Nothing is unpublished by it."""

    guide_version = models.OneToOneField(BrandGuideVersion, on_delete=models.PROTECT, related_name="recertification")
    total = models.PositiveIntegerField(default=0)  # versions to re-check, known once it starts
    checked = models.PositiveIntegerField(default=0)
    blocked = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"re-certification against {self.guide_version}"
