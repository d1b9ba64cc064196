from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from workbench.checks.engine.channels import BUILT_IN
# Re-exported for the apps: the live registry (`name in CHANNELS`) and a form's choices of it.
from workbench.checks.engine.channels import CHANNELS as CHANNELS
from workbench.checks.engine.channels import channel_choices as channel_choices

# The stored choices of the channel columns: the built-in channels of the registry (a channel
# registered at run time is offered by forms through channel_choices, not stored in migrations).
Channel = models.TextChoices("Channel", [(c.name.upper(), (c.name, c.label)) for c in BUILT_IN])  # type: ignore[call-overload]  # the functional API, which the stubs lack


class Brand(models.Model):
    slug = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    llm_model = models.CharField(max_length=100, blank=True, help_text="The model for this brand's briefs; blank uses the site default.")
    llm_parameters = models.JSONField(default=dict, blank=True, help_text="e.g. {\"temperature\": 0.6}")
    # A Slack-compatible incoming webhook: review submissions, reminders and escalations are posted to it as {"text": ...}.
    review_webhook_url = models.URLField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def current_guide(self) -> BrandGuideVersion:
        version = self.guide_versions.order_by("-number").first()
        if version is None:
            raise BrandGuideVersion.DoesNotExist(f"brand {self.slug} has no guide version")
        return version


class BrandGuideVersion(models.Model):
    """An immutable version of a brand guide (Contract 1). Editing makes a new one."""

    brand = models.ForeignKey(Brand, on_delete=models.PROTECT, related_name="guide_versions")
    number = models.PositiveIntegerField()
    data = models.JSONField()
    source_yaml = models.TextField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["brand", "-number"]
        constraints = [models.UniqueConstraint(fields=["brand", "number"], name="unique_guide_version")]

    def __str__(self) -> str:
        return f"{self.brand.slug} v{self.number}"

    @property
    def voice(self) -> dict[str, Any]:
        voice = self.data.get("voice") or {}
        assert isinstance(voice, dict)
        return voice


class PromptTemplate(models.Model):
    """A named brand-voice prompt; its text lives in immutable versions."""

    slug = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def current_version(self) -> PromptTemplateVersion:
        version = self.versions.order_by("-number").first()
        if version is None:
            raise PromptTemplateVersion.DoesNotExist(f"prompt {self.slug} has no version")
        return version


class PromptTemplateVersion(models.Model):
    template = models.ForeignKey(PromptTemplate, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    system_source = models.TextField()
    user_source = models.TextField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["template", "-number"]
        constraints = [models.UniqueConstraint(fields=["template", "number"], name="unique_prompt_version")]

    def __str__(self) -> str:
        return f"{self.template.slug} v{self.number}"


class Segment(models.Model):
    """An audience segment of one brand. Its tone context picks the guide's tone rules."""

    brand = models.ForeignKey(Brand, on_delete=models.PROTECT, related_name="segments")
    slug = models.SlugField(max_length=64)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    tone_context = models.CharField(max_length=64, blank=True, help_text="A context from the brand guide's tone section; blank uses the default.")
    sensitive = models.BooleanField(default=False, help_text="Sensitive segments need two approvals from two different reviewers.")
    attributes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["brand", "name"]
        constraints = [models.UniqueConstraint(fields=["brand", "slug"], name="unique_segment_slug")]

    def __str__(self) -> str:
        return self.name
