from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models

from workbench.brand.models import Brand
from workbench.generation.models import Brief, Draft, DraftVersion


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


class WaiverScope(models.TextChoices):
    VERSION = "version", "This version only"
    BRIEF_RULE = "brief_rule", "This rule on this brief"
    BRAND_RULE = "brand_rule", "This rule for the brand, until a date"


class FindingOverride(models.Model):
    """A waiver: a reviewer's written justification for letting one blocking finding ship, on the record.

    The row always belongs to one version (what approval and publication read). Its scope says where else it
    may be applied: the same rule on later versions of the same brief, or anywhere in the brand until it
    expires. Applying it to another version writes a new row pointing at the waiver it came from."""

    version = models.ForeignKey(DraftVersion, on_delete=models.PROTECT, related_name="overrides")
    finding_key = models.CharField(max_length=300)
    # The finding without its position ("claim:clinically proven"): how the same finding is recognised again.
    rule_key = models.CharField(max_length=250, blank=True, db_index=True)
    justification = models.TextField()
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    scope = models.CharField(max_length=16, choices=WaiverScope.choices, default=WaiverScope.VERSION)
    brief = models.ForeignKey(Brief, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    brand = models.ForeignKey(Brand, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    expires_at = models.DateTimeField(null=True, blank=True)
    applied_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="applications")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["version", "finding_key"], name="unique_override")]

    def __str__(self) -> str:
        return f"override {self.finding_key} on {self.version}"

    @property
    def origin(self) -> FindingOverride:
        return self.applied_from or self

    def covers(self, version: DraftVersion, rule_key: str, now: datetime) -> bool:
        """Whether this waiver may be applied to the same finding on another version: in scope and unexpired."""
        if self.applied_from_id is not None or self.rule_key != rule_key:
            return False
        if self.expires_at is not None and self.expires_at <= now:
            return False
        if self.scope == WaiverScope.BRIEF_RULE:
            return self.brief_id == version.draft.brief_id
        if self.scope == WaiverScope.BRAND_RULE:
            return self.brand_id == version.draft.brief.brand_id
        return False


class Comment(models.Model):
    """One message in a draft's discussion, pinned to the version it was written about."""

    version = models.ForeignKey(DraftVersion, on_delete=models.PROTECT, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"comment by {self.author} on {self.version}"


class NotificationKind(models.TextChoices):
    SUBMITTED = "submitted", "New in your queue"
    DECISION = "decision", "Decision"
    COMMENT = "comment", "Comment"
    DUE_SOON = "due_soon", "Due soon"
    OVERDUE = "overdue", "Overdue"


class NotificationQuerySet(models.QuerySet["Notification"]):
    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """Something a person should see next time they look at Copydesk."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    draft = models.ForeignKey(Draft, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=NotificationKind.choices)
    message = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return f"to {self.recipient}: {self.message}"


class DraftPresence(models.Model):
    """Who last had a draft open, and when; rows older than the TTL mean nobody."""

    draft = models.ForeignKey(Draft, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["draft", "user"], name="one_presence_per_user_per_draft")]
        indexes = [models.Index(fields=["draft", "seen_at"])]

    def __str__(self) -> str:
        return f"{self.user} on draft {self.draft_id}"


class ReviewDeadline(models.Model):
    """When a submitted draft is due for a decision, and who (if anyone) is working on it now.

    One row per draft, replaced at each submission. A claim is screen state like presence, not content
    state: it is not audited, and it lapses on its own after CLAIM_IDLE of inactivity (review/deadlines.py).
    """

    draft = models.OneToOneField(Draft, on_delete=models.CASCADE, related_name="review_deadline")
    submitted_at = models.DateTimeField()
    due_at = models.DateTimeField()
    claimed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    claim_active_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["due_at"])]

    def __str__(self) -> str:
        return f"draft {self.draft_id} due {self.due_at:%Y-%m-%d %H:%M}"


class EmailKind(models.TextChoices):
    """What a person can choose to receive by email (in-app notifications always appear)."""

    SUBMITTED = "submitted", "A draft is waiting for my review"
    DECISION = "decision", "A decision on my draft"
    COMMENT = "comment", "A comment on a draft I work on"
    DUE_SOON = "due_soon", "A draft I could review is due soon"
    OVERDUE = "overdue", "A draft is overdue (admins: escalations)"
    DIGEST = "digest", "A daily digest"


class NotificationPreference(models.Model):
    """Which emails a person receives; without a row they receive every kind."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference")
    email_kinds = models.JSONField(default=list)

    def __str__(self) -> str:
        return f"email preferences of {self.user}"


class ReminderSent(models.Model):
    """A reminder of one kind went out for one draft's review deadline: never twice (the constraint)."""

    draft = models.ForeignKey(Draft, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=EmailKind.choices)
    due_at = models.DateTimeField()  # the deadline it was about: a resubmission gets a new deadline and new reminders
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["draft", "kind", "due_at"], name="one_reminder_per_draft_kind_deadline")]

    def __str__(self) -> str:
        return f"{self.kind} reminder for draft {self.draft_id}"


class DigestSent(models.Model):
    """One daily digest per person per day."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["recipient", "day"], name="one_digest_per_person_per_day")]

    def __str__(self) -> str:
        return f"digest for {self.recipient} on {self.day}"
