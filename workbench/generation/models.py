from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from workbench.brand.models import Brand, BrandGuideVersion, Channel, PromptTemplate, PromptTemplateVersion, Segment


class Brief(models.Model):
    """What the marketer wants said, to whom, on which channels."""

    brand = models.ForeignKey(Brand, on_delete=models.PROTECT, related_name="briefs")
    title = models.CharField(max_length=200)
    goal = models.TextField(help_text="What this message should achieve, e.g. bring lapsed customers back.")
    key_message = models.TextField(help_text="The one thing the reader must take away.")
    offer = models.CharField(max_length=300, blank=True, help_text="The offer, if any, exactly as it may be stated.")
    call_to_action = models.CharField(max_length=200, help_text="What the reader should do next.")
    tone_context = models.CharField(max_length=64, blank=True, help_text="Overrides each segment's tone context when set.")
    segments = models.ManyToManyField(Segment, related_name="briefs")
    channels = models.JSONField(default=list)
    # BCP 47 tags from the brand guide's declared locales; empty means the brand's default locale only.
    locales = models.JSONField(default=list, blank=True)
    # Optional key message per locale (tag -> text), written by the marketer in that language.
    locale_key_messages = models.JSONField(default=dict, blank=True)
    variants_per_segment = models.PositiveSmallIntegerField(default=2)
    prompt_template = models.ForeignKey(PromptTemplate, on_delete=models.PROTECT, related_name="briefs")
    llm_model = models.CharField(max_length=100, blank=True, help_text="Overrides the brand's and the site's model for this brief.")
    llm_parameters = models.JSONField(default=dict, blank=True, help_text="e.g. {\"temperature\": 0.4}; merged over the brand's.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="briefs")
    created_at = models.DateTimeField(auto_now_add=True)
    # Edited in place until its first run; after that an edit stores the old text as a BriefRevision and counts up.
    revision = models.PositiveIntegerField(default=1)
    # The last draft number handed out: drafts are numbered #1, #2, … across every run of the brief, never twice.
    draft_sequence = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class BriefRevision(models.Model):
    """A brief as it read before an edit replaced it: kept so the drafts generated from it can still be read beside it."""

    brief = models.ForeignKey(Brief, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    # The brief's fields as they were (segments as slugs and names, the prompt template by name), see brief_snapshot().
    data = models.JSONField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    replaced_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    replaced_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["brief", "number"]
        constraints = [models.UniqueConstraint(fields=["brief", "number"], name="unique_brief_revision")]

    def __str__(self) -> str:
        return f"{self.brief} revision {self.number}"


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


class GenerationRun(models.Model):
    """One click of Generate: a job per segment × channel."""

    brief = models.ForeignKey(Brief, on_delete=models.CASCADE, related_name="runs")
    provider = models.CharField(max_length=32)
    model = models.CharField(max_length=100, blank=True)
    parameters = models.JSONField(default=dict, blank=True)
    # Pinned when the run starts so every draft of one run shares its provenance.
    guide_version = models.ForeignKey(BrandGuideVersion, on_delete=models.PROTECT, related_name="+")
    prompt_version = models.ForeignKey(PromptTemplateVersion, on_delete=models.PROTECT, related_name="+")
    cancelled = models.BooleanField(default=False)
    # The brief's revision this run wrote from; a revision cannot change while a run is going.
    brief_revision = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"run {self.pk} of {self.brief}"

    @property
    def status(self) -> str:
        states = {job.status for job in self.jobs.all()}
        if self.cancelled:
            return RunStatus.CANCELLED
        for state in (RunStatus.RUNNING, RunStatus.QUEUED, RunStatus.FAILED):
            if state in states:
                return state
        return RunStatus.DONE


class JobMode(models.TextChoices):
    GENERATE = "generate", "Generate"
    REGENERATE = "regenerate", "Regenerate a variant"
    MORE_LIKE_THIS = "more_like_this", "More like this"
    REWRITE = "rewrite", "Rewrite"


class GenerationJob(models.Model):
    """One model call: a segment × channel of a run, or a regenerate / more-like-this / rewrite of one draft."""

    run = models.ForeignKey(GenerationRun, on_delete=models.CASCADE, related_name="jobs")
    segment = models.ForeignKey(Segment, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(max_length=16, choices=Channel.choices)
    locale = models.CharField(max_length=35, blank=True, help_text="BCP 47 tag the copy is written in; blank: the brand's default locale.")
    mode = models.CharField(max_length=16, choices=JobMode.choices, default=JobMode.GENERATE)
    source_draft = models.ForeignKey("Draft", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    source_version = models.PositiveIntegerField(null=True, blank=True)
    instruction = models.CharField(max_length=300, blank=True)
    variants = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(max_length=16, choices=RunStatus.choices, default=RunStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    # While a worker holds the job its lease runs; an expired lease on a running
    # job means the worker died, and the recovery sweep hands the job out again.
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    input_tokens = models.PositiveIntegerField(default=0)
    output_tokens = models.PositiveIntegerField(default=0)
    cost_usd = models.DecimalField(max_digits=12, decimal_places=6, default=0)
    queued_at = models.DateTimeField(auto_now_add=True, null=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["run", "segment__name", "channel", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "segment", "channel", "locale"], condition=models.Q(mode="generate"), name="unique_job_per_cell"
            )
        ]
        indexes = [models.Index(fields=["status", "lease_expires_at"])]

    def __str__(self) -> str:
        return f"job {self.pk} {self.segment.slug}/{self.channel}" + (f"/{self.locale}" if self.locale else "")


class DraftState(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class Draft(models.Model):
    """One message variant for a segment and channel; its text lives in immutable versions."""

    brief = models.ForeignKey(Brief, on_delete=models.PROTECT, related_name="drafts")
    segment = models.ForeignKey(Segment, on_delete=models.PROTECT, related_name="drafts")
    channel = models.CharField(max_length=16, choices=Channel.choices)
    locale = models.CharField(max_length=35, blank=True, help_text="BCP 47 tag the copy is written in; blank: the brand's default locale.")
    variant = models.PositiveSmallIntegerField()
    # The label people use (#9): the brief's sequence, unique within the brief across all its runs.
    number = models.PositiveIntegerField(default=0)
    brief_revision = models.PositiveIntegerField(default=1, help_text="The revision of the brief this draft was generated from.")
    job = models.ForeignKey(GenerationJob, null=True, blank=True, on_delete=models.SET_NULL, related_name="drafts")
    state = models.CharField(max_length=16, choices=DraftState.choices, default=DraftState.DRAFT)
    # Whether the latest version's latest check found something blocking; check_version keeps it, so the queue can filter on it.
    blocking = models.BooleanField(default=False)
    # Set aside by its author or an admin: off the grid (under "Discarded"), and nothing can submit it until it is restored.
    discarded_at = models.DateTimeField(null=True, blank=True)
    discarded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="drafts")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            # A redelivered generation task finds its drafts here instead of making twins.
            models.UniqueConstraint(fields=["job", "variant"], name="unique_variant_per_job"),
            models.UniqueConstraint(fields=["brief", "number"], name="unique_draft_number_per_brief"),
        ]
        indexes = [models.Index(fields=["state", "created_at"])]

    def __str__(self) -> str:
        locale = f" · {self.locale}" if self.locale else ""
        return f"{self.brief.title} · {self.segment.name} · {self.get_channel_display()}{locale} #{self.number}"

    @property
    def discarded(self) -> bool:
        return self.discarded_at is not None

    def latest_version(self) -> DraftVersion:
        version = self.versions.order_by("-number").first()
        if version is None:
            raise DraftVersion.DoesNotExist(f"draft {self.pk} has no version")
        return version


class VersionOrigin(models.TextChoices):
    GENERATED = "generated", "Generated"
    EDITED = "edited", "Edited"
    REGENERATED = "regenerated", "Regenerated"
    REWRITTEN = "rewritten", "Rewritten"


class DraftVersion(models.Model):
    """One exact text of a draft, with where it came from (invariant 6). Never changed once written."""

    draft = models.ForeignKey(Draft, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    fields = models.JSONField()
    origin = models.CharField(max_length=16, choices=VersionOrigin.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    guide_version = models.ForeignKey(BrandGuideVersion, on_delete=models.PROTECT, related_name="+")
    prompt_version = models.ForeignKey(PromptTemplateVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    provider = models.CharField(max_length=32, blank=True)
    model = models.CharField(max_length=100, blank=True)
    parameters = models.JSONField(default=dict, blank=True)
    input_tokens = models.PositiveIntegerField(default=0)
    output_tokens = models.PositiveIntegerField(default=0)
    latency_ms = models.PositiveIntegerField(default=0)
    cost_usd = models.DecimalField(max_digits=12, decimal_places=6, default=0)
    job = models.ForeignKey(GenerationJob, null=True, blank=True, on_delete=models.SET_NULL, related_name="versions")
    instruction = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["draft", "number"]
        constraints = [
            models.UniqueConstraint(fields=["draft", "number"], name="unique_draft_version"),
            # A redelivered rewrite task finds its version instead of writing a second one.
            models.UniqueConstraint(fields=["draft", "job"], name="one_version_per_rewrite_job"),
        ]

    def __str__(self) -> str:
        return f"draft {self.draft_id} v{self.number}"

    @property
    def headline(self) -> str:
        """The line a list shows for this version: subject, else title, else body."""
        for name in ("subject", "title", "body"):
            if self.fields.get(name):
                return str(self.fields[name])
        return ""

    def provenance(self) -> dict[str, Any]:
        return {
            "guide_version": str(self.guide_version),
            "prompt_version": str(self.prompt_version) if self.prompt_version else None,
            "segment": self.draft.segment.slug,
            "locale": self.draft.locale or None,
            "provider": self.provider,
            "model": self.model,
            "parameters": self.parameters,
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "latency_ms": self.latency_ms,
            "cost_usd": str(self.cost_usd),
            "instruction": self.instruction or None,
        }
