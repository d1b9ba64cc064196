from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from workbench.brand.models import Brand, Channel, Segment
from workbench.generation.models import DraftVersion


class Journey(models.Model):
    brand = models.ForeignKey(Brand, on_delete=models.PROTECT, related_name="journeys")
    slug = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    paused = models.BooleanField(default=False, help_text="Kill switch: while paused the API serves none of this journey's content.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class JourneyStep(models.Model):
    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="steps")
    slug = models.SlugField(max_length=64)
    name = models.CharField(max_length=200)
    channel = models.CharField(max_length=16, choices=Channel.choices)
    tone_context = models.CharField(max_length=64, blank=True)
    promotional = models.BooleanField(default=False)
    suppress_signals = models.JSONField(default=list, blank=True, help_text="Signals that suppress this step, e.g. open_support_case.")
    default_segment = models.ForeignKey(Segment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["journey", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["journey", "slug"], name="unique_step_slug")]

    def __str__(self) -> str:
        return f"{self.journey.slug}/{self.slug}"


class PublicationQuerySet(models.QuerySet["Publication"]):
    def current(self) -> PublicationQuerySet:
        """Not unpublished: live now, or waiting for its window to open."""
        return self.filter(ended_at__isnull=True)

    def in_window(self, at: datetime | None = None) -> PublicationQuerySet:
        """Current and inside its window: served now, or, while its journey is paused, what resuming serves again."""
        at = at or timezone.now()
        return self.current().filter(Q(starts_at__isnull=True) | Q(starts_at__lte=at), Q(ends_at__isnull=True) | Q(ends_at__gt=at))

    def live(self, at: datetime | None = None) -> PublicationQuerySet:
        return self.in_window(at).filter(step__journey__paused=False)


class Publication(models.Model):
    """One approved version live on a journey step for a segment, with an A/B weight."""

    step = models.ForeignKey(JourneyStep, on_delete=models.PROTECT, related_name="publications")
    segment = models.ForeignKey(Segment, on_delete=models.PROTECT, related_name="publications")
    version = models.ForeignKey(DraftVersion, on_delete=models.PROTECT, related_name="publications")
    # The version's draft's locale, kept here so serving and the live listing filter without a join; blank: the brand's default.
    locale = models.CharField(max_length=35, blank=True)
    weight = models.PositiveIntegerField(default=100)
    starts_at = models.DateTimeField(null=True, blank=True, help_text="Not served before this time.")
    ends_at = models.DateTimeField(null=True, blank=True, help_text="Not served from this time on.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True, help_text="When it was unpublished, retired or replaced.")
    ended_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    objects = PublicationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["step", "segment", "locale", "ended_at"])]
        constraints = [
            # A version is live at most once per step and segment: publishing it again is refused, even by two publishers at once.
            # No locale in it on purpose: a version has one locale (its draft's), so the key already covers step × segment × locale,
            # and a row whose locale disagrees with its version's (written some other way) is still refused.
            models.UniqueConstraint(
                fields=["step", "segment", "version"], condition=Q(ended_at__isnull=True), name="one_current_publication_per_version"
            )
        ]

    def __str__(self) -> str:
        return f"publication {self.pk}: {self.version} on {self.step}"

    def in_window(self, at: datetime) -> bool:
        return (self.starts_at is None or self.starts_at <= at) and (self.ends_at is None or at < self.ends_at)


class ApiClient(models.Model):
    """A journey engine's credentials. Only the token's hash is stored."""

    name = models.CharField(max_length=100, unique=True)
    token_hash = models.CharField(max_length=64)
    journeys = models.ManyToManyField(Journey, blank=True, related_name="api_clients")
    all_journeys = models.BooleanField(default=False)
    can_check = models.BooleanField(default=False, help_text="May call POST /api/v1/checks.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    rate_limit_per_minute = models.PositiveIntegerField(default=6000, help_text="Requests per minute before the API answers 429.")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def may_access(self, journey_id: int) -> bool:
        return self.all_journeys or journey_id in self.journey_ids

    @property
    def journey_ids(self) -> frozenset[int]:
        # Kept on the instance: the API caches authenticated clients between requests.
        if not hasattr(self, "_journey_ids"):
            self._journey_ids = frozenset(j.pk for j in self.journeys.all())
        return self._journey_ids


class OutcomeEvent(models.TextChoices):
    DELIVERED = "delivered"
    OPENED = "opened"
    CLICKED = "clicked"
    CONVERTED = "converted"
    UNSUBSCRIBED = "unsubscribed"


class OutcomeCount(models.Model):
    publication = models.ForeignKey(Publication, on_delete=models.PROTECT, related_name="outcomes")
    event = models.CharField(max_length=16, choices=OutcomeEvent.choices)
    count = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["publication", "event"], name="unique_outcome_counter")]


class OutcomeReport(models.Model):
    """One count as a journey engine reported it, with when: the day-by-day record behind OutcomeCount's running totals.

    Totals stay in OutcomeCount (one row per publication and event, cheap to read); these rows let the
    performance page show outcomes per day for a date range. Counts reported before these rows existed
    are in the totals only.
    """

    publication = models.ForeignKey(Publication, on_delete=models.PROTECT, related_name="outcome_reports")
    event = models.CharField(max_length=16, choices=OutcomeEvent.choices)
    count = models.PositiveBigIntegerField()
    reported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["reported_at", "publication"], name="outcome_report_day")]


class OutcomeBatch(models.Model):
    """A batch of outcome reports a client sent under its own id, so a retried batch counts once."""

    client = models.ForeignKey(ApiClient, on_delete=models.PROTECT, related_name="outcome_batches")
    batch_id = models.CharField(max_length=100)
    step = models.ForeignKey(JourneyStep, on_delete=models.PROTECT, related_name="+")
    fingerprint = models.CharField(max_length=64, help_text="Hash of the batch's reports: the same id with other reports is refused.")
    recorded = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client", "batch_id"], name="unique_outcome_batch")]
