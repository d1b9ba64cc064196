from __future__ import annotations

from typing import Any

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


def finding_key(finding: dict[str, Any]) -> str:
    """A stable name for one finding of one version, used to override it."""
    return f"{finding['kind']}:{finding['rule']}:{finding['field']}:{finding['start']}-{finding['end']}"
